"""Sites (areas), departments and positions: matched to local rows by code, then name."""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import slugify

from portal.people.models import Department, Position, Site
from portal.sync.mirror.base import LinkIndex, MirrorWriter, record_hash, same_content
from portal.sync.models import ExternalLink


def unique_code(model, wanted: str) -> str:
    base = (slugify(wanted) or "item")[:16].upper()
    code, n = base, 2
    while model.objects.filter(code=code).exists():
        code, n = f"{base[:13]}-{n}", n + 1
    return code


class ReferenceWriter(MirrorWriter):
    """The portal owns these names: a vendor rename updates the link's hash, not the local row."""

    model = Site
    tracks_gone = True

    def __init__(self, account, run):
        super().__init__(account, run)
        self.links = LinkIndex(account, self.model)

    @property
    def fits(self):
        return ((self.model, {"name": "name"}), (ExternalLink, {"vendor_id": "vendor_id"}))

    def write(self, records):
        existing = self.links.by_vendor_id(r.vendor_id for r in records)
        for record in records:
            digest = record_hash(record)
            link = existing.get(record.vendor_id)
            if link is None:
                existing[record.vendor_id] = self.links.link(
                    record.vendor_id, self.local_for(record), digest
                )
                self.run.created += 1
            elif link.gone_at is None and same_content(link.content_hash, digest, record):
                self.run.unchanged += 1
                if link.content_hash != digest:  # the legacy hash: today's, quietly
                    link.content_hash = digest
                    link.save(update_fields=["content_hash"])
            else:
                link.content_hash, link.gone_at, link.last_pulled_at = digest, None, timezone.now()
                link.save(update_fields=["content_hash", "gone_at", "last_pulled_at"])
                self.run.updated += 1

    def local_for(self, record):
        match = None
        if record.code:
            match = self.model.objects.filter(code__iexact=record.code).first()
        match = match or self.model.objects.filter(name__iexact=record.name).first()
        return match or self.create(record)

    def create(self, record):
        return self.model.objects.create(
            name=record.name, code=unique_code(self.model, record.code or record.name)
        )

    def mark_gone(self, seen):
        self.run.gone += self.links.mark_gone(seen)


class SiteWriter(ReferenceWriter):
    model = Site

    def create(self, record):
        return Site.objects.create(
            name=record.name,
            code=unique_code(Site, record.code or record.name),
            time_zone=self.account.time_zone,
        )


class DepartmentWriter(ReferenceWriter):
    model = Department

    def create(self, record):
        parent_id = self.links.object_ids([record.parent_id]).get(record.parent_id)
        return Department.objects.create(
            name=record.name,
            code=unique_code(Department, record.code or record.name),
            parent_id=parent_id,
        )


class PositionWriter(ReferenceWriter):
    model = Position
