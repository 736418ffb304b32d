from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import fields, replace

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.utils import timezone

from portal.sync.models import ExternalLink, SyncRun, VendorAccount
from portal.sync.vendor_text import bounded, cut, max_length, record_without_nul

#: how many trimmed records a run names (the count has them all)
MAX_TRIMMED_NOTES = 20


def record_hash(record) -> str:
    """Hash of a canonical record's mapped fields (not ``raw``): equal hash, nothing to write."""
    values = {f.name: getattr(record, f.name) for f in fields(record) if f.name != "raw"}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


class MirrorWriter:
    #: whether a full read can tell which records vanished (lists, not event logs)
    tracks_gone = False
    #: (local model, {record field: its column}): text the writer stores, cut to fit the column
    fits: tuple[tuple[type[Model], dict[str, str]], ...] = ()
    #: the writer checks ``raw`` for NUL itself, while encoding it (the append-only logs)
    checks_raw_on_insert = False

    def __init__(self, account: VendorAccount, run: SyncRun):
        self.account = account
        self.run = run
        self.now = timezone.now()
        self._trimmed: set[str] = set()
        #: a record's notes held until its row's raw was checked (``checks_raw_on_insert``), so
        #: the record's note still names everything NUL touched in it
        self.record_notes: dict[str, list[str]] = {}

    def write_page(self, records: list) -> None:
        """Write one page, its records first made storable (see :mod:`portal.sync.vendor_text`)."""
        self.write([self.fit(record) for record in records])
        for vendor_id, notes in self.record_notes.items():  # records stored under other keys
            self.note_trimmed(vendor_id, notes)
        self.record_notes.clear()

    def write(self, records: list) -> None:
        raise NotImplementedError

    def fit(self, record):
        """The record without NUL bytes, its text cut to the ``fits`` columns; ``raw`` kept whole."""
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
        if self.checks_raw_on_insert and notes:
            self.record_notes[record.vendor_id] = notes
        else:
            self.note_trimmed(record.vendor_id, notes)
        return record

    def fit_row(self, model: type[Model], row: dict, vendor_id: str) -> dict:
        row, notes = bounded(model, row)
        self.note_trimmed(vendor_id, notes)
        return row

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
