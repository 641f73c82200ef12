"""Streaming CSV downloads whose cells are safe to open in a spreadsheet.

Every cell of a public CSV is an SQL expression (a ``Column``): the database
formats choices, dates, amounts and the names of many-to-many links, and
``Neutralised`` defuses formula-like text, all in the one query that reads the
rows. On PostgreSQL that query runs as ``COPY (…) TO STDOUT WITH CSV`` and its
output streams to the client as it comes; elsewhere ``csv.writer`` writes the
rows as they are read. Either way no model instance is built, Python does no
work per cell, and memory stays flat.
"""

import csv
import dataclasses
import io
import itertools
import re
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Aggregate, Case, CharField, F, Func, Value, When
from django.db.models.expressions import Col
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    ExtractDay,
    ExtractMonth,
    ExtractQuarter,
    ExtractYear,
    Left,
    LPad,
)
from django.db.models.lookups import In
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from . import dates
from .bulk import copy_through
from .cells import BYTE_ORDER_MARK, FORMULA_PREFIXES
from .dates import Precision
from .models import Challenge, Initiative, Recommendation, Visit


class Neutralised(Case):
    """``neutralise`` in SQL: text that starts like a formula gets a quote in front."""

    def __init__(self, expression):
        expression = F(expression) if isinstance(expression, str) else expression
        super().__init__(
            When(In(Left(expression, 1), list(FORMULA_PREFIXES)), then=Concat(Value("'"), expression)),
            default=expression,
            output_field=CharField(),
        )


class JoinedNames(Aggregate):
    """The distinct values of a to-many relation, sorted and joined by "; " ("Cyber defence; Training").

    PostgreSQL has ``STRING_AGG(DISTINCT … ORDER BY …)``; SQLite before 3.44
    cannot order an aggregate, so there it is ``tracker_joined_names``, a Python
    aggregate every SQLite connection registers (``register_sqlite_functions``).
    """

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"tracker_joined_names({sql})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"STRING_AGG(DISTINCT {sql}, '; ' ORDER BY {sql})", (*params, *params)


class JoinedNamesAggregate:
    """The Python side of ``tracker_joined_names`` on SQLite."""

    def __init__(self):
        self.names = set()

    def step(self, name):
        if name is not None:
            self.names.add(name)

    def finalize(self):
        return "; ".join(sorted(self.names))


def register_sqlite_functions(sender, connection, **kwargs):
    """``connection_created`` receiver: SQL functions the exports use that SQLite lacks."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("tracker_joined_names", 1, JoinedNamesAggregate)


def name_label(prefix=""):
    return F(f"{prefix}name")


def organisation_label(prefix=""):
    """An organisation as ``str(Organisation)`` shows it: "Name (ABBR)", or the name alone
    (NULL where a join finds no organisation, so ``JoinedNames`` leaves it out)."""
    name, abbreviation = F(f"{prefix}name"), F(f"{prefix}abbreviation")
    return Case(
        When(**{f"{prefix}abbreviation": ""}, then=name),
        When(**{f"{prefix}abbreviation__isnull": False}, then=Concat(name, Value(" ("), abbreviation, Value(")"))),
        output_field=CharField(),
    )


def partial_date_text(date_field, precision_field):
    """``PartialDate.isoformat()`` in SQL: "2006", "2026-Q2", "2023-02", "2025-09-25" (empty without a date)."""

    def padded(part, width):
        return LPad(Cast(part, CharField()), width, Value("0"))

    year, month = padded(ExtractYear(date_field), 4), padded(ExtractMonth(date_field), 2)
    return Case(
        When(**{f"{date_field}__isnull": True}, then=Value("")),
        When(**{precision_field: Precision.YEAR}, then=year),
        When(
            **{precision_field: Precision.QUARTER},
            then=Concat(year, Value("-Q"), Cast(ExtractQuarter(date_field), CharField())),
        ),
        When(**{precision_field: Precision.MONTH}, then=Concat(year, Value("-"), month)),
        default=Concat(year, Value("-"), month, Value("-"), padded(ExtractDay(date_field), 2)),
        output_field=CharField(),
    )


@dataclasses.dataclass(frozen=True)
class Column:
    """A CSV column: its key (the header, the same in every language), its label (translated, for the
    optional second header row) and a function making its SQL expression when a download starts."""

    key: str
    label: str
    expression: Callable
    form: str = "text"  # what a cell holds, one of ``FORMS`` (the data dictionary, ``/data/``, explains each)
    choices: tuple = ()  # a choice's (code, label) pairs

    @property
    def form_text(self):
        return FORMS[self.form]


#: What a column's cells hold, as the data dictionary says it.
FORMS = {
    "text": _("text, as the source words it"),
    "code": _("a code, the same in every language"),
    "label": _("the code's label, in the language of the download"),
    "date": _("a date as precise as its source: 2006, 2026-Q2, 2023-02 or 2025-09-25"),
    "names": _("names joined by “; ”, in alphabetical order"),
    "amount": _("a decimal number with a point (2500000.00); empty without an amount"),
    "organisation": _("an organisation as “Name (ABBR)”, or the source's own words"),
    "flag": _("true or false"),
    "link": _("the address of the record's page"),
}


def text_column(key, label, lookup):
    return Column(key, label, lambda: Neutralised(lookup))


def code_column(key, label, field, choices=()):
    """A stored code as it is ("in_progress"), whatever the reader's language."""
    return Column(key, label, lambda: F(field), form="code", choices=tuple(choices))


def choice_label_column(key, label, model, field):
    """A choice by its label in the language of the request ("U toku")."""
    choices = model._meta.get_field(field).flatchoices
    return Column(
        key,
        label,
        lambda: Case(
            *(When(**{field: value}, then=Value(str(label))) for value, label in choices),
            default=F(field),
            output_field=CharField(),
        ),
        form="label",
    )


def choice_columns(key, label, model, field):
    """A choice twice: ``key`` its code, ``key_label`` its label in the reader's language."""
    choices = model._meta.get_field(field).flatchoices
    return (code_column(key, label, field, choices), choice_label_column(f"{key}_label", label, model, field))


def partial_date_column(key, label, date_field, precision_field):
    return Column(key, label, lambda: partial_date_text(date_field, precision_field), form="date")


def names_column(key, label, relation, name=name_label):
    """The names of a many-to-many relation, each neutralised (so the cell is too); ``name(prefix)``
    makes the expression of one related record's name."""
    return Column(key, label, lambda: JoinedNames(Neutralised(name(f"{relation}__"))), form="names")


def amount_column(key, label, amount_field):
    """The amount as a plain decimal number ("2500000.00"); empty without an amount."""
    return Column(
        key,
        label,
        lambda: Case(
            When(**{f"{amount_field}__isnull": True}, then=Value("")),
            default=Cast(amount_field, CharField()),
            output_field=CharField(),
        ),
        form="amount",
    )


def organisation_column(key, label, relation, detail_field=None):
    """An organisation as ``str(Organisation)`` shows it, or without one the source's own wording."""
    return Column(
        key,
        label,
        lambda: Neutralised(
            Coalesce(organisation_label(f"{relation}__"), F(detail_field) if detail_field else Value(""))
        ),
        form="organisation",
    )


def flag_column(key, label, field):
    """A yes-or-no field as ``true`` or ``false``."""
    return Column(
        key,
        label,
        lambda: Case(When(**{field: True}, then=Value("true")), default=Value("false"), output_field=CharField()),
        form="flag",
    )


def link_column(key, label, list_url):
    """The record's public page: ``list_url`` (absolute) followed by its slug."""
    return Column(
        key, label, lambda: Concat(Value(list_url), F("slug"), Value("/"), output_field=CharField()), form="link"
    )


class PerRecord(Func):
    """A value computed from a record's own columns. A query that joins many-to-many names groups by
    record, and this makes it group by the columns the value reads rather than by the value
    (PostgreSQL then groups by the primary key alone and computes the value once per record)."""

    template = "%(expressions)s"

    def get_group_by_cols(self):
        return [node for node in self.flatten() if isinstance(node, Col)]


def csv_query(queryset, columns):
    """``queryset`` as ``values_list`` rows, one SQL expression per column, in the list's order."""
    names = [f"csv_{number}" for number in range(len(columns))]
    expressions = [col.expression() for col in columns]
    annotated = queryset.annotate(
        **{
            name: expression if isinstance(expression, Aggregate) else PerRecord(expression)
            for name, expression in zip(names, expressions, strict=True)
        }
    )
    # a grouped query ignores Meta.ordering: keep the list's order explicitly
    return annotated.order_by(*queryset.query.order_by or queryset.model._meta.ordering).values_list(*names)


def file_name(kind, form, today):
    """What a download holds, in safe characters: ``initiatives_status-completed+ongoing_2026-12-01.csv``
    (its kind, each filter given, in the form's order, and the day it was made)."""
    parts = [kind]
    for name in form.fields:
        values = [safe_text(value) for value in form.data.getlist(name)]
        if values := [value for value in values if value]:
            parts.append(f"{name}-{'+'.join(values)}")
    return f"{'_'.join(parts)[:150]}_{today.isoformat()}.csv"


def safe_text(value):
    """``value`` in letters, digits, dots and single hyphens ("cyber-defence"); a descending sort keeps its
    leading "-" ("-date")."""
    safe = re.sub(r"[^A-Za-z0-9.]+", "-", value).strip("-")
    return f"-{safe}" if safe and value.startswith("-") else safe


def labels_wanted(query):
    """``?labels=1``: a second header row with each column's label in the reader's language; ``None`` for
    anything but 0 or 1."""
    return {"0": False, "1": True}.get(query.get("labels", "0"))


def invalid_filters(form):
    """A list's CSV asked with filters its form refuses: a 400 saying which and why, as the list page shows them."""
    lines = [f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
             for name, errors in form.errors.items()]  # fmt: skip
    return HttpResponseBadRequest(
        "\n".join([str(_("The CSV was not made: these filters are not valid.")), *lines, ""]),
        content_type="text/plain; charset=utf-8",
    )


def list_csv(request, kind, filterset, records, columns):
    """A public list's ``records``, as its filters select and sort them, as a CSV download under the columns'
    keys (and their labels, with ``?labels=1``); a clear 400 for filters or options it cannot take."""
    if filterset.is_bound and not filterset.is_valid():
        return invalid_filters(filterset.form)
    labels = labels_wanted(request.GET)
    if labels is None:
        return HttpResponseBadRequest(
            str(_("The CSV was not made: labels must be 0 or 1.")), content_type="text/plain; charset=utf-8"
        )
    header_rows = [[column.key for column in columns]]
    if labels:
        header_rows.append([str(column.label) for column in columns])
    name = file_name(kind, filterset.form, dates.today())
    return stream_csv(name, header_rows, csv_query(records, columns))


def stream_csv(filename, header_rows, rows):
    """Stream the ``values_list`` query ``rows`` under ``header_rows`` as a CSV download; the query is compiled
    first, so a query that cannot select anything gives the header alone, never a stream cut short."""
    try:
        rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        body = iter(())
    else:
        body = copy_csv(rows) if connections[rows.db].vendor == "postgresql" else write_csv(rows)
    header = io.StringIO()
    header.write(BYTE_ORDER_MARK)
    csv.writer(header, lineterminator="\n").writerows(header_rows)
    response = StreamingHttpResponse(
        itertools.chain([header.getvalue().encode()], body), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def copy_csv(rows, block_size=64 * 1024):
    """PostgreSQL writes the CSV itself: ``COPY (query) TO STDOUT``, streamed in blocks of ``block_size`` bytes
    (it sends one message per row)."""
    connection = connections[rows.db]
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    block = bytearray()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with copy_through(cursor, statement, list(params)) as copy:
            for data in copy:
                block += data
                if len(block) >= block_size:
                    yield bytes(block)
                    block.clear()
    yield bytes(block)


def write_csv(rows, rows_per_block=1000):
    """The rows read in chunks and written by ``csv.writer``, one block of text per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    iterator = rows.iterator(chunk_size=rows_per_block)
    while chunk := list(itertools.islice(iterator, rows_per_block)):
        writer.writerows(chunk)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


# The public lists' columns: their keys are the CSV's header in every language, documented in the README
# ("CSV downloads"); a list's view names its set, and each file ends with the record's page (``url``).
INITIATIVE_COLUMNS = (
    text_column("title", _("Title"), "title"),
    text_column("short_name", _("Short name"), "short_name"),
    *choice_columns("kind", _("Kind"), Initiative, "kind"),
    *choice_columns("status", _("Status"), Initiative, "status"),
    partial_date_column("start_date", _("Start"), "start_date", "start_precision"),
    partial_date_column("end_date", _("End"), "end_date", "end_precision"),
    amount_column("amount", _("Amount"), "amount"),
    code_column("currency", _("Currency"), "currency"),
    names_column("focus_areas", _("Focus areas"), "focus_areas"),
    names_column("organisations", _("Organisations"), "organisations", organisation_label),
    text_column("summary", _("Summary"), "summary"),
)

CHALLENGE_COLUMNS = (
    text_column("title", _("Title"), "title"),
    *choice_columns("category", _("Category"), Challenge, "category"),
    *choice_columns("status", _("Status"), Challenge, "status"),
    names_column("focus_areas", _("Focus areas"), "focus_areas"),
    text_column("summary", _("Summary"), "summary"),
)

RECOMMENDATION_COLUMNS = (
    text_column("title", _("Title"), "title"),
    text_column("focus_area", _("Focus area"), "focus_area__name"),
    text_column("strategic_action", _("Strategic action"), "strategic_action"),
    text_column("expected_outcome", _("Expected outcome"), "expected_outcome"),
    *choice_columns("status", _("Status"), Recommendation, "status"),
    partial_date_column("target_date", _("Target"), "target_date", "target_precision"),
    flag_column("target_ongoing", _("Ongoing"), "target_ongoing"),
    organisation_column("proposed_by", _("Proposed by"), "proposed_by", "proposed_by_detail"),
    text_column("summary", _("Summary"), "summary"),
)

VISIT_COLUMNS = (
    text_column("title", _("Title"), "title"),
    *choice_columns("kind", _("Kind"), Visit, "kind"),
    partial_date_column("date", _("Date"), "date", "date_precision"),
    text_column("city", _("City"), "city"),
    text_column("country", _("Country"), "country"),
    text_column("visitor_name", _("Visiting official"), "visitor_name"),
    text_column("visitor_role", _("Role"), "visitor_role"),
    organisation_column("visitor_organisation", _("Visiting organisation"), "visitor_organisation"),
    names_column("hosts", _("Hosts"), "hosts", organisation_label),
    text_column("purpose", _("Purpose"), "purpose"),
)
