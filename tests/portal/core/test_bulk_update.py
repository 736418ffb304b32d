"""``update_fields``: bulk_update's effect by one prepared statement per object, on SQLite and
PostgreSQL (the PostgreSQL run of the suite covers the second)."""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from portal.core.bulk_update import update_fields
from portal.people.models import Person
from portal.sync.models import OutboxMessage
from tests.factories import PersonFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db


def _messages(count):
    account = VendorAccountFactory()
    person = PersonFactory()
    kind = ContentType.objects.get_for_model(Person)
    return [
        OutboxMessage.objects.create(
            account=account,
            record_kind="person",
            action="update",
            content_type=kind,
            object_id=person.pk,
            idempotency_key=f"k{number}",
            scheduled_for=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for number in range(count)
    ]


def test_the_given_fields_of_each_object_reach_its_row_and_nothing_else():
    first, second, untouched = _messages(3)
    sent = datetime(2026, 3, 29, 8, 0, 0, 123456, tzinfo=UTC)
    first.status, first.sent_at, first.vendor_answer = "sent", sent, {"id": 7, "name": 'a"b\\c'}
    second.status, second.vendor_answer, second.last_error = "failed", None, "timed out"
    second.attempts = 9  # changed in memory, not named: must not be written

    update_fields(
        OutboxMessage, [first, second], ["status", "sent_at", "vendor_answer", "last_error"]
    )

    first_row, second_row, untouched_row = OutboxMessage.objects.order_by("pk")
    assert (first_row.status, first_row.sent_at, first_row.vendor_answer) == (
        "sent",
        sent,
        {"id": 7, "name": 'a"b\\c'},
    )
    assert (second_row.status, second_row.vendor_answer, second_row.last_error) == (
        "failed",
        None,
        "timed out",
    )
    assert second_row.attempts == 0
    assert (untouched_row.status, untouched_row.sent_at) == ("pending", None)


def test_nothing_to_update_sends_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        update_fields(OutboxMessage, [], ["status"])
