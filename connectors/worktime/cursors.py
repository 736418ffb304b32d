"""The streams' cursors: opaque JSON strings to callers.

- Full-refresh lists (people, doors, devices): ``ListCursor`` says which listing is in progress
  and how many rows of it are stored. Once a listing completes its cursor is ``""``: the next
  read starts over (and the caller can tell which records are gone).
- Date-driven lists (attendance, each lock's history): ``DayCursor`` keeps the newest day stored
  (``high``); a read starts ``OVERLAP`` days before it, because records change after they first
  appear (a clock-out closes yesterday's night shift; a lock without gateway uploads openings
  when a phone next syncs). While a listing is in progress it also keeps the listing's start
  (``since``), the rows stored (``offset``) and the newest day seen so far (``seen``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from connectors import cursors

START_OVER = ""  # the cursor of a completed full-refresh listing


def _load(cursor: str | None, stream: str) -> Mapping[str, Any]:
    return cursors.load(cursor, f"WorkTime One {stream}")  # a bare day is read as high


def _day(value: Any, cursor: Any, stream: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise cursors.unreadable(f"WorkTime One {stream}", cursor) from None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class ListCursor:
    listing: str = ""  # which listing is in progress (people: the status asked for)
    offset: int = 0

    def dumps(self) -> str:
        return json.dumps({"listing": self.listing, "offset": self.offset}, sort_keys=True)

    @classmethod
    def loads(cls, cursor: str | None, stream: str) -> ListCursor:
        data = _load(cursor, stream)
        return cls(str(data.get("listing") or ""), cursors.offset(data.get("offset")) or 0)


@dataclass(frozen=True)
class DayCursor:
    high: date | None = None
    since: date | None = None
    offset: int | None = None  # None: no listing in progress
    seen: date | None = None

    def as_dict(self) -> dict:
        data: dict[str, Any] = {"high": _iso(self.high)}
        if self.offset is not None:
            data.update(since=_iso(self.since), offset=self.offset, seen=_iso(self.seen))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], cursor: Any, stream: str) -> DayCursor:
        return cls(
            _day(data.get("high"), cursor, stream),
            _day(data.get("since"), cursor, stream),
            cursors.offset(data.get("offset")),
            _day(data.get("seen"), cursor, stream),
        )

    def dumps(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True)

    @classmethod
    def loads(cls, cursor: str | None, stream: str) -> DayCursor:
        return cls.from_dict(_load(cursor, stream), cursor, stream)


@dataclass(frozen=True)
class LockHistoryCursor:
    """Each lock's newest stored day, and the round over the locks in progress."""

    highs: dict[str, date] = field(default_factory=dict)
    done: tuple[str, ...] = ()  # locks finished in the round in progress
    lock: str | None = None  # the lock whose history is being read
    current: DayCursor = DayCursor()

    def dumps(self) -> str:
        data: dict[str, Any] = {"highs": {k: v.isoformat() for k, v in sorted(self.highs.items())}}
        if self.done:
            data["done"] = list(self.done)
        if self.lock:
            data.update(lock=self.lock, current=self.current.as_dict())
        return json.dumps(data, sort_keys=True)

    @classmethod
    def loads(cls, cursor: str | None) -> LockHistoryCursor:
        data = _load(cursor, "lock_events")
        highs = data.get("highs") or {}
        current = data.get("current") or {}
        if not isinstance(highs, Mapping) or not isinstance(current, Mapping):
            raise cursors.unreadable("WorkTime One lock_events", cursor)
        parsed = {str(k): _day(v, cursor, "lock_events") for k, v in highs.items()}
        lock = data.get("lock")
        return cls(
            {k: v for k, v in parsed.items() if v is not None},
            tuple(str(x) for x in data.get("done") or ()),
            str(lock) if lock else None,
            DayCursor.from_dict(current, cursor, "lock_events"),
        )
