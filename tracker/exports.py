"""Streaming CSV downloads whose cells are safe to open in a spreadsheet.

A public CSV reads plain columns with one ``values_list`` query and each
many-to-many column's links with one query per chunk of rows, the related
names from a dictionary read once: no model instance is built per row, plain
text passes through untouched (only neutralised), and the download streams at
constant memory.
"""

import csv
import dataclasses
import functools
import io
import itertools
from collections.abc import Callable

from django.db.models import Case, CharField, F, Lookup, Value, When
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


def neutralised(row):
    """``row`` with every cell as ``neutralise`` makes it (inlined: this runs once per cell of a download)."""
    cells = [cell if cell.__class__ is str else text(cell) for cell in row]
    return ["'" + cell if cell.startswith(FORMULA_PREFIXES) else cell for cell in cells]


def stream_csv(filename, headers, rows, rows_per_chunk=1000):
    """Stream ``rows`` (lists of cells) under ``headers`` as a CSV download, formula cells neutralised."""

    rows = iter(rows)

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # lets spreadsheet programs recognise UTF-8
        writer.writerow(headers)
        while chunk := list(itertools.islice(rows, rows_per_chunk)):
            writer.writerows(map(neutralised, chunk))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def text(value):
    return "" if value is None else str(value)


class AnyOf(Lookup):
    """``column = ANY(%s)`` with the values as one array parameter on PostgreSQL (``IN (%s, …)`` elsewhere).

    Django's ``__in`` sends one parameter per value, and preparing and parsing
    2,000 of them costs more than the query itself.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*params, list(self.rhs))


@dataclasses.dataclass(frozen=True)
class Column:
    """A CSV column: its header, the ``values_list`` lookups it reads, and how they become one cell.

    Without ``format`` the cell is the one looked-up value as it is.
    """

    header: str
    lookups: tuple
    format: Callable | None = None

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
    """The names of a many-to-many relation, sorted and ``;``-separated.

    The related names are read once per download (a vocabulary: a few hundred
    at most), the links with one query per chunk of rows.
    """

    name: object = "name"

    def reader(self, model):
        """The function from record ids to ``{record id: "name; name"}``, made once per download."""
        relation = model._meta.get_field(self.lookups[0])
        through = relation.remote_field.through
        own = through._meta.get_field(relation.m2m_field_name()).attname
        other = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        label = F(self.name) if isinstance(self.name, str) else self.name
        labels = dict(relation.related_model.objects.annotate(label=label).values_list("pk", "label"))

        def names(ids):
            found = {}
            for record_id, related_id in through.objects.filter(AnyOf(F(own), ids)).values_list(own, other):
                found.setdefault(record_id, []).append(labels[related_id])
            return {record_id: "; ".join(sorted(names)) for record_id, names in found.items()}

        return names


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
    # one step per column: (None, index, None) passes a value through, (format, first, last)
    # formats a slice of the values, (None, None, n) takes the n-th many-to-many column's names
    readers, lookups, plan = [], ["pk"], []
    for col in columns:
        if isinstance(col, NamesColumn):
            plan.append((None, None, len(readers)))
            readers.append(col.reader(queryset.model))
        elif (format_ := col.formatter()) is None:
            plan.append((None, len(lookups), None))
            lookups.append(col.lookups[0])
        else:
            plan.append((format_, len(lookups), len(lookups) + len(col.lookups)))
            lookups += col.lookups
    rows = queryset.values_list(*lookups).iterator(chunk_size=chunk_size)
    while chunk := list(itertools.islice(rows, chunk_size)):
        ids = [row[0] for row in chunk]
        names = [read(ids) for read in readers]
        for row in chunk:
            yield [
                names[last].get(row[0], "")
                if first is None
                else row[first]
                if format_ is None
                else format_(*row[first:last])
                for format_, first, last in plan
            ]
