from __future__ import annotations

from datetime import date

from django.conf import settings

from connectors.records import PunchRecord, SkippedRecord
from connectors.timezones import zone_hours
from portal.attendance.dirty import dirty_days, mark_days, queue_recompute
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

    def prepare(self, records):
        """Also the person-days the page's punches land on (for :meth:`store_batch`): worked out here,
        in the read-ahead thread, one pair per person and day of the page."""
        prepared = super().prepare(records)
        prepared.forms["days"] = self.page_days(prepared.rows)
        return prepared

    def page_days(self, rows: list[dict]) -> set[tuple[int, date]]:
        """The (person, server-local date) pairs of these punch rows (as :func:`dirty_days`).
        Rows in the server's zone read it from their ``local_time`` text, no conversion."""
        if self.account.time_zone != settings.TIME_ZONE:
            return dirty_days((row["person_id"], row["punched_at"]) for row in rows)
        texts = {(row["person_id"], row["local_time"][:10]) for row in rows if row["person_id"]}
        dates = {text: date.fromisoformat(text) for text in {text for _, text in texts}}
        return {(person, dates[text]) for person, text in texts}

    def store(self, prepared):
        self.store_batch([prepared])

    def store_batch(self, pages):
        """Store the pages' punches in one insert (:meth:`EventLogWriter.insert_new`), announce
        those with a person to the time systems, and mark the person-days new punches landed on for
        the timecard task (:mod:`portal.attendance.dirty`; the pull does not wait for the cards):
        once for the batch, where a person's punches of a day lie in a few pages of it."""
        fresh = self.store_rows(pages)
        if len(fresh) == sum(len(prepared.rows) for prepared in pages):
            days = set().union(*(prepared.forms["days"] for prepared in pages))
        else:  # some were stored before, or twice in the batch: their days are not all new
            days = dirty_days((row["person_id"], row["punched_at"]) for row in fresh)
        announce_punches(row["id"] for row in fresh if row["person_id"])
        if mark_days(days):
            self.marked_days = True

    def finish(self) -> None:
        if self.marked_days:
            queue_recompute()

    def rows(self, records):
        return self.punch_rows(records), 0

    def punch_rows(self, records) -> list[dict]:
        people, devices, account_id = self.people, self.devices, self.account.pk
        zone_name = self.account.time_zone
        local_text = zone_hours(zone_name).local_text
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
                "local_time": local_text(r.occurred_at),
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
