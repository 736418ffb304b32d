"""Offboarding with proof: one step per connected system, confirmed by reading the vendor back.

The people app carries out a termination and says so (``person_changed``); here each outbox
message it caused gets an ``OffboardingStep``. After each delivery the step takes the vendor's
answer: the read-back (``reconcile.read_back``) confirms access is gone, or the step fails with
the vendor's words and a person can retry it. When every step is confirmed the offboarding is
finished.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portal.core import audit, notify
from portal.people.models import Offboarding, Person
from portal.sync.models import AccessProblem, OffboardingStep, OutboxMessage
from portal.sync.outbox import enqueue_person


def open_offboarding(person: Person) -> Offboarding | None:
    return (
        Offboarding.objects.filter(
            person=person, started_at__isnull=False, cancelled_at__isnull=True
        )
        .order_by("-started_at", "-id")
        .first()
    )


def start_steps(person: Person, messages: list[OutboxMessage]) -> list[OffboardingStep]:
    """One step per system the termination was sent to; runs in the termination's transaction."""
    offboarding = open_offboarding(person)
    if offboarding is None or offboarding.finished_at is not None:
        return []
    steps = []
    for message in messages:
        step, _ = OffboardingStep.objects.update_or_create(
            offboarding=offboarding,
            account=message.account,
            defaults={
                "action": message.account.vendor.revokes_access_by,
                "message": message,
                "status": OffboardingStep.Status.SENDING,
                "error": "",
            },
        )
        steps.append(step)
    if not messages:  # no connected system holds the person: nothing to revoke, nothing to wait for
        # finished, but nothing was confirmed: no webhook (and none ahead of person.terminated)
        offboarding.finished_at = timezone.now()
        offboarding.save(update_fields=["finished_at"])
    return steps


def note_delivery(message: OutboxMessage) -> None:
    """After the outbox handled ``message``: move the person's open step in its system on."""
    if message.record_kind != "person":
        return
    step = (
        OffboardingStep.objects.select_related("offboarding")
        .filter(
            account_id=message.account_id,
            offboarding__person_id=message.object_id,
            offboarding__cancelled_at__isnull=True,
        )
        .exclude(status=OffboardingStep.Status.CONFIRMED)
        .order_by("-id")
        .first()
    )
    answer = message.vendor_answer or {}
    proof = answer.get("proof") if message.status == OutboxMessage.Status.SENT else None
    if proof is not None:
        resolve_access_problems(message, proof)
    if step is None:
        return
    step.message = message
    if message.status == OutboxMessage.Status.SENT:
        step.sent_at = message.sent_at
        if proof is None:
            step.status, step.error = (
                OffboardingStep.Status.FAILED,
                "The vendor was not asked to revoke access (the person is active again, or "
                "not linked there). Check the person's record in that system.",
            )
        elif proof["active"]:
            step.status, step.proof = OffboardingStep.Status.FAILED, proof
            step.error = (
                f"{message.account} still lists the person as active after the push. "
                "Check the record there, then retry."
            )
        else:
            step.status, step.proof, step.error = OffboardingStep.Status.CONFIRMED, proof, ""
            step.confirmed_at = timezone.now()
    elif message.status == OutboxMessage.Status.FAILED:
        step.status, step.error = OffboardingStep.Status.FAILED, message.last_error
    else:  # waiting for another try: the step stays sent, with what went wrong so far
        step.sent_at = step.sent_at or timezone.now()
        step.error = message.last_error
    step.save()
    finish_if_confirmed(step.offboarding)


def finish_if_confirmed(offboarding: Offboarding) -> None:
    steps = OffboardingStep.objects.filter(offboarding=offboarding)
    if offboarding.finished_at is None and not steps.exclude(
        status=OffboardingStep.Status.CONFIRMED
    ):
        _finish(offboarding)


@transaction.atomic
def _finish(offboarding: Offboarding) -> None:
    """Every system confirmed access is gone: done, and other systems hear of it."""
    offboarding.finished_at = timezone.now()
    offboarding.save(update_fields=["finished_at"])
    steps = OffboardingStep.objects.filter(offboarding=offboarding).select_related("account")
    person = offboarding.person
    notify.emit(
        "offboarding.confirmed",
        f"person:{person.pk}",
        {
            "id": offboarding.pk,
            "person": person.pk,
            "employee_code": person.employee_code,
            "finished_at": offboarding.finished_at,
            "systems": [
                {"account": s.account_id, "name": s.account.name, "confirmed_at": s.confirmed_at}
                for s in steps
            ],
        },
    )


@transaction.atomic
def retry_step(step: OffboardingStep, request) -> OffboardingStep:
    """Send the termination to the step's system again (a new outbox message)."""
    person = step.offboarding.person
    messages = enqueue_person(person, "terminate", only=step.account)
    step.status, step.error = OffboardingStep.Status.SENDING, ""
    step.message = messages[0] if messages else None
    step.save(update_fields=["status", "error", "message"])
    audit.record(
        "offboarding.retried",
        request=request,
        obj=person,
        after={"system": step.account.name},
    )
    return step


def close_on_rehire(person: Person) -> None:
    """A rehire ends the unfinished offboarding: its waiting steps are not failures."""
    Offboarding.objects.filter(
        person=person,
        started_at__isnull=False,
        finished_at__isnull=True,
        cancelled_at__isnull=True,
    ).update(
        cancelled_at=timezone.now(),
        cancel_reason="Rehired before every system confirmed the termination.",
    )


def resolve_access_problems(message: OutboxMessage, proof: dict) -> None:
    if proof.get("active"):
        return
    AccessProblem.objects.filter(
        account_id=message.account_id, person_id=message.object_id, resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), resolution="Access revoked again; read back as gone.")


# -- the report -----------------------------------------------------------------------------


@dataclass
class ReportRow:
    system: str
    vendor: str
    action: str
    status: str
    sent_at: object
    confirmed_at: object
    proof: str
    error: str


def proof_text(proof: dict | None) -> str:
    """The read-back as one line: what the vendor holds now and when it was read."""
    if not proof:
        return ""
    if not proof.get("found", True):
        return f"record {proof.get('vendor_id')} no longer listed (read {proof.get('read_at')})"
    parts = [f"record {proof.get('vendor_id')}", "active" if proof.get("active") else "inactive"]
    if proof.get("terminated_on"):
        parts.append(f"ended {proof['terminated_on']}")
    parts += [f"{name}={value}" for name, value in (proof.get("fields") or {}).items()]
    return ", ".join(parts) + f" (read {proof.get('read_at')})"


def report_rows(offboarding: Offboarding) -> list[ReportRow]:
    return [
        ReportRow(
            system=step.account.name,
            vendor=step.account.vendor.short_label,
            action=step.action,
            status=step.get_status_display(),
            sent_at=step.sent_at,
            confirmed_at=step.confirmed_at,
            proof=proof_text(step.proof),
            error=step.error,
        )
        for step in offboarding.steps.select_related("account")
    ]


def cell(value) -> str:
    """A CSV cell a spreadsheet will not run: vendor text can start with "=" or "@"."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class SafeWriter:
    def __init__(self, out):
        self.writer = csv.writer(out)

    def writerow(self, row):
        self.writer.writerow([cell(value) for value in row])


def report_csv(offboarding: Offboarding) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    person = offboarding.person
    by = offboarding.requested_by.get_username() if offboarding.requested_by else "system"
    writer.writerow(["person", "employee code", "last working day", "reason", "requested by"])
    writer.writerow(
        [person.full_name, person.employee_code, offboarding.last_day, offboarding.reason, by]
    )
    writer.writerow([])
    writer.writerow(
        ["system", "vendor", "what was done", "status", "sent at", "confirmed at", "proof", "error"]
    )
    for row in report_rows(offboarding):
        writer.writerow(
            [
                row.system,
                row.vendor,
                row.action,
                row.status,
                row.sent_at.isoformat() if row.sent_at else "",
                row.confirmed_at.isoformat() if row.confirmed_at else "",
                row.proof,
                row.error,
            ]
        )
    return out.getvalue()


# -- what the person page shows ---------------------------------------------------------------


@dataclass
class Progress:
    steps: list[OffboardingStep]

    @property
    def waiting(self) -> bool:
        return any(step.status == OffboardingStep.Status.SENDING for step in self.steps)

    @property
    def confirmed(self) -> int:
        return sum(step.status == OffboardingStep.Status.CONFIRMED for step in self.steps)

    @property
    def failed(self) -> int:
        return sum(step.status == OffboardingStep.Status.FAILED for step in self.steps)


def latest_offboarding(person: Person) -> Offboarding | None:
    return (
        Offboarding.objects.filter(person=person, started_at__isnull=False)
        .select_related("requested_by")
        .order_by("-started_at", "-id")
        .first()
    )


def progress_of(offboarding: Offboarding) -> Progress:
    return Progress(list(offboarding.steps.select_related("account")))
