from __future__ import annotations

from portal.devices.models import Device
from portal.doors import alarms
from portal.people.models import Site
from portal.sync.mirror.base import LinkIndex, MirrorWriter


class DeviceWriter(MirrorWriter):
    """Vendors own devices: their fields follow the vendor."""

    tracks_gone = True
    FIELDS = [
        "name",
        "kind",
        "serial",
        "site_id",
        "online",
        "last_seen_at",
        "firmware",
        "gone_at",
        "offline_since",
    ]
    fits = (
        (
            Device,
            {"vendor_id": "vendor_id", "name": "name", "serial": "serial", "firmware": "firmware"},
        ),
    )

    def write(self, records):
        existing = {
            d.vendor_id: d
            for d in Device.objects.filter(
                account=self.account, vendor_id__in=[r.vendor_id for r in records]
            )
        }
        sites = LinkIndex(self.account, Site).object_ids(r.site_id for r in records)
        new, changed = [], []
        for record in records:
            values = {
                "name": record.name,
                "kind": record.kind,
                "serial": record.serial,
                # a device the vendor puts at no site keeps the one its door gave it
                "site_id": sites.get(record.site_id)
                or (existing[record.vendor_id].site_id if record.vendor_id in existing else None),
                "online": record.online,
                "last_seen_at": record.last_seen_at,
                "firmware": record.firmware,
                "gone_at": None,
            }
            device = existing.get(record.vendor_id)
            if device is None:
                offline_since = None if record.online else self.now
                new.append(
                    Device(
                        account=self.account,
                        vendor_id=record.vendor_id,
                        offline_since=offline_since,
                        **values,
                    )
                )
            elif any(getattr(device, k) != v for k, v in values.items()):
                if record.online:
                    values["offline_since"] = None
                elif device.online or device.offline_since is None:
                    values["offline_since"] = self.now  # when the mirror first saw it down
                for key, value in values.items():
                    setattr(device, key, value)
                changed.append(device)
            else:
                self.run.unchanged += 1
        Device.objects.bulk_create(new)
        Device.objects.bulk_update(changed, self.FIELDS)
        self.run.created += len(new)
        self.run.updated += len(changed)

    def mark_gone(self, seen):
        self.run.gone += (
            Device.objects.filter(account=self.account, gone_at__isnull=True)
            .exclude(vendor_id__in=seen)
            .update(gone_at=self.now, online=False)
        )

    def finish(self):
        alarms.raise_offline_alarms()
