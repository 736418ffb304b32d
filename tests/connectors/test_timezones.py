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


def test_berlin_autumn_the_repeated_hour_goes_back_both_ways():
    # 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET; 02:00-02:59 happens twice
    hours = ZoneHours("Europe/Berlin")
    for text in ("2026-10-25 01:59:59", "2026-10-25 02:00:00", "2026-10-25 02:59:59"):
        hours.utc_of_text(text)  # each hour asked once before: what it remembers is used below
    assert hours.utc_of_text("2026-10-25 01:59:59") == datetime(
        2026, 10, 24, 23, 59, 59, tzinfo=UTC
    )
    assert hours.utc_of_text("2026-10-25 02:00:00") == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    assert hours.utc_of_text("2026-10-25 02:59:59") == datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC)
    assert hours.utc_of_text("2026-10-25 03:00:00") == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    # back to local: both UTC hours of the repeated local hour read 02:xx
    for utc_hour, local in ((0, "2026-10-25 02:30:00"), (1, "2026-10-25 02:30:00")):
        for _ in range(2):
            assert hours.local_text(datetime(2026, 10, 25, utc_hour, 30, tzinfo=UTC)) == local
    assert hours.local_text(datetime(2026, 10, 25, 2, 0, tzinfo=UTC)) == "2026-10-25 03:00:00"


def test_berlin_spring_the_skipped_hour_reads_as_zoneinfo_reads_it():
    # 2026-03-29: clocks go from 02:00 CET to 03:00 CEST; 02:00-02:59 does not exist
    hours, zone = ZoneHours("Europe/Berlin"), ZoneInfo("Europe/Berlin")
    for text in ("2026-03-29 01:59:59", "2026-03-29 02:30:00", "2026-03-29 03:00:00") * 2:
        expected = datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)
        assert hours.utc_of_text(text) == expected, text
    assert hours.utc_of_text("2026-03-29 02:30:00") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert hours.utc_of_text("2026-03-29 03:00:00") == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    for _ in range(2):
        assert (
            hours.local_text(datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC)) == "2026-03-29 01:59:59"
        )
        assert hours.local_text(datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC)) == "2026-03-29 03:00:00"


@pytest.mark.parametrize(
    ("name", "local", "utc"),
    [
        ("Asia/Tokyo", "2026-03-29 02:30:00", datetime(2026, 3, 28, 17, 30, tzinfo=UTC)),
        ("Asia/Kolkata", "2026-10-25 02:30:00", datetime(2026, 10, 24, 21, 0, tzinfo=UTC)),
        ("UTC", "2026-10-25 02:30:00", datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),
    ],
)
def test_a_zone_without_dst_converts_by_its_one_offset(name, local, utc):
    hours = ZoneHours(name)
    for _ in range(2):  # the second time from what the hour's first conversion remembered
        assert hours.utc_of_text(local) == utc
        assert hours.local_text(utc) == local


def test_an_offset_in_an_hour_already_known_is_still_refused():
    hours = ZoneHours("Europe/Berlin")
    hours.utc_of_text("2026-06-20 08:00:00")
    with pytest.raises(ValueError):
        hours.utc_of_text("2026-06-20 08:00+01")
    assert hours.utc_of_text("2026-06-20 08:15:00") == datetime(2026, 6, 20, 6, 15, tzinfo=UTC)


def test_a_text_that_is_no_time_leaves_its_hour_unknown():
    hours = ZoneHours("Europe/Berlin")
    with pytest.raises(ValueError):
        hours.utc_of_text("2026-06-20 08:00+01")
    assert "2026-06-20 08" not in hours._to_utc
    assert hours.utc_of_text("2026-06-20 08:15:00") == datetime(2026, 6, 20, 6, 15, tzinfo=UTC)
    assert hours._to_utc["2026-06-20 08"] == timedelta(hours=2)


def test_the_remembered_hours_are_bounded():
    hours = ZoneHours("Europe/Berlin", max_hours=3)
    for hour in range(10):
        assert hours.utc_of_text(f"2026-06-20 {hour:02d}:00:00") == datetime(
            2026, 6, 19, 22, tzinfo=UTC
        ) + timedelta(hours=hour)
    assert len(hours._to_utc) <= 3
