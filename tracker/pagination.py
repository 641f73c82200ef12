"""Paginators that stay fast on long lists: the count is remembered, a page reads only ids first, and the
public lists move from page to page by the row they stop at (``KeysetPaginator``)."""

import base64
import binascii
import datetime
import decimal
import hashlib
import json
import math

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import F, FloatField, Func, IntegerField, OrderBy, Q
from django.db.models.expressions import Col, Value
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThan, LessThan
from django.utils.functional import SimpleLazyObject, cached_property

from .caching import remember


class CachedCountPaginator(Paginator):
    """Counts each distinct query once per version of the tables of ``depends_on`` (every tracker table
    unless the view names fewer: ``tracker.caching``).

    The query is named by its SQL, or by ``count_key`` where a view can name it more cheaply (compiling
    ``/changes/``'s union of every history table takes longer than reading its remembered count)."""

    count_key = None
    #: ``() -> count or None``: a count the database keeps (``tracker.list_counts``), where it keeps one.
    known_count = None
    depends_on = ()

    @cached_property
    def count(self):
        if self.count_key is not None:
            return remember(f"count:{self.count_key}", self.counted, self.depends_on)
        try:
            sql, params = self.object_list.query.sql_with_params()
        except EmptyResultSet:  # e.g. ``none()`` after an invalid filter
            return 0
        key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        return remember(f"count:{key}", self.counted, self.depends_on)

    def counted(self):
        known = self.known_count() if self.known_count is not None else None
        return Paginator.count.func(self) if known is None else known


class IdsFirstPaginator(CachedCountPaginator):
    """Reads a deep page of records in two steps: the ids of its rows, in the list's order, then those rows.

    Skipping 40,000 rows to reach page 2,000 then walks an index of ids (an
    index-only scan where the list's order is indexed) instead of reading every
    skipped row in full; the second query reads 20 rows by primary key, with the
    list's ``select_related`` and ``prefetch_related``. The first pages, which
    skip little, are read in one query. Either way the rows are read only when
    shown, so a page whose rendered rows are remembered reads none.
    """

    #: From how many skipped rows the ids are read first.
    deep = 1000

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.deep:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(SimpleLazyObject(lambda: self.rows(bottom, top)), number, self)

    def rows(self, bottom, top):
        ids = list(self.object_list.prefetch_related(None).values_list("pk", flat=True)[bottom:top])
        return rows_in_order(self.object_list, ids)


def rows_in_order(queryset, ids):
    """The rows of ``queryset`` with these ids, in their order: read by primary key, with the list's
    annotations, ``select_related`` and ``prefetch_related``."""
    rows = queryset.filter(pk__in=ids).order_by().in_bulk() if ids else {}
    return [rows[pk] for pk in ids]


class Row(Func):
    """``(a, b, c)``: a row value, compared as a whole, so PostgreSQL starts an index scan at it."""

    template = "(%(expressions)s)"

    def __init__(self, *expressions, output_field):
        super().__init__(*expressions, output_field=output_field)


class Term:
    """One key of a list's order: an expression, its direction and where its nulls go."""

    def __init__(self, expression, descending, nulls_last):
        self.expression, self.descending, self.nulls_last = expression, descending, nulls_last

    def reversed(self):
        return Term(self.expression, not self.descending, not self.nulls_last)

    def order_by(self, name):
        nulls = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return OrderBy(F(name), descending=self.descending, **nulls)

    def beyond(self, name, value, nullable):
        """Rows whose key ``name`` comes strictly after ``value`` in this term's order."""
        if value is None:
            return None if self.nulls_last else Q(**{f"{name}__isnull": False})
        after = Q(**{f"{name}__lt" if self.descending else f"{name}__gt": value})
        return after | Q(**{f"{name}__isnull": True}) if self.nulls_last and nullable else after


def order_terms(queryset):
    """The terms of ``queryset``'s order, ending with the primary key (added if missing, in the last
    term's direction, so that a reversed index serves both directions), each with its nulls placed
    explicitly: PostgreSQL puts them last going up, SQLite first, and a cursor must know which."""
    query = queryset.query
    ordering = query.order_by or (query.default_ordering and queryset.model._meta.ordering) or ()
    nulls_largest = connections[queryset.db].vendor == "postgresql"
    terms = []
    for item in ordering:
        if isinstance(item, str):
            item = OrderBy(F(item.lstrip("-")), descending=item.startswith("-"))
        elif not isinstance(item, OrderBy):
            item = item.asc()
        if item.nulls_last:
            nulls_last = True
        elif item.nulls_first:
            nulls_last = False
        else:
            nulls_last = nulls_largest != item.descending
        terms.append(Term(item.expression, item.descending, nulls_last))
    if not terms or not (isinstance(terms[-1].expression, F) and terms[-1].expression.name in ("pk", "id")):
        terms.append(Term(F("pk"), terms[-1].descending if terms else False, True))
    return terms


#: The field of a cursor's part number (``KeysetPaginator.parts``).
PART = IntegerField()


class Cursor:
    """A bookmarkable position in a list: its row's sort keys and id, as URL-safe base64 of JSON.

    Not secret and not signed: a changed cursor names another position in the same
    list, or none (``decode`` then returns ``None``), never rows the list would not show."""

    @staticmethod
    def encode(values):
        def plain(value):
            if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
                return value.isoformat()
            if isinstance(value, decimal.Decimal):
                return str(value)
            return value

        text = json.dumps([plain(value) for value in values], separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @staticmethod
    def decode(token, fields):
        """The values ``token`` holds, one per field, or ``None`` if it holds no such thing."""
        try:
            values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
            if not isinstance(values, list) or len(values) != len(fields):
                return None
            decoded = []
            for value, field in zip(values, fields, strict=True):
                if value is not None and not isinstance(value, (str, int, float)) or isinstance(value, bool):
                    return None
                decoded.append(None if value is None else field.to_python(value))
            return decoded
        except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeError, OverflowError):
            return None


class KeysetPage(Page):
    """A page of a ``KeysetPaginator``: numbered when reached by its number, or reached from the row
    before (or after) it, when its ``number`` is ``None`` unless reading it found it to be the first
    or last page. Its neighbours are linked by the cursors of its first and last rows
    (``previous_cursor``, ``next_cursor``). Nothing is read until its rows or cursors are asked for,
    so a page whose rendered rows are remembered reads nothing."""

    def __init__(self, read, number, paginator):
        self._read = read  # () -> ([(part, pk, key…)], has_previous, has_next)
        self.numbered = number is not None
        super().__init__(SimpleLazyObject(lambda: self.state[0]), number, paginator)

    @cached_property
    def state(self):
        keyed, has_previous, has_next = self._read()
        rows_from = self.paginator.rows_from
        rows = rows_in_order(
            self.paginator.object_list if rows_from is None else rows_from(), [pk for _, pk, *_ in keyed]
        )
        return rows, keyed, has_previous, has_next

    def has_next(self):
        counted = self.numbered and self.paginator.more_than is None
        return self.number < self.paginator.num_pages if counted else self.state[3]

    def has_previous(self):
        return self.number > 1 if self.numbered else self.state[2]

    def has_other_pages(self):
        if self.numbered and self.paginator.more_than is None:
            return super().has_other_pages()
        return True  # it was reached from another page, or more match than a page holds

    @property
    def next_cursor(self):
        keyed = self.state[1]
        return self.paginator.cursor(keyed[-1]) if keyed else None

    @property
    def previous_cursor(self):
        keyed = self.state[1]
        return self.paginator.cursor(keyed[0]) if keyed else None

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1

    def start_index(self):
        if self.number is None:
            return None
        return (self.number - 1) * self.paginator.per_page + 1 if self.paginator.more_than else super().start_index()

    def end_index(self):
        if self.number is None:
            return None
        return self.start_index() + len(self) - 1 if self.paginator.more_than else super().end_index()

    def previous_is_numbered(self):
        """Whether the previous page is best linked by its number (it is one of the first pages)."""
        return self.number is not None and self.number - 1 <= self.paginator.numbered_pages

    def next_is_numbered(self):
        return self.number is not None and self.number + 1 <= self.paginator.numbered_pages

    def numbers(self):
        """``[(number, after a gap)]`` of the pages linked by number: the first few, this one, the last."""
        last = self.paginator.num_pages
        shown = {*range(1, min(self.paginator.numbered_pages, last) + 1)}
        if self.paginator.more_than is None:
            shown.add(last)
        if self.number is not None:
            shown.add(self.number)
        shown = sorted(shown)
        return [(number, index > 0 and number > shown[index - 1] + 1) for index, number in enumerate(shown)]


class KeysetPaginator(IdsFirstPaginator):
    """Pages of a list reached from the row before them (``?after=``) or after them (``?before=``),
    which cost what page 1 costs however deep they are; the first pages and the last keep numbers.

    Replaces Django's ``Paginator.page`` (an ``OFFSET``, which reads every row it skips)
    for the public lists. The ids of a page and its neighbours' cursors are read in
    the list's order from the cursor's row on (a row value comparison, which
    PostgreSQL turns into the start of an index scan); a numbered page near the end is
    read backwards from the end. Its rows are then read by id (``rows_in_order``), so
    the list's annotations are computed for the rows shown only. ``Paginator.page``
    by number stays, for links out there and the API.
    """

    #: The first pages linked by number.
    numbered_pages = 5
    #: ``() -> queryset``: where a page's rows are read by id, if not from the list itself: the list without
    #: its filters, which the ids already met (a search's would be matched again for 20 known rows). Built
    #: only when the rows are read: a remembered page reads none.
    rows_from = None
    #: ``None``, or how many rows the list counted where it counts no further (a search matching more:
    #: ``tracker.search.searched_list``). Its pages by number are then those of the counted rows, each
    #: read with the row after it to know whether a next one follows; beyond them, pages follow by cursor,
    #: and the last is read backwards from the end (``last_page``), numberless.
    more_than = None
    #: ``None``, or the list as parts read one after the other, each in its own order, where one order over
    #: the whole would be read by sorting it all (``tracker.search.newest_ranked``); a cursor then names its
    #: part first. The list itself is their rows, in that order.
    parts = None

    @cached_property
    def num_pages(self):
        if self.more_than is None:
            return super().num_pages
        return math.ceil(self.more_than / self.per_page)

    @cached_property
    def keyed(self):
        """Of each part (the list itself, unless it has ``parts``): ``(queryset annotated with each key as
        _key0, _key1…, key names, their fields, whether each may be null, terms)``."""
        return [self.keys_of(part) for part in self.parts or [self.object_list]]

    @staticmethod
    def keys_of(records):
        terms = order_terms(records)
        names = [f"_key{index}" for index in range(len(terms))]
        queryset = records.prefetch_related(None).annotate(
            **{name: term.expression for name, term in zip(names, terms, strict=True)}
        )
        fields = [queryset.query.annotations[name].output_field for name in names]
        floats = {
            name: Cast(term.expression, FloatField())
            for name, term, field in zip(names, terms, fields, strict=True)
            if isinstance(field, FloatField)
        }
        if floats:  # a ``real`` (a search's rank) reaches Python rounded: compared as read, as a double
            queryset = records.prefetch_related(None).annotate(
                **{name: floats.get(name, term.expression) for name, term in zip(names, terms, strict=True)}
            )
        nullable = [
            not isinstance(annotation, Col) or annotation.target.null
            for annotation in (queryset.query.annotations[name] for name in names)
        ]
        return queryset, names, fields, nullable, terms

    def read(self, part, values=None, limit=None, offset=0, backwards=False):
        """``[(part, pk, key, key…)]`` of at most ``limit`` rows from the row after the one of ``part`` with
        keys ``values`` on (or from the first row of ``part``, offset by ``offset``), on into the parts
        after it; ``backwards``, from the row before it, on into the parts before, each from its end."""
        rows = []
        while 0 <= part < len(self.keyed) and len(rows) < limit:
            terms = self.keyed[part][4]
            found = self.read_part(
                part, [term.reversed() for term in terms] if backwards else terms, values, limit - len(rows), offset
            )
            if offset and not found:  # the offset lies beyond this part
                offset -= self.keyed[part][0].count()
            else:
                offset = 0
            rows += [(part, *row) for row in found]
            part, values = part - 1 if backwards else part + 1, None
        return rows

    def read_part(self, part, terms, values, limit, offset):
        """``[(pk, key, key…)]`` of at most ``limit`` rows of ``part`` in the order of ``terms``, from the row
        after the one with keys ``values`` on (or from the first row, offset by ``offset``)."""
        queryset, names, fields, nullable, _ = self.keyed[part]
        ordered = queryset.order_by(*(term.order_by(name) for term, name in zip(terms, names, strict=True)))
        columns = ["pk", *names]
        if values is None:
            return list(ordered.values_list(*columns)[offset : offset + limit])
        rows = []
        for segment in self.segments(terms, names, fields, nullable, values):
            rows += ordered.filter(segment).values_list(*columns)[: limit - len(rows)]
            if len(rows) >= limit:
                break
        return rows

    @staticmethod
    def segments(terms, names, fields, nullable, values):
        """The conditions of the rows after ``values`` in the order of ``terms``, in that order, each read
        in index order: where every key goes one way and only the first may be null, a row value
        comparison (then the first key's null rows, where they come last); else one lexicographic
        condition ("the first key after, or equal and the second after, …")."""
        first, *rest = range(len(terms))
        uniform = all(terms[i].descending == terms[first].descending for i in rest)
        if uniform and not any(nullable[i] or values[i] is None for i in rest):
            compare = LessThan if terms[first].descending else GreaterThan

            def row(indexes, items):
                return Row(*items, output_field=fields[indexes[0]])

            def after(indexes):
                keys = row(indexes, [F(names[i]) for i in indexes])
                bound = row(indexes, [Value(values[i], output_field=fields[i]) for i in indexes])
                return compare(keys, bound)

            if values[first] is None:
                segments = [Q(**{f"{names[first]}__isnull": True}) & Q(after(rest))]
                if not terms[first].nulls_last:
                    segments.append(Q(**{f"{names[first]}__isnull": False}))
                return segments
            segments = [Q(after([first, *rest]))]
            if terms[first].nulls_last and nullable[first]:
                segments.append(Q(**{f"{names[first]}__isnull": True}))
            return segments
        condition = Q(pk__in=[])
        equal = Q()
        for i in range(len(terms)):
            beyond = terms[i].beyond(names[i], values[i], nullable[i])
            if beyond is not None:
                condition |= equal & beyond
            equal &= Q(**{f"{names[i]}__isnull": True} if values[i] is None else {names[i]: values[i]})
        if not nullable[first] and values[first] is not None:  # where an index scan starts
            condition &= Q(**{f"{names[first]}__{'lte' if terms[first].descending else 'gte'}": values[first]})
        return [condition]

    def cursor(self, row):
        """The cursor of a row read (``(part, pk, key…)``): its keys, after its part's number where the list
        has parts."""
        part, _pk, *keys = row
        return Cursor.encode([part, *keys] if self.parts else keys)

    def decode(self, token):
        """``(part, keys)`` of the row the cursor ``token`` names, or ``None`` if it names none."""
        if not token:
            return None
        if not self.parts:
            values = Cursor.decode(token, self.keyed[0][2])
            return None if values is None else (0, values)
        for part, (*_, fields, _nullable, _terms) in enumerate(self.keyed):
            values = Cursor.decode(token, [PART, *fields])
            if values is not None and values[0] == part:
                return part, values[1:]
        return None

    def page(self, number):
        """Page ``number``, read from whichever end is nearer (backwards from the last row near the end)."""
        number = self.validate_number(number)
        return KeysetPage(lambda: self.numbered_rows(number), number, self)

    def last_page(self):
        """The list's last page: numbered where the list is counted, else read backwards from its end."""
        if self.more_than is None:
            return self.page(self.num_pages)
        return KeysetPage(self.last_rows, None, self)

    def last_rows(self):
        return self.read(len(self.keyed) - 1, limit=self.per_page, backwards=True)[::-1], True, False

    def numbered_rows(self, number):
        bottom = (number - 1) * self.per_page
        if self.more_than is not None:
            keyed = self.read(0, limit=self.per_page + 1, offset=bottom)
            return keyed[: self.per_page], number > 1, len(keyed) > self.per_page
        top = min(bottom + self.per_page, self.count)
        from_end = self.count - top
        if from_end < bottom:
            keyed = self.read(0, limit=top - bottom, offset=from_end, backwards=True)[::-1]
        else:
            keyed = self.read(0, limit=top - bottom, offset=bottom)
        return keyed, number > 1, number < self.num_pages

    def page_after(self, token):
        """The rows after the cursor ``token``'s row; the last page if none follow it, page 1 if the
        cursor is not one."""
        position = self.decode(token)
        if position is None:
            return self.page(1)
        page = KeysetPage(None, None, self)

        def read():
            keyed = self.read(*position, limit=self.per_page + 1)
            if not keyed:
                if self.more_than is not None:
                    return self.last_rows()
                page.number = self.num_pages
                return self.numbered_rows(page.number)
            return keyed[: self.per_page], True, len(keyed) > self.per_page

        page._read = read
        return page

    def page_before(self, token):
        """The rows before the cursor ``token``'s row; page 1 where fewer than a page precede it, or where the
        list is not counted (``more_than``: its pages from the end are not page 1's), just those rows."""
        position = self.decode(token)
        if position is None:
            return self.page(1)
        page = KeysetPage(None, None, self)

        def read():
            keyed = self.read(*position, limit=self.per_page + 1, backwards=True)
            if len(keyed) <= self.per_page and self.more_than is not None:
                return keyed[::-1], False, True
            if len(keyed) <= self.per_page:
                page.number = 1
                return self.numbered_rows(1)
            return keyed[: self.per_page][::-1], True, True

        page._read = read
        return page
