"""Page numbers for the lists people browse; cursors for the append-only logs, which stay fast
however deep a client reads (no OFFSET, no COUNT over millions of rows)."""

from django.core.paginator import Paginator
from rest_framework.pagination import CursorPagination, PageNumberPagination


class KeysFirstPaginator(Paginator):
    """A deep page reads 50 keys at its offset, then only those rows with their joins.

    Skipping 50,000 rows of ids walks one index; skipping 50,000 joined rows (department,
    position) builds every one of them first.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class PagePagination(PageNumberPagination):
    django_paginator_class = KeysFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LogCursorPagination(CursorPagination):
    """Newest first, by id (ids grow with time in append-only tables)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"
