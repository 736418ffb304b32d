"""Page numbers for the lists people browse; cursors for the append-only logs, which stay fast
however deep a client reads (no OFFSET, no COUNT over millions of rows)."""

import base64
import binascii
from datetime import datetime

from django.core.paginator import Paginator
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from portal.core.params import is_database_id


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


class TimeKeysetPagination(BasePagination):
    """Newest first by a time field, then id: a page reads ``size + 1`` rows after the cursor.

    The cursor is the last row's (time, id). Its condition is a range on the time (the bound of
    an index walk) minus the ties already shown, so page 1 and page 10,000 cost the same, with
    or without a filter that has its own (filter, time) index.
    """

    time_field = "punched_at"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.page_size_of(request)
        rows = queryset.order_by(f"-{self.time_field}", "-pk")
        after = self.cursor_of(request)
        if after is not None:
            moment, pk = after
            rows = rows.filter(**{f"{self.time_field}__lte": moment}).exclude(
                **{self.time_field: moment, "pk__gte": pk}
            )
        page = self.read(rows, size + 1, after[0] if after else None)
        self.next_cursor = None
        if len(page) > size:
            page = page[:size]
            last = page[-1]
            self.next_cursor = encode_cursor(getattr(last, self.time_field), last.pk)
        return page

    def read(self, rows, count: int, before: datetime | None) -> list:
        """The first ``count`` of ``rows`` (ordered, the cursor's condition applied); ``before``
        is the cursor's time. A resource with a better way to read its rows overrides this."""
        return list(rows[:count])

    def page_size_of(self, request) -> int:
        text = request.query_params.get(self.page_size_query_param, "")
        if not text:
            return self.page_size
        if not text.isdigit() or int(text) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: ["Give a whole number from 1."]}
            )
        return min(int(text), self.max_page_size)

    def cursor_of(self, request):
        text = request.query_params.get(self.cursor_query_param)
        if text is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(text.encode("ascii")).decode()
            when, _, pk = raw.rpartition("|")
            moment = datetime.fromisoformat(when)
            if moment.tzinfo is None or not is_database_id(pk):
                raise ValueError(raw)
        except (ValueError, UnicodeError, binascii.Error):
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["Use the cursor from a page's ``next`` link as it is."]}
            ) from None
        return moment, int(pk)

    def get_paginated_response(self, data):
        url = None
        if self.next_cursor is not None:
            url = replace_query_param(
                self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor
            )
        return Response({"next": url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next (older) page; null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the cursor of the previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def encode_cursor(moment: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode()
