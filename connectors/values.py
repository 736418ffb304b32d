"""Reading vendor scalars that arrive as strings, numbers, booleans or null, depending on the build."""

from __future__ import annotations

from typing import Any


def text(value: Any, *, true: str = "true", false: str = "false") -> str:
    """A scalar as trimmed text: None and containers → "", 7.0 → "7", booleans as ``true``/``false``."""
    if value.__class__ is str:  # the common case, read for every field of every row
        return value.strip()
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return true if value else false
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def integer(value: Any) -> int | None:
    """A whole number: ``12``, ``12.0``, ``"12"``, ``" 12 "``, ``"12.7"`` (cut to 12) → int.

    Booleans, fractional floats, other text, None and containers → None. Digit strings are read
    exactly (ids beyond 2**53 stay whole).
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if not isinstance(value, str):
        return None
    word = value.strip()
    try:
        return int(word)
    except ValueError:
        pass
    try:
        return int(float(word))
    except (ValueError, OverflowError):
        return None
