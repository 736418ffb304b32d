"""Reading vendor scalars that arrive as strings, numbers, booleans or null, depending on the build."""

from __future__ import annotations

from typing import Any


def text(value: Any, *, true: str = "true", false: str = "false") -> str:
    """A scalar as trimmed text: None and containers → "", 7.0 → "7", booleans as ``true``/``false``."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return true if value else false
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
