from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from operator import attrgetter

import orjson
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.utils import timezone

from portal.sync.models import ExternalLink, SyncRun, VendorAccount
from portal.sync.vendor_text import bounded, cut, field_names, max_length, record_without_nul

#: how many trimmed records a run names (the count has them all)
MAX_TRIMMED_NOTES = 20


def record_hash(record) -> str:
    """Hash of a canonical record's mapped fields (not ``raw``): equal hash, nothing to write.

    The values in declaration order, as orjson writes them: 1.5-7 µs a person record, where
    the stdlib's sorted ``json.dumps`` of a dict (:func:`legacy_record_hash`) took 12-29."""
    values = _mapped_values(record.__class__)(record)
    return hashlib.sha256(orjson.dumps(values, default=str)).hexdigest()


@cache
def _mapped_values(record_class: type) -> attrgetter:
    return attrgetter(*field_names(record_class))  # a tuple: records have two fields at least


def legacy_record_hash(record) -> str:
    """The hash links stored before :func:`record_hash` changed (see :func:`same_content`)."""
    names = field_names(record.__class__)
    values = dict(zip(names, [getattr(record, name) for name in names], strict=True))
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def same_content(stored_hash: str, digest: str, record) -> bool:
    """Whether a link's stored hash is this record's (``digest``, its :func:`record_hash`).

    A link last pulled before the hash changed holds the legacy one: equal to that, the
    record is unchanged too, and the writer stores today's hash without counting an update,
    so the first pull after upgrading neither rewrites every link nor reports it."""
    return stored_hash == digest or stored_hash == legacy_record_hash(record)


@dataclass(slots=True)
class Prepared:
    """A page made storable, holding nothing of the connector's records it came from.

    ``rows`` is what the writer's :meth:`MirrorWriter.store` writes (fitted records, or the
    append-only logs' insert rows with ``raw`` already JSON text); ``notes`` the trimmed-record
    notes found on the way, as (vendor id, notes) in page order, counted into the run when stored.
    """

    rows: list
    notes: list[tuple[str, list[str]]] = field(default_factory=list)
    #: rows as they came, before the page's repeats were dropped (the repeats count unchanged)
    received: int = 0
    #: records the writer set aside as not its kind (counted skipped)
    skipped: int = 0
    #: what else the writer worked out ahead for its rows (people: hash and raw by record)
    forms: dict = field(default_factory=dict)


class MirrorWriter:
    #: whether a full read can tell which records vanished (lists, not event logs)
    tracks_gone = False
    #: (local model, {record field: its column}): text the writer stores, cut to fit the column
    fits: tuple[tuple[type[Model], dict[str, str]], ...] = ()
    #: the writer checks ``raw`` for NUL itself, while encoding it (the append-only logs)
    checks_raw_on_insert = False
    #: the rows a batch of this writer's pages gathers at most (None: the pull's batch size)
    batch_rows: int | None = None
    #: allocations between the collector's young collections while this writer's stream is
    #: pulled (None: Python's default; see :func:`portal.sync.runtime.tuned_for_pull`)
    young_collections: int | None = None

    def __init__(self, account: VendorAccount, run: SyncRun):
        self.account = account
        self.run = run
        self.now = timezone.now()
        self._trimmed: set[str] = set()

    def write_page(self, records: list) -> None:
        """Write one page, its records first made storable (see :mod:`portal.sync.vendor_text`)."""
        self.store(self.prepare(records))

    def load(self) -> None:
        """Load what :meth:`prepare` looks up (in the pulling thread, before reading starts)."""

    def prepare(self, records: list) -> Prepared:
        """The page's records made storable. Reads no database and changes nothing of the writer
        or the run, so a read-ahead thread may call it once :meth:`load` has run."""
        fitted, notes = [], []
        for record in records:
            record, found = self.fit(record)
            if found:
                notes.append((record.vendor_id, found))
            fitted.append(record)
        return Prepared(fitted, notes, received=len(fitted))

    def store(self, prepared: Prepared) -> None:
        """Write a prepared page: its notes into the run, its rows into the database."""
        self.note_all(prepared.notes)
        self.run.skipped += prepared.skipped
        self.write(prepared.rows)

    def store_batch(self, pages: list[Prepared]) -> None:
        """Write the prepared pages of one transaction (a pull's batch): page by page, unless the
        writer has work to do once for all of them."""
        for prepared in pages:
            self.store(prepared)

    def write(self, records: list) -> None:
        raise NotImplementedError

    def fit(self, record) -> tuple[object, list[str]]:
        """The record without NUL bytes, its text cut to the ``fits`` columns; ``raw`` kept whole
        (checked here unless ``checks_raw_on_insert``). Returns it with what was changed."""
        record, notes = record_without_nul(record, check_raw=not self.checks_raw_on_insert)
        cuts: dict[str, str] = {}
        for model, columns in self.fits:
            for name, column in columns.items():
                value = cuts.get(name, getattr(record, name))
                fitted = cut(value, max_length(model, column), name, notes)
                if fitted is not value:
                    cuts[name] = fitted
        if cuts:
            record = replace(record, **cuts)
        return record, notes

    def fit_row(self, model: type[Model], row: dict, vendor_id: str) -> dict:
        row, notes = bounded(model, row)
        self.note_trimmed(vendor_id, notes)
        return row

    def note_all(self, notes: Iterable[tuple[str, list[str]]]) -> None:
        for vendor_id, found in notes:
            self.note_trimmed(vendor_id, found)

    def note_trimmed(self, vendor_id: str, notes: list[str]) -> None:
        """Count the record once per run and name it, with what changed, in the first notes."""
        if not notes:
            return
        if vendor_id not in self._trimmed:
            self._trimmed.add(vendor_id)
            self.run.trimmed += 1
        note = f"{vendor_id}: {'; '.join(notes)}"
        if len(self.run.trimmed_notes) < MAX_TRIMMED_NOTES and note not in self.run.trimmed_notes:
            self.run.trimmed_notes = self.run.trimmed_notes + [note]

    def mark_gone(self, seen_vendor_ids: set[str]) -> None:
        """Called after a complete read: what was not seen is gone from the vendor."""

    def finish(self) -> None:
        """Called once after the last page of a successful run."""


class LinkIndex:
    """The account's ExternalLinks of one local model, looked up by vendor id or vendor code."""

    def __init__(self, account: VendorAccount, model: type[Model]):
        self.account = account
        self.content_type = ContentType.objects.get_for_model(model)

    def queryset(self):
        return ExternalLink.objects.filter(account=self.account, content_type=self.content_type)

    def by_vendor_id(self, vendor_ids: Iterable[str]) -> dict[str, ExternalLink]:
        return {
            link.vendor_id: link for link in self.queryset().filter(vendor_id__in=set(vendor_ids))
        }

    def object_ids(self, keys: Iterable[str | None]) -> dict[str, int]:
        """vendor id or vendor code → local object id, for the given keys."""
        wanted = {k for k in keys if k}
        if not wanted:
            return {}
        found: dict[str, int] = {}
        for vendor_id, code, object_id in (
            self.queryset()
            .filter(Q(vendor_id__in=wanted) | Q(vendor_code__in=wanted))
            .values_list("vendor_id", "vendor_code", "object_id")
        ):
            found[vendor_id] = object_id
            if code:
                found.setdefault(code, object_id)
        return found

    def all_object_ids(self) -> dict[str, int]:
        """Every link of the account: vendor id and vendor code → local object id."""
        found: dict[str, int] = {}
        for vendor_id, code, object_id in self.queryset().values_list(
            "vendor_id", "vendor_code", "object_id"
        ):
            found[vendor_id] = object_id
            if code:
                found.setdefault(code, object_id)
        return found

    def link(
        self, vendor_id: str, obj: Model, content_hash: str = "", vendor_code: str = ""
    ) -> ExternalLink:
        return ExternalLink.objects.create(
            account=self.account,
            content_type=self.content_type,
            vendor_id=vendor_id,
            vendor_code=vendor_code,
            object_id=obj.pk,
            content_hash=content_hash,
            last_pulled_at=timezone.now(),
        )

    def mark_gone(self, seen: set[str]) -> int:
        return (
            self.queryset()
            .filter(gone_at__isnull=True)
            .exclude(vendor_id__in=seen)
            .update(gone_at=timezone.now())
        )
