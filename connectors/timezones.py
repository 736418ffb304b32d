"""Vendor times to aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


DEFAULT_FORMAT = "%Y-%m-%d %H:%M:%S"
#: the last instant of an hour, from its start
_REST_OF_HOUR = timedelta(minutes=59, seconds=59, microseconds=999999)
_HOUR = timedelta(hours=1)
#: hours a :class:`ZoneHours` remembers each way before it starts again
MAX_HOURS = 50_000


class ZoneHours:
    """A zone's local times to UTC and back, its offset looked up once per hour.

    ``naive.replace(tzinfo=zone).astimezone(UTC)`` costs ~1.2 us (a punch has two times, and its
    row a local time); an hour of the zone with one offset throughout (neither end nor fold
    differs: every hour but those of a change of offset) converts by adding or taking away that
    offset. An hour with a change goes through ``astimezone`` as before.
    """

    def __init__(self, name: str, max_hours: int = MAX_HOURS):
        self.zone = zone(name)
        self.max_hours = max_hours
        self._to_utc: dict[str, timedelta | None] = {}
        self._to_local: dict[tuple[int, int, int, int], str | timedelta | None] = {}

    def utc_of_text(self, value: str) -> datetime:
        """``"YYYY-MM-DD HH:MM:SS"`` (naive, this zone's) as an aware UTC datetime, as
        ``datetime.fromisoformat(value).replace(tzinfo=zone).astimezone(UTC)`` gives it.
        Raises ValueError where fromisoformat does, or when the text carries an offset."""
        if len(value) == 19 and value[10] == " " and value[13] == ":":
            hour = value[:13]  # the date and the hour, whatever the text's shape
            offset = self._to_utc.get(hour, _UNKNOWN)
            if offset is _UNKNOWN:
                offset = self._local_hour_offset(value)
                if offset is not _UNKNOWN:  # a text that is no naive time says nothing of its hour
                    self._remember(self._to_utc, hour, offset)
            if offset is not None and offset is not _UNKNOWN:
                return datetime.fromisoformat(value + "+00:00") - offset
        naive = datetime.fromisoformat(value)
        if naive.tzinfo is not None:
            raise ValueError(f"{value!r} carries an offset; expected a naive local time")
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def local_text(self, value: datetime) -> str:
        """An aware datetime as this zone's ``"YYYY-MM-DD HH:MM:SS"``, as
        ``value.astimezone(zone).isoformat(" ", "seconds")[:19]`` gives it."""
        if value.tzinfo is UTC:
            hour = (value.year, value.month, value.day, value.hour)
            local = self._to_local.get(hour, _UNKNOWN)
            if local is _UNKNOWN:
                local = self._remember(self._to_local, hour, self._utc_hour_local(value))
            if local.__class__ is str:  # the local date and hour: minutes and seconds as in UTC
                return f"{local}:{_TWO_DIGITS[value.minute]}:{_TWO_DIGITS[value.second]}"
            if local is not None:
                return str(value + local)[:19]
        return value.astimezone(self.zone).isoformat(" ", "seconds")[:19]

    def _remember(self, hours: dict, hour, found):
        """Keep what an hour converts by; a worker's years of hours are forgotten now and then
        (a pull spans days to a few years: a few thousand hours)."""
        if len(hours) >= self.max_hours:
            hours.clear()
        hours[hour] = found
        return found

    def _local_hour_offset(self, value: str) -> timedelta | None | object:
        """The UTC offset of every time of this text's local hour; None when it changes within
        the hour (or either side of it is out of range); ``_UNKNOWN`` when the text is no naive
        time (the slow path raises for it, and the hour's offset stays unknown)."""
        try:
            naive = datetime.fromisoformat(value)
        except ValueError:
            return _UNKNOWN
        if naive.tzinfo is not None:
            return _UNKNOWN
        start = naive.replace(minute=0, second=0, microsecond=0)
        try:
            offsets = {
                when.replace(tzinfo=self.zone, fold=fold).utcoffset()
                for when in (start, start + _REST_OF_HOUR)
                for fold in (0, 1)
            }
        except OverflowError:
            return None
        return offsets.pop() if len(offsets) == 1 else None

    def _utc_hour_local(self, value: datetime) -> str | timedelta | None:
        """The UTC hour's local date and hour as text when its offset is whole hours, else the
        offset; None when the offset changes within the hour."""
        start = value.replace(minute=0, second=0, microsecond=0)
        try:
            offsets = {
                when.astimezone(self.zone).utcoffset() for when in (start, start + _REST_OF_HOUR)
            }
            if len(offsets) != 1:
                return None
            offset = offsets.pop()
            if offset % _HOUR:
                return offset
            return str(start + offset)[:13]
        except OverflowError:
            return None


_UNKNOWN = object()
#: "00" to "59": a format spec (``:02d``) cost a punch more than the rest of its local time
_TWO_DIGITS = [f"{n:02d}" for n in range(60)]


@lru_cache(maxsize=32)
def zone_hours(name: str) -> ZoneHours:
    """The :class:`ZoneHours` of a zone, shared (what it remembers is the zone's, not a caller's)."""
    return ZoneHours(name)


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
