from __future__ import annotations

from zoneinfo import ZoneInfo

from connectors.records import PunchRecord, SkippedRecord
from portal.attendance.dirty import mark_dirty, queue_recompute
from portal.attendance.models import Punch
from portal.attendance.signals import announce_punches
from portal.doors.models import DoorEvent
from portal.sync.mirror.doors import EventLogWriter, touch_last_event


class PunchWriter(EventLogWriter):
    """Punches are the vendor's: stored once per natural key, attached to a person when linked."""

    model = Punch
    key_field = "vendor_id"
    lookups = ("people", "devices")
    #: whether this run marked person-days for the timecard task
    marked_days = False

    def stored(self, fresh):
        """Mark the person-days new punches landed on for the timecard task
        (:mod:`portal.attendance.dirty`; the pull does not wait for the cards), and announce
        those with a person to the time systems."""
        if mark_dirty((row["person_id"], row["punched_at"]) for row in fresh):
            self.marked_days = True
        announce_punches(row["id"] for row in fresh if row["person_id"])

    def finish(self) -> None:
        if self.marked_days:
            queue_recompute()

    def rows(self, records):
        return self.punch_rows(records), 0

    def punch_rows(self, records) -> list[dict]:
        people, devices, account_id = self.people, self.devices, self.account.pk
        zone_name = self.account.time_zone
        zone = ZoneInfo(zone_name)
        return [
            {
                "account_id": account_id,
                "vendor_id": r.vendor_id,
                "punched_at": r.occurred_at,
                "direction": r.direction,
                "person_id": people.get(r.person_id) or people.get(r.person_code),
                "vendor_person_id": r.person_id or r.person_code,
                "device_id": devices.get(r.device_id),
                "door_id": None,
                # the record's own dict, fresh from the page (only read from here on)
                "raw": r.raw if r.raw.__class__ is dict else dict(r.raw),
                "source": Punch.Source.VENDOR,
                "local_time": r.occurred_at.astimezone(zone).isoformat(" ", "seconds")[:19],
                "time_zone": zone_name,
                "received_at": self.now,
                "reason": "",
                "void_reason": "",
            }
            for r in records
        ]


class TimeCardWriter(PunchWriter):
    """Vendor time cards (Q2, Zeitstrom timespans) become an in and, once clocked out, an out punch.

    Workgate builds its own timecards from punches of every clock, so a vendor's card is split
    into the punches it records. Leave and adjustment entries are not punches: skipped, with why.
    """

    def rows(self, records):
        punches, skipped = [], []
        for card in records:
            if card.entry_type != "job" or card.clock_in is None:
                skipped.append(
                    SkippedRecord(
                        f"{card.entry_type} entry {card.vendor_id} is not a punch", card.raw
                    )
                )
                continue
            common = {"person_code": card.person_id, "person_id": card.person_id, "raw": card.raw}
            punches.append(
                PunchRecord(
                    f"{card.vendor_id}:in", occurred_at=card.clock_in, direction="in", **common
                )
            )
            if card.clock_out is not None:
                punches.append(
                    PunchRecord(
                        f"{card.vendor_id}:out",
                        occurred_at=card.clock_out,
                        direction="out",
                        **common,
                    )
                )
        return self.punch_rows(punches), len(skipped)


class LockEventWriter(EventLogWriter):
    """Smart-lock openings are door events of the lock's door."""

    def rows(self, records):
        people, doors, devices = self.people, self.doors, self.devices
        rows = [
            {
                "account_id": self.account.pk,
                "door_id": doors.get(r.lock_id),
                "device_id": devices.get(r.lock_id),  # a TTLock is door and device in one
                "occurred_at": r.occurred_at,
                "kind": DoorEvent.Kind.LOCK_OPENED if r.success else DoorEvent.Kind.DENIED,
                "method": r.method[:32],
                "person_id": people.get(r.person_id),
                "vendor_user_id": r.person_id or "",
                "vendor_code": r.method,
                "vendor_key": r.vendor_id,
                "description": f"Lock opened by {r.method}" if r.success else "Lock refused",
                "raw": dict(r.raw),
            }
            for r in records
        ]
        return rows, 0

    def stored(self, fresh):
        touch_last_event(fresh)
