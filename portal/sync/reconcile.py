"""Making one vendor's record of a person match the portal: read it, compare, send the difference.

An outbox message means "reconcile this (account, person) pair", whichever change wrote it, so the
newest message alone is always enough: a rehire followed by an edit still re-enables, and a
termination followed by an edit still disables. Only a create still owed may make a record; an
edit, termination or rehire touches only the systems the person is linked in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from connectors import errors
from connectors.base import Connector
from connectors.records import PersonRecord
from portal.people.models import Person
from portal.sync.identity import link_person
from portal.sync.models import ExternalLink, PendingCreate, VendorAccount
from portal.sync.payloads import person_payload, person_record
from portal.sync.vendor_text import stored_raw

if TYPE_CHECKING:
    from portal.sync.push_batch import PersonBatch

#: the fields the portal owns and a vendor record is compared on
COMPARED = (
    "code",
    "first_name",
    "last_name",
    "email",
    "phone",
    "department_name",
    "position_name",
    "hire_date",
)


def reconcile_person(
    connector: Connector,
    account: VendorAccount,
    person: Person,
    batch: PersonBatch,
) -> dict:
    """Bring ``account``'s record of ``person`` to the person's current state; returns the proof.

    Only a create still owed to the account (a ``PendingCreate``, written with the hire) may make
    a record, whatever the message that asks. ``batch``: the message's batch, which read the
    decision, link, owed create and vendor record (push_batch.py; a lone message is a batch of
    one). The link's new ``last_pushed_at`` is recorded by the batch with the answer.
    """
    known = batch.known[(account.pk, person.pk)]
    decision = known.decision
    wanted = person_record(person_payload(person))
    reason = person.termination_reason
    if not decision.should and wanted.active:  # active here, but not provisioned there
        wanted = replace(wanted, active=False, terminated_on=timezone.localdate())
        reason = f"No longer provisioned for {account.name}: {decision.why}"
    link = known.link
    created = False
    if link is None:
        owed = PendingCreate.objects.filter(account=account, person=person).first()
        if owed is not None and not decision.should:  # the rules moved them out before it ran
            owed.delete()
            owed = None
        if owed is None:  # an edit never creates, nor links behind HR's back
            return {"linked": False, "note": "Not linked in this system: nothing to change."}
        current = find_earlier_record(connector, account, person, wanted, owed)
        if current is None:
            current = create_remembering_keys(connector, account, person, wanted)
            created = True
            if linked_to_someone_else(account, current.vendor_id, person):
                # the vendor handed out an id it had given before (restored from a backup, or a
                # demo simulator restarted): Workgate's link of that id is left from then
                raise errors.ConflictError(
                    f"{account} made the record of {person.full_name} under id "
                    f"{current.vendor_id}, which Workgate still links to someone else: an "
                    "earlier record of that id is no longer there. Check that person's record "
                    f"in {account}, then retry."
                )
        link = link_person(
            account, current.vendor_id, current.code, person, raw=stored_raw(current.raw)
        )
    else:
        current = known.take_current(connector)
        if current is None:
            raise errors.NotFoundError(
                f"{account} no longer has record {link.vendor_id}, which {person.full_name} is "
                "linked to. Check the record there (was it deleted?), then retry."
            )
        refuse_system_account(current, person, account)
        if current.code and current.code != wanted.code:  # HR changed the employee code
            current = change_code(connector, account, link, person, current, wanted)
    # linked, by this push or by a pull that matched the person: no create is owed any more
    if known.owed or known.link is None:  # else: none to delete
        PendingCreate.objects.filter(account=account, person=person).delete()
    steps, current = bring_in_line(
        connector, link.vendor_id, current, wanted, person, created=created, reason=reason
    )
    if wanted.active and decision.access_groups is not None:
        granted, current = grant_access_groups(
            connector, link.vendor_id, current, decision.access_groups
        )
        if granted:  # the person's page shows the link's groups: right now, not at the next pull
            names = batch.access_group_names(account.pk)
            link.raw = stored_raw(with_group_names(current.raw, names))
            link.save(update_fields=["raw"])
        steps += granted
    link.last_pushed_at = timezone.now()
    known.link, known.pushed = link, True
    answer = {
        "vendor_id": link.vendor_id,
        "created": created,
        "active": wanted.active,
        "sent": steps,
    }
    if not wanted.active:  # an offboarding's proof: what the vendor holds now, read back
        answer["proof"] = read_back(connector, account, link.vendor_id)
    return answer


def read_back(connector: Connector, account: VendorAccount, vendor_id: str) -> dict:
    """The vendor's record as it is now, reduced to what shows whether access is gone."""
    record = connector.get_person(vendor_id)
    proof = {"read_at": timezone.now().isoformat(), "vendor_id": vendor_id}
    if record is None:
        return proof | {"found": False, "active": False}
    return proof | {
        "found": True,
        "active": record.active,
        "terminated_on": record.terminated_on.isoformat() if record.terminated_on else None,
        "fields": {
            name: record.raw[name]
            for name in account.vendor.access_proof_fields
            if name in record.raw
        },
    }


def find_earlier_record(
    connector: Connector,
    account: VendorAccount,
    person: Person,
    wanted: PersonRecord,
    owed: PendingCreate | None,
) -> PersonRecord | None:
    """The vendor record made for this person before, looked up by every key a create went out
    with (the current ones first): a retried create must not make a second record."""
    keys = [(wanted.code, wanted.email)]
    for key in owed.keys if owed else []:
        pair = (key.get("code", ""), key.get("email", ""))
        if pair not in keys:
            keys.append(pair)
    for code, email in keys:
        found = connector.find_person(code, email=email)
        if found is None:
            continue
        refuse_system_account(found, person, account)
        if linked_to_someone_else(account, found.vendor_id, person):
            raise errors.ConflictError(
                f"{account} record {found.vendor_id} (code {found.code or '—'}) has the code or "
                f"e-mail of {person.full_name} but is linked to someone else in Workgate. Give "
                "one of them another code or e-mail, then retry."
            )
        return found
    return None


def linked_to_someone_else(account: VendorAccount, vendor_id: str, person: Person) -> bool:
    """Whether Workgate links ``account``'s record ``vendor_id`` to another person."""
    return (
        ExternalLink.objects.filter(
            account=account,
            content_type=ContentType.objects.get_for_model(Person),
            vendor_id=vendor_id,
        )
        .exclude(object_id=person.pk)
        .exists()
    )


def create_remembering_keys(
    connector: Connector, account: VendorAccount, person: Person, wanted: PersonRecord
) -> PersonRecord:
    """Create, with the keys written down first: if the answer is lost the record may exist."""
    owed, _ = PendingCreate.objects.get_or_create(account=account, person=person)
    key = {"code": wanted.code, "email": wanted.email}
    sent_before = key in owed.keys
    if not sent_before:
        owed.keys.append(key)
        owed.save(update_fields=["keys", "updated_at"])
    try:
        return connector.create_person(wanted)
    except errors.ConnectorError as exc:
        if not exc.is_retryable and not sent_before:  # refused outright: nothing made under it
            owed.keys.remove(key)
            owed.save(update_fields=["keys", "updated_at"])
        raise


def change_code(
    connector: Connector,
    account: VendorAccount,
    link: ExternalLink,
    person: Person,
    current: PersonRecord,
    wanted: PersonRecord,
) -> PersonRecord:
    """The vendor's way: a rename in place (BioTime), or a new record under the new code with
    the old one disabled (BioStar, whose code is its key). The link follows the record."""
    holder = connector.find_person(wanted.code)
    if holder is not None and holder.vendor_id != link.vendor_id:
        refuse_system_account(holder, person, account)
        taken = (
            ExternalLink.objects.filter(
                account=account,
                content_type=link.content_type_id,
                vendor_id=holder.vendor_id,
            )
            .exclude(pk=link.pk)
            .exists()
        )
        if taken:
            raise errors.ConflictError(
                f"{account} record {holder.vendor_id} already has code {wanted.code} and is "
                f"linked to someone else in Workgate. Give {person.full_name} another code, "
                "then retry.",
                field="code",
            )
    moved = connector.change_code(link.vendor_id, replace(wanted, vendor_id=link.vendor_id))
    link.vendor_id, link.vendor_code = moved.vendor_id, moved.code
    link.save(update_fields=["vendor_id", "vendor_code"])
    return moved


def with_group_names(raw: dict, names: Mapping[str, str]) -> dict:
    """The record as a write answered it, its access groups named as the pull would show them
    (a BioStar PUT answers no names: ``names``, the mirror of the account's groups, has them)."""
    groups = [g for g in raw.get("access_groups") or [] if isinstance(g, dict)]
    named = [{**g, "name": g.get("name") or names.get(str(g.get("id", "")), "")} for g in groups]
    return {**raw, "access_groups": named}


def refuse_system_account(record: PersonRecord, person: Person, account: VendorAccount) -> None:
    if record.system_account:
        raise errors.SystemAccountError(
            f"{account} record {record.vendor_id} (code {record.code or '—'}) is the vendor's "
            f"administrator or operator account; Workgate never links or changes it. Give "
            f"{person.full_name} another employee code, then retry.",
            field="code",
        )


def differs(current: PersonRecord, wanted: PersonRecord) -> bool:
    return any(getattr(current, name) != getattr(wanted, name) for name in COMPARED)


def bring_in_line(
    connector: Connector,
    vendor_id: str,
    current: PersonRecord,
    wanted: PersonRecord,
    person: Person,
    *,
    created: bool,
    reason: str = "",
) -> tuple[list[str], PersonRecord]:
    """Send only what differs: fields, then enable or disable. Returns the steps sent and the
    record as the last read or write gave it (a terminate answers nothing). Each write is handed
    the record just read, so a vendor need not read it again to check it."""
    record = replace(wanted, vendor_id=vendor_id)
    changed = not created and differs(current, wanted)  # a create just sent every field
    steps = []
    if wanted.active:
        if not current.active:  # re-enables and applies the fields
            current = connector.rehire_person(vendor_id, record, current=current)
            steps.append("rehire")
        elif changed:
            current = connector.update_person(vendor_id, record, current=current)
            steps.append("update")
        return steps, current
    if changed:
        current = connector.update_person(vendor_id, record, current=current)
        steps.append("update")
    if current.active:
        connector.terminate_person(
            vendor_id,
            wanted.terminated_on or timezone.localdate(),
            reason or person.termination_reason,
            current=current,
        )
        steps.append("terminate")
    return steps, current


def grant_access_groups(
    connector: Connector, vendor_id: str, current: PersonRecord, wanted: tuple[str, ...]
) -> tuple[list[str], PersonRecord]:
    """Make the vendor's access groups of the person exactly ``wanted`` (rules' and HR's).
    Returns the steps sent and the record as it is now."""
    if not hasattr(connector, "set_access_groups"):
        return [], current  # this vendor has no access groups
    held = current.access_group_ids or ()  # a user with none may leave the list out
    if tuple(sorted(held)) == tuple(sorted(wanted)):
        return [], current
    return ["access_groups"], connector.set_access_groups(vendor_id, wanted, current=current)
