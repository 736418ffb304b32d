"""Who an unmatched vendor record probably is: same e-mail, same code but for leading zeros
("42" there, "00042" here), or the same name. A few queries for a whole page of records."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.functions import Lower

from portal.people.models import Person
from portal.sync.models import ExternalLink, UnmatchedPerson

#: suggestions shown per vendor record, the likeliest first
SHOWN = 3
#: longest employee code padding tried ("42" → "042" … "000000000042")
MAX_CODE_LENGTH = 12


@dataclass
class Suggestion:
    person: Person
    reasons: list[str] = field(default_factory=list)

    @property
    def because(self) -> str:
        return ", ".join(self.reasons)


def unpadded(code: str) -> str:
    code = code.strip()
    return (code.lstrip("0") or "0") if code.isdigit() else code.casefold()


def padded_variants(code: str) -> set[str]:
    """Every way the same number may be written with leading zeros."""
    bare = unpadded(code)
    if not code.strip().isdigit():
        return set()
    return {bare.zfill(width) for width in range(len(bare), MAX_CODE_LENGTH + 1)}


def name_key(first: str, last: str) -> tuple[str, str]:
    return first.strip().casefold(), last.strip().casefold()


def suggestions_for(entries: list[UnmatchedPerson]) -> dict[int, list[Suggestion]]:
    entries = [e for e in entries if not e.system_account]
    if not entries:
        return {}
    codes = set().union(*(padded_variants(e.code) for e in entries))
    emails = {e.email.strip().casefold() for e in entries if e.email.strip()}
    names = [name_key(e.first_name, e.last_name) for e in entries if e.last_name.strip()]
    wanted = Q(employee_code__in=codes) | Q(email_key__in=emails)
    for first, last in names:
        wanted |= Q(last_name__iexact=last, first_name__istartswith=first[:1])
    people = list(Person.objects.annotate(email_key=Lower("email")).filter(wanted))
    linked = linked_people(entries, [p.pk for p in people])
    found: dict[int, list[Suggestion]] = {}
    for entry in entries:
        suggestions = []
        for person in people:
            if person.pk in linked.get(entry.account_id, ()):
                continue  # already has a record in that system: cannot be this one too
            reasons = reasons_for(entry, person)
            if reasons:
                suggestions.append(Suggestion(person, reasons))
        suggestions.sort(key=lambda s: (-len(s.reasons), s.person.last_name, s.person.pk))
        found[entry.pk] = suggestions[:SHOWN]
    return found


def reasons_for(entry: UnmatchedPerson, person: Person) -> list[str]:
    reasons = []
    if entry.email.strip() and entry.email.strip().casefold() == person.email.casefold():
        reasons.append("same e-mail")
    if entry.code.strip() and person.employee_code in padded_variants(entry.code):
        if person.employee_code == entry.code.strip():
            reasons.append("same code")
        else:
            reasons.append(f"same code with other zeros ({entry.code.strip()} there)")
    first, last = name_key(entry.first_name, entry.last_name)
    p_first, p_last = name_key(person.first_name, person.last_name)
    if last and last == p_last:
        if first == p_first:
            reasons.append("same name")
        elif first[:1] and p_first.startswith(first[:1]):
            reasons.append("similar name")
    return reasons


def linked_people(entries, person_ids) -> dict[int, set[int]]:
    """Per account of these entries, which of the people already have a record there."""
    rows = ExternalLink.objects.filter(
        account_id__in={e.account_id for e in entries},
        content_type=ContentType.objects.get_for_model(Person),
        object_id__in=person_ids,
    ).values_list("account_id", "object_id")
    linked: dict[int, set[int]] = {}
    for account_id, person_id in rows:
        linked.setdefault(account_id, set()).add(person_id)
    return linked
