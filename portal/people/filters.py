"""The directory's search, filters and sort orders.

Everything here becomes one query on people with ``EXISTS`` subqueries, so a filter costs the
same at 50,000 people as at 50 and a page never loads rows it does not show.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Concat

from portal.core.params import is_database_id
from portal.people import directory
from portal.people.models import Offboarding, Person, Site
from portal.people.search import search as search_people


class SiteChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no database column can hold, before they reach the query (a 500 otherwise)."""

    def _check_values(self, value):
        if any(not is_database_id(v) for v in value):
            raise forms.ValidationError("Choose sites from the list.", code="invalid_pk_value")
        return super()._check_values(value)


class SiteFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SiteChoiceField


class IdField(forms.CharField):
    """A row id, checked without a query: a filter on a missing row just finds nobody."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not is_database_id(value):
            raise forms.ValidationError("Choose from the list.", code="invalid_choice")
        return int(value)


class IdFilter(django_filters.Filter):
    field_class = IdField


#: ``?sort=`` values and the columns they order by; ``-name`` is the same, descending. Every
#: order ends on the primary key (or is a unique column) so pages never overlap or skip anyone;
#: the person indexes list the same columns.
SORTS = {
    "code": ("employee_code",),
    "name": ("last_name", "first_name"),
    "department": ("department__name", "last_name", "first_name"),
    "status": ("status", "last_name", "first_name"),
    "hired": ("hire_date", "last_name", "first_name"),
}
DEFAULT_SORT = "name"


def sort_key(value: str | None) -> str:
    """The whitelisted sort named by ``value`` (with its ``-``), else the default."""
    value = (value or "").strip()
    return value if value.lstrip("-") in SORTS and value.count("-") <= 1 else DEFAULT_SORT


#: sorts on a unique column: it orders every row on its own, so no id follows it
UNIQUE_SORTS = {"code"}


#: sorts that an index of people lists in order (their first column is text)
INDEXED_SORTS = {"code", "name", "status"}


def ordering_for(value: str, *, searching: bool = False) -> list:
    """The columns ``?sort=value`` orders by. ``searching``: for a search's matches, whose first
    column is compared as an expression no index holds (the same order): a search finds a few
    hundred of 50,000 people and the planner, guessing them spread evenly over the name order,
    walked the name index checking each person's terms until a page was full, where a surname's
    matches lie together wherever it sorts ("zimmermann": 136 ms on PostgreSQL). Without an index
    in that order it reads the matches from the term index and sorts them (7 ms)."""
    key = sort_key(value)
    descending = key.startswith("-")
    name = key.lstrip("-")
    names = [*SORTS[name], *([] if name in UNIQUE_SORTS else ["pk"])]
    columns = [F(n) for n in names]
    if searching and name in INDEXED_SORTS:
        columns[0] = Concat(columns[0], Value(""))
    if descending:
        return [c.desc(nulls_last=True) for c in columns]
    return [
        c.asc(nulls_last=True) if n == "hire_date" else c.asc()
        for n, c in zip(names, columns, strict=True)
    ]


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=Person.Status.choices, empty_label="Any status")
    department = IdFilter(field_name="department_id", label="Department")
    sites = SiteFilter(queryset=Site.objects.all(), widget=forms.CheckboxSelectMultiple)
    site = IdFilter(field_name="sites__id", label="Site")
    system = django_filters.ChoiceFilter(method="in_system", empty_label="Any", label="System")
    problem = django_filters.ChoiceFilter(
        method="with_problem", empty_label="Any", label="Problems"
    )
    offboarding = django_filters.ChoiceFilter(
        method="with_offboarding",
        choices=[("scheduled", "Scheduled")],
        empty_label="Any",
        label="Offboarding",
    )

    class Meta:
        model = Person
        fields = ["q", "status", "department", "sites", "site", "system", "problem", "offboarding"]

    def __init__(self, *args, systems=(), **kwargs):
        super().__init__(*args, **kwargs)
        # "in X" / "not in X" per connected system; the caller passes the systems it already read
        self.filters["system"].extra["choices"] = [
            choice
            for system in systems
            for choice in (
                (f"in-{system.pk}", f"In {system.name}"),
                (f"not-in-{system.pk}", f"Not in {system.name}"),
            )
        ]
        self.filters["problem"].extra["choices"] = [
            ("any", "Any problem"),
            *[(p.key, p.label) for p in directory.problems()],
        ]

    def search(self, queryset, name, value):
        return search_people(queryset, value)

    def in_system(self, queryset, name, value):
        links = directory.systems().links(int(value.rsplit("-", 1)[1]))
        if links is None:
            return queryset
        return queryset.filter(~Exists(links) if value.startswith("not-") else Exists(links))

    def with_offboarding(self, queryset, name, value):
        """People whose offboarding waits for its date (not started, not cancelled)."""
        waiting = Offboarding.objects.filter(
            person=OuterRef("pk"), started_at__isnull=True, cancelled_at__isnull=True
        )
        return queryset.filter(Exists(waiting))

    def with_problem(self, queryset, name, value):
        if value == "any":
            return queryset.filter(directory.any_problem())
        problem = next(p for p in directory.problems() if p.key == value)  # a valid choice
        return queryset.filter(Exists(problem.rows()))
