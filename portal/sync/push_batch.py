"""What a batch of claimed person messages needs from the database, read once for the batch.

Claiming several messages of an account at once lets the worker read their people, the
provisioning decisions, links, owed creates and open offboarding steps in a handful of queries
instead of a dozen per message. The batch is delivered within moments of this read (a claim
lasts ``push.CLAIM_FOR`` and a batch gives its rest back well before that); a change made
meanwhile writes a newer message, which reconciles again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from connectors.base import Connector
from connectors.records import PersonRecord
from portal.people.models import Person
from portal.sync.models import (
    AccessGroup,
    ExternalLink,
    OffboardingStep,
    OutboxMessage,
    PendingCreate,
)
from portal.sync.provisioning import Decision, decisions_in


@dataclass
class KnownForPerson:
    """One person's share of a batch read: what ``reconcile_person`` would otherwise ask."""

    decision: Decision
    link: ExternalLink | None
    owed: bool  # a create is still owed to the account
    #: the linked vendor record as the batch read it (``read``: the read was made, and not
    #: used yet; None then means the vendor no longer has it)
    current: PersonRecord | None = None
    read: bool = False
    #: the reconcile pushed to the link (its ``last_pushed_at`` is set, recorded with the answer)
    pushed: bool = False

    def take_current(self, connector: Connector) -> PersonRecord | None:
        """The linked vendor record: the batch's read the first time, else read now (a read
        after this push's own writes must see them)."""
        if self.read:
            self.read = False
            return self.current
        return connector.get_person(self.link.vendor_id)


@dataclass
class PersonBatch:
    """Per (account id, person id): the person and what reconciling them needs."""

    people: dict[int, Person] = field(default_factory=dict)
    known: dict[tuple[int, int], KnownForPerson] = field(default_factory=dict)
    #: (account id, person id) with an offboarding step still waiting for a delivery
    open_steps: set[tuple[int, int]] = field(default_factory=set)
    #: accounts whose linked records were read from the vendor for this batch
    vendor_read: set[int] = field(default_factory=set)
    #: per account id, its access groups' names by vendor id (read at the batch's first grant)
    group_names: dict[int, dict[str, str]] = field(default_factory=dict)

    def access_group_names(self, account_id: int) -> dict[str, str]:
        """The account's access groups as the mirror names them, read once for the batch."""
        if account_id not in self.group_names:
            groups = AccessGroup.objects.filter(account_id=account_id)
            self.group_names[account_id] = dict(groups.values_list("vendor_id", "name"))
        return self.group_names[account_id]

    def needs_note(self, message: OutboxMessage) -> bool:
        """Whether an offboarding may wait for ``message``'s answer (see note_delivery)."""
        if message.record_kind != "person":
            return True
        proof = (message.vendor_answer or {}).get("proof")
        return (message.account_id, message.object_id) in self.open_steps or bool(proof)

    def read_vendor_records(self, connector: Connector, account_id: int) -> None:
        """Read the batch's linked records of one account from its vendor together, once (a
        vendor may share requests between them: BioTime's resignation list). The batch is sent
        within moments of the read; should the read fail, each message reads its own."""
        if account_id in self.vendor_read:
            return
        self.vendor_read.add(account_id)
        pairs = [
            pair
            for (account, _), pair in self.known.items()
            if account == account_id and pair.link is not None
        ]
        if not pairs:
            return
        found = connector.get_people([pair.link.vendor_id for pair in pairs])
        for pair in pairs:
            pair.current, pair.read = found.get(pair.link.vendor_id), True

    @classmethod
    def load(cls, messages: list[OutboxMessage]) -> PersonBatch:
        batch = cls()
        by_account: dict[int, list[OutboxMessage]] = {}
        for message in messages:
            if message.record_kind == "person":
                by_account.setdefault(message.account_id, []).append(message)
        if not by_account:
            return batch
        person_ids = {m.object_id for group in by_account.values() for m in group}
        batch.people = Person.objects.select_related("department", "position").in_bulk(person_ids)
        content_type = ContentType.objects.get_for_model(Person)
        links = {
            (link.account_id, link.object_id): link
            for link in ExternalLink.objects.filter(
                account_id__in=by_account, content_type=content_type, object_id__in=person_ids
            )
        }
        owed = set(
            PendingCreate.objects.filter(
                account_id__in=by_account, person_id__in=person_ids
            ).values_list("account_id", "person_id")
        )
        batch.open_steps = set(
            OffboardingStep.objects.filter(
                account_id__in=by_account,
                offboarding__person_id__in=person_ids,
                offboarding__cancelled_at__isnull=True,
            )
            .exclude(status=OffboardingStep.Status.CONFIRMED)
            .values_list("account_id", "offboarding__person_id")
        )
        for account_id, group in by_account.items():
            account = group[0].account
            people = [batch.people[m.object_id] for m in group if m.object_id in batch.people]
            for person_id, decision in decisions_in(account, people).items():
                key = (account_id, person_id)
                batch.known[key] = KnownForPerson(decision, links.get(key), key in owed)
        return batch
