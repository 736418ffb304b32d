"""The timecard rules on hand-made days (no database)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from portal.attendance.rules import RawPunch, Rules, Shift, apply_weekly_overtime, build_days

BERLIN = ZoneInfo("Europe/Berlin")
DAY = Shift(start=time(8), end=time(16, 30), break_minutes=30, break_after_minutes=360)
NIGHT = Shift(start=time(22), end=time(6), break_minutes=0, work_days=frozenset(range(7)))
RULES = Rules()


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """A Berlin wall-clock time as UTC, like a punch is stored."""
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=BERLIN).astimezone(UTC)


def punches(*items):
    made = []
    for i, item in enumerate(items, start=1):
        moment, direction, *rest = item
        source = rest[0] if rest else "biotime"
        device = rest[1] if len(rest) > 1 else "T1"
        made.append(RawPunch(i, moment, direction, source, device))
    return made


def card(items, shift=DAY, rules=RULES, day=date(2026, 3, 3), **kw):
    return build_days(punches(*items), shift, rules, [day], **kw)[day]


MON = date(2026, 3, 2)
TUE = date(2026, 3, 3)


def test_a_plain_day_deducts_the_owed_break_and_is_on_time():
    c = card([(at(TUE, 8), "in"), (at(TUE, 16, 30), "out")])
    assert (c.worked_minutes, c.break_minutes, c.overtime_minutes) == (480, 30, 0)
    assert c.exceptions == []


def test_a_taken_break_counts_and_is_not_deducted_twice():
    c = card(
        [
            (at(TUE, 8), "in"),
            (at(TUE, 12), "break_out"),
            (at(TUE, 12, 45), "break_in"),
            (at(TUE, 17), "out"),
        ]
    )
    assert (c.worked_minutes, c.break_minutes) == (495, 45)


def test_overnight_shift_belongs_to_the_day_it_started():
    cards = build_days(
        punches((at(TUE, 21, 55), "in"), (at(TUE + timedelta(days=1), 6, 2), "out")),
        NIGHT,
        RULES,
        [TUE, TUE + timedelta(days=1)],
    )
    assert cards[TUE].worked_minutes == 8 * 60 + 7
    assert cards[TUE + timedelta(days=1)].counted == []


def test_without_a_schedule_the_day_splits_at_the_day_start():
    rules = Rules(day_start=time(4))
    wed = TUE + timedelta(days=1)
    cards = build_days(
        punches((at(TUE, 20), "in"), (at(wed, 3, 30), "out"), (at(wed, 9), "in")),
        None,
        rules,
        [TUE, wed],
    )
    assert cards[TUE].worked_minutes == 450
    assert cards[wed].exceptions == ["missing_out"]


def test_missing_out_is_a_blocking_exception():
    c = card([(at(TUE, 8), "in")])
    assert c.exceptions == ["missing_out"]
    assert c.blocking == ["missing_out"]
    assert c.worked_minutes == 0


def test_missing_in_when_the_day_starts_with_an_out():
    c = card([(at(TUE, 16, 30), "out")])
    assert "missing_in" in c.blocking


def test_auto_close_at_shift_end_is_flagged_as_system_made_and_does_not_block():
    shift = Shift(start=time(8), end=time(16), break_minutes=0, auto_close=True)
    c = card([(at(TUE, 8), "in")], shift=shift, now=at(TUE, 20))
    assert c.worked_minutes == 480
    assert "auto_closed" in c.exceptions and c.blocking == []


def test_a_double_tap_on_the_same_device_counts_once():
    c = card([(at(TUE, 8), "in"), (at(TUE, 8, 0, 40), "in"), (at(TUE, 16, 30), "out")])
    assert len(c.counted) == 2 and c.duplicates == {2: 1}
    assert c.exceptions == []


def test_a_double_tap_gap_is_configurable():
    rules = Rules(double_tap_seconds=20)
    c = card([(at(TUE, 8), "in"), (at(TUE, 8, 0, 40), "in"), (at(TUE, 16, 30), "out")], rules=rules)
    assert len(c.counted) == 3 and "missing_out" in c.exceptions


def test_the_same_punch_from_two_sources_is_one_punch_and_the_other_points_at_it():
    c = card(
        [
            (at(TUE, 8), "in", "biotime"),
            (at(TUE, 8, 0, 2), "unknown", "zeitstrom", None),
            (at(TUE, 16, 30), "out", "biotime"),
        ]
    )
    assert c.counted == [1, 3] and c.duplicates == {2: 1}
    assert c.worked_minutes == 480


def test_direction_less_punches_alternate_and_still_count():
    c = card([(at(TUE, 8), "unknown"), (at(TUE, 16, 30), "unknown")])
    assert c.worked_minutes == 480 and c.exceptions == []


def test_first_in_last_out_source_ignores_the_middle_punches():
    rules = Rules(direction_modes={"q2": "first_last"})
    c = card(
        [(at(TUE, 8), "out", "q2"), (at(TUE, 11), "in", "q2"), (at(TUE, 16, 30), "in", "q2")],
        rules=rules,
    )
    assert c.pairs == [(at(TUE, 8), at(TUE, 16, 30))]


def test_rounding_changes_derived_minutes_not_the_punch():
    rules = Rules(rounding_minutes=15)
    c = card([(at(TUE, 8, 7), "in"), (at(TUE, 16, 38), "out")], rules=rules)
    assert c.worked_minutes == 8 * 60 + 45 - 30  # 08:00 to 16:45, less the owed break
    assert c.first_in == at(TUE, 8, 7)  # the card shows the real punch


def test_late_within_grace_is_on_time_and_after_grace_is_late_with_its_minutes():
    assert card([(at(TUE, 8, 5), "in"), (at(TUE, 16, 30), "out")]).late_minutes == 0
    late = card([(at(TUE, 8, 6), "in"), (at(TUE, 16, 30), "out")])
    assert late.late_minutes == 6 and "late" in late.exceptions


def test_early_departure_has_its_own_grace():
    shift = Shift(start=time(8), end=time(16, 30), early_grace_minutes=10, late_grace_minutes=0)
    ok = card([(at(TUE, 8), "in"), (at(TUE, 16, 20), "out")], shift=shift)
    assert ok.early_minutes == 0
    early = card([(at(TUE, 8), "in"), (at(TUE, 16, 19), "out")], shift=shift)
    assert early.early_minutes == 11 and "early" in early.exceptions


def test_daily_overtime_after_the_threshold():
    c = card([(at(TUE, 7, 0), "in"), (at(TUE, 18, 0), "out")])
    assert c.worked_minutes == 630 and c.overtime_minutes == 150


def test_weekly_overtime_counts_regular_time_past_the_week_threshold_once():
    days = [MON + timedelta(days=i) for i in range(6)]
    items = []
    for d in days:
        items += [(at(d, 8), "in"), (at(d, 16, 30), "out")]
    shift = Shift(start=time(8), end=time(16, 30), work_days=frozenset(range(6)))
    cards = build_days(punches(*items), shift, RULES, days)
    apply_weekly_overtime(list(cards.values()), RULES.weekly_overtime_after)
    assert [cards[d].weekly_overtime_minutes for d in days] == [0, 0, 0, 0, 0, 480]


def test_day_off_absence_and_outside_schedule():
    sat = date(2026, 3, 7)
    off = card([(at(sat, 9), "in"), (at(sat, 12), "out")], day=sat)
    assert off.exceptions == ["day_off"]
    absent = card([], now=at(TUE, 20))
    assert absent.exceptions == ["absent"]
    early_bird = card([(at(TUE, 5, 30), "in"), (at(TUE, 16, 30), "out")])
    assert "outside_schedule" in early_bird.exceptions


def test_a_public_holiday_is_not_an_absence():
    assert card([], holidays=frozenset({TUE}), now=at(TUE, 20)).exceptions == []


def test_long_shift_is_flagged():
    c = card([(at(TUE, 6), "in"), (at(TUE, 19), "out")])
    assert "long_shift" in c.exceptions


def test_night_into_summer_time_is_an_hour_shorter():
    """Europe/Berlin 2026-03-29: 02:00 becomes 03:00; 22:00 to 06:00 is seven hours."""
    sat, sun = date(2026, 3, 28), date(2026, 3, 29)
    cards = build_days(punches((at(sat, 22), "in"), (at(sun, 6), "out")), NIGHT, RULES, [sat, sun])
    assert cards[sat].worked_minutes == 7 * 60
    assert cards[sat].exceptions == []


def test_night_into_winter_time_is_an_hour_longer():
    """Europe/Berlin 2026-10-25: 03:00 goes back to 02:00; 22:00 to 06:00 is nine hours."""
    sat, sun = date(2026, 10, 24), date(2026, 10, 25)
    cards = build_days(punches((at(sat, 22), "in"), (at(sun, 6), "out")), NIGHT, RULES, [sat, sun])
    assert cards[sat].worked_minutes == 9 * 60
    assert cards[sat].overtime_minutes == 60


def test_a_day_shift_on_the_dst_sunday_is_measured_in_real_time():
    sun = date(2026, 3, 29)
    every_day = Shift(start=time(1), end=time(9), work_days=frozenset(range(7)), break_minutes=0)
    c = card([(at(sun, 1), "in"), (at(sun, 9), "out")], shift=every_day, day=sun)
    assert c.worked_minutes == 7 * 60 and c.early_minutes == 0 and c.late_minutes == 0


@given(
    st.lists(
        st.tuples(st.integers(0, 24 * 60 * 60 - 1), st.sampled_from(["in", "out", "unknown"])),
        max_size=12,
    )
)
def test_any_day_has_sane_figures(raw):
    items = [(at(TUE, 0) + timedelta(seconds=s), d) for s, d in raw]
    cards = build_days(punches(*items), None, RULES, [TUE, TUE + timedelta(days=1)])
    counted = []
    for c in cards.values():
        assert 0 <= c.worked_minutes <= 24 * 60 + 60
        assert c.overtime_minutes <= c.worked_minutes
        counted += c.counted
    assert len(counted) == len(set(counted))
