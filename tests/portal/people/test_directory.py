"""The people directory: search, filters, sort, count, CSV export and bulk changes."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.people.models import Person
from portal.sync.models import OutboxMessage, PersonDrift, UnmatchedPerson
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    SiteFactory,
    VendorAccountFactory,
    link_person_to,
)

pytestmark = pytest.mark.django_db

LIST = reverse("people:person-list")
EXPORT = reverse("people:person-export")
BULK = reverse("people:person-bulk")
HTMX = {"HX-Request": "true"}


def names(response) -> list[str]:
    return [p.full_name for p in response.context["rows"]]


@pytest.fixture
def staff():
    """Three people in two departments and sites, in one or two of two systems."""
    sales, support = DepartmentFactory(name="Sales"), DepartmentFactory(name="Support")
    berlin, aachen = SiteFactory(name="Berlin"), SiteFactory(name="Aachen")
    biotime = VendorAccountFactory(name="HQ BioTime")
    doors = VendorAccountFactory(kind="biostar", name="Doors")
    hanna = PersonFactory(
        first_name="Hanna", last_name="Hinrichs", employee_code="00042", department=sales
    )
    ida = PersonFactory(
        first_name="Ida", last_name="Iversen", employee_code="00077", department=support
    )
    nina = PersonFactory(
        first_name="Nina",
        last_name="Nielsen",
        employee_code="00100",
        department=sales,
        status=Person.Status.TERMINATED,
        termination_date="2026-11-30",
    )
    hanna.sites.add(berlin)
    ida.sites.add(aachen)
    link_person_to(biotime, hanna, "1")
    link_person_to(biotime, ida, "2")
    link_person_to(doors, hanna, "7")
    return {
        "sales": sales,
        "support": support,
        "berlin": berlin,
        "biotime": biotime,
        "doors": doors,
        "hanna": hanna,
        "ida": ida,
        "nina": nina,
    }


def test_search_matches_name_code_and_email_parts(client_as, staff):
    client = client_as("hr")
    assert names(client.get(LIST, {"q": "hinr"})) == ["Hanna Hinrichs"]
    assert names(client.get(LIST, {"q": "00077"})) == ["Ida Iversen"]
    assert names(client.get(LIST, {"q": "nina.nielsen@"})) == ["Nina Nielsen"]
    assert names(client.get(LIST, {"q": "hanna hinrichs"})) == ["Hanna Hinrichs"]
    assert names(client.get(LIST, {"q": "0007"})) == ["Ida Iversen"]


def test_search_finds_a_code_of_letters_only_when_typed_whole(client_as):
    PersonFactory(first_name="Olaf", last_name="Otto", employee_code="ABC-X")
    client = client_as("hr")
    assert names(client.get(LIST, {"q": "abc-x"})) == ["Olaf Otto"]
    assert names(client.get(LIST, {"q": "olaf"})) == ["Olaf Otto"]


@pytest.mark.parametrize(
    "params,expected",
    [
        (lambda s: {"status": "terminated"}, ["Nina Nielsen"]),
        (lambda s: {"department": s["sales"].pk}, ["Hanna Hinrichs", "Nina Nielsen"]),
        (lambda s: {"site": s["berlin"].pk}, ["Hanna Hinrichs"]),
        (lambda s: {"system": f"in-{s['doors'].pk}"}, ["Hanna Hinrichs"]),
        (lambda s: {"system": f"not-in-{s['biotime'].pk}"}, ["Nina Nielsen"]),
        (
            lambda s: {"system": f"not-in-{s['doors'].pk}", "department": s["sales"].pk},
            ["Nina Nielsen"],
        ),
    ],
)
def test_filters(client_as, staff, params, expected):
    assert names(client_as("hr").get(LIST, params(staff))) == expected


def test_problem_filters_find_failed_pushes_drift_and_unmatched_candidates(client_as, staff):
    person_type = ContentType.objects.get_for_model(Person)
    OutboxMessage.objects.create(
        account=staff["biotime"],
        record_kind="person",
        action="update",
        content_type=person_type,
        object_id=staff["hanna"].pk,
        idempotency_key="k1",
        status=OutboxMessage.Status.FAILED,
        scheduled_for=timezone.now(),
    )
    PersonDrift.objects.create(
        person=staff["ida"], account=staff["biotime"], field="phone", vendor_value="0160"
    )
    entry = UnmatchedPerson.objects.create(
        account=staff["doors"], vendor_id="9", code="100", reason="ambiguous"
    )
    entry.candidates.add(staff["nina"])
    client = client_as("hr")
    assert names(client.get(LIST, {"problem": "failed"})) == ["Hanna Hinrichs"]
    assert names(client.get(LIST, {"problem": "drift"})) == ["Ida Iversen"]
    assert names(client.get(LIST, {"problem": "unmatched"})) == ["Nina Nielsen"]
    response = client.get(LIST, {"problem": "any"})
    assert names(response) == ["Hanna Hinrichs", "Ida Iversen", "Nina Nielsen"]
    assert "A change could not reach a system" in response.content.decode()


def test_rows_show_sites_and_systems(client_as, staff):
    html = client_as("hr").get(LIST, {"q": "hanna"}).content.decode()
    assert "<td>Berlin</td>" in html
    assert '<span class="badge">Doors</span> <span class="badge">HQ BioTime</span>' in html


@pytest.mark.parametrize(
    "sort,expected",
    [
        ("code", ["00042", "00077", "00100"]),
        ("-code", ["00100", "00077", "00042"]),
        ("department", ["00042", "00100", "00077"]),
        ("-status", ["00100", "00077", "00042"]),  # every column of the order reversed
        ("employee_code; DROP TABLE", ["00042", "00077", "00100"]),  # not whitelisted: by name
        ("--code", ["00042", "00077", "00100"]),
    ],
)
def test_sort_is_whitelisted(client_as, staff, sort, expected):
    response = client_as("hr").get(LIST, {"sort": sort})
    assert [p.employee_code for p in response.context["rows"]] == expected


def test_sorted_column_says_so_with_aria_sort_and_links_to_the_reverse(client_as, staff):
    html = client_as("hr").get(LIST, {"sort": "code", "q": "0"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-code&amp;q=0"' in html
    assert html.count('aria-sort="none"') == 3


def test_htmx_search_swaps_the_table_and_updates_count_sort_and_export_link(client_as, staff):
    html = client_as("hr").get(LIST, {"q": "0", "sort": "-name"}, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<div id="person-table">')
    assert '<form class="filters' not in html  # the search box (and its focus) stays put
    assert 'id="result-count"' in html and "3 people match" in html
    assert (
        '<input type="hidden" id="sort-field" name="sort" value="-name" hx-swap-oob="true">' in html
    )
    assert 'href="/people/export.csv?q=0&amp;sort=-name" hx-swap-oob="true">Export 3 as CSV' in html


def test_result_count_is_a_live_region(client_as, staff):
    html = client_as("hr").get(LIST, {"status": "active"}).content.decode()
    assert (
        'id="result-count" class="result-count" role="status" aria-live="polite">2 people match'
        in html
    )


def test_bad_filter_values_give_the_unfiltered_list(client_as, staff):
    response = client_as("hr").get(
        LIST, {"department": "99999999999999999999", "system": "in-x", "problem": "nope"}
    )
    assert response.status_code == 200 and len(response.context["rows"]) == 3


def test_directory_page_query_count_does_not_grow_with_people(
    client_as, staff, django_assert_max_num_queries
):
    client = client_as("hr")
    client.get(LIST)  # content types and the session are warm, as on a running server
    for n in range(60):
        person = PersonFactory(department=staff["sales"], employee_code=f"9{n:04d}")
        person.sites.add(staff["berlin"])
        link_person_to(staff["biotime"], person, f"x{n}")
    with django_assert_max_num_queries(10):
        response = client.get(LIST, {"department": staff["sales"].pk, "sort": "-department"})
    assert len(response.context["rows"]) == 50


# --- CSV export ---------------------------------------------------------------------------


def export_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_streams_the_filtered_sorted_list_and_is_audited(client_as, staff):
    response = client_as("hr").get(EXPORT, {"department": staff["sales"].pk, "sort": "-name"})
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    header, *rows = export_rows(response)
    assert header[:3] == ["Employee code", "First name", "Last name"]
    assert [(r[0], r[7], r[12]) for r in rows] == [
        ("00100", "", ""),
        ("00042", "Berlin", "Doors; HQ BioTime"),
    ]
    entry = AuditEntry.objects.get(action="people.exported")
    assert entry.after["rows"] == 2 and entry.actor_label == "hr"
    assert entry.after["filters"]["department"] == [str(staff["sales"].pk)]


def test_export_defuses_spreadsheet_formulas(client_as):
    PersonFactory(first_name='=HYPERLINK("http://evil")', last_name="@SUM(A1)")
    _, row = export_rows(client_as("hr").get(EXPORT))
    assert row[1] == '\'=HYPERLINK("http://evil")' and row[2] == "'@SUM(A1)"


@pytest.mark.parametrize("role", ["guard", "manager"])
def test_export_and_list_need_the_people_permission(client_as, role):
    client = client_as(role)
    assert client.get(EXPORT).status_code == 403
    assert client.get(LIST).status_code == 403
    assert not AuditEntry.objects.filter(action="people.exported").exists()


# --- bulk changes -------------------------------------------------------------------------


def test_bulk_change_asks_for_confirmation_first_and_changes_nothing(client_as, staff):
    response = client_as("hr").post(
        BULK,
        {
            "person": [staff["hanna"].pk, staff["ida"].pk],
            "action": "department",
            "department": staff["support"].pk,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Move 2 people to the department Support?" in html
    assert "Hanna Hinrichs" in html and "Ida Iversen" in html
    assert 'name="confirmed" value="True"' in html
    staff["hanna"].refresh_from_db()
    assert staff["hanna"].department == staff["sales"]
    assert not AuditEntry.objects.exists()


def test_confirmed_bulk_change_saves_each_person_like_a_page_edit(client_as, staff):
    response = client_as("hr").post(
        BULK,
        {
            "person": [staff["hanna"].pk, staff["ida"].pk],
            "action": "department",
            "department": staff["support"].pk,
            "confirmed": "True",
        },
    )
    html = response.content.decode()
    assert "Changed 1 of 2 people" in html
    results = {r.person.full_name: r.outcome for r in response.context["results"]}
    assert results == {"Hanna Hinrichs": "changed", "Ida Iversen": "unchanged"}
    staff["hanna"].refresh_from_db()
    assert staff["hanna"].department == staff["support"]
    change = AuditEntry.objects.get(action="person.changed")
    assert change.object_id == str(staff["hanna"].pk)
    assert change.before == {"department": staff["sales"].pk}
    assert change.after == {"department": staff["support"].pk}
    summary = AuditEntry.objects.get(action="people.bulk_changed")
    assert summary.after["changed"] == 1 and summary.after["people"] == 2
    # pushed like an edit: one message per system Hanna is in
    assert OutboxMessage.objects.filter(object_id=staff["hanna"].pk, action="update").count() == 2


def test_bulk_site_replaces_sites_and_manager_refuses_a_self_manager_per_row(client_as, staff):
    client = client_as("hr")
    client.post(
        BULK,
        {
            "person": [staff["ida"].pk],
            "action": "site",
            "site": staff["berlin"].pk,
            "confirmed": "True",
        },
    )
    assert list(staff["ida"].sites.all()) == [staff["berlin"]]
    response = client.post(
        BULK,
        {
            "person": [staff["hanna"].pk, staff["ida"].pk],
            "action": "manager",
            "manager_code": "00042",
            "confirmed": "True",
        },
    )
    results = {r.person.full_name: (r.outcome, r.message) for r in response.context["results"]}
    assert results["Hanna Hinrichs"] == ("refused", "A person cannot be their own manager.")
    assert results["Ida Iversen"][0] == "changed"
    staff["ida"].refresh_from_db()
    assert staff["ida"].manager == staff["hanna"]
    assert "1 not changed" in response.content.decode()


def test_bulk_manager_with_an_unknown_code_keeps_the_selection_and_says_why(client_as, staff):
    response = client_as("hr").post(
        BULK,
        {"person": [staff["ida"].pk], "action": "manager", "manager_code": "99999"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nobody has the employee code 99999. Check the code." in html
    assert 'value="99999"' in html  # what was typed stays
    assert f'name="person" value="{staff["ida"].pk}"' in html


@pytest.mark.parametrize(
    "forged",
    [
        {"person": ["abc"], "action": "department"},
        {"person": ["99999999999999999999999"], "action": "department"},
        {"person": ["123456"], "action": "department"},
        {"action": "department"},
        {"person": ["{ida}"], "action": "delete_everything"},
    ],
)
def test_forged_bulk_posts_change_nothing(client_as, staff, forged):
    data = {**forged, "department": staff["support"].pk, "confirmed": "True"}
    data["person"] = [str(v).format(ida=staff["ida"].pk) for v in data.get("person", [])]
    response = client_as("hr").post(BULK, data)
    assert response.status_code == 400
    assert not AuditEntry.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("role", ["guard", "manager", "security"])
def test_bulk_change_needs_the_hr_role(client_as, staff, role):
    response = client_as(role).post(
        BULK,
        {
            "person": [staff["ida"].pk],
            "action": "department",
            "department": staff["sales"].pk,
            "confirmed": "True",
        },
    )
    assert response.status_code == 403
    staff["ida"].refresh_from_db()
    assert staff["ida"].department == staff["support"]
    assert not AuditEntry.objects.exists()


def test_bulk_bar_and_checkboxes_only_for_those_who_may_change_people(client_as, staff):
    hr = client_as("hr").get(LIST).content.decode()
    assert 'id="bulk-form"' in hr and 'form="bulk-form"' in hr


def test_the_directory_filters_people_whose_offboarding_is_scheduled(client_as):
    from datetime import timedelta

    from django.utils import timezone

    from portal.people.models import Offboarding

    leaving, staying, cancelled = (
        PersonFactory(last_name=n) for n in ("Leaving", "Staying", "Cancelled")
    )
    later = timezone.now() + timedelta(days=3)
    Offboarding.objects.create(
        person=leaving, last_day=later.date(), reason="Moves", scheduled_for=later
    )
    Offboarding.objects.create(
        person=cancelled,
        last_day=later.date(),
        reason="Stays after all",
        scheduled_for=later,
        cancelled_at=timezone.now(),
    )

    html = client_as("hr").get("/people/", {"offboarding": "scheduled"}).content.decode()

    assert "Leaving" in html and "Staying" not in html and "Cancelled" not in html


@pytest.mark.parametrize("sort", ["name", "-name", "department", "-status", "code", "-code"])
def test_walking_every_page_of_a_sorted_filtered_list_shows_each_person_once(client_as, sort):
    """Given 130 active people sharing few names and departments (so the sort columns tie), the
    pages of a sorted, filtered list, front half and back half alike, show every match once."""
    sales, support = DepartmentFactory(name="Sales"), DepartmentFactory(name="Support")
    for n in range(130):
        PersonFactory(
            first_name=["Anna", "Ben"][n % 2],
            last_name=["Weber", "Meyer", "Koch"][n % 3],
            department=[sales, support][n % 2],
        )
    PersonFactory(status=Person.Status.TERMINATED, termination_date="2026-01-31")
    client = client_as("hr")

    seen = []
    for page in range(1, 4):
        response = client.get(LIST, {"status": "active", "sort": sort, "page": page})
        seen.extend(p.pk for p in response.context["rows"])

    expected = Person.objects.filter(status=Person.Status.ACTIVE)
    assert len(seen) == len(set(seen)) == 130
    assert set(seen) == set(expected.values_list("pk", flat=True))
    assert seen == [
        p.pk
        for p in client.get(LIST, {"status": "active", "sort": sort})
        .context["paginator"]
        .object_list
    ]  # the same order as the whole list, read in one go


@pytest.mark.parametrize("sort", ["name", "-name", "status", "-status", "code", "-code"])
def test_a_searchs_pages_list_its_matches_in_the_order_of_the_whole_list(client_as, sort):
    """A search sorts its matches by an expression (so the database does not walk a sort index
    looking for them): front and back half, the same order as the unsearched list."""
    for n in range(130):
        PersonFactory(
            first_name=["Anna", "Ben"][n % 2],
            last_name=["Weber", "Wendt", "Koch"][n % 3],
            status=Person.Status.ACTIVE if n % 5 else Person.Status.TERMINATED,
            termination_date=None if n % 5 else "2026-01-31",
            hire_date=None if n % 7 == 0 else f"2020-01-{n % 28 + 1:02d}",
        )
    client = client_as("hr")

    first = client.get(LIST, {"q": "we", "sort": sort})
    seen = [p.pk for p in first.context["rows"]]
    for page in range(2, first.context["paginator"].num_pages + 1):
        response = client.get(LIST, {"q": "we", "sort": sort, "page": page})
        seen.extend(p.pk for p in response.context["rows"])

    matches = set(
        Person.objects.filter(last_name__in=["Weber", "Wendt"]).values_list("pk", flat=True)
    )
    whole = client.get(LIST, {"sort": sort}).context["paginator"].object_list
    assert len(seen) == len(matches) == 87
    assert seen == [p.pk for p in whole if p.pk in matches]


def test_a_searchs_count_and_page_come_from_one_query(client_as, staff):
    """A search's matches are gathered once for its count and its page (a list without a
    search counts apart); a page past the last, or no page number, is answered as before."""
    for n in range(57):
        PersonFactory(last_name="Weber" if n % 3 else "Koch", employee_code=f"8{n:04d}")
    client = client_as("hr")
    client.get(LIST)  # content types and the session are warm, as on a running server
    partial = {"HX-Request": "true"}
    with CaptureQueriesContext(connection) as unsearched:
        client.get(LIST, {"status": "active"}, headers=partial)
    with CaptureQueriesContext(connection) as counted_with_page:
        searched = client.get(LIST, {"q": "web", "page": "1"}, headers=partial)
    assert len(counted_with_page) == len(unsearched) - 1
    assert searched.context["result_count"] == 38
    assert len(searched.context["rows"]) == 38
    assert all(person.last_name == "Weber" for person in searched.context["rows"])
    assert client.get(LIST, {"q": "web", "page": "2"}).status_code == 404
    assert client.get(LIST, {"q": "web", "page": "0"}).status_code == 404
    assert client.get(LIST, {"q": "web", "page": "99999999999999999999"}).status_code == 404
    assert client.get(LIST, {"q": "web", "page": "last"}).context["result_count"] == 38
