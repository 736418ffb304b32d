"""Reading the streams' cursors back: opaque JSON text to callers, a mapping of fields here.

An operator may also type a bare value (a day, a timestamp) as a cursor; it is read as ``high``,
the newest value stored, which is where every vendor's cursor keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from connectors import errors


def unreadable(what: str, cursor: Any) -> errors.ValidationError:
    """The error for a cursor that cannot be read; ``what`` names vendor and stream."""
    return errors.ValidationError(f"Unreadable {what} cursor {cursor!r}", field="cursor")


def load(cursor: str | None, what: str) -> Mapping[str, Any]:
    """A cursor's fields: {} for none, ``{"high": cursor}`` for a bare value."""
    if not cursor:
        return {}
    try:
        data = json.loads(cursor)
    except ValueError:
        data = {"high": cursor}
    if not isinstance(data, Mapping):
        raise unreadable(what, cursor)
    return data


def offset(value: Any) -> int | None:
    """A stored row offset: a whole number (or its digits as text); anything else is None."""
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
