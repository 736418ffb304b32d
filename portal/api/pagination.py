"""Page numbers for the lists people browse; cursors for the append-only logs, which stay fast
however deep a client reads (no OFFSET, no COUNT over millions of rows)."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class LogCursorPagination(CursorPagination):
    """Newest first, by id (ids grow with time in append-only tables)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"
