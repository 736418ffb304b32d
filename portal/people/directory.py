"""What other apps add to the people directory, without the people app knowing them.

The sync app registers the vendor systems people are linked in and the problems it knows of
(changes that could not be sent, drift, unmatched records) in its ``ready()``. Each problem is a
subquery correlated to the person (``OuterRef("pk")``), so filtering and flagging stay one query
however many people there are. A later kind of problem (an offboarding nobody confirmed yet) is
one more ``register_problem`` call: the filter, the row flags and the CSV pick it up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, Expression, Q, QuerySet


@dataclass(frozen=True)
class Problem:
    key: str
    label: str
    #: rows that exist when a person has this problem, correlated on ``OuterRef("pk")``
    rows: Callable[[], QuerySet]
    #: the page where it is fixed (a URL name; the problem's key is its anchor there)
    url_name: str = ""


@dataclass(frozen=True)
class System:
    pk: int
    name: str


class Systems:
    """Where people are linked: nothing until an app that knows vendor systems registers."""

    def all(self) -> list[System]:
        return []

    def links(self, account_id: int) -> QuerySet | None:
        """Link rows of the person (``OuterRef("pk")``) in that system."""
        return None

    def names(self) -> Expression | None:
        """The names of the systems the person (``OuterRef("pk")``) is linked in, joined by
        ``JoinedText``: a subquery the directory adds to its page query."""
        return None


_problems: dict[str, Problem] = {}
_systems: list[Systems] = [Systems()]


def register_problem(
    key: str, label: str, rows: Callable[[], QuerySet], url_name: str = ""
) -> None:
    _problems[key] = Problem(key, label, rows, url_name)


def problems() -> list[Problem]:
    return list(_problems.values())


def register_systems(source: Systems) -> None:
    _systems[0] = source


def systems() -> Systems:
    return _systems[0]


def with_problem_flags(people: QuerySet) -> QuerySet:
    """Annotate ``problem_<key>`` booleans: one EXISTS each, evaluated on the shown rows only."""
    return people.annotate(**{f"problem_{p.key}": Exists(p.rows()) for p in problems()})


def any_problem() -> Q:
    wanted = Q(pk__in=[])
    for problem in problems():
        wanted |= Exists(problem.rows())
    return wanted


def problems_of(person) -> list[Problem]:
    """The problems a person annotated by ``with_problem_flags`` has."""
    return [p for p in problems() if getattr(person, f"problem_{p.key}", False)]
