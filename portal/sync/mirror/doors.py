from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from itertools import chain

from django.db.models import CharField, JSONField, TextField
from django.utils import timezone

from portal.core.packed_json import PackedJSONField, pack_text
from portal.devices.models import Device
from portal.doors import alarms
from portal.doors.models import Door, DoorEvent, DoorStateChange
from portal.doors.sites import place_devices_of, sites_for_groups
from portal.people.models import Person, Site
from portal.sync.mirror.base import LinkIndex, MirrorWriter, Prepared
from portal.sync.mirror.bulk import encode_json, insert_new
from portal.sync.vendor_text import (
    NUL,
    bounded,
    json_without_nul,
    records_hold_nul,
    texts_hold_nul,
)


class DoorWriter(MirrorWriter):
    """Doors and their live state; vendors own both. Serves the ``doors`` and ``door_state`` streams.

    A door's site comes from a site link of the record, else from its door group's mapping
    (:mod:`portal.doors.sites`). Each change of state or mode is kept as a DoorStateChange, and
    entering forced or held open raises an alarm (:mod:`portal.doors.alarms`).
    """

    tracks_gone = True
    FIELDS = [
        "name",
        "device_id",
        "site_id",
        "group",
        "state",
        "mode",
        "state_changed_at",
        "gone_at",
        "changed_at",
    ]
    fits = ((Door, {"vendor_id": "vendor_id", "name": "name", "group": "group"}),)

    def write(self, records):
        existing = {
            d.vendor_id: d
            for d in Door.objects.filter(
                account=self.account, vendor_id__in=[r.vendor_id for r in records]
            )
        }
        sites = LinkIndex(self.account, Site).object_ids(r.site_id for r in records)
        group_sites = sites_for_groups(self.account, (r.group for r in records))
        devices = dict(
            Device.objects.filter(
                account=self.account, vendor_id__in=[r.device_id for r in records if r.device_id]
            ).values_list("vendor_id", "id")
        )
        new, changed, entered = [], [], []
        for record in records:
            door = existing.get(record.vendor_id)
            values = {
                "name": record.name,
                "device_id": devices.get(record.device_id),
                "site_id": self.site_of(record, door, sites, group_sites),
                "group": record.group,
                "state": record.state,
                "mode": record.mode,
                "gone_at": None,
            }
            if door is None:
                door = Door(
                    account=self.account,
                    vendor_id=record.vendor_id,
                    state_changed_at=self.now,
                    changed_at=self.now,
                    **values,
                )
                new.append(door)
                entered.append((door, "", "", None))
            elif any(getattr(door, k) != v for k, v in values.items()):
                if (door.state, door.mode) != (record.state, record.mode):
                    entered.append((door, door.state, door.mode, door.state_changed_at))
                    door.state_changed_at = self.now
                for key, value in values.items():
                    setattr(door, key, value)
                door.changed_at = self.now
                changed.append(door)
            else:
                self.run.unchanged += 1
        Door.objects.bulk_create(new)
        Door.objects.bulk_update(changed, self.FIELDS)
        self.run.created += len(new)
        self.run.updated += len(changed)
        self.keep_history(entered)
        place_devices_of(Door.objects.filter(pk__in=[d.pk for d in new + changed]))

    @staticmethod
    def site_of(record, door, sites, group_sites) -> int | None:
        if record.site_id and sites.get(record.site_id):
            return sites[record.site_id]
        if record.group:
            return group_sites.get(record.group)
        return door.site_id if door else None

    def keep_history(self, entered) -> None:
        """A history row per state/mode change, and the alarms a new forced/held state raises."""
        DoorStateChange.objects.bulk_create(
            DoorStateChange(
                door=door,
                changed_at=self.now,
                state_before=state_before,
                state=door.state,
                mode_before=mode_before,
                mode=door.mode,
            )
            for door, state_before, mode_before, _ in entered
        )
        for door, state_before, _, previous_change in entered:
            if door.state != state_before:
                alarms.raise_for_state(door, previous_change, self.now)

    def mark_gone(self, seen):
        self.run.gone += (
            Door.objects.filter(account=self.account, gone_at__isnull=True)
            .exclude(vendor_id__in=seen)
            .update(gone_at=self.now, changed_at=self.now)
        )


class EventLogWriter(MirrorWriter):
    """Append-only logs: a record already stored (same natural key) is skipped as unchanged.

    :meth:`prepare` turns a page into insert rows (looked-up ids, text fitted, ``raw`` encoded as
    JSON text once, the page's repeats dropped); :meth:`store` inserts those not stored yet and
    hands the new ones to :meth:`stored`. Lookups the rows need (people, devices, doors of this
    account) are loaded once per run.
    """

    model = DoorEvent
    key_field = "vendor_key"
    checks_raw_on_insert = True
    #: the lookups :meth:`rows` reads
    lookups = ("people", "devices", "doors")

    def __init__(self, account, run):
        super().__init__(account, run)
        self._people: dict[str, int] | None = None
        self._devices: dict[str, int] | None = None
        self._doors: dict[str, int] | None = None

    def load(self) -> None:
        for name in self.lookups:
            getattr(self, name)

    @property
    def people(self) -> dict[str, int]:
        if self._people is None:
            self._people = LinkIndex(self.account, Person).all_object_ids()
        return self._people

    @property
    def devices(self) -> dict[str, int]:
        if self._devices is None:
            self._devices = dict(
                Device.objects.filter(account=self.account).values_list("vendor_id", "id")
            )
        return self._devices

    @property
    def doors(self) -> dict[str, int]:
        if self._doors is None:
            self._doors = dict(
                Door.objects.filter(account=self.account).values_list("vendor_id", "id")
            )
        return self._doors

    def rows(self, records: list) -> tuple[list[dict], int]:
        """The fitted records' insert rows, and how many records were set aside (not this log's)."""
        raise NotImplementedError

    def stored(self, fresh: list[dict]) -> None:
        """What follows new rows (each with its ``id``) into the log."""

    def prepare(self, records):
        # a record's notes wait for its row's raw to be checked, so the one note names everything
        held: dict[str, list[str]] = {}
        if not self.fits and not records_hold_nul(records):
            fitted = records  # most pages: nothing to fit (raw is checked while it is encoded)
        else:
            fitted = []
            for record in records:
                record, found = self.fit(record)
                if found:
                    held[record.vendor_id] = found
                fitted.append(record)
        rows, skipped = self.rows(fitted)
        del fitted
        notes: list[tuple[str, list[str]]] = []
        # the overlap window repeats records in a page too
        unique = first_by_key(rows, self.key_field)
        texts_fit = page_texts_fit(self.model, unique)
        if texts_fit and not held:  # most pages: only the JSON to encode, in this loop
            kept = self.encode_json_columns(unique, notes)
        else:
            kept = [
                self.fit_log_row(
                    row,
                    row[self.key_field],
                    held.pop(row[self.key_field], []),
                    notes,
                    texts_fit=texts_fit,
                )
                for row in unique
            ]
        notes.extend(held.items())  # records stored under other keys (a card's punches)
        return Prepared(kept, notes, received=len(rows), skipped=skipped)

    def store(self, prepared):
        self.stored(self.store_rows([prepared]))

    def store_rows(self, pages: list[Prepared]) -> list[dict]:
        """The pages' notes into the run, their new rows into the log; returns those rows."""
        for prepared in pages:
            self.note_all(prepared.notes)
            self.run.skipped += prepared.skipped
        return self.insert_new(pages)

    def insert_new(self, pages: list[Prepared]) -> list[dict]:
        """Insert the pages' prepared rows whose natural key is not stored yet, all in one go (a
        batch's round trips to the database, not each page's); returns those, each with its new
        ``id``. The unique index decides, not a query first."""
        key_field = self.key_field
        if len(pages) == 1:
            rows = pages[0].rows  # a page's repeats were dropped when it was prepared
        else:  # a vendor's paging may repeat a record on the next page (new ones pushed it on)
            rows = first_by_key(chain.from_iterable(page.rows for page in pages), key_field)
        inserted = dict(insert_new(self.model, rows, ["account_id", key_field], [key_field, "id"]))
        fresh = []
        for row in rows:
            pk = inserted.get(row[key_field])
            if pk is not None:
                row["id"] = pk
                fresh.append(row)
        self.run.created += len(fresh)
        self.run.unchanged += sum(prepared.received for prepared in pages) - len(fresh)
        return fresh

    def encode_json_columns(self, rows: list[dict], notes: list) -> list[dict]:
        """The rows' JSON columns encoded in place, as :meth:`fit_log_row` does for rows whose
        text fits and whose records had nothing changed (only the JSON: fit_log_row took ~4 us a
        punch)."""
        key_field, json_columns = self.key_field, columns_to_check(self.model)[0]
        packed = packed_columns(self.model)
        for row in rows:
            json_values = {n: row[n] for n in json_columns if n in row}
            if found := encode_json_values(row, json_values, packed):
                notes.append((row[key_field], found))
        return rows

    def fit_log_row(
        self,
        row: dict,
        vendor_id: str,
        record_notes: list[str],
        notes: list,
        *,
        texts_fit: bool = False,
    ) -> dict:
        """The row fit to store (:func:`fit_row`), its JSON encoded once: the text shows whether
        there is a NUL to replace (``json.dumps`` writes it as ``\\u0000``). What changed goes
        to ``notes``: the record's fields, then the row's columns. ``texts_fit``: its page's text
        columns were seen to hold no NUL and nothing too long (:func:`page_texts_fit`)."""
        json_columns, text_columns = columns_to_check(self.model)
        row_notes: list[str] = []
        if texts_fit:  # the JSON is encoded in its place
            json_values = {name: row[name] for name in json_columns if name in row}
        else:
            json_values = {name: row.pop(name) for name in json_columns if name in row}
            for name, limit in text_columns:  # most rows: no NUL, nothing too long, no copy
                value = row.get(name)
                if value.__class__ is str and (NUL in value or (limit and len(value) > limit)):
                    row, row_notes = bounded(self.model, row)
                    break
        record_notes = [
            *record_notes,
            *encode_json_values(row, json_values, packed_columns(self.model)),
        ]
        for found in (record_notes, row_notes):
            if found:
                notes.append((vendor_id, found))
        return row


class DoorEventWriter(EventLogWriter):
    def rows(self, records):
        people, doors, devices = self.people, self.doors, self.devices
        rows = [
            {
                "account_id": self.account.pk,
                "door_id": doors.get(r.door_id),
                "device_id": devices.get(r.device_id),
                "occurred_at": r.occurred_at,
                "kind": r.kind,
                "method": event_method(r.description),
                "person_id": people.get(r.person_id),
                "vendor_user_id": r.person_id or "",
                "vendor_code": r.code,
                "vendor_key": r.vendor_id,
                "description": r.description[:200],
                "raw": dict(r.raw),
            }
            for r in records
        ]
        return rows, 0

    def stored(self, fresh):
        touch_last_event(fresh)
        alarms.raise_for_events(self.account.pk, [row["vendor_key"] for row in fresh])


def first_by_key(rows: Iterable[dict], key: str) -> list[dict]:
    """The rows in order, each key's first only."""
    first: dict = {}
    for row in rows:
        first.setdefault(row[key], row)
    return list(first.values())


def encode_json_values(row: dict, json_values: dict, packed=frozenset()) -> list[str]:
    """``json_values`` (column -> value) encoded into ``row``, once each: the text shows whether
    there is a NUL to replace (written as ``\\u0000``). The ``packed`` columns' text is packed
    (:mod:`portal.core.packed_json`). Returns a note per column replaced."""
    found: list[str] = []
    for name, value in json_values.items():
        text = encode_json(value)
        if "\\u0000" in text:
            cleaned = json_without_nul(value)
            if cleaned != value:
                found.append(f"{name}: NUL replaced with U+FFFD")
                text = encode_json(cleaned)
        row[name] = pack_text(text) if name in packed else text
    return found


@cache
def columns_to_check(model) -> tuple[list[str], list[tuple[str, int | None]]]:
    """A log model's JSON columns (packed or not), and its text columns with their length limit."""
    fields = model._meta.concrete_fields
    return (
        [f.attname for f in fields if isinstance(f, JSONField | PackedJSONField)],
        [(f.attname, f.max_length) for f in fields if isinstance(f, CharField | TextField)],
    )


@cache
def packed_columns(model) -> frozenset[str]:
    """A log model's JSON columns stored packed (:class:`PackedJSONField`)."""
    return frozenset(
        f.attname for f in model._meta.concrete_fields if isinstance(f, PackedJSONField)
    )


def page_texts_fit(model, rows: list[dict]) -> bool:
    """Whether no text column of these rows (one page) holds a NUL or more than its column takes:
    a look per column at the page's values, where :meth:`EventLogWriter.fit_log_row` would look
    at each row's columns in turn."""
    for name, limit in columns_to_check(model)[1]:
        values = [row.get(name) for row in rows]
        if texts_hold_nul(values):
            return False
        if limit and not _fit(values, limit):
            return False
    return True


def _fit(values: list, limit: int) -> bool:
    """Whether no text among ``values`` is longer than ``limit``."""
    try:  # a column of text (most): the longest found in C
        return max(map(len, values), default=0) <= limit
    except TypeError:  # None among them: the text looked at one by one
        return not any(value.__class__ is str and len(value) > limit for value in values)


def event_method(description: str) -> str:
    """BioStar names the credential in brackets: "1:N authentication succeeded (Face)"."""
    if description.endswith(")") and "(" in description:
        return description[description.rindex("(") + 1 : -1][:32]
    return ""


def touch_last_event(events: list[dict]) -> None:
    """Keep each door's "last event" current with the newest event stored for it."""
    latest: dict[int, object] = {}
    for event in events:
        door_id, when = event["door_id"], event["occurred_at"]
        if door_id and (door_id not in latest or when > latest[door_id]):
            latest[door_id] = when
    now = timezone.now()
    for door_id, when in latest.items():
        Door.objects.filter(pk=door_id).exclude(last_event_at__gte=when).update(
            last_event_at=when, changed_at=now
        )
