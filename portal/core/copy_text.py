"""PostgreSQL COPY's text format, written a column at a time: its one writer in Workgate.

The append-only logs' pages (punches, door events: :mod:`portal.sync.mirror.bulk`) and the
computed cards (:mod:`portal.attendance.store`) both go to the server by ``COPY ... FROM STDIN``.
A page is turned into text column by column (:func:`column_texts`: C loops over a column's
values, a constant column converted once), then joined into lines (:func:`copy_lines`); binding
arrays had the driver quote every value with a regular expression, and a row at a time cost a
tenth of a dirty-day run's CPU.

JSON columns take Python values (encoded here by :func:`encode_json`) or text already encoded,
marked as :class:`JsonText`; the server parses the JSON once, into ``jsonb``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import orjson
from django.db import models

from connectors.timezones import zone_hours

#: the kinds of column :func:`column_texts` writes
JSON = "json"  # Python values (JsonText: already encoded)
BOOLEAN = "boolean"
INTEGER = "integer"
DATETIME = "datetime"  # with its offset: a naive one is read in the session's zone (UTC)
TEXT = "text"  # str() of the value (a date: its ISO text), escaped where COPY needs it
BYTES = "bytes"  # bytes, as bytea's hex text

#: COPY's text format for NULL
NULL = "\\N"
#: COPY's text format: a backslash, tab, newline or carriage return in a value is escaped
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class JsonText(str):
    """A JSON column's value already encoded (the writer checked it once): inserted as it is."""


def encode_json(value) -> JsonText:
    """``value`` as compact JSON text: the values ``json.dumps(..., default=str)`` writes.

    orjson writes non-ASCII characters as UTF-8 rather than ``\\u`` escapes (the same text once
    read) and a NaN as null (json writes ``NaN``, which is not JSON and PostgreSQL refuses).
    Dates and times go to ``str`` as json has them; what orjson refuses (an integer past 64 bits,
    a key that is not text) is written by json.
    """
    try:  # orjson: a tenth of json's time (4 s of a 200,000-punch pull)
        return JsonText(orjson.dumps(value, default=str, option=_ORJSON_AS_JSON).decode())
    except orjson.JSONEncodeError:
        pass
    return JsonText(json.dumps(value, separators=(",", ":"), default=str))


#: orjson writes datetimes its own way (a "T") and dataclasses as objects; json hands both to str
_ORJSON_AS_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def column_kind(field: models.Field) -> str:
    """The kind of COPY text a model field's column takes."""
    if isinstance(field, models.BinaryField):
        return BYTES
    if isinstance(field, models.JSONField):
        return JSON
    if isinstance(field, models.BooleanField):
        return BOOLEAN
    if isinstance(field, models.IntegerField | models.ForeignKey | models.AutoField):
        return INTEGER
    if isinstance(field, models.DateTimeField):
        return DATETIME
    return TEXT


def column_texts(kind: str, values: Sequence) -> list[str]:
    """One column's values (a page of them) in COPY's text format."""
    present = [value for value in values if value is not None] if None in values else values
    if kind == JSON:
        # JSON escapes tabs and newlines with a backslash: doubling backslashes is all COPY needs
        texts = [
            (value if value.__class__ is JsonText else encode_json(value)).replace("\\", "\\\\")
            for value in present
        ]
    elif kind == BOOLEAN:
        texts = ["t" if value else "f" for value in present]
    elif kind == BYTES:
        # bytea's hex text, \x..., its backslash doubled as COPY's text format wants
        texts = ["\\\\x" + value.hex() for value in present]
    elif kind == INTEGER:
        texts = list(map(str, present))
    elif kind == DATETIME:
        # with its offset; a constant column once (a page's rows share one received_at)
        if present and present.count(present[0]) == len(present):
            texts = [timestamp_text(present[0])] * len(present)
        else:
            texts = list(map(timestamp_text, present))
    else:
        texts = list(map(str, present))
        joined = "".join(texts)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            texts = [text.translate(_ESCAPES) for text in texts]
    if present is values:
        return texts
    filled = iter(texts).__next__
    return [NULL if value is None else filled() for value in values]


def timestamp_text(value: datetime) -> str:
    """A datetime as text PostgreSQL reads back to the same instant (a naive one as it is, by
    ``isoformat()``). A UTC one of whole seconds (every vendor punch) is written from its hour's
    text, remembered: ``isoformat()`` took ~1.7 us, a third of a punch row's text."""
    if value.tzinfo is UTC and not value.microsecond:
        return utc_text(value) + "+00:00"
    return value.isoformat()


#: an aware UTC datetime as "YYYY-MM-DD HH:MM:SS" (UTC's hours, remembered as any zone's are)
utc_text = zone_hours("UTC").local_text


def copy_lines(kinds: Sequence[str], rows: Iterable[Sequence]) -> str:
    """``rows`` (tuples of values, one per kind) as COPY text: a line each, every line ended."""
    return copy_columns(kinds, list(zip(*rows, strict=True)))


def copy_columns(kinds: Sequence[str], columns: Sequence[Sequence]) -> str:
    """The rows these columns (of equal length, one per kind) make, as COPY text."""
    if not columns:
        return ""
    texts = [column_texts(kind, column) for kind, column in zip(kinds, columns, strict=True)]
    lines = list(map("\t".join, zip(*texts, strict=True)))
    lines.append("")
    return "\n".join(lines)
