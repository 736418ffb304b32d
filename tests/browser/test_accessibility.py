"""Every page, as the roles that use it, has no axe-core violations (WCAG 2 A/AA rules)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from portal.core import audit
from portal.people.models import Offboarding, Person
from portal.sync.models import (
    AccessProblem,
    ExternalLink,
    OffboardingStep,
    OutboxMessage,
    PersonDrift,
    UnmatchedPerson,
)
from tests.factories import PersonFactory, VendorAccountFactory

PAGES = {
    "admin": [
        "/",
        "/sync/health/",
        "/sync/accounts/",
        "/sync/accounts/add/",
        "/sync/accounts/{biotime}/edit/",
        "/sync/accounts/{zeitstrom}/edit/",
        "/audit/",
        "/audit/?item=hinrichs",
        "/sync/problems/",
        "/devices/",
        "/doors/",
        "/doors/{door}/commands/",
        "/doors/lockdown/",
        "/doors/alarms/",
        "/doors/alarms/?show=acknowledged",
        "/doors/events/",
        "/doors/{door}/",
        "/sync/provisioning/",
        "/sync/provisioning/add/",
        "/sync/provisioning/{rule}/edit/",
        "/people/{person}/",
    ],
    "hr": [
        "/sync/provisioning/",
        "/",
        "/people/",
        "/people/add/",
        "/people/{person}/",
        "/people/{person}/edit/",
        "/sync/unmatched/",
        "/attendance/timecards/period/?span=week&start=2026-11-16",
        "/attendance/timecards/period/?span=month&start=2026-11-01",
        "/attendance/timecards/people/{person}/days/2026-11-16/",
        "/sync/problems/",
        "/people/?q=h&sort=-code",
        "/people/offboardings/",
        "/people/{terminated}/",
        "/people/{leaving}/",
        "/sync/offboardings/{offboarding}/report/",
        "/account/tokens/",
        "/people/departments/",
        "/people/departments/add/",
        "/people/positions/",
        "/people/positions/add/",
        "/people/sites/",
        "/people/sites/add/",
    ],
    "guard": [
        "/",
        "/doors/",
        "/doors/{door}/commands/",
        "/doors/lockdown/",
        "/doors/alarms/",
        "/doors/events/",
        "/doors/{door}/",
        "/devices/",
        "/people/",  # the 403 page
    ],
    "manager": ["/", "/attendance/timecards/", "/attendance/timecards/period/"],
}


@pytest.fixture
def seeded(transactional_db):
    return seed_pages()


def seed_pages() -> dict:
    """Enough rows that each page shows its real parts: panels, tables, banners, forms."""
    biotime = VendorAccountFactory(
        kind="biotime", name="HQ BioTime", server_capabilities={"resignations": False}
    )
    biostar = VendorAccountFactory(kind="biostar", name="Doors", options={"login_id": "api"})
    zeitstrom = VendorAccountFactory(kind="zeitstrom", name="Time", receives_punches=True)
    boss = PersonFactory(first_name="Milan", last_name="Meyer")
    person = PersonFactory(first_name="Hanna", last_name="Hinrichs", manager=boss)
    PersonFactory(first_name="Ida", last_name="Iversen", manager=person)
    ExternalLink.objects.create(
        account=biotime,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        vendor_id="160",
        vendor_code=person.employee_code,
        raw={"emp_code": person.employee_code, "Passport No": "C01X00T47"},
    )
    UnmatchedPerson.objects.create(
        account=biostar,
        vendor_id="1",
        code="1",
        first_name="Administrator",
        reason=UnmatchedPerson.Reason.NO_MATCH,
        system_account=True,
    )
    UnmatchedPerson.objects.create(
        account=biostar,
        vendor_id="77",
        code="0077",
        first_name="Ida",
        last_name="Iversen",
        email="ida@example.com",
        reason=UnmatchedPerson.Reason.NO_MATCH,
    )
    door = seed_doors(biostar, person)
    punch_a_week(person, biotime)
    # the problems page and the directory's problem badges show their rows
    OutboxMessage.objects.create(
        account=biostar,
        record_kind="person",
        action="update",
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        idempotency_key="axe-failed",
        status=OutboxMessage.Status.FAILED,
        last_error="ValidationError: the name is too long for BioStar.",
        scheduled_for=timezone.now(),
    )
    PersonDrift.objects.create(
        person=person,
        account=biotime,
        field="phone",
        portal_value="+49 30 1111",
        vendor_value="+49 30 9999",
    )
    audit.record("person.changed", obj=person, before={"phone": "0151"}, after={"phone": "0160"})
    rule = seed_rule(biotime, biostar, door.site)
    return {
        "rule": rule.pk,
        "biotime": biotime.pk,
        "zeitstrom": zeitstrom.pk,
        "person": person.pk,
        "door": door.pk,
    } | offboardings(biotime, biostar, person)


def seed_rule(biotime, biostar, site):
    """A provisioning rule granting a BioStar access group: the rules page and form show it."""
    from portal.sync.models import AccessGroup, ProvisioningRule

    staff = AccessGroup.objects.create(account=biostar, vendor_id="3", name="Hamburg HQ staff")
    AccessGroup.objects.create(account=biostar, vendor_id="4", name="HQ Server room access")
    rule = ProvisioningRule.objects.create(name="Hamburg HQ staff", site=site)
    rule.accounts.set([biotime, biostar])
    rule.access_groups.set([staff])
    return rule


def seed_doors(account, person):
    """A forced door with its alarm, history, events and a command; an acknowledged alarm; an
    offline device with its alarm; and a door without a site."""
    from django.utils import timezone

    from portal.doors.models import Alarm, DoorCommand, DoorStateChange
    from tests.factories import (
        DeviceFactory,
        DoorEventFactory,
        DoorFactory,
        SiteFactory,
        UserFactory,
    )

    now = timezone.now()
    site = SiteFactory(name="Hamburg HQ")
    door = DoorFactory(account=account, name="Server room", site=site, state="forced")
    DoorFactory(account=account, name="Yard gate", state="offline")
    DoorFactory(account=account, name="Lab", site=site, state="unlocked", mode="manual_unlock")
    DoorStateChange.objects.create(
        door=door, changed_at=now, state_before="locked", state="forced", mode="normal"
    )
    DoorEventFactory(door=door, kind="forced_open", description="Forced open")
    DoorEventFactory(door=door, kind="granted", person=person, method="Face")
    Alarm.objects.create(kind="forced_open", door=door, raised_at=now, source="state")
    officer = UserFactory(username="officer")
    Alarm.objects.create(
        kind="held_open", door=door, raised_at=now, source="event",
        acknowledged_by=officer, acknowledged_at=now, comment="Closed it",
    )  # fmt: skip
    DoorCommand.objects.create(
        door=door, action="lock", reason="Intruder", requested_by=officer,
        expires_at=now, status="failed", error="No answer",
    )  # fmt: skip
    device = DeviceFactory(account=account, name="CoreStation 7", online=False, offline_since=now)
    Alarm.objects.create(kind="device_offline", device=device, raised_at=now, source="device")
    return door


def punch_a_week(person, account):
    """Mon to Fri 08:00-16:30 on a shift, Monday without its out: a grid with flags to read."""
    from datetime import UTC, date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from portal.attendance.compute import recompute
    from portal.attendance.models import Punch, ShiftAssignment, ShiftPattern

    monday = date(2026, 11, 16)
    shift, _ = ShiftPattern.objects.get_or_create(
        name="Day", defaults={"start": time(8), "end": time(16, 30), "work_days": [0, 1, 2, 3, 4]}
    )
    ShiftAssignment.objects.create(shift=shift, person=person, valid_from=monday)
    for i in range(5):
        day = monday + timedelta(days=i)
        for hh, mm, direction in [(8, 3, "in"), (16, 30, "out")][: 1 if i == 0 else 2]:
            at = datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo("Europe/Berlin"))
            Punch.objects.create(
                account=account,
                vendor_id=f"{person.pk}-{i}-{direction}",
                person=person,
                punched_at=at.astimezone(UTC),
                direction=direction,
            )
    recompute([(person.pk, monday)], now=datetime(2026, 11, 23, 12, tzinfo=UTC))


def offboardings(biotime, biostar, person):
    """A terminated person mid-offboarding (confirmed, failed and waiting systems, still active
    in one), drift on another, and an offboarding scheduled for a third."""
    from datetime import timedelta

    from django.utils import timezone

    # (the person's drift is seeded above)
    gone = PersonFactory(
        first_name="Tomas",
        last_name="Tiedemann",
        status="terminated",
        termination_date=timezone.localdate(),
        termination_reason="Contract ended",
    )
    now = timezone.now()
    offboarding = Offboarding.objects.create(
        person=gone,
        last_day=timezone.localdate(),
        reason="Contract ended",
        immediate=True,
        scheduled_for=now,
        started_at=now,
    )
    worktime = VendorAccountFactory(kind="worktime", name="WT")
    for account, vendor_id in ((biotime, "161"), (biostar, "90042"), (worktime, "emp_1")):
        ExternalLink.objects.create(
            account=account,
            content_type=ContentType.objects.get_for_model(Person),
            object_id=gone.pk,
            vendor_id=vendor_id,
        )
    OffboardingStep.objects.create(
        offboarding=offboarding,
        account=biostar,
        action="disables the user",
        status="confirmed",
        sent_at=now,
        confirmed_at=now,
        proof={
            "vendor_id": "90042",
            "found": True,
            "active": False,
            "fields": {"disabled": "true", "expiry_datetime": "2026-11-18T09:30:00.00Z"},
            "read_at": now.isoformat(),
        },
    )
    OffboardingStep.objects.create(
        offboarding=offboarding,
        account=biotime,
        action="records a resignation",
        status="failed",
        sent_at=now,
        error="UnsupportedError: this BioTime server has no resignation API.",
    )
    OffboardingStep.objects.create(
        offboarding=offboarding, account=worktime, action="removes the employee", sent_at=now
    )
    AccessProblem.objects.create(
        person=gone, account=biostar, vendor_id="90042", seen={"active": True}
    )
    leaving = PersonFactory(first_name="Lena", last_name="Lorenz")
    Offboarding.objects.create(
        person=leaving,
        last_day=timezone.localdate() + timedelta(days=3),
        reason="Moving away",
        scheduled_for=now + timedelta(days=4),
    )
    return {"terminated": gone.pk, "leaving": leaving.pk, "offboarding": offboarding.pk}


def axe_violations(page) -> str:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return "" if results.violations_count == 0 else results.generate_report()


@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_have_no_axe_violations(login, seeded, role):
    page = login(role)
    problems = []
    for path in PAGES[role]:
        page.goto(path.format(**seeded))
        page.wait_for_load_state("networkidle")
        if report := axe_violations(page):
            problems.append(f"{role} {path}:\n{report}")
    assert not problems, "\n\n".join(problems)


def test_the_login_page_has_no_axe_violations(page, transactional_db):
    page.goto("/login/")
    assert axe_violations(page) == ""
