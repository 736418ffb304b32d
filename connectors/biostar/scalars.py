"""BioStar's loose typing, read one way: strings or integers, indexed objects or lists, refs.

Almost every scalar arrives as a string (``"12"``, ``"true"``); the v2 endpoints send integers and
JSON booleans; several v1 answers render arrays as ``{"0": …, "1": …}``; a reference is ``5``,
``"5"`` or ``{"id": "5", "name": …}``. These helpers never raise on a type variation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.values import integer, text


def as_list(value: Any) -> list[Any]:
    """A JSON array, an indexed object ``{"0": a, "1": b}`` (in index order) or nothing: a list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if not value:
            return []
        if all(str(key).isdigit() for key in value):
            return [value[key] for key in sorted(value, key=lambda k: int(str(k)))]
        return [value]
    return [value]


def truthy(value: Any, default: bool = False) -> bool:
    """``"true"``/``"false"``, ``true``, ``1``/``"1"``; anything unreadable → ``default``."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    word = str(value).strip().lower()
    if word in ("true", "1", "yes", "y", "on"):
        return True
    if word in ("false", "0", "no", "n", "off"):
        return False
    return default


def to_int(value: Any, default: int | None = None) -> int | None:
    """``"12"``, ``12``, ``12.0`` or ``"0x1303"`` → int; anything else → ``default``."""
    word = value.strip() if isinstance(value, str) else ""
    if word.lower().startswith("0x"):  # event codes as the devices write them
        try:
            return int(word, 16)
        except ValueError:
            return default
    number = integer(value)
    return default if number is None else number


def ref_id(value: Any) -> str | None:
    """A reference ``5`` / ``"5"`` / ``{"id": 5}`` (or ``{"user_id": …}``) as a string id."""
    if isinstance(value, dict):
        value = value.get("id", value.get("user_id"))
    word = text(value)
    return word or None


def ref_name(value: Any) -> str:
    return text(value.get("name")) if isinstance(value, dict) else ""


def parse_utc(value: Any) -> datetime | None:
    """BioStar timestamps (``2030-12-31T23:59:00.00Z``, ``…00.000Z``, ``…00Z``, or naive as the
    v2 endpoints send them) → aware UTC; unreadable → None."""
    word = text(value)
    if not word:
        return None
    if word.endswith(("Z", "z")):
        word = word[:-1] + "+00:00"
    head, dot, rest = word.partition(".")
    if dot:  # Python wants 0, 3 or 6 fraction digits before 3.11's wider parser; be explicit
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        word = f"{head}.{(digits + '000000')[:6]}{zone}"
    try:
        moment = datetime.fromisoformat(word)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_utc(moment: datetime) -> str:
    """Aware datetime → BioStar's ``2030-12-31T23:59:00.00Z`` (UTC, two fraction digits)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10000:02d}Z"


def format_query_utc(moment: datetime) -> str:
    """Aware datetime → the event search's ``2021-01-27T16:00:00.000Z`` (milliseconds)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def from_epoch(value: Any) -> datetime | None:
    """Epoch seconds (``"1772442000"``); ``0`` means never."""
    seconds = to_int(value)
    if not seconds or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
