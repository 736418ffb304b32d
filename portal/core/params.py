"""Reading query parameters that name rows, so a bad value filters nothing instead of failing."""

from __future__ import annotations

#: the largest id a 64-bit integer column holds (PostgreSQL bigint, SQLite INTEGER)
MAX_DATABASE_ID = 2**63 - 1


def is_database_id(value) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_DATABASE_ID


def id_param(request, name: str) -> int | None:
    """``?name=`` as a row id, or None when it is missing or could not be one."""
    value = request.GET.get(name, "")
    return int(value) if is_database_id(value) else None
