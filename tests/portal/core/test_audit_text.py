"""Audit entries read as sentences with names, for every action the code base records."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.core import audit
from portal.core.audit_text import SENTENCES, describe, reference_names
from portal.core.models import AuditEntry
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
    VendorAccountFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def sentence(entry) -> str:
    return describe(entry, reference_names([entry]))


def test_every_action_recorded_in_the_code_base_has_its_own_sentence():
    recorded = set()
    for path in (ROOT / "portal").rglob("*.py"):
        recorded |= set(re.findall(r"audit\.record\(\s*\"([\w.]+)\"", path.read_text()))
    assert recorded, "the search for audit.record calls found nothing"
    # admin.<model>.<verb> entries share one sentence (test_admin_site_sentences)
    assert sorted(a for a in recorded - set(SENTENCES) if not a.startswith("admin.")) == []


@pytest.fixture
def hanna():
    return PersonFactory(first_name="Hanna", last_name="Hinrichs", employee_code="00042")


@pytest.fixture
def hr():
    return UserFactory(username="hr", first_name="", last_name="")


def test_person_changed_names_the_fields_and_referenced_rows(hanna, hr):
    sales, support = DepartmentFactory(name="Sales"), DepartmentFactory(name="Support")
    boss = PersonFactory(first_name="Karl", last_name="König")
    berlin = SiteFactory(name="Berlin")
    entry = audit.record(
        "person.changed",
        actor=hr,
        obj=hanna,
        before={"phone": "0151 1", "department": sales.pk, "manager": None, "sites": []},
        after={
            "phone": "0160 2",
            "department": support.pk,
            "manager": boss.pk,
            "sites": [berlin.pk],
        },
    )
    assert sentence(entry) == (
        "hr changed Hanna Hinrichs: department from Sales to Support, manager from (empty) to "
        "Karl König, phone from 0151 1 to 0160 2, sites from (empty) to Berlin."
    )


def test_the_actors_full_name_is_used_when_there_is_one(hanna):
    actor = UserFactory(username="hhr", first_name="Helga", last_name="Hansen")
    entry = audit.record(
        "person.changed", actor=actor, obj=hanna, before={"phone": "1"}, after={"phone": "2"}
    )
    assert sentence(entry) == "Helga Hansen changed Hanna Hinrichs: phone from 1 to 2."


def test_a_deleted_department_is_named_as_such(hanna, hr):
    entry = audit.record(
        "person.changed",
        actor=hr,
        obj=hanna,
        before={"department": 999},
        after={"department": None},
    )
    assert "department from #999 (since deleted) to (empty)" in sentence(entry)


@pytest.mark.parametrize(
    "action,before,after,expected",
    [
        (
            "person.created",
            None,
            {"employee_code": "00042"},
            "hr added Hanna Hinrichs (employee code 00042).",
        ),
        (
            "person.created",
            None,
            {"employee_code": "00042", "from": "HQ BioTime"},
            "hr added Hanna Hinrichs (employee code 00042) from HQ BioTime.",
        ),
        (
            "person.terminated",
            {"status": "active", "termination_date": None},
            {
                "status": "terminated",
                "termination_date": "2026-11-30",
                "termination_reason": "Moved",
            },
            "hr terminated Hanna Hinrichs (last day 2026-11-30, reason \u201cMoved\u201d).",
        ),
        (
            "person.rehired",
            {"status": "terminated", "termination_date": "2026-11-30"},
            {"status": "active", "termination_date": None},
            "hr rehired Hanna Hinrichs (had left on 2026-11-30).",
        ),
        (
            "person.linked",
            None,
            {"account": "Doors", "vendor_id": "77", "vendor_code": "0042"},
            "hr linked Hanna Hinrichs to Doors record 77 (code 0042).",
        ),
    ],
)
def test_person_sentences(hanna, hr, action, before, after, expected):
    entry = audit.record(action, actor=hr, obj=hanna, before=before, after=after)
    assert sentence(entry) == expected


def test_people_sentences(hr):
    exported = audit.record(
        "people.exported", actor=hr, after={"rows": 12, "filters": {"status": ["active"]}}
    )
    assert sentence(exported) == "hr exported 12 people as CSV (filters: status = active)."
    bulk = audit.record(
        "people.bulk_changed",
        actor=hr,
        after={"field": "department", "value": "Sales", "people": 3, "changed": 2, "refused": 1},
    )
    assert sentence(bulk) == "hr set the department of 3 people to Sales (2 changed, 1 refused)."


@pytest.mark.parametrize(
    "action,kwargs,expected",
    [
        (
            "vendor_account.created",
            {"after": {"kind": "biotime", "base_url": "http://bt.example"}},
            "hr connected the vendor account HQ BioTime at http://bt.example.",
        ),
        (
            "vendor_account.created",
            {
                "after": {"base_url": "http://bt.example", "via": "cli"},
                "actor_label": "root (command line)",
            },
            "root (command line) connected the vendor account HQ BioTime at http://bt.example "
            "from the command line.",
        ),
        (
            "vendor_account.changed",
            {"before": {"push_enabled": True}, "after": {"push_enabled": False}},
            "hr changed the vendor account HQ BioTime: writing people from on to off.",
        ),
        ("vendor_account.removed", {}, "hr removed the vendor account HQ BioTime."),
        (
            "vendor_account.check_requested",
            {},
            "hr asked to test the connection to HQ BioTime.",
        ),
        ("vendor_account.sync_requested", {}, "hr started a sync of HQ BioTime."),
        (
            "vendor_account.paused",
            {"after": {"reason": "The password was refused."}, "system": True},
            "system paused HQ BioTime: The password was refused.",
        ),
        ("vendor_account.resumed", {"system": True}, "system resumed HQ BioTime."),
    ],
)
def test_vendor_account_sentences(hr, action, kwargs, expected):
    account = VendorAccountFactory(name="HQ BioTime")
    actor = None if kwargs.pop("system", False) or "actor_label" in kwargs else hr
    entry = audit.record(action, actor=actor, obj=account, **kwargs)
    assert sentence(entry) == expected


def test_system_wide_and_outbox_sentences(hr):
    rotated = audit.record(
        "vendor_secrets.rotated", actor_label="root (command line)", after={"accounts": 3}
    )
    assert sentence(rotated) == "root (command line) re-encrypted the secrets of 3 vendor accounts."
    retried = AuditEntry.objects.create(
        actor=hr,
        actor_label="hr",
        action="outbox.retried",
        object_type="sync.OutboxMessage",
        object_id="5",
        object_repr="update person #3 → Doors (failed)",
        before={"status": "failed", "last_error": "Refused"},
        after={"status": "pending"},
    )
    assert (
        sentence(retried)
        == "hr retried update person #3 → Doors (failed) (it had failed: Refused)."
    )


def test_admin_site_sentences(hr):
    department = DepartmentFactory(name="Sales")
    created = audit.record(
        "admin.department.created", actor=hr, obj=department, after={"name": "Sales"}
    )
    assert sentence(created) == "hr created the department Sales in the admin site."
    changed = audit.record(
        "admin.user.changed", actor=hr, obj=hr, before={"groups": []}, after={"groups": ["HR"]}
    )
    assert (
        sentence(changed) == "hr changed the user hr in the admin site: groups from (empty) to HR."
    )
    ran = audit.record("admin.periodictask.run", actor=hr, obj=department)
    assert sentence(ran) == "hr ran the periodictask Sales in the admin site."


def test_an_action_without_its_own_sentence_still_reads_as_one(hr):
    entry = AuditEntry.objects.create(
        actor=hr,
        actor_label="hr",
        action="door.command_sent",
        object_repr="Main entrance",
        after={"command": "unlock", "reason": "delivery"},
    )
    assert (
        sentence(entry) == "hr: command sent (door) Main entrance: command unlock, reason delivery."
    )


# --- the audit log page -------------------------------------------------------------------


def test_audit_page_shows_sentences_and_filters_by_item_actor_action_and_dates(client_as, hanna):
    sales = DepartmentFactory(name="Sales")
    other = PersonFactory(first_name="Nina", last_name="Nielsen")
    actor = UserFactory(username="hr2", first_name="Helga", last_name="Hansen")
    audit.record(
        "person.changed",
        actor=actor,
        obj=hanna,
        before={"department": None},
        after={"department": sales.pk},
    )
    audit.record("person.rehired", obj=other, before={}, after={})
    old = audit.record("person.created", actor=actor, obj=other, after={"employee_code": "1"})
    with connection.cursor() as cursor:  # append-only for the portal: age it with plain SQL
        cursor.execute(
            "UPDATE core_auditentry SET at = %s WHERE id = %s",
            [timezone.now() - timedelta(days=10), old.pk],
        )
    client = client_as("admin")
    url = reverse("core:audit-list")
    html = client.get(url).content.decode()
    assert "Helga Hansen changed Hanna Hinrichs: department from (empty) to Sales." in html
    assert "system rehired Nina Nielsen." in html

    def shown(**params):
        return [e.action for e, _ in client.get(url, params).context["rows"]]

    assert shown(item="hinrichs") == ["person.changed"]
    assert shown(actor="hr2") == ["person.changed", "person.created"]
    assert shown(action="person.rehired") == ["person.rehired"]
    today = timezone.localdate()
    assert shown(until=str(today - timedelta(days=5))) == ["person.created"]
    assert shown(since=str(today)) == ["person.rehired", "person.changed"]
    assert shown(object_type="people.Person", object_id=str(other.pk)) == [
        "person.rehired",
        "person.created",
    ]
    assert shown(action="no.such.action") == ["person.rehired", "person.changed", "person.created"]


def test_audit_page_query_count_does_not_grow_with_entries(
    client_as, hanna, django_assert_max_num_queries
):
    client = client_as("admin")
    url = reverse("core:audit-list")
    client.get(url)
    for _ in range(30):
        department = DepartmentFactory()
        audit.record(
            "person.changed",
            obj=hanna,
            before={"department": None},
            after={"department": department.pk},
        )
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["rows"]) == 30


def test_door_commands_lockdowns_and_timecard_decisions_read_as_sentences(hanna, hr):
    from tests.factories import DoorFactory

    door = DoorFactory(name="Main entrance")
    command = audit.record(
        "door.command.requested",
        actor=hr,
        obj=door,
        after={"action": "unlock", "reason": "Movers", "unlock_until": "14:32"},
    )
    outcome = audit.record(
        "door.command.succeeded",
        actor=hr,
        obj=door,
        after={"action": "unlock", "status": "succeeded", "state_after": "unlocked"},
    )
    lockdown = audit.record(
        "door.lockdown.started", actor=hr, after={"scope": "Bremen", "reason": "Fire", "doors": 4}
    )
    punch = audit.record(
        "timecards.punch_added",
        actor=hr,
        obj=hanna,
        after={"direction": "out", "at": "2026-11-16T16:30:00+00:00", "reason": "Forgot"},
    )

    assert sentence(command) == "hr asked to unlock Main entrance until 14:32 because “Movers”."
    assert sentence(outcome).endswith("ended succeeded; the door reads unlocked.")
    assert sentence(lockdown) == "hr locked down Bremen (4 doors): “Fire”."
    assert sentence(punch) == "hr added an out punch at 2026-11-16T16:30:00+00:00 because “Forgot”."
