"""Streaming CSV downloads whose cells are safe to open in a spreadsheet.

A public CSV reads plain columns with one ``values_list`` query and each
many-to-many column's names with one query per chunk of rows: no model
instance is built per row, and the download streams at constant memory.
"""

import csv
import dataclasses
import functools
import io
import itertools
from collections.abc import Callable

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Concat
from django.http import StreamingHttpResponse

from .dates import PartialDate

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: An organisation as ``str(Organisation)`` shows it: "Name (ABBR)", or the name alone.
ORGANISATION_LABEL = Case(
    When(abbreviation="", then=F("name")),
    default=Concat("name", Value(" ("), "abbreviation", Value(")")),
    output_field=CharField(),
)


def neutralise(value):
    """Prefix a cell a spreadsheet would run as a formula with a quote (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def stream_csv(filename, headers, rows, rows_per_chunk=500):
    """Stream ``rows`` (lists of cells) under ``headers`` as a CSV download, formula cells neutralised."""

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # lets spreadsheet programs recognise UTF-8
        writer.writerow(headers)
        for number, row in enumerate(rows, 1):
            writer.writerow([neutralise(cell) for cell in row])
            if number % rows_per_chunk == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def text(value):
    return "" if value is None else str(value)


@dataclasses.dataclass(frozen=True)
class Column:
    """A CSV column: its header, the ``values_list`` lookups it reads, and how they become one cell."""

    header: str
    lookups: tuple
    format: Callable = text

    def formatter(self):
        """The function from the looked-up values to the cell, made once per download."""
        return self.format


@dataclasses.dataclass(frozen=True)
class ChoiceColumn(Column):
    """A choice by its label in the active language (translated once per download, not per row)."""

    choices: tuple = ()

    def formatter(self):
        labels = {value: str(label) for value, label in self.choices}
        return lambda value: labels.get(value, value or "")


@dataclasses.dataclass(frozen=True)
class NamesColumn(Column):
    """The names of a many-to-many relation, sorted and ``;``-separated, read in one query per chunk of rows."""

    name: object = "name"

    def names(self, model, ids):
        """``{record id: "name; name"}`` for the records ``ids``."""
        relation = model._meta.get_field(self.lookups[0])
        back = relation.related_query_name()
        pairs = (
            relation.related_model.objects.filter(**{f"{back}__in": ids})
            .annotate(label=F(self.name) if isinstance(self.name, str) else self.name)
            .order_by("label")
            .values_list(back, "label")
        )
        found = {}
        for record_id, label in pairs:
            found.setdefault(record_id, []).append(label)
        return {record_id: "; ".join(labels) for record_id, labels in found.items()}


@dataclasses.dataclass(frozen=True)
class PartialDateColumn(Column):
    """A date as precise as its source ("2006", "Q2 2026"); each distinct date is formatted once per download."""

    def formatter(self):
        @functools.cache
        def format_date(date, precision):
            return str(PartialDate(date, precision)) if date else ""

        return format_date


def column(header, lookup):
    return Column(header, (lookup,))


def choice_column(header, model, field):
    return ChoiceColumn(header, (field,), choices=tuple(model._meta.get_field(field).flatchoices))


def partial_date_column(header, date_field, precision_field):
    return PartialDateColumn(header, (date_field, precision_field))


def names_column(header, relation, name="name"):
    return NamesColumn(header, (relation,), name=name)


def csv_rows(queryset, columns, chunk_size=2000):
    """The rows of ``queryset`` as lists of cells for ``columns``, read in chunks.

    Plain columns come from one ``values_list`` query; each many-to-many column
    adds one query per chunk, so the query count grows with rows / ``chunk_size``,
    never with rows, and memory stays flat.
    """
    names_columns = [col for col in columns if isinstance(col, NamesColumn)]
    lookups, plan = ["pk"], []  # plan: (formatter, first, last lookup) or (None, index of the names column, None)
    for col in columns:
        if isinstance(col, NamesColumn):
            plan.append((None, names_columns.index(col), None))
        else:
            plan.append((col.formatter(), len(lookups), len(lookups) + len(col.lookups)))
            lookups += col.lookups
    rows = queryset.values_list(*lookups).iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(rows, chunk_size)):
        ids = [row[0] for row in chunk]
        names = [col.names(queryset.model, ids) for col in names_columns]
        for row in chunk:
            yield [
                names[first].get(row[0], "") if format_ is None else format_(*row[first:last])
                for format_, first, last in plan
            ]
