"""HR operations on people. Each change, its audit entry and what receivers of ``person_changed``
write (the sync app's outbox messages) commit together."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from portal.core import audit
from portal.people import signals
from portal.people.models import Department, Offboarding, Person, Position, TeamView

AUDITED = [
    "employee_code",
    "first_name",
    "last_name",
    "email",
    "phone",
    "department",
    "position",
    "manager",
    "user",
    "hire_date",
    "status",
    "termination_date",
    "termination_reason",
]
#: audited but never sent to a vendor: a change of only these pushes nothing
PORTAL_ONLY = {"user"}


def snapshot(person: Person) -> dict:
    values = model_to_dict(person, fields=AUDITED)
    values["sites"] = sorted(site.pk for site in person.sites.all()) if person.pk else []
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def announce(person: Person, action: str, changed: dict) -> None:
    """Tell receivers, still inside the change's transaction, so their writes commit with it."""
    signals.person_changed.send(
        sender=Person, person=person, action=action, changed=tuple(sorted(changed))
    )


@transaction.atomic
def save_person(form, request) -> Person:
    """Create or update from a valid PersonForm."""
    creating = form.instance.pk is None
    before = {} if creating else snapshot(Person.objects.get(pk=form.instance.pk))
    person = form.save()
    after = snapshot(person)
    if creating:
        audit.record("person.created", request=request, obj=person, after=after)
        announce(person, signals.CREATED, after)
        return person
    old, new = audit.changed_values(before, after)
    if old or new:
        audit.record("person.changed", request=request, obj=person, before=old, after=new)
        if (set(old) | set(new)) - PORTAL_ONLY:
            announce(person, signals.UPDATED, new)
    return person


@transaction.atomic
def create_person(*, request, origin: str = "", **fields) -> Person:
    """Create a person from known values (not a form), e.g. from a vendor record HR accepted."""
    person = Person.objects.create(**fields)
    after = snapshot(person)
    audit.record(
        "person.created",
        request=request,
        obj=person,
        after=after | ({"from": origin} if origin else {}),
    )
    announce(person, signals.CREATED, after)
    return person


def person_zone(person: Person) -> ZoneInfo:
    """The zone of the person's (first) site, where "the end of the last day" is measured."""
    site = person.sites.order_by("pk").first() if person.pk else None
    return ZoneInfo(site.time_zone if site else settings.TIME_ZONE)


def end_of_day(person: Person, day: date) -> datetime:
    """The first instant after ``day`` ends in the person's site zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=person_zone(person))


def actor_of(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def check_termination(person: Person, last_day: date) -> None:
    if person.status == Person.Status.TERMINATED:
        raise ValidationError(f"{person.full_name} is already terminated.")
    if problem := person.termination_date_problem(last_day):  # every caller, not only the form
        raise ValidationError({"termination_date": problem})


@transaction.atomic
def request_termination(
    person: Person, *, last_day: date, reason: str, immediate: bool, request
) -> Offboarding:
    """HR confirmed a termination: at once when ``immediate`` (or the last day has ended), else
    scheduled for the end of the last day in the person's site zone (beat carries it out)."""
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one request at a time
    person.refresh_from_db(fields=["status", "hire_date"])
    check_termination(person, last_day)
    if Offboarding.objects.filter(
        person=person, started_at__isnull=True, cancelled_at__isnull=True
    ).exists():
        raise ValidationError(
            f"An offboarding of {person.full_name} is already scheduled. Cancel it first."
        )
    due = timezone.now() if immediate else end_of_day(person, last_day)
    offboarding = Offboarding.objects.create(
        person=person,
        last_day=last_day,
        reason=reason,
        immediate=immediate,
        scheduled_for=due,
        requested_by=actor_of(request),
    )
    if due <= timezone.now():
        carry_out(offboarding, request=request)
    else:
        audit.record(
            "offboarding.scheduled",
            request=request,
            obj=person,
            after={
                "last_day": last_day.isoformat(),
                "reason": reason,
                "scheduled_for": due.isoformat(),
            },
        )
    return offboarding


@transaction.atomic
def cancel_offboarding(offboarding: Offboarding, *, reason: str, request) -> Offboarding:
    offboarding = Offboarding.objects.select_for_update().get(pk=offboarding.pk)
    if offboarding.started_at or offboarding.cancelled_at:
        raise ValidationError(
            "This offboarding has already run or been cancelled; rehire the person instead."
        )
    if not reason.strip():
        raise ValidationError({"cancel_reason": "Say why the offboarding is cancelled."})
    offboarding.cancelled_at = timezone.now()
    offboarding.cancelled_by = actor_of(request)
    offboarding.cancel_reason = reason.strip()
    offboarding.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    audit.record(
        "offboarding.cancelled",
        request=request,
        obj=offboarding.person,
        before={"scheduled_for": offboarding.scheduled_for.isoformat()},
        after={"cancel_reason": offboarding.cancel_reason},
    )
    return offboarding


def run_due_offboardings(now: datetime | None = None) -> list[int]:
    """Beat: carry out every scheduled offboarding whose time has come; safe to run twice."""
    now = now or timezone.now()
    due = Offboarding.objects.filter(
        started_at__isnull=True, cancelled_at__isnull=True, scheduled_for__lte=now
    ).values_list("pk", flat=True)
    done = []
    for pk in list(due):
        with transaction.atomic():
            offboarding = (
                Offboarding.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, started_at__isnull=True, cancelled_at__isnull=True)
                .first()
            )
            if offboarding is None:  # another beat tick has it, or HR cancelled it meanwhile
                continue
            if offboarding.person.status == Person.Status.TERMINATED:
                offboarding.cancelled_at = now
                offboarding.cancel_reason = "The person had already been terminated."
                offboarding.save(update_fields=["cancelled_at", "cancel_reason"])
                continue
            carry_out(offboarding, request=None)
            done.append(pk)
    return done


def carry_out(offboarding: Offboarding, *, request) -> Person:
    """Terminate now: the person's status, the audit entry and every system's push commit
    together (the sync app writes one step per system on ``person_changed``)."""
    person = offboarding.person
    before = snapshot(person)
    person.status = Person.Status.TERMINATED
    person.termination_date = offboarding.last_day
    person.termination_reason = offboarding.reason
    person.save()
    offboarding.started_at = timezone.now()
    offboarding.save(update_fields=["started_at"])
    old, new = audit.changed_values(before, snapshot(person))
    audit.record(
        "person.terminated",
        request=request,
        actor=None if request is not None else offboarding.requested_by,
        obj=person,
        before=old,
        after=new | ({"scheduled": True} if request is None else {}),
    )
    announce(person, signals.TERMINATED, new)
    return person


@transaction.atomic
def terminate_person(person: Person, *, on: date, reason: str, request) -> Person:
    """Terminate at once with ``on`` as the last working day (an involuntary termination)."""
    check_termination(person, on)
    offboarding = Offboarding.objects.create(
        person=person,
        last_day=on,
        reason=reason,
        immediate=True,
        scheduled_for=timezone.now(),
        requested_by=actor_of(request),
    )
    return carry_out(offboarding, request=request)


@transaction.atomic
def rehire_person(person: Person, *, request) -> Person:
    before = snapshot(person)
    person.status = Person.Status.ACTIVE
    person.termination_date = None
    person.termination_reason = ""
    person.save()
    old, new = audit.changed_values(before, snapshot(person))
    audit.record("person.rehired", request=request, obj=person, before=old, after=new)
    announce(person, signals.REHIRED, new)
    return person


def set_team_view(user, *, whole_tree: bool) -> TeamView:
    """Save a manager's choice: their team is direct reports only, or the whole tree below."""
    view, _ = TeamView.objects.update_or_create(user=user, defaults={"whole_tree": whole_tree})
    user._prefers_whole_tree = whole_tree  # what the rest of this request reads
    return view


#: fields a vendor's value can be adopted for ("take theirs"), and how the value is turned into ours
ADOPTABLE = ("first_name", "last_name", "email", "phone", "department", "position", "hire_date")


@transaction.atomic
def adopt_vendor_value(person: Person, *, field: str, value: str, source: str, request) -> Person:
    """HR took a vendor's value of an owned field: saved like an edit, so it reaches the other
    systems too. ``source`` names the system the value came from (for the audit log)."""
    if field not in ADOPTABLE:
        raise ValidationError(f"Workgate cannot take {field!r} from a vendor.")
    before = snapshot(person)
    if field in ("department", "position"):
        model = Department if field == "department" else Position
        found = model.objects.filter(name__iexact=value.strip()).first() if value else None
        if value and found is None:
            raise ValidationError(
                f"There is no {field} named \u201c{value}\u201d in Workgate. Add it first, "
                "or keep Workgate's value."
            )
        setattr(person, field, found)
    elif field == "hire_date":
        person.hire_date = date.fromisoformat(value) if value else None
    else:
        setattr(person, field, value)
    person.full_clean(exclude=["user", "manager", "sites"])
    person.save()
    old, new = audit.changed_values(before, snapshot(person))
    audit.record(
        "person.changed", request=request, obj=person, before=old, after=new | {"from": source}
    )
    if new:
        announce(person, signals.UPDATED, new)
    return person
