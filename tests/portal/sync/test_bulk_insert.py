"""insert_new: what the append-only logs' pages go through (on PostgreSQL: ids drawn for the new
rows, then one COPY; a conflict the check did not see falls back to the staging table's move)."""

from datetime import UTC, datetime

import pytest

from portal.attendance.models import Punch
from portal.sync.mirror.bulk import insert_new
from tests.factories import VendorAccountFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 18, 8, tzinfo=UTC)


def punch_row(account_id, vendor_id, **values) -> dict:
    return {
        "account_id": account_id,
        "source": "vendor",
        "vendor_id": vendor_id,
        "person_id": None,
        "vendor_person_id": "",
        "punched_at": AT,
        "direction": "in",
        "device_id": None,
        "raw": {"id": vendor_id},
        "local_time": "",
        "time_zone": "",
        "received_at": AT,
        "reason": "",
        "void_reason": "",
        **values,
    }


def insert(rows) -> dict[str, int]:
    return dict(insert_new(Punch, rows, ["account_id", "vendor_id"], ["vendor_id", "id"]))


def test_insert_new_returns_the_ids_of_new_rows_and_skips_stored_ones():
    account = VendorAccountFactory()
    first = insert([punch_row(account.pk, "1"), punch_row(account.pk, "2")])

    again = insert([punch_row(account.pk, "2"), punch_row(account.pk, "3")])

    assert set(first) == {"1", "2"} and set(again) == {"3"}
    stored = dict(Punch.objects.values_list("vendor_id", "id"))
    assert stored == {**first, **again}


def test_insert_new_stores_a_key_repeated_in_its_rows_once():
    account = VendorAccountFactory()

    inserted = insert([punch_row(account.pk, "7", direction="in"), punch_row(account.pk, "7")])

    assert list(inserted) == ["7"]
    assert list(Punch.objects.values_list("id", flat=True)) == [inserted["7"]]


def test_insert_new_keeps_keys_and_text_with_quotes_backslashes_and_tabs():
    account = VendorAccountFactory()
    keys = ['a"b', "c\\d", "e\tf", "g,h}", "NULL", "i\nj"]

    inserted = insert([punch_row(account.pk, key, reason=key) for key in keys])
    again = insert([punch_row(account.pk, key) for key in keys])

    assert set(inserted) == set(keys) and again == {}
    stored = {p.vendor_id: (p.id, p.reason, p.raw) for p in Punch.objects.all()}
    assert stored == {key: (inserted[key], key, {"id": key}) for key in keys}


def test_insert_new_stores_rows_without_an_account_every_time():
    # NULL equals nothing in the unique index: a hand-made punch's key never conflicts
    inserted = insert([punch_row(None, "1", source="manual")])
    again = insert([punch_row(None, "1", source="manual")])

    assert len(inserted) == len(again) == 1
    assert Punch.objects.filter(vendor_id="1").count() == 2


def test_insert_new_stores_columns_with_some_values_missing_and_times_in_any_zone():
    """On PostgreSQL the page goes to COPY a column at a time: a NULL among values, the same
    instant written in two zones, JSON already encoded, each row keeps its own."""
    from datetime import timedelta, timezone

    from portal.sync.mirror.bulk import encode_json

    account = VendorAccountFactory()
    east = AT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    rows = [
        punch_row(
            account.pk,
            "1",
            punched_at=east,
            vendor_person_id="x",
            device_id=5,
            raw=encode_json([1]),
        ),
        punch_row(account.pk, "2", punched_at=AT, person_id=None, raw={"a": "b\\c"}),
        punch_row(account.pk, "3", punched_at=AT + timedelta(seconds=1), reason="\\N"),
    ]

    inserted = insert(rows)

    stored = {
        p.vendor_id: (p.id, p.punched_at, p.vendor_person_id, p.device_id, p.raw, p.reason)
        for p in Punch.objects.all()
    }
    assert stored == {
        "1": (inserted["1"], AT, "x", 5, [1], ""),
        "2": (inserted["2"], AT, "", None, {"a": "b\\c"}, ""),
        "3": (inserted["3"], AT + timedelta(seconds=1), "", None, {"id": "3"}, "\\N"),
    }


def test_insert_new_writes_sqlite_times_as_djangos_adapter_does():
    """SQLite stores times as text: whole seconds are written from the hour's text remembered
    (the same hour twice, others between), the rest as before; each as Django writes it."""
    from datetime import timedelta, timezone

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the text form is SQLite's")
    account = VendorAccountFactory()
    berlin = timezone(timedelta(hours=1))
    times = [
        AT,
        AT + timedelta(minutes=7, seconds=5),
        AT + timedelta(hours=1, seconds=59),
        AT + timedelta(microseconds=250),
        (AT + timedelta(hours=3, minutes=1)).astimezone(berlin),
        datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),
        AT + timedelta(minutes=59, seconds=59),
    ]
    insert([punch_row(account.pk, str(n), punched_at=at) for n, at in enumerate(times)])

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT vendor_id, CAST(punched_at AS TEXT) FROM {Punch._meta.db_table}")
        stored = dict(cursor.fetchall())
    assert stored == {
        str(n): connection.ops.adapt_datetimefield_value(at) for n, at in enumerate(times)
    }


def test_a_page_of_two_accounts_or_of_one_row_finds_what_is_new_by_both_columns():
    """The new rows are found by every unique column, whether it varies in the page (two
    accounts, the same vendor ids) or holds one value (a page's account; a page of one row)."""
    first, second = VendorAccountFactory(), VendorAccountFactory()
    insert([punch_row(first.pk, "1")])

    mixed = insert([punch_row(first.pk, "1"), punch_row(second.pk, "1"), punch_row(first.pk, "2")])
    alone = insert([punch_row(second.pk, "1")])

    assert set(mixed) == {"1", "2"} and alone == {}
    stored = set(Punch.objects.values_list("account_id", "vendor_id"))
    assert stored == {(first.pk, "1"), (second.pk, "1"), (first.pk, "2")}
