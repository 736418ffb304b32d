"""The people directory: search, filters, sort, CSV export. Built for 50,000 people: one count,
one page query (problem flags, sites and systems are subqueries on the shown rows only)."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.db.models import CharField, Count, OuterRef, Subquery, Window
from django.db.models.functions import Cast
from django.urls import reverse

from portal.core.aggregates import JoinedText, split_joined
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView, wants_partial
from portal.people import directory
from portal.people.bulk import ACTIONS
from portal.people.filters import SORTS, PersonFilterSet, ordering_for, sort_key
from portal.people.models import Department, Person, Site

#: sortable columns in the order the table shows them: (sort key, heading)
SORTABLE_COLUMNS = [
    ("code", "Code"),
    ("name", "Name"),
    ("department", "Department"),
    ("status", "Status"),
]
assert all(key in SORTS for key, _ in SORTABLE_COLUMNS)


def site_names():
    memberships = Person.sites.through.objects.filter(person_id=OuterRef("pk"))
    return Subquery(
        memberships.values("person_id").annotate(names=JoinedText("site__name")).values("names")
    )


def site_ids():
    """The person's site ids as one text (``joined_site_ids``: provisioning decisions read it)."""
    memberships = Person.sites.through.objects.filter(person_id=OuterRef("pk"))
    return Subquery(
        memberships.values("person_id")
        .annotate(ids=JoinedText(Cast("site_id", CharField())))
        .values("ids")
    )


def with_row_details(people):
    """What each row shows beyond the person's own columns, as columns of the same query."""
    people = directory.with_problem_flags(people.select_related("department", "position"))
    people = people.annotate(site_names=site_names())
    if (system_names := directory.systems().names()) is not None:
        people = people.annotate(system_names=system_names)
    return people


@cache
def detail_url_pattern() -> str:
    """The person page's address with a placeholder: one reverse() per process, not per row."""
    return reverse("people:person-detail", args=[0]).replace("/0/", "/{pk}/")


def dress(person: Person) -> Person:
    """Turn the joined subquery columns into the lists the template and the CSV show."""
    person.site_list = split_joined(getattr(person, "site_names", None))
    person.system_list = split_joined(getattr(person, "system_names", None))
    person.problem_list = directory.problems_of(person)
    person.detail_url = detail_url_pattern().format(pk=person.pk)
    return person


class DirectoryQueryMixin:
    """The filtered, sorted people the request's query string asks for."""

    def filtered_people(self):
        self.systems = directory.systems().all()
        self.filterset = PersonFilterSet(
            self.request.GET or None, queryset=Person.objects.all(), systems=self.systems
        )
        people = self.filterset.qs if self.filterset.is_bound else Person.objects.all()
        self.sort = sort_key(self.request.GET.get("sort"))
        self.searching = bool(getattr(self.filterset.form, "cleaned_data", {}).get("q"))
        return people.order_by(*ordering_for(self.sort, searching=self.searching))


class PersonListView(DirectoryQueryMixin, PermissionRequiredMixin, PartialListView):
    permission_required = "people.view_person"
    template_name = "people/person_list.html"
    partial_name = "person-table"

    #: a search's page: its people's ids, read with the count (:meth:`paginate_queryset`)
    searched_ids: list[int] | None = None

    def get_queryset(self):
        return self.filtered_people()

    def paginate_queryset(self, queryset, page_size):
        """A search's page and the count of its matches in one query. Its matches are gathered
        and sorted whatever the page (see ``ordering_for``); a count apart gathered them a second
        time (a single letter, 8,000 matches: 11-13 ms on PostgreSQL). Anything else, or a page
        past the last, is paginated as usual."""
        number = self.request.GET.get(self.page_kwarg) or "1"
        plain = number.isascii() and number.isdigit()
        if not self.searching or not plain or not 1 <= int(number) < 10**9:
            return super().paginate_queryset(queryset, page_size)
        start = (int(number) - 1) * page_size
        counted = queryset.annotate(matches=Window(Count("*"))).values_list("pk", "matches")
        rows = list(counted[start : start + page_size])
        if not rows:
            return super().paginate_queryset(queryset, page_size)
        paginator = self.get_paginator(queryset, page_size)
        paginator.count = rows[0][1]  # a cached property: its own query is not run
        page = paginator.page(int(number))
        self.searched_ids = [pk for pk, _ in rows]
        return paginator, page, page.object_list, page.has_other_pages()

    def page_rows(self, page) -> list[Person]:
        """The page's people with their row details, in two steps. The page's ids are read
        first, from the sort index alone (its entries end on the id: no row is read), so page 500
        does not compute badges for the 24,950 rows it skips; then the details of those 50.

        A page in the back half is read from the other end, in the reverse order: the last page
        costs what the first does and no page skips more than half the list. (Page numbers stay:
        a keyset link would need the previous page's last row; this keeps any page one click.)
        """
        ordering = ordering_for(self.sort)
        ids = self.searched_ids
        if ids is None:
            ids = page_ids(self.object_list, page)
        if not ids:
            return []
        rows = with_row_details(Person.objects.filter(pk__in=ids)).order_by(*ordering)
        return [dress(person) for person in rows]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = self.page_rows(context["page_obj"])
        context["can_change"] = self.request.user.has_perm("people.change_person")
        context["filterset"] = self.filterset
        context["systems"] = self.systems
        context["sort"] = self.sort
        context["columns"] = sort_headers(self.sort)
        key = self.sort.lstrip("-")
        label = dict(SORTABLE_COLUMNS)[key].lower()
        context["sorted_by"] = f"{label}, {'descending' if self.sort[0] == '-' else 'ascending'}"
        kept = [(k, v) for k, vs in self.request.GET.lists() for v in vs if v and k != "page"]
        context["export_query"] = urlencode(kept)
        context["oob"] = wants_partial(self.request)  # the count, sort and export link follow
        if not context["oob"]:
            context["departments"] = Department.objects.only("pk", "name")
            context["sites"] = Site.objects.only("pk", "name")
            context["bulk_actions"] = ACTIONS
        context["result_count"] = context["paginator"].count
        context["filtered"] = any(self.request.GET.get(name) for name in self.filterset.filters)
        # only an empty result needs to know whether there is anybody at all
        context["any_people"] = bool(context["rows"]) or Person.objects.exists()
        return context


def page_ids(people, page) -> list[int]:
    """The ids of the people on ``page`` of ``people`` (sorted), from whichever end is nearer."""
    count = page.paginator.count
    if not count:
        return []
    start = page.start_index() - 1
    end = min(start + page.paginator.per_page, count)
    if start <= count - end:
        return list(people.values_list("pk", flat=True)[start:end])
    from_end = people.reverse().values_list("pk", flat=True)[count - end : count - start]
    return list(from_end)[::-1]


def sort_headers(current: str) -> dict[str, dict]:
    """Each sortable heading by key: its ``aria-sort`` and the sort its link asks for next."""
    headers = {}
    for key, label in SORTABLE_COLUMNS:
        state = "none"
        if current == key:
            state = "ascending"
        elif current == f"-{key}":
            state = "descending"
        headers[key] = {
            "key": key,
            "label": label,
            "aria_sort": state,
            "next": f"-{key}" if state == "ascending" else key,
        }
    return headers
