"""Import and export of every model staff edit, as CSV, XLSX, ODS or JSON.

Columns have readable headers and refer to related records by natural key
(a focus area as "Cyber defence", organisations as a ``;``-separated list of
names, records by slug), never by database id, so a file made by hand in a
spreadsheet imports. Every problem is reported against its row and column,
and any error means nothing is written.

- ``columns``: the resources, one per model, as lists of columns (add a column or a resource here);
- ``widgets``: how one cell reads and writes (natural keys, choices, dates, numbers);
- ``engine``: where the import departs from django-import-export, and why;
- ``importing``: reading uploaded files, and importing all rows or none.
"""

from .columns import RESOURCES, RESOURCES_BY_NAME

__all__ = ["RESOURCES", "RESOURCES_BY_NAME"]
