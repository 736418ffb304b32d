"""Vendor text made storable: PostgreSQL refuses a NUL byte and a string longer than its column.

SQLite would store either, PostgreSQL raises, the page's transaction rolls back and the stream is
stuck on that record at every later pull. So text columns lose NUL bytes and are cut to the
model field's ``max_length``; JSON (the raw record) keeps every character but NUL, which becomes
U+FFFD (the replacement character: visible, and says a character was lost there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

import orjson
from django.db import models

NUL = "\x00"
REPLACEMENT = "\ufffd"


def json_without_nul(value: Any) -> Any:
    """``value`` with NUL replaced by U+FFFD in every string and key, however deeply nested."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT) if NUL in value else value
    if isinstance(value, Mapping):
        return {json_without_nul(k): json_without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_without_nul(v) for v in value]
    return value


def has_nul(value: Any) -> bool:
    """Whether a NUL is in any string or key of ``value``; looks without copying anything."""
    if value.__class__ is dict:
        # A whole record: one encode in C tells most have none (orjson writes NUL as \u0000,
        # where walking every value in Python cost ~60 us a person record). The text also has
        # that run where a string held a backslash and "u0000": the walk below then decides.
        try:
            if b"\\u0000" not in orjson.dumps(value):
                return False
        except orjson.JSONEncodeError:  # a value JSON has no type for, a key that is not text
            pass
    return _has_nul(value)


def _has_nul(value: Any) -> bool:
    kind = value.__class__
    if kind is str:
        return NUL in value
    if value is None or kind is int or kind is float or kind is bool:
        return False
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


@cache
def field_names(record_class: type) -> tuple[str, ...]:
    """A record class's fields, but ``raw`` (read for every record of a pull)."""
    return tuple(f.name for f in fields(record_class) if f.name != "raw")


def records_hold_nul(records: list) -> bool:
    """Whether any text field (but ``raw``) of these records holds a NUL: one look at a page's
    values of each field, where :func:`record_without_nul` looks at each record in turn."""
    for record_class in {record.__class__ for record in records}:
        same = [record for record in records if record.__class__ is record_class]
        for name in field_names(record_class):
            if texts_hold_nul(list(map(attrgetter(name), same))):
                return True
    return False


def texts_hold_nul(values: list) -> bool:
    """Whether a NUL is in any of the ``values`` that are text (others are passed over)."""
    try:
        return NUL in "".join(values)  # a column of text: one join
    except TypeError:
        pass
    if not any(issubclass(kind, str) for kind in set(map(type, values))):
        return False  # a column of times, or of None: nothing to look at, no look at each
    return NUL in "".join([value for value in values if isinstance(value, str)])


def record_without_nul(record, *, check_raw: bool = True) -> tuple[Any, list[str]]:
    """A canonical record with NUL dropped from its text and replaced in ``raw``; and what changed.

    ``check_raw=False``: ``raw`` is left as it is (a writer that checks it while encoding it)."""
    changes: dict[str, Any] = {}
    notes: list[str] = []
    for name in field_names(record.__class__):
        value = getattr(record, name)
        if value.__class__ is str and NUL not in value:  # nearly every value
            continue
        if isinstance(value, str) and NUL in value:
            changes[name] = value.replace(NUL, "")
            notes.append(f"{name}: NUL removed")
    raw = getattr(record, "raw", None)
    if check_raw and has_nul(raw):
        changes["raw"] = json_without_nul(raw)
        notes.append("raw: NUL replaced with U+FFFD")
    return (replace(record, **changes) if changes else record), notes


@cache
def max_length(model: type[models.Model], attname: str) -> int | None:
    """The column's length limit (looked up for each fitted text of every record of a pull)."""
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return getattr(field, "max_length", None)
    raise LookupError(f"{model.__name__} has no column {attname!r}")


def cut(value: Any, limit: int | None, name: str, notes: list[str]) -> Any:
    """``value`` cut to ``limit`` characters (a note says so); anything else as it is."""
    if isinstance(value, str) and limit and len(value) > limit:
        notes.append(f"{name}: {len(value)} characters cut to {limit}")
        return value[:limit]
    return value


@cache
def columns_of(model: type[models.Model]) -> dict[str, models.Field]:
    """A model's concrete fields by attname (looked up for every row of a pull's page)."""
    return {field.attname: field for field in model._meta.concrete_fields}


def bounded(model: type[models.Model], row: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A row of column values (keyed by attname) fit for ``model``; also what was changed.

    Text loses NUL bytes and is cut to its column; JSON keeps everything but NUL (U+FFFD).
    """
    by_attname = columns_of(model)
    notes: list[str] = []
    out = {}
    for name, value in row.items():
        field = by_attname[name]
        if isinstance(field, models.JSONField):
            cleaned = json_without_nul(value)
            if cleaned != value:
                notes.append(f"{name}: NUL replaced with U+FFFD")
            out[name] = cleaned
            continue
        if isinstance(value, str) and NUL in value:
            value = value.replace(NUL, "")
            notes.append(f"{name}: NUL removed")
        out[name] = cut(value, getattr(field, "max_length", None), name, notes)
    return out, notes


#: parts of a vendor field name that mark a secret (BioTime's device PIN ``device_password`` and
#: self-service ``self_password``): such values are never stored in the mirror, only their absence
SECRET_KEY_PARTS = ("password", "passwd", "secret", "token", "pin_code")
#: the parts as text and as bytes, to look for in a record's JSON text
_SECRET_PARTS_OF = {str: SECRET_KEY_PARTS, bytes: tuple(p.encode() for p in SECRET_KEY_PARTS)}


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    return any(part in key.lower() for part in SECRET_KEY_PARTS)


_PLAIN = frozenset({str, int, float, bool, type(None)})


@lru_cache(maxsize=256)
def _secret_keys(keys: tuple) -> tuple:
    """Which of a mapping's keys look secret: worked out once per shape of record (a vendor's
    records share their keys), where each record's every key was looked up in turn."""
    return tuple(key for key in keys if is_secret_key(str(key)))


def _top_level_kept(mapping: Mapping) -> dict:
    """A copy of ``mapping`` without its secret-looking keys (what is below it is not looked at)."""
    kept = dict(mapping)
    for key in _secret_keys(tuple(kept)):
        del kept[key]
    return kept


def _kept(value: Any) -> Any:
    """``value`` with secret-looking keys left out of every mapping in it (a copy)."""
    if isinstance(value, Mapping):
        kept = _top_level_kept(value)
        # most values are text or numbers: kept as they are (nested ones: ~5 of ~45 a record)
        for key in [key for key, found in kept.items() if found.__class__ not in _PLAIN]:
            kept[key] = _kept(kept[key])
        return kept
    if isinstance(value, list | tuple):
        return [v if v.__class__ in _PLAIN else _kept(v) for v in value]
    return value


def stored_raw(raw: Mapping[str, Any]) -> dict:
    """A vendor record as the mirror keeps it: NUL replaced, secret-looking fields left out."""
    kept = _kept(raw)
    return json_without_nul(kept) if has_nul(kept) else kept


#: orjson as :func:`portal.sync.mirror.bulk.encode_json` calls it, but refusing what it would
#: hand to ``str``: the text is then the one that function writes
_AS_STORED = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def stored_raw_and_text(raw: Mapping[str, Any]) -> tuple[dict, str | None]:
    """:func:`stored_raw`, and its JSON text when that came on the way (else None).

    A record as JSON gave it (the usual case) is encoded once, its top level's secret keys
    already left out: the text then shows whether any key below looks secret or any text holds
    NUL. Where neither does, the record is kept as a copy of its top level (what is below it is
    the vendor's own JSON, shared), and its text is what the link stores. Otherwise (or if
    orjson refuses a value) it is walked as :func:`stored_raw` does."""
    if raw.__class__ is dict:
        kept = _top_level_kept(raw)
        try:
            text = orjson.dumps(kept, option=_AS_STORED)
        except orjson.JSONEncodeError:
            text = None
        if text is not None and b"\\u0000" not in text:
            folded = text.lower() if text.isascii() else text.decode().lower()
            if not any(part in folded for part in _SECRET_PARTS_OF[folded.__class__]):
                return kept, text.decode()
    return stored_raw(raw), None
