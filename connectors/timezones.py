"""Vendor times to aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


DEFAULT_FORMAT = "%Y-%m-%d %H:%M:%S"


def local_naive_to_utc(
    value: str | None, time_zone: str, fmt: str = DEFAULT_FORMAT
) -> datetime | None:
    """``"2024-06-20 08:00:00"`` written in ``time_zone`` → aware UTC. Empty → None."""
    if not value:
        return None
    text = value.strip()[:19]
    # fromisoformat reads "YYYY-MM-DD HH:MM:SS" twenty times faster than strptime: punches are many
    naive = datetime.fromisoformat(text) if fmt == DEFAULT_FORMAT else datetime.strptime(text, fmt)
    if naive.tzinfo is not None:
        raise ValueError(f"{value!r} carries an offset; expected a naive local time")
    return naive.replace(tzinfo=zone(time_zone)).astimezone(UTC)


def utc_to_local_naive(value: datetime, time_zone: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return value.astimezone(zone(time_zone)).strftime(fmt)


def parse_iso_utc(value: str | None) -> datetime | None:
    """ISO 8601 with ``Z`` or an offset → aware UTC; a naive value is taken as UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    return date.fromisoformat(value.strip()[:10])
