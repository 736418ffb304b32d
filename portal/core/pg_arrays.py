"""PostgreSQL array parameters written as one text literal.

psycopg adapts a Python list element by element (a regular expression per text); a few hundred
thousand ids or dates sent as ``%s::bigint[]`` in the text form ``{"1","2"}`` are one parameter,
which the server parses in C. Used for ``unnest(...)`` and ``= ANY(...)`` over many values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def array_literal(values: Iterable[Any]) -> str:
    """The text form of an array of ``values`` (None is NULL; anything else as ``str`` gives it,
    quoted, so commas, braces, quotes and backslashes in texts are kept)."""
    texts = [None if value is None else str(value) for value in values]
    if None not in texts:  # most arrays: nothing to escape, one join
        joined = '","'.join(texts)
        if "\\" not in joined and '"' not in joined:
            return '{"' + joined + '"}' if texts else "{}"
    elements = (
        "NULL" if text is None else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for text in texts
    )
    return "{" + ",".join(elements) + "}"
