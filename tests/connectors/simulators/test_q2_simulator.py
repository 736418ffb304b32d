"""The OpenTimeClock Q2 simulator behaves like the vendor's one-URL API, over HTTP through
``sim.client()``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from connectors.q2.simulator import Q2Quirks, Q2Simulator
from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import build_company
from connectors.simkit.serve import serve

URL = "/Jun-Inside-VPC"
WEDNESDAY_MORNING = datetime(2030, 3, 13, 9, 30, tzinfo=UTC)  # 10:30 in Berlin
DOC_TIME_CARD_COLUMNS = {
    "userFullName", "firstName", "lastName", "employeeNumber", "userName", "digitId",
    "inDateTime", "outDateTime", "hours", "entryType", "adjustHoursAmount", "jobName", "ptoName",
    "adjustTypeName", "shiftName", "employeeNote", "employeeNoteDateTime", "employeeNoteIsRead",
    "managerComment", "managerCommentDateTime", "managerCommentManagerFullName",
    "managerCommentIsRead", "inIp", "outIp", "inDeviceId", "outDeviceId", "inWifiId", "outWifiId",
    "inLatitude", "inLongitude", "outLatitude", "outLongitude", "entranceIn", "entranceOut",
    "approvedByEmployee", "approvedManagerFullName", "updateDateTime", "createdDateTime",
}  # fmt: skip
NOT_OUT = "0000-00-00 00:00:00"
EVERY_DAY = {"dateTimeFrom": "", "dateTimeTo": ""}
DOC_USER_COLUMNS = {
    "userFullName", "userName", "digitId", "employeeNumber", "email", "mobilePhone", "role",
    "updatedDateTime", "createdDateTime", "overTimeRule", "departmentName", "hiredDate",
    "fullPartTime", "rateType", "payRate", "timeZone", "pointOfContact", "dateOfBirth", "memo",
}  # fmt: skip


@pytest.fixture
def clock():
    return SimClock(WEDNESDAY_MORNING, frozen=True)


@pytest.fixture
def sim(clock):
    return Q2Simulator.demo(clock=clock)


@pytest.fixture
def api(sim):
    with sim.client() as client:
        yield client


def time_cards_request(sim, **overrides):
    """The document's jQuery example, with this company's credentials."""
    body = {
        "cmd": "api/q2QueryTimeCards",
        "companyId": sim.company_id,
        "developerToken": sim.developer_token,
        "nextRecord": "0",
        "dateTimeFrom": "2030-02-01 00:00:00",
        "dateTimeTo": "2030-03-31 23:59:59",
        "userFullName": "ALL USERS",
        "departmentName": "ALL DEPARTMENTS",
        "maxRecords": "5000",
        "returnColumns": "",
    }
    body.update(overrides)
    return body


def users_request(sim, **overrides):
    body = {
        "cmd": "api/q2QueryUsers",
        "companyId": sim.company_id,
        "developerToken": sim.developer_token,
        "nextRecord": "0",
        "createdDateTimeFrom": "",
        "createdDateTimeTo": "",
        "updatedDateTimeFrom": "",
        "updatedDateTimeTo": "",
        "userFullName": "ALL USERS",
        "departmentName": "ALL DEPARTMENTS",
        "role": "ALL ROLES",
    }
    body.update(overrides)
    return body


def call(api, body):
    """POST the parameters as JSON text, the way the document's PHP sample does."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    response = api.post(URL, content=json.dumps(body), headers=headers)
    assert response.status_code == 200
    return response.json()


def cards(api, sim, **overrides):
    """The data of one time-cards call that must succeed."""
    answer = call(api, time_cards_request(sim, **overrides))
    assert answer["statusCode"] == "SUCCESS", answer["message"]
    return answer["data"]


def local_text(moment, zone):
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def read_all(api, body):
    """Follow ``nextRecord`` from "0" until "-1"; return (rows, number of calls)."""
    rows, calls, cursor = [], 0, "0"
    while cursor != "-1":
        answer = call(api, {**body, "nextRecord": cursor})
        assert answer["statusCode"] == "SUCCESS", answer["message"]
        rows += answer["data"]
        cursor = answer["nextRecord"]
        calls += 1
    return rows, calls


# -- the document's own examples --------------------------------------------------------------
def test_doc_json_example_returns_every_column_as_strings(sim, api):
    answer = call(api, time_cards_request(sim))

    assert (answer["statusCode"], answer["message"], answer["nextRecord"]) == ("SUCCESS", "", "-1")
    assert len(answer["data"]) > 500
    for row in answer["data"]:
        assert set(row) == DOC_TIME_CARD_COLUMNS
        assert all(isinstance(value, str) for value in row.values())


def test_doc_url_example_with_parameters_in_the_query(sim, api):
    params = time_cards_request(sim, maxRecords="10")

    answer = api.get(URL, params=params).json()

    assert answer["statusCode"] == "SUCCESS" and len(answer["data"]) == 10
    assert answer["nextRecord"] == "10"


def test_jquery_post_sends_json_text_labelled_as_a_form_and_is_understood(sim, api):
    response = api.post(
        URL,
        content=json.dumps(time_cards_request(sim, maxRecords="1")),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )

    assert response.json()["statusCode"] == "SUCCESS"


def test_doc_users_example_returns_documented_fields(sim, api):
    answer = call(api, users_request(sim, role=""))

    assert answer["statusCode"] == "SUCCESS" and answer["nextRecord"] == "-1"
    assert len(answer["data"]) == len(build_company().people_in("q2"))
    for row in answer["data"]:
        assert set(row) == DOC_USER_COLUMNS and all(isinstance(v, str) for v in row.values())


# -- credentials and commands -----------------------------------------------------------------
def test_unknown_company_is_an_error_with_http_200(sim, api):
    answer = call(api, time_cards_request(sim, companyId="99999"))

    assert answer == {
        "statusCode": "ERROR",
        "message": "Company ID not found.",
        "nextRecord": "-1",
        "data": [],
    }


def test_wrong_developer_token_is_an_error(sim, api):
    answer = call(api, time_cards_request(sim, developerToken="guess"))

    assert answer["statusCode"] == "ERROR"
    assert answer["message"] == "Developer token is not correct."


def test_rotated_token_makes_the_old_one_incorrect(sim, api):
    old = sim.developer_token

    new = sim.rotate_token()

    refused = call(api, time_cards_request(sim, developerToken=old))
    assert refused["message"] == "Developer token is not correct."
    assert call(api, time_cards_request(sim, developerToken=new))["statusCode"] == "SUCCESS"
    assert sim.credentials() == {"company_id": sim.company_id, "developer_token": new}


def test_unknown_command_is_an_error(sim, api):
    answer = call(api, time_cards_request(sim, cmd="api/q2AddTimeCard"))

    assert answer["statusCode"] == "ERROR" and answer["message"] == "Command not found."


def test_numbers_sent_instead_of_strings_are_read_as_text(sim, api):
    answer = call(api, time_cards_request(sim, nextRecord=0, maxRecords=2))

    assert answer["statusCode"] == "SUCCESS" and answer["nextRecord"] == "2"


def test_other_paths_and_methods_get_the_api_gateways_403(api):
    for response in (api.get("/"), api.post(URL + "/"), api.put(URL), api.get("/q2/api")):
        assert response.status_code == 403
        assert response.json() == {"message": "Missing Authentication Token"}


# -- paging -----------------------------------------------------------------------------------
def test_paging_from_zero_to_minus_one_returns_every_card_once(sim, api):
    everything = call(api, time_cards_request(sim))["data"]

    rows, calls = read_all(api, time_cards_request(sim, maxRecords="100"))

    assert rows == everything
    assert calls >= len(everything) // 100
    keys = {(r["userName"], r["inDateTime"], r["entryType"]) for r in rows}
    assert len(keys) == len(rows)


def test_exactly_full_last_page_is_followed_by_an_empty_one(sim, api):
    total = len(call(api, time_cards_request(sim))["data"])

    first = call(api, time_cards_request(sim, maxRecords=str(total)))
    after = call(
        api, time_cards_request(sim, maxRecords=str(total), nextRecord=first["nextRecord"])
    )

    assert first["nextRecord"] == str(total)
    assert after == {"statusCode": "SUCCESS", "message": "", "nextRecord": "-1", "data": []}


def test_exactly_full_last_page_ends_at_once_when_the_quirk_is_off(sim, api):
    sim.quirks.extra_empty_page = False
    total = len(call(api, time_cards_request(sim))["data"])

    answer = call(api, time_cards_request(sim, maxRecords=str(total)))

    assert answer["nextRecord"] == "-1" and len(answer["data"]) == total


def test_next_record_minus_one_or_garbage(sim, api):
    done = call(api, time_cards_request(sim, nextRecord="-1"))
    garbage = call(api, time_cards_request(sim, nextRecord="page2"))

    assert done["data"] == [] and done["nextRecord"] == "-1" and done["statusCode"] == "SUCCESS"
    assert garbage["statusCode"] == "ERROR" and garbage["message"] == "nextRecord is not correct."


def test_max_records_is_capped_at_5000(clock):
    sim = Q2Simulator.large(time_cards=12_000, users=40, clock=clock)
    with sim.client() as api:
        answer = call(api, time_cards_request(sim, **EVERY_DAY, maxRecords="20000"))
        default = call(api, time_cards_request(sim, **EVERY_DAY, maxRecords=""))

    assert len(answer["data"]) == len(default["data"]) == 5000 and answer["nextRecord"] == "5000"


# -- filters ----------------------------------------------------------------------------------
def test_all_spellings_mean_everyone(sim, api):
    spelled = cards(api, sim)
    empty = cards(api, sim, userFullName="", departmentName="")

    assert spelled == empty


def test_user_full_name_filter_and_unknown_name(sim, api):
    name = sim.users[1].full_name

    mine = cards(api, sim, userFullName=name.upper())
    unknown = call(api, time_cards_request(sim, userFullName="Elon Musk"))

    assert mine and {r["userFullName"] for r in mine} == {name}
    assert unknown["statusCode"] == "ERROR" and unknown["message"] == "User Full Name not found."


def test_department_filter_and_unknown_department(sim, api):
    rows = cards(api, sim, departmentName="Warehouse")
    unknown = call(api, time_cards_request(sim, departmentName="HR Department"))
    warehouse = {u.full_name for u in sim.users if u.department == "Warehouse"}

    assert rows and {r["userFullName"] for r in rows} <= warehouse
    assert unknown["message"] == "Department Name not found."


def test_date_window_filters_on_clock_in_time(sim, api):
    rows = cards(api, sim, dateTimeFrom="2030-03-11 00:00:00", dateTimeTo="2030-03-11 23:59:59")
    bad = call(api, time_cards_request(sim, dateTimeFrom="11.03.2030"))

    assert rows and all(r["inDateTime"].startswith("2030-03-11") for r in rows)
    assert bad["statusCode"] == "ERROR"
    assert bad["message"].startswith("Date time format is not correct")


def test_return_columns_limits_the_fields(sim, api):
    rows = cards(api, sim, returnColumns="$userFullName$employeeNumber$inDateTime")
    every = call(api, time_cards_request(sim, returnColumns="ALL COLUMNS", maxRecords="1"))["data"]

    assert all(list(r) == ["userFullName", "employeeNumber", "inDateTime"] for r in rows)
    assert set(every[0]) == DOC_TIME_CARD_COLUMNS


def test_users_filter_by_role_and_unknown_role(sim, api):
    managers = call(api, users_request(sim, role="Manager"))["data"]
    unknown = call(api, users_request(sim, role="Owner"))

    assert managers and {u["role"] for u in managers} == {"Manager"}
    assert unknown["statusCode"] == "ERROR" and unknown["message"] == "Role not found."


def test_users_filter_by_updated_window_in_server_time(sim, api):
    everyone = call(api, users_request(sim))["data"]
    cut = sorted(u["updatedDateTime"] for u in everyone)[len(everyone) // 2]

    recent = call(api, users_request(sim, updatedDateTimeFrom=cut))["data"]

    assert 0 < len(recent) < len(everyone) and all(u["updatedDateTime"] >= cut for u in recent)


# -- what the cards say -----------------------------------------------------------------------
def test_people_clocked_in_now_have_the_zero_out_time(sim, api, clock):
    rows = cards(api, sim, dateTimeFrom="2030-03-13 00:00:00")
    open_jobs = [r for r in rows if r["entryType"] == "0" and r["outDateTime"] == NOT_OUT]
    berlin_now = clock.now().astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M:%S")

    assert len(open_jobs) > 10
    assert all("2030-03-13 06:00:00" <= r["inDateTime"] <= berlin_now for r in open_jobs)


def test_entry_types_pto_and_adjustments(sim, api):
    rows = call(api, time_cards_request(sim))["data"]
    by_type = {t: [r for r in rows if r["entryType"] == t] for t in "0123"}

    assert all(by_type[t] for t in "0123")
    assert all(r["hours"] == "8.000" and r["ptoName"] for r in by_type["1"])
    adjustments = by_type["2"] + by_type["3"]
    assert all(r["adjustTypeName"] and r["outDateTime"] == NOT_OUT for r in adjustments)
    closed = [r for r in by_type["0"] if r["outDateTime"] != NOT_OUT]
    assert all(r["outDateTime"] > r["inDateTime"] and r["hours"] == "0.000" for r in closed)


def test_times_are_naive_in_the_configured_company_zone(clock):
    sim = Q2Simulator.demo(clock=clock, company_time_zone="America/Chicago")
    card = next(c for c in sim.cards if c.entry_type == 0 and c.out_at is not None)
    with sim.client() as api:
        rows = cards(api, sim, userFullName=card.user.full_name, **EVERY_DAY)

    row = next(r for r in rows if r["inDateTime"] == local_text(card.in_at, "America/Chicago"))
    assert row["outDateTime"] == local_text(card.out_at, "America/Chicago")
    jobs = [r for r in rows if r["entryType"] == "0"]
    assert all("06:00:00" <= r["inDateTime"][11:] <= "09:00:00" for r in jobs)  # local shift hours


def test_created_and_updated_times_are_north_virginia_server_time(sim, api):
    card = next(c for c in sim.cards if c.out_at is not None)
    row = next(
        r
        for r in call(api, time_cards_request(sim, userFullName=card.user.full_name))["data"]
        if r["inDateTime"] == local_text(card.in_at, "Europe/Berlin")
    )

    assert row["createdDateTime"] == local_text(card.created_at, "America/New_York")


def test_numeric_flags_quirk_sends_numbers_like_the_sample(sim, api):
    sim.quirks = Q2Quirks(numeric_flags=True)

    row = call(api, time_cards_request(sim, maxRecords="1"))["data"][0]

    assert isinstance(row["entryType"], int) and isinstance(row["approvedByEmployee"], int)


def test_form_encoded_body_is_only_read_with_the_quirk(sim, api):
    form = time_cards_request(sim, maxRecords="1")

    ignored = api.post(URL, data=form).json()
    sim.quirks.form_body_accepted = True
    read = api.post(URL, data=form).json()

    assert ignored["statusCode"] == "ERROR" and ignored["message"] == "Company ID not found."
    assert read["statusCode"] == "SUCCESS"


# -- faults -----------------------------------------------------------------------------------
def test_repeating_next_record_fault_answers_the_same_cursor(sim, api):
    sim.vendor_faults.repeat_next_record = 1

    first = call(api, time_cards_request(sim, maxRecords="50"))
    again = call(api, time_cards_request(sim, maxRecords="50", nextRecord=first["nextRecord"]))

    assert first["nextRecord"] == "0"
    assert again["nextRecord"] == "50" and again["data"] == first["data"]


def test_gateway_timeout_throttle_and_html_faults(sim, api):
    sim.vendor_faults.gateway_timeout_next = 1
    sim.vendor_faults.throttle_next = 1
    sim.vendor_faults.html_200_next = 1
    body = json.dumps(time_cards_request(sim, maxRecords="1"))

    timeout, throttled, html = (api.post(URL, content=body) for _ in range(3))

    assert (timeout.status_code, timeout.json()) == (504, {"message": "Endpoint request timed out"})
    assert (throttled.status_code, throttled.json()) == (429, {"message": "Too Many Requests"})
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert api.post(URL, content=body).json()["statusCode"] == "SUCCESS"


def test_kit_faults_503_and_timeout(sim, api):
    sim.faults.error_burst = 1
    assert api.post(URL, content=json.dumps(time_cards_request(sim))).status_code == 503
    sim.faults.timeouts = 1
    with pytest.raises(httpx.ReadTimeout):
        api.post(URL, content=json.dumps(time_cards_request(sim)))


# -- the simulated world ----------------------------------------------------------------------
def test_demo_users_come_from_the_demo_company(sim, api):
    users = call(api, users_request(sim))["data"]
    people = {p.email: p for p in build_company().people_in("q2")}

    assert {u["email"] for u in users} == set(people)
    assert any(u["employeeNumber"] == "" for u in users)  # Q2 does not require one
    assert {u["role"] for u in users} == {"Admin", "Manager", "Employee", "Inactive"}
    assert {u["timeZone"] for u in users} == {"Europe/Berlin"}


def test_demo_has_thirty_days_of_cards_and_inactive_users_have_none(sim, api):
    rows = cards(api, sim, **EVERY_DAY)
    inactive = {u.full_name for u in sim.users if u.role == "Inactive"}
    days = {r["inDateTime"][:10] for r in rows}

    assert min(days) >= "2030-02-11" and max(days) == "2030-03-13" and len(days) >= 20
    assert not inactive & {r["userFullName"] for r in rows}
    approved = {bool(r["approvedManagerFullName"]) for r in rows}
    assert approved == {True, False}


def test_clock_moving_on_clocks_people_out_and_in(sim, api, clock):
    today = time_cards_request(
        sim, dateTimeFrom="2030-03-13 00:00:00", dateTimeTo="2030-03-13 23:59:59"
    )
    open_before = [r for r in call(api, today)["data"] if r["outDateTime"] == NOT_OUT]

    clock.advance(timedelta(hours=22))  # Thursday 08:30 in Berlin
    wednesday = call(api, today)["data"]
    thursday = cards(api, sim, dateTimeFrom="2030-03-14 00:00:00")

    still_open = [r for r in wednesday if r["entryType"] == "0" and r["outDateTime"] == NOT_OUT]
    assert open_before and len(still_open) < len(open_before) // 4  # a forgotten clock-out may stay
    assert thursday and all(r["inDateTime"] <= "2030-03-14 08:30:00" for r in thursday)


def test_large_pages_a_million_cards(clock):
    sim = Q2Simulator.large(time_cards=1_000_000, users=500, clock=clock)
    with sim.client() as api:
        first = call(api, time_cards_request(sim, **EVERY_DAY))
        deep = call(api, time_cards_request(sim, **EVERY_DAY, nextRecord="995000"))
        one_user = call(
            api,
            time_cards_request(
                sim, **EVERY_DAY, userFullName=sim.users[7].full_name, returnColumns="$inDateTime"
            ),
        )

    assert len(first["data"]) == 5000 and first["nextRecord"] == "5000"
    assert len(deep["data"]) == 5000 and deep["nextRecord"] == "1000000"
    assert len(one_user["data"]) == 2000 and one_user["nextRecord"] == "-1"


def test_large_filters_agree_with_a_brute_force_scan(clock):
    sim = Q2Simulator.large(time_cards=3000, users=7, clock=clock)
    warehouse = {u.full_name for u in sim.users if u.department == "Warehouse"}
    with sim.client() as api:
        everything = cards(api, sim, **EVERY_DAY)
        frm, to = everything[400]["inDateTime"], everything[2100]["inDateTime"]
        window = time_cards_request(
            sim, dateTimeFrom=frm, dateTimeTo=to, departmentName="Warehouse", maxRecords="37"
        )
        paged, _ = read_all(api, window)

    expected = [
        r for r in everything if frm <= r["inDateTime"] <= to and r["userFullName"] in warehouse
    ]
    assert paged == expected and len(expected) > 100


def test_served_on_loopback(sim):
    running = serve(sim)
    try:
        with httpx.Client(base_url=running.base_url) as client:
            body = json.dumps(time_cards_request(sim, maxRecords="5"))
            answer = client.post(URL, content=body).json()
    finally:
        running.server.shutdown()

    assert answer["statusCode"] == "SUCCESS" and len(answer["data"]) == 5
