"""Vendor access groups (BioStar): mirrored as they are, so rules and people can name them."""

from __future__ import annotations

from portal.sync.mirror.base import MirrorWriter
from portal.sync.models import AccessGroup


class AccessGroupWriter(MirrorWriter):
    """The vendor owns access groups: its names win; one that vanished is kept, marked gone."""

    tracks_gone = True
    fits = ((AccessGroup, {"name": "name", "description": "description"}),)

    def write(self, records):
        known = {
            group.vendor_id: group
            for group in AccessGroup.objects.filter(
                account=self.account, vendor_id__in=[r.vendor_id for r in records]
            )
        }
        fresh, changed = [], []
        for record in records:
            group = known.get(record.vendor_id)
            if group is None:
                fresh.append(
                    AccessGroup(
                        account=self.account,
                        vendor_id=record.vendor_id,
                        name=record.name,
                        description=record.description,
                    )
                )
            elif (group.name, group.description, group.gone_at) != (
                record.name,
                record.description,
                None,
            ):
                group.name, group.description, group.gone_at = (
                    record.name,
                    record.description,
                    None,
                )
                changed.append(group)
            else:
                self.run.unchanged += 1
        AccessGroup.objects.bulk_create(fresh)
        AccessGroup.objects.bulk_update(changed, ["name", "description", "gone_at"])
        self.run.created += len(fresh)
        self.run.updated += len(changed)

    def mark_gone(self, seen):
        self.run.gone += (
            AccessGroup.objects.filter(account=self.account, gone_at__isnull=True)
            .exclude(vendor_id__in=seen)
            .update(gone_at=self.now)
        )
