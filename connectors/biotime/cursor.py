"""The punches cursor: the newest ``upload_time`` stored, plus when the last deep and wide
re-reads ran.

BioTime filters transactions by ``punch_time`` only (``start_time``), while a device that was
offline uploads its punches hours, or over a weekend more than a day, after they were made. So
each pull asks for punch times from ``upload − lookback`` (minutes: catches same-second and
slightly delayed uploads); every ``sweep_every`` of server time it reaches back ``late_window``
(hours) instead (a deep re-read); and once a day it reaches back ``wide_window`` (a week by
default: a wide re-read), which brings in punches uploaded more than a day late. The caller
de-duplicates on the transaction id.

Text form: ``"2025-03-12T11:40:05Z"`` (upload only: the next pull sweeps wide), or
``"2025-03-12T11:40:05Z;swept=2025-03-12T11:00:00Z;wide=2025-03-12T02:00:00Z"``. A cursor
without ``wide=`` (written before wide re-reads existed) gets one on its next pull. A naive
``"2025-03-12 12:40:05"`` is taken as the server's local time, as BioTime writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from connectors import cursors
from connectors.timezones import local_naive_to_utc, parse_iso_utc


class Reach(Enum):
    """How far back one pull reads."""

    EVERYTHING = "everything"  # a first pull
    WIDE = "wide"  # the daily re-read of the last days
    DEEP = "deep"  # the hourly re-read of the last hours
    SHORT = "short"  # the lookback only


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str, time_zone: str) -> datetime:
    value = value.strip()
    if "T" not in value:  # BioTime's own naive local text
        parsed = local_naive_to_utc(value, time_zone)
        if parsed is None:
            raise ValueError(value)
        return parsed
    return parse_iso_utc(value)


@dataclass(frozen=True)
class PunchCursor:
    upload: datetime | None = None  # newest upload_time stored (aware UTC)
    swept: datetime | None = None  # ``upload`` when the last deep re-read started
    wide: datetime | None = None  # ``upload`` when the last wide re-read started

    def dumps(self) -> str | None:
        if self.upload is None:
            return None
        text = _iso(self.upload)
        if self.swept:
            text += f";swept={_iso(self.swept)}"
        if self.wide:
            text += f";wide={_iso(self.wide)}"
        return text

    @classmethod
    def loads(cls, text: str | None, time_zone: str) -> PunchCursor:
        if not text or not text.strip():
            return cls()
        head, *tail = text.split(";")
        try:
            upload = _parse(head, time_zone)
            marks = {}
            for part in tail:
                name, _, value = part.partition("=")
                if name.strip() in ("swept", "wide"):
                    marks[name.strip()] = _parse(value, time_zone)
        except (ValueError, TypeError):
            raise cursors.unreadable("BioTime punches", text) from None
        return cls(upload, marks.get("swept"), marks.get("wide"))

    def sweep_due(self, every: timedelta) -> bool:
        return self.upload is not None and (self.swept is None or self.upload - self.swept >= every)

    def wide_due(self, every: timedelta) -> bool:
        return self.upload is not None and (self.wide is None or self.upload - self.wide >= every)

    def reach(self, sweep_every: timedelta, wide_every: timedelta) -> Reach:
        if self.upload is None:
            return Reach.EVERYTHING
        if self.wide_due(wide_every):
            return Reach.WIDE
        return Reach.DEEP if self.sweep_due(sweep_every) else Reach.SHORT

    def window_start(
        self, reach: Reach, lookback: timedelta, late_window: timedelta, wide_window: timedelta
    ) -> datetime | None:
        """The earliest punch time to ask for (None: everything, a first pull)."""
        if self.upload is None or reach is Reach.EVERYTHING:
            return None
        back = {Reach.WIDE: wide_window, Reach.DEEP: late_window}.get(reach, lookback)
        return self.upload - back

    def seen(self, upload: datetime | None) -> PunchCursor:
        if upload is None or (self.upload is not None and upload <= self.upload):
            return self
        return PunchCursor(upload, self.swept, self.wide)

    def after_reread(self, reach: Reach, started_at: datetime | None) -> PunchCursor:
        """This cursor once a complete read of ``reach`` that started at ``started_at`` (the
        upload then; None for a first pull) is stored: a wide re-read counts as a deep one too."""
        if self.upload is None or reach is Reach.SHORT:
            return self
        mark = started_at or self.upload
        return PunchCursor(self.upload, mark, mark if reach is not Reach.DEEP else self.wide)
