"""The Zeitstrom simulator behaves like the vendor's DRF server, over HTTP through
``sim.client()``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import build_company
from connectors.simkit.serve import serve
from connectors.zeitstrom.simulator import ZeitstromQuirks, ZeitstromSimulator
from connectors.zeitstrom.simulator.records import Employee

EMPLOYEES = "/api/v2/employees/employees/"
APP_TIMESTAMPS = "/api/v2/devices/app-timestamps/"
TIMESPANS = "/api/v2/timestamps/timespans/"
EVERY_DAY = {"daterange": "2000-01-01|2099-12-31", "verbosity": "detail"}
EVERY_DAY_QUERY = "daterange=2000-01-01|2099-12-31&verbosity=detail"
COMPACT_KEYS = {
    "id", "checkin_time", "checkout_time", "project_id", "employee_comment", "tag_assignments",
}  # fmt: skip
DOC_EMPLOYEE = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"  # the document's example id
WEDNESDAY_MORNING = datetime(2030, 3, 13, 9, 30, tzinfo=UTC)
CHECKOUT_BEFORE_CHECKIN = {
    "non_field_errors": ["The checkout time must be after the checkin time."]
}


@pytest.fixture
def clock():
    return SimClock(WEDNESDAY_MORNING, frozen=True)


@pytest.fixture
def sim(clock):
    sim = ZeitstromSimulator.demo(clock=clock)
    created = clock.now() - timedelta(days=400)
    sim.add_employee(
        Employee(DOC_EMPLOYEE, created, created, "Elon", "Musk", "elon@example.com", None, "12345")
    )
    return sim


@pytest.fixture
def api(sim):
    with sim.client(headers={"Authorization": f"Token {sim.token}"}) as client:
        yield client


def post_stamp(api, intent, when, employee_id=DOC_EMPLOYEE):
    body = {"intent": intent, "employee_id": employee_id, "time": when}
    return api.post(APP_TIMESTAMPS, json=body)


def collect(api, url):
    """Follow ``next`` links to the end, returning every result."""
    rows = []
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


# -- the document's own examples --------------------------------------------------------------
def test_doc_checkin_example_opens_a_timespan_with_null_checkout(api):
    response = post_stamp(api, "checkin", "2024-06-20T08:00:00Z")

    assert response.status_code == 201
    stamp = response.json()
    assert stamp["intent"] == "checkin" and stamp["employee_id"] == DOC_EMPLOYEE
    assert stamp["time"] == "2024-06-20T10:00:00+02:00"  # the same instant in the server's zone
    span = api.get(f"{TIMESPANS}{stamp['timespan_id']}/").json()
    assert span["checkout_time"] is None and span["duration"] is None


def test_doc_checkout_example_closes_the_timespan_with_duration_in_seconds(api):
    post_stamp(api, "checkin", "2024-06-20T08:00:00Z")

    response = post_stamp(api, "checkout", "2024-06-20T17:00:00Z")

    assert response.status_code == 201
    span = api.get(f"{TIMESPANS}{response.json()['timespan_id']}/").json()
    assert span["duration"] == 9 * 3600
    assert span["checkout_time"] == "2024-06-20T19:00:00+02:00"


# -- check-in/check-out rules -----------------------------------------------------------------
def test_checkout_before_checkin_is_a_non_field_error(api):
    post_stamp(api, "checkin", "2024-06-20T08:00:00Z")

    response = post_stamp(api, "checkout", "2024-06-20T07:00:00Z")

    assert response.status_code == 400
    assert response.json() == CHECKOUT_BEFORE_CHECKIN


def test_checking_in_twice_is_refused(api):
    post_stamp(api, "checkin", "2024-06-20T08:00:00Z")

    response = post_stamp(api, "checkin", "2024-06-20T09:00:00Z")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The employee is already checked in."]}


def test_checking_out_when_not_checked_in_is_refused(api):
    response = post_stamp(api, "checkout", "2024-06-20T17:00:00Z")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The employee is not checked in."]}


def test_checkin_inside_an_earlier_timespan_is_refused(api):
    post_stamp(api, "checkin", "2024-06-20T08:00:00Z")
    post_stamp(api, "checkout", "2024-06-20T17:00:00Z")

    response = post_stamp(api, "checkin", "2024-06-20T12:00:00Z")

    assert response.status_code == 400
    assert "overlaps" in response.json()["non_field_errors"][0]


def test_missing_fields_are_listed_per_field(api):
    response = api.post(APP_TIMESTAMPS, json={})

    assert response.status_code == 400
    assert response.json() == {
        "intent": ["This field is required."],
        "employee_id": ["This field is required."],
        "time": ["This field is required."],
    }


def test_invalid_values_get_drf_messages(api):
    body = {"intent": "pause", "employee_id": "42", "time": "noon"}

    response = api.post(APP_TIMESTAMPS, json=body)

    errors = response.json()
    assert response.status_code == 400
    assert errors["intent"] == ['"pause" is not a valid choice.']
    assert errors["employee_id"] == ["Must be a valid UUID."]
    assert errors["time"][0].startswith("Datetime has wrong format.")


def test_unknown_employee_is_an_invalid_pk(api):
    unknown = "00000000-0000-4000-8000-000000000000"

    response = post_stamp(api, "checkin", "2024-06-20T08:00:00Z", employee_id=unknown)

    assert response.json() == {"employee_id": [f'Invalid pk "{unknown}" - object does not exist.']}


def test_archived_employee_cannot_check_in(sim, api):
    archived = next(e for e in sim.employees.values() if e.archived_at is not None)

    response = post_stamp(api, "checkin", "2030-03-13T08:00:00Z", employee_id=archived.id)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The employee is archived."]}


def test_form_encoded_body_is_accepted_like_drf(api):
    form = {"intent": "checkin", "employee_id": DOC_EMPLOYEE, "time": "2024-06-20T08:00:00Z"}

    response = api.post(APP_TIMESTAMPS, data=form)

    assert response.status_code == 201


def test_broken_json_unsupported_media_and_wrong_method(api):
    broken = api.post(APP_TIMESTAMPS, content=b"{", headers={"Content-Type": "application/json"})
    text = api.post(APP_TIMESTAMPS, content=b"hello", headers={"Content-Type": "text/plain"})
    listing = api.get(APP_TIMESTAMPS)

    assert broken.status_code == 400 and broken.json()["detail"].startswith("JSON parse error")
    assert text.status_code == 415
    assert text.json() == {"detail": 'Unsupported media type "text/plain" in request.'}
    assert listing.status_code == 405 and listing.json() == {"detail": 'Method "GET" not allowed.'}


# -- auth -------------------------------------------------------------------------------------
def test_missing_header_and_bearer_are_both_unauthenticated(sim):
    with sim.client() as anonymous:
        missing = anonymous.get(EMPLOYEES)
        bearer = anonymous.get(EMPLOYEES, headers={"Authorization": f"Bearer {sim.token}"})

    for response in (missing, bearer):
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}
        assert response.headers["WWW-Authenticate"] == "Token"


def test_wrong_token_is_invalid_token(sim):
    with sim.client(headers={"Authorization": "Token nope"}) as client:
        response = client.get(EMPLOYEES)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_rotated_token_revokes_the_old_one(sim, api):
    assert api.get(EMPLOYEES).status_code == 200

    new_token = sim.rotate_token()

    assert api.get(EMPLOYEES).json() == {"detail": "Invalid token."}
    assert api.get(EMPLOYEES, headers={"Authorization": f"Token {new_token}"}).status_code == 200
    assert sim.credentials() == {"token": new_token}


# -- employees --------------------------------------------------------------------------------
def test_employee_list_default_page_holds_everyone_with_documented_fields(sim, api):
    body = api.get(EMPLOYEES).json()

    assert body["count"] == len(sim.employees) and body["next"] is None and body["previous"] is None
    assert len(body["results"]) == len(sim.employees)  # default limit 100 > 63
    assert set(body["results"][0]) == {
        "id",
        "created_at",
        "modified_at",
        "first_name",
        "last_name",
        "email",
        "external_id",
        "accounting_number",
        "archived_at",
    }


def test_paging_with_limit_and_offset_reaches_every_employee_once(sim, api):
    first = api.get(EMPLOYEES, params={"limit": 25}).json()
    second = api.get(first["next"]).json()

    rows = collect(api, f"{EMPLOYEES}?limit=25")

    assert first["next"].endswith("?limit=25&offset=25")
    assert second["previous"].endswith(f"{EMPLOYEES}?limit=25")  # offset dropped, as DRF does
    assert len({row["id"] for row in rows}) == len(rows) == len(sim.employees)


def test_demo_employees_match_the_demo_company(sim, api):
    rows = [r for r in collect(api, EMPLOYEES) if r["id"] != DOC_EMPLOYEE]
    people = {p.seen_by("zeitstrom")["code"]: p for p in build_company().people_in("zeitstrom")}

    assert {r["accounting_number"] for r in rows} == set(people)
    assert any(r["external_id"] for r in rows) and any(r["external_id"] is None for r in rows)
    assert 0 < sum(r["archived_at"] is not None for r in rows) < 10
    sample = rows[0]
    assert sample["email"] == people[sample["accounting_number"]].email


def test_employee_filters_by_accounting_number_and_archived(sim, api):
    code = next(iter(sim.employees.values())).accounting_number

    found = api.get(EMPLOYEES, params={"accounting_number": code}).json()
    archived = api.get(EMPLOYEES, params={"archived": "true"}).json()

    assert [r["accounting_number"] for r in found["results"]] == [code]
    assert archived["count"] > 0 and all(r["archived_at"] for r in archived["results"])


def test_get_employee_by_uuid_and_unknown_is_not_found(api):
    assert api.get(f"{EMPLOYEES}{DOC_EMPLOYEE}/").json()["accounting_number"] == "12345"
    missing = api.get(f"{EMPLOYEES}00000000-0000-4000-8000-000000000000/")
    garbage = api.get(f"{EMPLOYEES}not-a-uuid/")

    assert missing.status_code == garbage.status_code == 404
    assert missing.json() == {"detail": "Not found."}


def test_employee_checkin_and_checkout_actions_by_id(api, clock):
    checkin = api.post(f"{EMPLOYEES}{DOC_EMPLOYEE}/checkin/")
    clock.advance(timedelta(hours=8))
    checkout = api.post(f"{EMPLOYEES}{DOC_EMPLOYEE}/checkout/", json={})

    assert checkin.status_code == 200 and checkin.json()["checkout_time"] is None
    assert checkout.json()["id"] == checkin.json()["id"]
    assert checkout.json()["duration"] == 8 * 3600


# -- slashes and unknown paths ----------------------------------------------------------------
def test_missing_trailing_slash_redirects_like_django(api):
    response = api.get("/api/v2/employees/employees?limit=5")

    assert response.status_code == 301
    assert response.headers["Location"] == "/api/v2/employees/employees/?limit=5"


def test_slash_redirect_can_be_switched_off(sim, api):
    sim.quirks.append_slash_redirect = False

    response = api.get("/api/v2/employees/employees")

    assert response.status_code == 404 and "text/html" in response.headers["Content-Type"]


def test_unknown_path_answers_djangos_html_404_even_without_auth(sim):
    with sim.client() as anonymous:
        response = anonymous.get("/api/v2/nothing/here/")

    assert response.status_code == 404
    assert "<h1>Not Found</h1>" in response.text


# -- rate limit -------------------------------------------------------------------------------
def test_requests_over_the_rate_limit_get_429_until_the_window_passes(sim, api, clock):
    sim.rate_limit = (5, 60)
    statuses = [api.get(EMPLOYEES).status_code for _ in range(6)]
    throttled = api.get(EMPLOYEES)

    clock.advance(61)

    assert statuses == [200] * 5 + [429]
    assert throttled.json()["detail"].startswith("Request was throttled. Expected available in")
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert api.get(EMPLOYEES).status_code == 200


# -- timespans --------------------------------------------------------------------------------
def test_timespan_create_list_update_delete_round_trip(api):
    created = api.post(
        TIMESPANS, json={"employee_id": DOC_EMPLOYEE, "checkin_time": "2030-03-01T08:00:00+01:00"}
    )
    span_id = created.json()["id"]

    listed = api.get(TIMESPANS, params={"employee_ids": DOC_EMPLOYEE, **EVERY_DAY}).json()
    updated = api.patch(
        f"{TIMESPANS}{span_id}/", json={"checkout_time": "2030-03-01T16:30:00+01:00"}
    )
    deleted = api.delete(f"{TIMESPANS}{span_id}/")

    assert created.status_code == 201 and created.json()["source"] == "web"
    assert [row["id"] for row in listed["results"]] == [span_id]
    assert updated.json()["duration"] == int(8.5 * 3600)
    assert deleted.status_code == 204
    assert api.get(f"{TIMESPANS}{span_id}/").status_code == 404


def test_timespan_update_refuses_checkout_before_checkin(api):
    span_id = api.post(
        TIMESPANS, json={"employee_id": DOC_EMPLOYEE, "checkin_time": "2030-03-01T08:00:00Z"}
    ).json()["id"]

    response = api.patch(f"{TIMESPANS}{span_id}/", json={"checkout_time": "2030-03-01T07:00:00Z"})

    assert response.json() == CHECKOUT_BEFORE_CHECKIN


def test_timespans_list_by_daterange_employees_and_verbosity(api, clock):
    day = api.get(TIMESPANS, params={"daterange": "2030-03-11|2030-03-11"}).json()
    whose = day["results"][0]["id"]
    detail = api.get(
        TIMESPANS, params={"daterange": "2030-03-11|2030-03-11", "verbosity": "detail"}
    ).json()
    two = {r["employee_id"] for r in detail["results"][:2]}
    mine = api.get(
        TIMESPANS,
        params={"daterange": "2030-03-11|2030-03-12", "employee_ids": "|".join(two)},
    ).json()
    durations = api.get(
        TIMESPANS, params={"daterange": "2030-03-11|2030-03-11", "verbosity": "duration"}
    ).json()
    missing = api.get(TIMESPANS)
    bad = api.get(TIMESPANS, params={"daterange": "yesterday"})

    assert day["count"] > 10 and all(set(r) == COMPACT_KEYS for r in day["results"])
    assert all(row["checkin_time"].startswith("2030-03-11") for row in day["results"])
    assert detail["results"][0]["id"] == whose and detail["results"][0]["employee_id"]
    assert 2 <= mine["count"] <= 4 and all(set(r) == COMPACT_KEYS for r in mine["results"])
    assert all(set(r) == COMPACT_KEYS | {"duration"} for r in durations["results"])
    assert missing.status_code == bad.status_code == 400 and "daterange" in bad.json()


def test_the_old_timespans_path_does_not_exist(api):
    response = api.get("/api/v2/timespans/timespans/", params=EVERY_DAY)

    assert response.status_code == 404 and "text/html" in response.headers["content-type"]


def test_envelope_without_links_and_detail_without_employee_quirks(sim, api):
    sim.quirks.envelope_without_links = True
    sim.quirks.detail_without_employee = True

    page = api.get(TIMESPANS, params={"limit": 5, **EVERY_DAY}).json()
    people = api.get(EMPLOYEES, params={"limit": 5}).json()

    assert set(page) == set(people) == {"count", "results"}
    assert page["count"] > 5 and "employee_id" not in page["results"][0]


# -- quirks -----------------------------------------------------------------------------------
def test_utc_rendering_when_local_offsets_are_off(sim, api):
    sim.quirks.local_time_offsets = False

    stamp = post_stamp(api, "checkin", "2024-06-20T10:00:00+02:00").json()

    assert stamp["time"] == "2024-06-20T08:00:00Z"


def test_archived_employees_can_be_hidden_from_the_list(sim, api):
    everyone = api.get(EMPLOYEES).json()["count"]
    sim.quirks = ZeitstromQuirks(archived_in_list=False)

    rows = api.get(EMPLOYEES).json()["results"]

    assert len(rows) < everyone and all(r["archived_at"] is None for r in rows)


def test_naive_input_time_is_read_in_the_server_zone(api):
    stamp = post_stamp(api, "checkin", "2024-01-15T08:00:00").json()

    assert stamp["time"] == "2024-01-15T08:00:00+01:00"


# -- faults -----------------------------------------------------------------------------------
def test_throttle_fault_answers_429_with_retry_after(sim, api):
    sim.vendor_faults.throttle_next = 1
    sim.vendor_faults.throttle_wait = 7

    throttled = api.get(EMPLOYEES)

    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    assert api.get(EMPLOYEES).status_code == 200


def test_html_error_fault_answers_djangos_500_page(sim, api):
    sim.vendor_faults.html_error_next = 1

    response = api.get(EMPLOYEES)

    assert response.status_code == 500 and "Server Error (500)" in response.text
    assert api.get(EMPLOYEES).status_code == 200


def test_row_vanishing_mid_paging_makes_offset_paging_skip_one(sim, api):
    total = len(sim.employees)
    sim.vendor_faults.row_vanishes_after_page = True

    rows = collect(api, f"{EMPLOYEES}?limit=20")

    seen = {row["id"] for row in rows}
    assert len(sim.employees) == total - 1  # the first row was deleted after page one
    assert len(set(sim.employees) - seen) == 1  # and a surviving row was never served


def test_kit_faults_503_and_dropped_connection(sim, api):
    sim.faults.error_burst = 1
    assert api.get(EMPLOYEES).status_code == 503
    sim.faults.drops = 1
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(EMPLOYEES)
    assert api.get(EMPLOYEES).status_code == 200


# -- the simulated world ----------------------------------------------------------------------
def test_demo_has_thirty_days_of_weekday_history_and_people_checked_in_now(sim, api, clock):
    rows = collect(api, f"{TIMESPANS}?limit=1000&{EVERY_DAY_QUERY}")
    checkins = [datetime.fromisoformat(r["checkin_time"]) for r in rows]
    open_rows = [r for r in rows if r["checkout_time"] is None]

    assert len(rows) > 500
    assert min(checkins) >= clock.now() - timedelta(days=30)
    assert sum(c.weekday() < 5 for c in checkins) / len(checkins) > 0.9
    assert open_rows and all(r["duration"] is None for r in open_rows)
    closed = next(r for r in rows if r["checkout_time"])
    checkin = datetime.fromisoformat(closed["checkin_time"])
    worked = datetime.fromisoformat(closed["checkout_time"]) - checkin
    assert closed["duration"] == worked.total_seconds()


def test_clock_moving_on_produces_new_check_ins_and_check_outs(sim, api, clock):
    before = api.get(TIMESPANS, params=EVERY_DAY).json()["count"]

    clock.advance(timedelta(days=3))
    rows = collect(api, f"{TIMESPANS}?limit=1000&daterange=2030-03-13|2030-03-16&verbosity=detail")

    assert api.get(TIMESPANS, params=EVERY_DAY).json()["count"] > before
    assert any(r["source"] == "terminal" and r["checkout_time"] for r in rows)


def test_large_pages_a_million_timespans(clock):
    sim = ZeitstromSimulator.large(employees=500, timespans=1_000_000, clock=clock)
    employee_id = next(iter(sim.employees))
    with sim.client(headers={"Authorization": f"Token {sim.token}"}) as api:
        whole = api.get(TIMESPANS, params={"limit": 5000, **EVERY_DAY}).json()
        last = api.get(TIMESPANS, params={"limit": 1000, "offset": 999_500, **EVERY_DAY}).json()
        mine = api.get(
            TIMESPANS, params={"employee_ids": employee_id, "limit": 1000, **EVERY_DAY}
        ).json()
        last_day = last["results"][0]["checkin_time"][:10]
        window = api.get(
            TIMESPANS,
            params={"daterange": f"{last_day}|{last_day}", "limit": 1000, "verbosity": "detail"},
        ).json()
        detail = api.get(f"{TIMESPANS}{last['results'][0]['id']}/").json()
        refused = api.delete(f"{TIMESPANS}{detail['id']}/")

    assert whole["count"] == 1_000_000 and len(whole["results"]) == 1000  # max limit 1000
    assert len(last["results"]) == 500 and last["next"] is None
    assert mine["count"] == 2000 and {r["employee_id"] for r in mine["results"]} == {employee_id}
    assert window["count"] == 500 and window["results"][0] == last["results"][0]
    assert detail == last["results"][0]
    assert refused.status_code == 403


def test_served_on_loopback(sim):
    running = serve(sim)
    try:
        auth = {"Authorization": f"Token {sim.token}"}
        with httpx.Client(base_url=running.base_url, headers=auth) as client:
            response = client.get(EMPLOYEES, params={"limit": 3})
    finally:
        running.server.shutdown()

    assert response.status_code == 200
    assert response.json()["next"].startswith(running.base_url)
