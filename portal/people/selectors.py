"""Reading who belongs to whose team: the manager chain stored on each person."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.people.models import Person, TeamView

#: a manager chain deeper than this is a data error, not an organisation
MAX_DEPTH = 50


def person_of(user) -> Person | None:
    """The person a portal login belongs to, or None (an admin without a person record)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user_id=user.pk).first()


def report_ids(manager_id: int, whole_tree: bool = False) -> set[int]:
    """Ids of the people reporting to ``manager_id``: direct only, or every level below.

    One query per level of the tree; a cycle in stored data (someone managing their own
    manager) ends the walk instead of looping, and the manager never counts as their own report.
    """
    found: set[int] = set()
    level = {manager_id}
    for _ in range(MAX_DEPTH):
        below = set(Person.objects.filter(manager_id__in=level).values_list("pk", flat=True))
        below -= found | {manager_id}
        if not below:
            break
        found |= below
        if not whole_tree:
            break
        level = below
    return found


def reports_of(user, whole_tree: bool = False) -> QuerySet[Person]:
    """The people ``user`` manages (through their linked person): an empty queryset when the
    login is linked to nobody."""
    person = person_of(user)
    if person is None:
        return Person.objects.none()
    if not whole_tree:
        return Person.objects.filter(manager_id=person.pk).exclude(pk=person.pk)
    return Person.objects.filter(pk__in=report_ids(person.pk, whole_tree=True))


def prefers_whole_tree(user) -> bool:
    """The manager's saved choice between direct reports and the whole tree (default direct)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    # read once per request: the grid and its selectors both ask (the user object is per request)
    if not hasattr(user, "_prefers_whole_tree"):
        user._prefers_whole_tree = TeamView.objects.filter(
            user_id=user.pk, whole_tree=True
        ).exists()
    return user._prefers_whole_tree


def manager_chain_ids(person_id: int) -> list[int]:
    """``person_id``'s manager, their manager, … upwards (stops at a cycle or MAX_DEPTH)."""
    chain: list[int] = []
    current = person_id
    for _ in range(MAX_DEPTH):
        current = Person.objects.filter(pk=current).values_list("manager_id", flat=True).first()
        if current is None or current in chain:
            break
        chain.append(current)
    return chain
