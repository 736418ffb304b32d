"""Vendor people: linked to local people, never allowed to overwrite what the portal owns."""

from __future__ import annotations

from django.utils import timezone

from portal.people.models import Department, Person, Position, Site
from portal.sync.identity import link_person, match_person, queue_unmatched
from portal.sync.mirror.base import LinkIndex, MirrorWriter, record_hash
from portal.sync.models import PersonDrift

#: fields the portal owns and vendors hold a copy of: a difference is drift
OWNED_FIELDS = ("first_name", "last_name", "email")


def normalized(field: str, value: str) -> str:
    value = (value or "").strip()
    return value.casefold() if field == "email" else value


class PersonWriter(MirrorWriter):
    tracks_gone = True

    def __init__(self, account, run):
        super().__init__(account, run)
        self.links = LinkIndex(account, Person)

    def write(self, records):
        existing = self.links.by_vendor_id(r.vendor_id for r in records)
        people = Person.objects.in_bulk([link.object_id for link in existing.values()])
        for record in records:
            digest = record_hash(record)
            link = existing.get(record.vendor_id)
            if link is not None:
                if link.content_hash == digest and link.gone_at is None:
                    self.run.unchanged += 1
                    continue
                link.content_hash, link.gone_at, link.last_pulled_at = digest, None, timezone.now()
                link.vendor_code = record.code
                link.save(update_fields=["content_hash", "gone_at", "last_pulled_at", "vendor_code"])
                if person := people.get(link.object_id):
                    self.record_drift(person, record)
                self.run.updated += 1
                continue
            match = match_person(self.account, record)
            person = match.person
            creatable = record.code.strip() and not Person.objects.filter(employee_code=record.code.strip()).exists()
            if person is None and not match.ambiguous and self.account.import_new_people and creatable:
                person = self.create_person(record)
            if person is None:
                queue_unmatched(self.account, record, match)
                self.run.unmatched += 1
                continue
            link_person(self.account, record.vendor_id, record.code, person, digest)
            self.record_drift(person, record)
            self.run.created += 1

    def record_drift(self, person: Person, record) -> None:
        for field in OWNED_FIELDS:
            vendor_value = getattr(record, field)
            drifted = vendor_value and normalized(field, vendor_value) != normalized(field, getattr(person, field))
            if drifted:
                PersonDrift.objects.update_or_create(
                    person=person, account=self.account, field=field,
                    defaults={"portal_value": getattr(person, field), "vendor_value": vendor_value},
                )
            else:
                PersonDrift.objects.filter(person=person, account=self.account, field=field).delete()

    def create_person(self, record) -> Person:
        department = self.reference(Department, record.department_id, record.department_name)
        position = self.reference(Position, record.position_id, record.position_name)
        person = Person.objects.create(
            employee_code=record.code.strip(), first_name=record.first_name, last_name=record.last_name,
            email=record.email, phone=record.phone, department=department, position=position,
            hire_date=record.hire_date,
            status=Person.Status.ACTIVE if record.active else Person.Status.TERMINATED,
            termination_date=record.terminated_on or (None if record.active else timezone.localdate()),
        )
        sites = LinkIndex(self.account, Site).object_ids(record.site_ids)
        if sites:
            person.sites.set(sites.values())
        return person

    def reference(self, model, vendor_id, name):
        if vendor_id:
            object_id = LinkIndex(self.account, model).object_ids([vendor_id]).get(vendor_id)
            if object_id:
                return model.objects.get(pk=object_id)
        if name:
            return model.objects.filter(name__iexact=name).first()
        return None

    def mark_gone(self, seen):
        self.run.gone += self.links.mark_gone(seen)
