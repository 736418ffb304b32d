"""Every conversion between a local person and a vendor's person record, in one place.

Push: ``Person`` → outbox payload (JSON, stored with the message) → ``PersonRecord`` for the
connector. Mirror: a vendor's ``PersonRecord`` → the fields of a new local ``Person``.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from connectors.records import PersonRecord
from portal.people.models import Person


def person_payload(person: Person) -> dict:
    """The full state a vendor should end up with: newest message wins, so it carries everything."""
    return {
        "code": person.employee_code,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "department": person.department.name if person.department else "",
        "position": person.position.name if person.position else "",
        "hire_date": person.hire_date.isoformat() if person.hire_date else None,
        "active": person.status == Person.Status.ACTIVE,
        "terminated_on": person.termination_date.isoformat() if person.termination_date else None,
        "termination_reason": person.termination_reason,
    }


def person_record(payload: dict, vendor_id: str = "") -> PersonRecord:
    """The record a connector writes, from a stored outbox payload."""
    return PersonRecord(
        vendor_id=vendor_id,
        code=payload["code"],
        first_name=payload["first_name"],
        last_name=payload["last_name"],
        email=payload["email"],
        phone=payload["phone"],
        department_name=payload["department"],
        position_name=payload["position"],
        hire_date=date.fromisoformat(payload["hire_date"]) if payload["hire_date"] else None,
        active=payload["active"],
        terminated_on=date.fromisoformat(payload["terminated_on"])
        if payload["terminated_on"]
        else None,
    )


def person_fields(
    record: PersonRecord, *, department_id: int | None, position_id: int | None
) -> dict:
    """A new local person's fields from a vendor record (references resolved by the caller)."""
    return {
        "employee_code": record.code.strip(),
        "first_name": record.first_name,
        "last_name": record.last_name,
        "email": record.email,
        "phone": record.phone,
        "department_id": department_id,
        "position_id": position_id,
        "hire_date": record.hire_date,
        "status": Person.Status.ACTIVE if record.active else Person.Status.TERMINATED,
        "termination_date": record.terminated_on
        or (None if record.active else timezone.localdate()),
    }
