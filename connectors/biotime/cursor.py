"""The punches cursor: the newest ``upload_time`` stored, plus when the last deep re-read ran.

BioTime filters transactions by ``punch_time`` only (``start_time``), while a device that was
offline uploads its punches hours after they were made. So each pull asks for punch times from
``upload − lookback`` (minutes: catches same-second and slightly delayed uploads), and every
``sweep_every`` of server time it reaches back ``late_window`` (hours) instead, which brings in
punches uploaded late whose punch time lies before the newest upload already seen. The caller
de-duplicates on the transaction id.

Text form: ``"2025-03-12T11:40:05Z"`` (upload only: the next pull sweeps) or
``"2025-03-12T11:40:05Z;swept=2025-03-12T11:00:00Z"``. A naive ``"2025-03-12 12:40:05"`` is
taken as the server's local time, as BioTime writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connectors import cursors
from connectors.timezones import local_naive_to_utc, parse_iso_utc


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

    def dumps(self) -> str | None:
        if self.upload is None:
            return None
        return _iso(self.upload) + (f";swept={_iso(self.swept)}" if self.swept else "")

    @classmethod
    def loads(cls, text: str | None, time_zone: str) -> PunchCursor:
        if not text or not text.strip():
            return cls()
        head, _, tail = text.partition(";")
        try:
            upload = _parse(head, time_zone)
            swept = None
            if tail.startswith("swept="):
                swept = _parse(tail.removeprefix("swept="), time_zone)
        except (ValueError, TypeError):
            raise cursors.unreadable("BioTime punches", text) from None
        return cls(upload, swept)

    def sweep_due(self, every: timedelta) -> bool:
        return self.upload is not None and (self.swept is None or self.upload - self.swept >= every)

    def window_start(
        self, lookback: timedelta, late_window: timedelta, sweep_every: timedelta
    ) -> datetime | None:
        """The earliest punch time to ask for (None: everything, a first pull)."""
        if self.upload is None:
            return None
        return self.upload - (late_window if self.sweep_due(sweep_every) else lookback)

    def seen(self, upload: datetime | None) -> PunchCursor:
        if upload is None or (self.upload is not None and upload <= self.upload):
            return self
        return PunchCursor(upload, self.swept)
