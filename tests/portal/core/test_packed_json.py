"""Packed JSON (a punch's vendor record): the same value back, a fraction of the bytes, each value
readable on its own; through the ORM, serializers and the migration that packed stored punches."""

import json
import threading
from datetime import UTC, datetime

import pytest
from django.core import serializers
from django.db import connection

from portal.attendance.models import Punch
from portal.core.copy_text import JsonText, encode_json
from portal.core.packed_json import CURRENT, Packed, PackedJSONField, pack, pack_text, unpack
from tests.factories import VendorAccountFactory

TRANSACTION = {  # a BioTime transaction as the simulator and real servers send it
    "id": 4711,
    "emp": 12,
    "emp_code": "E-0012",
    "first_name": "Jürgen",
    "last_name": "Øster-Bäcker",
    "department": "Logistics",
    "position": "Forklift driver",
    "punch_time": "2026-11-30 06:58:12",
    "punch_state": "0",
    "punch_state_display": "Check In",
    "verify_type": 15,
    "verify_type_display": "Face",
    "work_code": "0",
    "gps_location": None,
    "area_alias": "Hamburg Nord",
    "terminal_sn": "CQZ7234560012",
    "temperature": "36.4",
    "terminal_alias": "Gate 3 (trucks)",
    "upload_time": "2026-11-30 06:58:15",
}


@pytest.mark.parametrize(
    "value",
    [
        TRANSACTION,
        {},
        [],
        {"nested": {"list": [1, 2.5, None, True, "x"]}, "": ""},
        {"nul": "a\x00b", "tab": "\t\n\\", "quote": '"', "emoji": "🕒"},
        {"big": 2**80, "negative": -(2**70)},
        "just text",
        None,
    ],
)
def test_a_packed_value_unpacks_to_the_same_value(value):
    packed = pack(value)

    assert packed[0] == CURRENT
    assert unpack(packed) == value
    assert unpack(memoryview(packed)) == value  # as PostgreSQL's driver hands bytea back


def test_a_vendor_record_packs_to_under_half_its_json():
    text = encode_json(TRANSACTION).encode()

    packed = pack(TRANSACTION)

    assert len(packed) < len(text) * 0.5, (len(packed), len(text))  # 213 of 464 bytes


def test_each_value_unpacks_on_its_own_in_any_order_and_from_threads():
    """The packer is copied per value: nothing of one value leaks into the next."""
    values = [{**TRANSACTION, "id": n, "emp_code": f"E-{n:04d}"} for n in range(200)]
    packed: dict[int, bytes] = {}

    def pack_some(numbers):
        for n in numbers:
            packed[n] = pack(values[n])

    threads = [threading.Thread(target=pack_some, args=(range(k, 200, 2),)) for k in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [unpack(packed[n]) for n in reversed(range(200))] == values[::-1]
    assert len(set(packed.values())) == 200


def test_an_unknown_dictionary_is_refused():
    with pytest.raises(ValueError, match="unknown dictionary"):
        unpack(bytes([CURRENT + 1]) + pack({"a": 1})[1:])


def test_text_already_encoded_is_packed_as_it_is():
    field = PackedJSONField()

    assert unpack(field.get_prep_value(JsonText('{"a":[1]}'))) == {"a": [1]}
    assert unpack(field.get_prep_value('{"a":[1]}')) == '{"a":[1]}'  # plain text is a value
    assert field.get_prep_value(pack_text('{"b":2}')).__class__ is Packed


AT = datetime(2026, 11, 30, 5, 58, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_a_punch_keeps_its_record_packed_and_reads_it_back():
    account = VendorAccountFactory()
    punch = Punch.objects.create(account=account, vendor_id="4711", punched_at=AT, raw=TRANSACTION)

    with connection.cursor() as cursor:
        cursor.execute("SELECT raw FROM attendance_punch WHERE id = %s", [punch.pk])
        stored = bytes(cursor.fetchone()[0])
    assert stored[0] == CURRENT and len(stored) < len(encode_json(TRANSACTION).encode()) * 0.5
    assert Punch.objects.get(pk=punch.pk).raw == TRANSACTION
    assert Punch.objects.values_list("raw", flat=True).get(pk=punch.pk) == TRANSACTION
    assert Punch.objects.create(account=account, vendor_id="0", punched_at=AT).raw == {}


@pytest.mark.django_db
def test_serializers_write_the_record_as_json_and_read_it_back():
    account = VendorAccountFactory()
    punch = Punch.objects.create(account=account, vendor_id="4711", punched_at=AT, raw=TRANSACTION)

    text = serializers.serialize("json", [punch])
    (again,) = serializers.deserialize("json", text)

    assert json.loads(json.loads(text)[0]["fields"]["raw"]) == TRANSACTION  # readable JSON
    assert again.object.raw == TRANSACTION


@pytest.mark.django_db(transaction=True)
def test_the_migration_packs_stored_records_and_unpacks_them_going_back():
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("attendance", "0009_punch_day_index"), ("attendance", "0010_punch_raw_packed")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    account = old.get_model("sync", "VendorAccount").objects.create(
        kind="biotime", name="Old", base_url=""
    )
    records = [{**TRANSACTION, "id": n} for n in range(3)] + [{}, {"awkward": "\t\\\n🕒"}]
    old_punch = old.get_model("attendance", "Punch")
    for n, raw in enumerate(records):
        old_punch.objects.create(account_id=account.pk, vendor_id=str(n), punched_at=AT, raw=raw)

    try:
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        new = executor.loader.project_state([after]).apps.get_model("attendance", "Punch")
        assert [p.raw for p in new.objects.order_by("pk")] == records

        executor = MigrationExecutor(connection)
        executor.migrate([before])
        back = executor.loader.project_state([before]).apps.get_model("attendance", "Punch")
        assert [p.raw for p in back.objects.order_by("pk")] == records
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_the_admin_shows_a_punchs_vendor_record(admin_client):
    account = VendorAccountFactory()
    punch = Punch.objects.create(account=account, vendor_id="4711", punched_at=AT, raw=TRANSACTION)

    response = admin_client.get(f"/admin/attendance/punch/{punch.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Vendor record" in page
    assert "&quot;last_name&quot;: &quot;Øster-Bäcker&quot;" in page
