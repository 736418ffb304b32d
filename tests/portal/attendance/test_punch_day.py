"""Punch.day: the UTC date of every stored punch, whichever way it was written, and the day lists
that read one person's punches through the (day, person, punched_at) index."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.attendance import services
from portal.attendance.days import FIRST_WINDOW, LAST_WINDOW, day_windows, utc_days
from portal.attendance.models import Punch
from portal.sync.mirror.bulk import insert_new
from tests.factories import PersonFactory, VendorAccountFactory
from tests.portal.sync.test_bulk_insert import punch_row

BERLIN = ZoneInfo("Europe/Berlin")
#: 00:30 in Berlin is still the day before in UTC; 23:30 UTC is the next day in Berlin
EARLY = datetime(2026, 11, 18, 0, 30, tzinfo=BERLIN)
LATE = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)


def days_of(vendor_ids) -> dict[str, date]:
    return dict(Punch.objects.filter(vendor_id__in=vendor_ids).values_list("vendor_id", "day"))


@pytest.mark.django_db
def test_a_pulled_page_stores_each_punchs_utc_date():
    account = VendorAccountFactory()

    insert_new(
        Punch,
        [
            punch_row(account.pk, "early", punched_at=EARLY),
            punch_row(account.pk, "late", punched_at=LATE),
        ],
        ["account_id", "vendor_id"],
        ["vendor_id", "id"],
    )

    assert days_of(["early", "late"]) == {"early": date(2026, 11, 17), "late": date(2026, 11, 18)}


@pytest.mark.django_db
def test_punches_made_one_by_one_in_bulk_and_by_hand_store_their_utc_date(user_with_role):
    account, person = VendorAccountFactory(), PersonFactory()
    Punch.objects.create(account=account, vendor_id="one", person=person, punched_at=EARLY)
    Punch.objects.bulk_create([Punch(account=account, vendor_id="bulk", punched_at=LATE)])
    hr = user_with_role("hr")
    added = services.add_punch(hr, person, LATE - timedelta(hours=1), "in", "forgot")

    assert days_of(["one", "bulk"]) == {"one": date(2026, 11, 17), "bulk": date(2026, 11, 18)}
    assert Punch.objects.get(pk=added.pk).day == date(2026, 11, 18)


def test_utc_days_cover_a_range_in_any_zone_and_not_its_open_end():
    since = datetime(2026, 11, 18, 0, 30, tzinfo=BERLIN)  # 17 Nov 23:30 UTC

    assert utc_days(since, since + timedelta(hours=1)) == [date(2026, 11, 17), date(2026, 11, 18)]
    midnight = datetime(2026, 11, 18, tzinfo=UTC)
    assert utc_days(midnight, midnight + timedelta(days=1)) == [date(2026, 11, 18)]


def test_day_windows_walk_back_every_day_once_in_growing_windows():
    newest, oldest = date(2026, 11, 18), date(2023, 1, 1)

    windows = list(day_windows(newest, oldest))

    walked = [day for window in windows for day in window]
    assert walked == [newest - timedelta(days=n) for n in range((newest - oldest).days + 1)]
    sizes = [len(window) for window in windows]
    assert sizes[0] == FIRST_WINDOW and max(sizes) == LAST_WINDOW
    assert len(windows) < 12  # four years back in a dozen reads, not one per day
