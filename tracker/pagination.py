"""Paginators that stay fast on long lists: the count is remembered, a deep page reads only ids first."""

import hashlib

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.utils.functional import SimpleLazyObject, cached_property

from .caching import remember


class CachedCountPaginator(Paginator):
    """Counts each distinct query once per version of the tables of ``depends_on`` (every tracker table
    unless the view names fewer: ``tracker.caching``).

    The query is named by its SQL, or by ``count_key`` where a view can name it more cheaply (compiling
    ``/changes/``'s union of every history table takes longer than reading its remembered count)."""

    count_key = None
    depends_on = ()

    @cached_property
    def count(self):
        if self.count_key is not None:
            return remember(f"count:{self.count_key}", lambda: Paginator.count.func(self), self.depends_on)
        try:
            sql, params = self.object_list.query.sql_with_params()
        except EmptyResultSet:  # e.g. ``none()`` after an invalid filter
            return 0
        key = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        return remember(f"count:{key}", lambda: Paginator.count.func(self), self.depends_on)


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
        rows = self.object_list.filter(pk__in=ids).order_by().in_bulk() if ids else {}
        return [rows[pk] for pk in ids]
