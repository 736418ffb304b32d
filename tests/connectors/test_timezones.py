"""ZoneHours: a zone's offset looked up once per hour gives what astimezone gives, every hour."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from connectors.timezones import ZoneHours

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


def every_seven_minutes_of(year: int):
    """A year of naive times, every 7 minutes and 13 seconds: every hour, both DST changes."""
    at, end = datetime(year, 1, 1), datetime(year + 1, 1, 1, 2)
    while at < end:
        yield at
        at += timedelta(minutes=7, seconds=13)


@pytest.mark.parametrize("name", ZONES)
def test_local_text_to_utc_is_what_astimezone_gives_across_a_year(name):
    hours, zone = ZoneHours(name), ZoneInfo(name)
    for at in every_seven_minutes_of(2026):
        text = at.isoformat(" ")
        expected = at.replace(tzinfo=zone).astimezone(UTC)
        found = hours.utc_of_text(text)
        assert (found, found.tzinfo, found.fold) == (expected, UTC, 0), text


@pytest.mark.parametrize("name", ZONES)
def test_utc_to_local_text_is_what_astimezone_gives_across_a_year(name):
    hours, zone = ZoneHours(name), ZoneInfo(name)
    for at in every_seven_minutes_of(2026):
        instant = at.replace(tzinfo=UTC, microsecond=999_999)
        assert (
            hours.local_text(instant) == instant.astimezone(zone).isoformat(" ", "seconds")[:19]
        ), instant


def test_the_hour_clocks_go_back_takes_the_first_of_the_repeated_times():
    found = ZoneHours("Europe/Berlin").utc_of_text("2026-10-25 02:30:00")
    assert found == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # CEST, fold 0


def test_a_time_with_an_offset_or_not_a_time_is_refused():
    hours = ZoneHours("Europe/Berlin")
    with pytest.raises(ValueError):
        hours.utc_of_text("2026-06-20 08:00+01")
    with pytest.raises(ValueError):
        hours.utc_of_text("2026-13-20 08:00:00")
    assert hours.utc_of_text("2026-06-20 08:00:00") == datetime(2026, 6, 20, 6, tzinfo=UTC)
