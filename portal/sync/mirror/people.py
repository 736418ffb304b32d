"""Vendor people: linked to local people, never allowed to overwrite what the portal owns.

Works a page at a time with a fixed number of queries: links, candidates by code and by e-mail,
and the people to create are each fetched or written in bulk. Each link keeps the vendor's record
as last pulled (``raw``), rewritten only when it changed. A vendor system account (its own
administrator, the login Workgate uses) is never matched or created: it waits, marked, in the
unmatched queue.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection

from portal.core.pg_arrays import array_literal
from portal.people.models import Department, Person, Position, Site
from portal.people.search import index_people
from portal.sync.access_problems import note_pulled
from portal.sync.identity import Match, attach_vendor_history, queue_unmatched, rematch_unmatched
from portal.sync.mirror.base import LinkIndex, MirrorWriter, record_hash, same_content
from portal.sync.mirror.bulk import JsonText, insert_new
from portal.sync.models import ExternalLink, PersonDrift
from portal.sync.payloads import person_fields
from portal.sync.provisioning import decisions_in, has_access_groups, people_writable
from portal.sync.vendor_text import stored_raw, stored_raw_and_text

#: fields the portal owns and pushes, each as (the person's value, the vendor record's value):
#: a difference is drift. Every field the portal pushes is here.
OWNED_FIELDS = {
    "first_name": (lambda p: p.first_name, lambda r: r.first_name),
    "last_name": (lambda p: p.last_name, lambda r: r.last_name),
    "email": (lambda p: p.email, lambda r: r.email),
    "phone": (lambda p: p.phone, lambda r: r.phone),
    "department": (
        lambda p: p.department.name if p.department else "",
        lambda r: r.department_name,
    ),
    "position": (lambda p: p.position.name if p.position else "", lambda r: r.position_name),
    "hire_date": (
        lambda p: p.hire_date.isoformat() if p.hire_date else "",
        lambda r: r.hire_date.isoformat() if r.hire_date else "",
    ),
    "status": (lambda p: p.status, lambda r: "active" if r.active else "terminated"),
}
#: compared only when Workgate holds a value: vendors put people without one in a default
#: department or position of their own
ONLY_WHEN_OURS_IS_SET = ("department", "position")


def normalized(field: str, value: str) -> str:
    value = (value or "").strip()
    return value.casefold() if field in ("email", "department", "position") else value


def drifted_fields(person, record, decision=None) -> list[tuple[str, str, str]]:
    """(field, ours, theirs) for each owned field the vendor holds differently.

    ``decision``: what the provisioning rules say about this system (from
    :mod:`portal.sync.provisioning`): someone who should not be there is meant to be disabled,
    and the access groups Workgate manages are compared too."""
    found = []
    for field, (ours_of, theirs_of) in OWNED_FIELDS.items():
        ours, theirs = ours_of(person), theirs_of(record)
        if field == "status" and decision is not None and not decision.should:
            ours = "terminated"
        if not theirs or (field in ONLY_WHEN_OURS_IS_SET and not ours):
            continue
        if normalized(field, theirs) != normalized(field, ours):
            found.append((field, ours, theirs))
    if (
        decision is not None
        and decision.should
        and person.status == Person.Status.ACTIVE
        and decision.access_groups is not None
        and has_access_groups(decision.account)
        and sorted(decision.access_groups) != sorted(record.access_group_ids or ())
    ):
        found.append(
            (
                "access_groups",
                group_list(decision.access_groups),
                group_list(record.access_group_ids),
            )
        )
    return found


def group_list(vendor_ids) -> str:
    """Access group ids as stored with drift: "3,7" (the page shows their names)."""
    return ",".join(sorted(vendor_ids or (), key=lambda v: (len(v), v)))


#: an account's link of a vendor record is unique on these
LINK_KEY = ["account_id", "content_type_id", "vendor_id"]


class NewPerson:
    """A person the pull has just inserted: its id and the columns the search terms read
    (:func:`portal.people.search.terms_of`)."""

    __slots__ = ("pk", "first_name", "last_name", "email", "employee_code")

    def __init__(self, pk: int, fields: dict):
        self.pk = pk
        self.first_name = fields["first_name"]
        self.last_name = fields["last_name"]
        self.email = fields["email"]
        self.employee_code = fields["employee_code"]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _one_of(column: str, values) -> tuple[str, list]:
    """The condition that ``column`` is one of ``values`` (texts), and its parameters: on
    PostgreSQL one array (``= ANY``): an ``IN`` of a page's thousand parameters took 12-15 ms a
    statement, the array 3-5 (10,000 people pulled); on SQLite ``IN``, a mark each."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::text[])", [array_literal(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _new_person_defaults(now) -> dict:
    """Every column of a new person but its id, at its default (timestamps: ``now``)."""
    defaults = {}
    for field in Person._meta.concrete_fields:
        if field.primary_key:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        defaults[field.attname] = now if auto else field.get_default()
    return defaults


class PersonWriter(MirrorWriter):
    tracks_gone = True
    # A few pages a transaction: storing them while the vendor sends the next overlaps the two
    # (a batch of the whole stream waited for its last page, then stored every page in turn);
    # a people page has no index leaf that a bigger batch rewrites less often, as punches have.
    # Each commit costs too (PostgreSQL: a flush to disk): measured on 10,000 people, a page a
    # transaction gave paced ratios of 1.98-2.02 (SQLite) and 2.87-3.31 (PostgreSQL), 3,000 rows
    # 1.62-2.00 and 2.41-2.47, 5,000 rows 1.97 and 3.61 (load 3.4-4.2).
    batch_rows = 3_000
    # A people stream's garbage is bounded by the employee list (a handful of pages), and its
    # records, raw rows and rows to insert die within their page: collecting every 700
    # allocations walked them ~300 times a 10,000-person pull (~0.3-0.4 s of its ~1.9 s CPU).
    young_collections = 50_000
    # the unmatched queue, links and drift have columns at least this wide
    fits = (
        (
            Person,
            {
                "code": "employee_code",
                "first_name": "first_name",
                "last_name": "last_name",
                "email": "email",
                "phone": "phone",
            },
        ),
        (ExternalLink, {"vendor_id": "vendor_id"}),
    )

    def __init__(self, account, run):
        super().__init__(account, run)
        self.links = LinkIndex(account, Person)
        self._forms: dict[int, tuple[str, dict, str | None]] = {}  # see stored_forms
        self._references: dict[type, tuple[dict, dict]] = {}

    # -- per run caches -----------------------------------------------------------------------
    def reference_id(self, model, vendor_id: str | None, name: str) -> int | None:
        if model not in self._references:
            by_link = LinkIndex(self.account, model).all_object_ids()
            by_name = {n.casefold(): pk for pk, n in model.objects.values_list("pk", "name")}
            self._references[model] = (by_link, by_name)
        by_link, by_name = self._references[model]
        return by_link.get(vendor_id or "") or by_name.get((name or "").casefold())

    # -- the page -----------------------------------------------------------------------------
    def prepare(self, records):
        """Also each record's hash and stored raw, worked out here: in the read-ahead thread,
        while the vendor sends the next page, not while the batch holds the write lock."""
        prepared = super().prepare(records)
        prepared.forms = {
            id(record): (record_hash(record), *stored_raw_and_text(record.raw))
            for record in prepared.rows
        }
        return prepared

    def store(self, prepared):
        self._forms = prepared.forms
        try:
            super().store(prepared)
        finally:
            self._forms = {}

    def stored_forms(self, record) -> tuple[str, dict, str | None]:
        """The record's hash and raw as the link keeps them, and that raw's JSON text if
        :meth:`prepare` worked it out (None: encoded when stored)."""
        found = self._forms.get(id(record))
        return found if found is not None else (record_hash(record), stored_raw(record.raw), None)

    def write(self, records):
        # a first pull's pages have no links yet: one plain probe says so, where building the
        # model query of a page's thousand vendor ids cost more than the database takes
        vendor_ids = {r.vendor_id for r in records}
        linked = self.linked_vendor_ids(vendor_ids)
        existing = self.links.by_vendor_id(vendor_ids & linked) if linked else {}
        people = Person.objects.select_related("department", "position").in_bulk(
            [link.object_id for link in existing.values()]
        )
        changed_links, rehashed, drift_checks, fresh = [], [], [], []
        for record in records:
            link = existing.get(record.vendor_id)
            if link is None:
                fresh.append(record)
                continue
            digest, raw, _ = self.stored_forms(record)
            if (
                link.gone_at is None
                and link.raw == raw
                and same_content(link.content_hash, digest, record)
            ):
                self.run.unchanged += 1
                if link.content_hash != digest:  # the legacy hash: today's, quietly
                    link.content_hash = digest
                    rehashed.append(link)
                continue
            link.content_hash, link.gone_at, link.last_pulled_at, link.vendor_code, link.raw = (
                digest,
                None,
                self.now,
                record.code,
                raw,
            )
            changed_links.append(link)
            if person := people.get(link.object_id):
                drift_checks.append((person, record))
            self.run.updated += 1
        ExternalLink.objects.bulk_update(
            changed_links, ["content_hash", "gone_at", "last_pulled_at", "vendor_code", "raw"]
        )
        ExternalLink.objects.bulk_update(rehashed, ["content_hash"])
        if fresh:
            drift_checks += self.link_or_create(fresh)
        self.record_drift(drift_checks)

    def link_or_create(self, records) -> list[tuple[Person, object]]:
        """Match new vendor records to people (code, then e-mail), create where allowed, link."""
        codes = {r.code.strip() for r in records if r.code.strip()}
        emails = {r.email.strip().casefold() for r in records if r.email.strip()}
        by_code, by_email, taken_codes = self.candidates(codes, emails)

        matched: list[tuple[Person, object]] = []
        to_create: list[tuple[dict, object]] = []
        claimed: set[int] = set()
        for record in records:
            if record.system_account:  # never a person of ours, whatever its code or e-mail
                queue_unmatched(self.account, record, Match(None))
                self.run.unmatched += 1
                continue
            match = self.match(record, by_code, by_email, claimed)
            if match.person is not None:
                claimed.add(match.person.pk)
                matched.append((match.person, record))
                continue
            code = record.code.strip()
            if (
                not match.ambiguous
                and self.account.import_new_people
                and code
                and code not in taken_codes
            ):
                taken_codes.add(code)
                to_create.append((self.new_person(record), record))
                continue
            queue_unmatched(self.account, record, match)
            self.run.unmatched += 1

        created = self.create_people(to_create)
        index_people((person for person, _ in created), new=True)  # the directory's search terms
        self.set_sites(created)
        pairs = matched + created
        self.link_all(pairs)
        self.run.created += len(pairs)
        return matched  # only matched people can differ from their vendor record

    def linked_vendor_ids(self, vendor_ids: set[str]) -> set[str]:
        """Which of these vendor records this account has linked to a person (plain SQL)."""
        if not vendor_ids:
            return set()
        linked, params = _one_of("vendor_id", vendor_ids)
        sql = (
            f"SELECT vendor_id FROM {_table(ExternalLink)} WHERE account_id = %s"
            f" AND content_type_id = %s AND {linked}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.account.pk, self.links.content_type.pk, *params])
            return {vendor_id for (vendor_id,) in cursor.fetchall()}

    def candidates(self, codes: set[str], emails: set[str]):
        """The people these codes and (case-folded) e-mails could match: (free people by code,
        free people by e-mail, every code held). Free: not linked in this account. Plain SQL
        for the keys; model instances only for the people found (none on a first pull)."""
        person = _table(Person)
        found_codes: list[tuple[int, str]] = []
        found_emails: list[tuple[int, str]] = []
        with connection.cursor() as cursor:
            if codes:
                held, params = _one_of("employee_code", codes)
                cursor.execute(f"SELECT id, employee_code FROM {person} WHERE {held}", params)
                found_codes = cursor.fetchall()
            if emails:
                held, params = _one_of("LOWER(email)", emails)
                cursor.execute(f"SELECT id, LOWER(email) FROM {person} WHERE {held}", params)
                found_emails = cursor.fetchall()
        taken_codes = {code for _, code in found_codes}
        ids = {pk for pk, _ in found_codes} | {pk for pk, _ in found_emails}
        if not ids:
            return {}, {}, taken_codes
        free = (
            Person.objects.select_related("department", "position")
            .exclude(pk__in=self.links.queryset().values("object_id"))
            .filter(pk__in=ids)
        )
        by_code: dict[str, Person] = {}
        by_email: dict[str, list[Person]] = {}
        code_ids = {pk for pk, _ in found_codes}
        email_of = dict(found_emails)
        for candidate in free:  # in the people's order, as their own queries gave them
            if candidate.pk in code_ids:
                by_code[candidate.employee_code] = candidate
            if candidate.pk in email_of:
                by_email.setdefault(email_of[candidate.pk], []).append(candidate)
        return by_code, by_email, taken_codes

    def create_people(self, to_create) -> list[tuple[NewPerson, object]]:
        """The new people inserted as plain rows (:func:`insert_new`: no model instance per
        person, none of ``bulk_create``'s per-value preparation), each with its record.

        A code another session stored since ``taken_codes`` was read is skipped by the unique
        index: that record is matched to the person by code on the next pull."""
        if not to_create:
            return []
        defaults = _new_person_defaults(self.now)
        rows = [{**defaults, **fields} for fields, _ in to_create]
        ids = dict(insert_new(Person, rows, ["employee_code"], ["employee_code", "id"]))
        return [
            (NewPerson(ids[fields["employee_code"]], fields), record)
            for fields, record in to_create
            if fields["employee_code"] in ids
        ]

    def match(self, record, by_code, by_email, claimed) -> Match:
        person = by_code.get(record.code.strip())
        if person is not None and person.pk not in claimed:
            return Match(person)
        candidates = [
            p for p in by_email.get(record.email.strip().casefold(), []) if p.pk not in claimed
        ]
        if len(candidates) == 1:
            return Match(candidates[0])
        return Match(None, tuple(candidates))

    def new_person(self, record) -> dict:
        """The new person's column values (see :meth:`create_people`)."""
        return person_fields(
            record,
            department_id=self.reference_id(
                Department, record.department_id, record.department_name
            ),
            position_id=self.reference_id(Position, record.position_id, record.position_name),
        )

    def set_sites(self, pairs) -> None:
        through = Person.sites.through
        rows = [
            {"person_id": person.pk, "site_id": site_id}
            for person, record in pairs
            for site_id in {self.reference_id(Site, site, "") for site in record.site_ids} - {None}
        ]
        insert_new(through, rows, ["person_id", "site_id"], ["id"])  # a pair held: kept

    def link_all(self, pairs) -> None:
        """A link per (person, record); rows, not instances (thousands on a first pull)."""
        content_type_id = ContentType.objects.get_for_model(Person).pk
        account_id, now = self.account.pk, self.now
        rows = []
        for person, record in pairs:
            digest, raw, text = self.stored_forms(record)
            rows.append(
                {
                    "account_id": account_id,
                    "vendor_id": record.vendor_id,
                    "vendor_code": record.code,
                    "content_type_id": content_type_id,
                    "object_id": person.pk,
                    "content_hash": digest,
                    "last_pulled_at": now,
                    "last_pushed_at": None,
                    "gone_at": None,
                    "raw": raw if text is None else JsonText(text),
                }
            )
        if len(insert_new(ExternalLink, rows, LINK_KEY, ["vendor_id"])) != len(rows):
            # another session linked one of these records meanwhile: as bulk_create would
            raise IntegrityError("A vendor record was linked by another pull at the same time.")
        attach_vendor_history(self.account, [record.vendor_id for _, record in pairs])

    def record_drift(self, checks) -> None:
        """Store each owned field that differs (both values), drop drift that has been resolved."""
        if not checks:
            return
        people_ids = [person.pk for person, _ in checks]
        # only a system Workgate writes people to follows the rules
        writable = bool(people_writable([self.account]))
        decisions = decisions_in(self.account, [p for p, _ in checks]) if writable else {}
        PersonDrift.objects.filter(account=self.account, person_id__in=people_ids).delete()
        PersonDrift.objects.bulk_create(
            [
                PersonDrift(
                    person=person,
                    account=self.account,
                    field=field,
                    portal_value=ours[:254],
                    vendor_value=theirs[:254],
                )
                for person, record in checks
                for field, ours, theirs in drifted_fields(person, record, decisions.get(person.pk))
            ]
        )
        note_pulled(self.account, checks)  # terminated here, active there: a problem for HR

    def finish(self) -> None:
        # someone this account's people waited for may have come from another system
        rematch_unmatched()

    def mark_gone(self, seen):
        self.run.gone += self.links.mark_gone(seen)
