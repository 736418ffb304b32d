"""The WorkTime One simulator behaves like the vendor's /v1 API, over HTTP through ``sim.client()``."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

import httpx
import openpyxl
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import build_company
from connectors.simkit.serve import serve
from connectors.worktime.simulator import ApiKey, WorkTimeQuirks, WorkTimeSimulator
from connectors.worktime.simulator.attendance import AttendanceQuery
from connectors.worktime.simulator.reports import PAYROLL_COLUMNS

WEDNESDAY_MORNING = datetime(2030, 3, 13, 9, 30, tzinfo=UTC)  # 10:30 in Hamburg
DOC_EMPLOYEE = "emp_123456"  # works 10:00–18:30 in Hamburg, as the document's example implies
WORKER = "emp_300001"  # works the default 08:30–17:00 (07:30–16:00Z before summer time)
DOC_LOCK = "lock_789"
ERROR_KEYS = {"code", "message", "field"}
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


class Hooks:
    """A webhook receiver inside the test: an httpx transport that records every POST."""

    def __init__(self):
        self.received: list[httpx.Request] = []
        self.fail = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.fail:
            raise httpx.ConnectError("receiver is down", request=request)
        self.received.append(request)
        return httpx.Response(200)

    def events(self, name: str | None = None) -> list[dict]:
        bodies = [json.loads(r.content) for r in self.received]
        return [b for b in bodies if name is None or b["event"] == name]


@pytest.fixture
def clock():
    return SimClock(WEDNESDAY_MORNING, frozen=True)


@pytest.fixture
def hooks():
    return Hooks()


@pytest.fixture
def sim(clock, hooks):
    sim = WorkTimeSimulator.demo(clock=clock, webhook_transport=httpx.MockTransport(hooks))
    sim.add_employee(
        "John Doe", "john.doe@example.com", id=DOC_EMPLOYEE, department="Marketing",
        position="Senior Developer", salary=75000, created_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
        shift_start=dt_time(10, 0),
    )  # fmt: skip
    sim.add_employee(
        "Jane Roe", "jane.roe@example.com", id=WORKER, department="Marketing", salary=75000
    )
    return sim


def client_for(sim, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return sim.client(headers=headers)


@pytest.fixture
def api(sim):
    with client_for(sim, sim.credentials()["api_key"]) as client:
        yield client


@pytest.fixture
def registration(sim):
    return sim.register_webhook("https://portal.example/hooks/worktime")


def post_clock(api, employee_id, kind, timestamp, **extra):
    body = {"employee_id": employee_id, "type": kind, "timestamp": timestamp, **extra}
    return api.post("/v1/attendance/clock", json=body)


def all_pages(api, path, **params):
    rows, page = [], 1
    while True:
        body = api.get(path, params={**params, "page": page, "limit": 100}).json()
        rows += body["data"]
        if page * body["pagination"]["limit"] >= body["pagination"]["total"]:
            return rows
        page += 1


def assert_error(response, status, code, field=None):
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False and set(body["error"]) == ERROR_KEYS
    assert body["error"]["code"] == code and body["error"]["field"] == field
    return body["error"]


# -- the document's own examples --------------------------------------------------------------
def test_doc_organization_example_has_the_documented_fields(api):
    response = api.get("/v1/organization", headers={"Content-Type": "application/json"})

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert set(body["data"]) == {"id", "name", "employees_count", "created_at"}
    active = api.get("/v1/employees", params={"status": "active"}).json()["pagination"]["total"]
    assert body["data"]["employees_count"] == active
    assert body["data"]["created_at"].endswith("Z")


def test_doc_employee_list_example_with_limit_10_has_a_pagination_block(api):
    response = api.get("/v1/employees?limit=10")

    body = response.json()
    assert body["success"] is True and len(body["data"]) == 10
    assert body["pagination"] == {"page": 1, "limit": 10, "total": 84}
    documented = {"id", "name", "email", "department", "position", "salary", "status", "created_at"}
    assert documented <= set(body["data"][0])
    assert isinstance(body["data"][0]["salary"], int)


def test_doc_create_employee_example_answers_201_with_the_employee(api):
    body = {
        "name": "Jane Smith",
        "email": "jane.smith@example.com",
        "department_id": "dept_789",
        "position": "Marketing Manager",
        "salary": 65000,
        "start_date": "2024-02-01",
    }

    response = api.post("/v1/employees", json=body)

    assert response.status_code == 201
    created = response.json()["data"]
    assert created["id"].startswith("emp_") and created["status"] == "active"
    assert created["department"] == "Marketing" and created["department_id"] == "dept_789"
    assert {k: created[k] for k in ("name", "email", "position", "salary", "start_date")} == {
        k: body[k] for k in ("name", "email", "position", "salary", "start_date")
    }


def test_doc_clock_example_records_a_clock_in_at_the_lock(api):
    body = {
        "employee_id": DOC_EMPLOYEE,
        "type": "clock_in",
        "timestamp": "2024-11-18T09:00:00Z",
        "lock_id": DOC_LOCK,
        "notes": "Manual entry",
    }

    response = api.post("/v1/attendance/clock", json=body)

    assert response.status_code == 201
    record = response.json()["data"]
    assert record["employee_id"] == DOC_EMPLOYEE and record["employee_name"] == "John Doe"
    assert record["clock_in"] == "2024-11-18T09:00:00Z" and record["clock_out"] is None
    assert record["lock_id"] == DOC_LOCK and record["date"] == "2024-11-18"
    assert record["id"].startswith("att_")


def test_doc_attendance_example_fields_after_clock_out(api):
    post_clock(api, DOC_EMPLOYEE, "clock_in", "2024-11-18T09:00:00Z", lock_id=DOC_LOCK)
    post_clock(api, DOC_EMPLOYEE, "clock_out", "2024-11-18T17:30:00Z")

    response = api.get("/v1/attendance", params={"employee_id": DOC_EMPLOYEE})

    [record] = response.json()["data"]
    assert set(record) == {
        "id", "employee_id", "employee_name", "clock_in", "clock_out", "work_hours",
        "late_minutes", "early_departure_minutes", "lock_id", "date",
    }  # fmt: skip
    assert record["work_hours"] == 8.5 and record["clock_out"] == "2024-11-18T17:30:00Z"
    assert record["late_minutes"] == 0 and record["early_departure_minutes"] == 0


def test_doc_error_example_missing_email_names_the_field(api):
    response = api.post("/v1/employees", json={"name": "Jane Smith"})

    error = assert_error(response, 400, "invalid_request", "email")
    assert error["message"] == "The 'email' field is required"


def test_lock_history_has_the_documented_fields(api):
    response = api.get(f"/v1/locks/{DOC_LOCK}/history")

    event = response.json()["data"][0]
    assert set(event) == {
        "id", "lock_id", "employee_id", "employee_name", "access_method", "timestamp", "success",
    }  # fmt: skip
    assert event["lock_id"] == DOC_LOCK and event["id"].startswith("event_")


# -- authentication and scopes ------------------------------------------------------------------
def test_missing_key_answers_401_in_the_error_shape_with_rate_headers(sim):
    with client_for(sim, None) as anonymous:
        response = anonymous.get("/v1/employees")

    assert_error(response, 401, "unauthorized")
    assert all(header in response.headers for header in RATE_HEADERS)


def test_unknown_revoked_and_non_bearer_keys_answer_401(sim, api):
    key = sim.credentials()["api_key"]
    with client_for(sim, "wt_live_nope") as unknown:
        assert_error(unknown.get("/v1/employees"), 401, "unauthorized")
    token = api.get("/v1/employees", headers={"Authorization": f"Token {key}"})
    assert_error(token, 401, "unauthorized")

    sim.revoke_key(key)

    assert_error(api.get("/v1/employees"), 401, "unauthorized")


def test_read_only_key_reads_but_cannot_write(sim):
    sim.add_api_key("wt_read", scope="read")
    with client_for(sim, "wt_read") as reader:
        assert reader.get("/v1/employees").status_code == 200
        create = reader.post("/v1/employees", json={"name": "A B", "email": "ab@example.com"})
        update = reader.put(f"/v1/employees/{DOC_EMPLOYEE}", json={"position": "CTO"})

    assert_error(create, 403, "forbidden")
    assert_error(update, 403, "forbidden")
    assert sim.directory.by_id(DOC_EMPLOYEE).position == "Senior Developer"


def test_read_write_key_cannot_delete_but_a_full_key_can(sim, api):
    sim.add_api_key("wt_rw", scope="read-write")
    with client_for(sim, "wt_rw") as writer:
        assert (
            writer.put(f"/v1/employees/{DOC_EMPLOYEE}", json={"position": "CTO"}).status_code == 200
        )
        assert_error(writer.delete(f"/v1/employees/{DOC_EMPLOYEE}"), 403, "forbidden")

    assert api.delete(f"/v1/employees/{DOC_EMPLOYEE}").status_code == 200


# -- rate limits --------------------------------------------------------------------------------
def test_every_answer_carries_rate_limit_headers_counting_down(sim, api):
    sim.add_api_key("wt_read", scope="read")
    answers = [
        api.get("/v1/employees"),
        api.get("/v1/employees/emp_999999"),
        api.get("/v1/employees", params={"status": "gone"}),
        api.get("/v1/nothing-here"),
        client_for(sim, "wt_read").delete(f"/v1/employees/{DOC_EMPLOYEE}"),
    ]

    assert [a.status_code for a in answers] == [200, 404, 400, 404, 403]
    assert all(all(h in a.headers for h in RATE_HEADERS) for a in answers)
    remaining = [int(a.headers["X-RateLimit-Remaining"]) for a in answers[:4]]
    assert remaining == [9999, 9998, 9997, 9996]
    reset = int(answers[0].headers["X-RateLimit-Reset"])
    assert reset == int(datetime(2030, 3, 13, 10, 0, tzinfo=UTC).timestamp())


def test_free_plan_allows_100_requests_an_hour_then_429_until_the_reset(sim, clock):
    sim.add_api_key("wt_free", plan="free")
    with client_for(sim, "wt_free") as free:
        answers = [free.get("/v1/organization") for _ in range(101)]
        refused = answers[-1]

        assert [a.status_code for a in answers[:100]] == [200] * 100
        assert_error(refused, 429, "rate_limit_exceeded")
        assert refused.headers["X-RateLimit-Limit"] == "100"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert "Retry-After" not in refused.headers
        clock.set(datetime.fromtimestamp(int(refused.headers["X-RateLimit-Reset"]), UTC))
        again = free.get("/v1/organization")

    assert again.status_code == 200 and again.headers["X-RateLimit-Remaining"] == "99"


@pytest.mark.parametrize("plan, limit", [("free", 100), ("paid", 1000), ("enterprise", 10000)])
def test_the_plan_sets_the_hourly_limit(sim, plan, limit):
    sim.add_api_key(f"wt_{plan}", plan=plan)

    response = client_for(sim, f"wt_{plan}").get("/v1/organization")

    assert response.headers["X-RateLimit-Limit"] == str(limit)
    assert response.headers["X-RateLimit-Remaining"] == str(limit - 1)


def test_keys_quirks_and_webhooks_can_be_configured_at_construction(clock, hooks):
    sim = WorkTimeSimulator.demo(
        clock=clock,
        api_keys=[
            ApiKey("wt_big", plan="enterprise", hourly_limit=50000),
            ApiKey("wt_ro", scope="read"),
        ],
        quirks=WorkTimeQuirks(clamp_limit=False),
        webhook_urls=["https://portal.example/hooks"],
        webhook_transport=httpx.MockTransport(hooks),
    )

    with client_for(sim, "wt_big") as api:
        listed = api.get("/v1/employees", params={"limit": 101})
        api.post("/v1/employees", json={"name": "A B", "email": "ab@example.com"})

    assert listed.headers["X-RateLimit-Limit"] == "50000"
    assert_error(listed, 400, "invalid_request", "limit")
    secret = hooks.received[0].headers["X-WorkTime-Secret"]
    assert sim.credentials() == {"api_key": "wt_big", "webhook_secret": secret}


def test_retry_after_quirk_adds_seconds_to_the_reset(sim, clock):
    sim.quirks.retry_after_on_429 = True
    sim.add_api_key("wt_free", plan="free")
    sim.spend_budget("wt_free")

    response = client_for(sim, "wt_free").get("/v1/organization")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == str(30 * 60)  # 09:30 → 10:00


def test_budget_spent_by_another_integration_answers_429_with_nothing_remaining(sim, api):
    key = sim.credentials()["api_key"]
    sim.spend_budget(key, 10000)

    response = api.get("/v1/employees")

    assert_error(response, 429, "rate_limit_exceeded")
    assert response.headers["X-RateLimit-Remaining"] == "0"


def test_injected_server_error_still_carries_rate_headers_and_costs_nothing(sim, api):
    sim.faults.error_burst = 1

    failed = api.get("/v1/employees")
    then = api.get("/v1/employees")

    assert_error(failed, 503, "service_unavailable")
    assert failed.headers["X-RateLimit-Remaining"] == "10000"
    assert then.headers["X-RateLimit-Remaining"] == "9999"


# -- employees ----------------------------------------------------------------------------------
def test_paging_to_the_end_returns_every_employee_once(api):
    rows = all_pages(api, "/v1/employees")

    assert len(rows) == 84 and len({r["id"] for r in rows}) == 84


def test_limit_defaults_to_50_and_is_clamped_to_100(api):
    default = api.get("/v1/employees").json()
    large = api.get("/v1/employees", params={"limit": 500}).json()

    assert default["pagination"]["limit"] == 50 and len(default["data"]) == 50
    assert large["pagination"]["limit"] == 100 and len(large["data"]) == 84


def test_limit_over_100_is_refused_when_the_clamp_quirk_is_off(sim, api):
    sim.quirks.clamp_limit = False

    assert_error(api.get("/v1/employees", params={"limit": 101}), 400, "invalid_request", "limit")


@pytest.mark.parametrize(
    "params, field",
    [({"page": "0"}, "page"), ({"limit": "ten"}, "limit"), ({"status": "fired"}, "status")],
)
def test_bad_list_parameters_name_the_field(api, params, field):
    assert_error(api.get("/v1/employees", params=params), 400, "invalid_request", field)


def test_department_and_status_filters_select_matching_employees(api):
    security = all_pages(api, "/v1/employees", department="dept_108")
    inactive = all_pages(api, "/v1/employees", status="inactive")
    both = all_pages(api, "/v1/employees", department="dept_108", status="active")

    assert security and {e["department"] for e in security} == {"Security"}
    assert inactive and {e["status"] for e in inactive} == {"inactive"}
    assert {e["id"] for e in both} == {e["id"] for e in security if e["status"] == "active"}
    assert api.get("/v1/employees", params={"department": "Security"}).json()["data"] == []


def test_create_list_update_soft_delete_and_restore_round_trip(api):
    created = api.post(
        "/v1/employees", json={"name": "Ida Kruse", "email": "ida.kruse@example.com"}
    )
    employee_id = created.json()["data"]["id"]

    listed = [e["id"] for e in all_pages(api, "/v1/employees")]
    updated = api.put(
        f"/v1/employees/{employee_id}", json={"position": "Planner", "salary": 51000.5}
    )
    deleted = api.delete(f"/v1/employees/{employee_id}")
    after_delete = api.get(f"/v1/employees/{employee_id}")
    inactive = [e["id"] for e in all_pages(api, "/v1/employees", status="inactive")]
    restored = api.put(f"/v1/employees/{employee_id}", json={"status": "active"})

    assert employee_id in listed
    assert updated.json()["data"]["position"] == "Planner"
    assert updated.json()["data"]["salary"] == 51000.5
    assert deleted.status_code == 200 and deleted.json()["data"]["status"] == "inactive"
    assert after_delete.status_code == 200 and after_delete.json()["data"]["name"] == "Ida Kruse"
    assert employee_id in inactive
    assert restored.json()["data"]["status"] == "active"
    assert api.get(f"/v1/employees/{employee_id}").json()["data"]["status"] == "active"


def test_soft_deleted_employees_leave_the_default_list_when_the_quirk_is_off(sim, api):
    api.delete(f"/v1/employees/{DOC_EMPLOYEE}")
    with_deleted = {e["id"] for e in all_pages(api, "/v1/employees")}

    sim.quirks.soft_deleted_in_default_list = False

    without = {e["id"] for e in all_pages(api, "/v1/employees")}
    assert DOC_EMPLOYEE in with_deleted and DOC_EMPLOYEE not in without
    assert api.get(f"/v1/employees/{DOC_EMPLOYEE}").status_code == 200


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "", "email": "x@example.com"}, "name"),
        ({"name": "X", "email": "not-an-address"}, "email"),
        ({"name": "X", "email": "JOHN.DOE@example.com"}, "email"),  # taken, case-insensitively
        ({"name": "X", "email": "x@example.com", "department_id": "dept_0"}, "department_id"),
        ({"name": "X", "email": "x@example.com", "salary": "65000"}, "salary"),
        ({"name": "X", "email": "x@example.com", "start_date": "01.02.2024"}, "start_date"),
    ],
)
def test_invalid_employee_fields_are_refused_with_the_field(api, body, field):
    assert_error(api.post("/v1/employees", json=body), 400, "invalid_request", field)


def test_unknown_employee_and_trailing_slash_answer_404(api):
    assert_error(api.get("/v1/employees/emp_999999"), 404, "not_found")
    assert_error(api.get("/v1/employees/"), 404, "not_found")
    assert_error(api.put("/v1/employees/emp_999999", json={}), 404, "not_found")


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.post(
        "/v1/employees", content=b"name=Jane", headers={"Content-Type": "text/plain"}
    )

    assert_error(response, 400, "invalid_request")


# -- attendance ---------------------------------------------------------------------------------
def test_attendance_filters_by_date_range_employee_and_lock(api):
    day = all_pages(api, "/v1/attendance", start_date="2030-03-11", end_date="2030-03-11")
    some = day[0]["employee_id"]
    person = all_pages(api, "/v1/attendance", employee_id=some)
    at_lock = all_pages(api, "/v1/attendance", lock_id="lock_791", start_date="2030-03-04")

    assert day and {r["date"] for r in day} == {"2030-03-11"}
    assert {r["employee_id"] for r in person} == {some} and len(person) > 10
    assert at_lock and {r["lock_id"] for r in at_lock} == {"lock_791"}
    assert all(r["date"] >= "2030-03-04" for r in at_lock)
    german_date = api.get("/v1/attendance", params={"start_date": "13.03.2030"})
    assert_error(german_date, 400, "invalid_request", "start_date")
    reversed_range = {"start_date": "2030-03-10", "end_date": "2030-03-01"}
    assert_error(
        api.get("/v1/attendance", params=reversed_range), 400, "invalid_request", "end_date"
    )


def test_clock_out_closes_the_record_with_hours_and_early_departure(api):
    post_clock(api, WORKER, "clock_in", "2030-03-12T07:45:00Z")

    out = post_clock(api, WORKER, "clock_out", "2030-03-12T15:00:00Z")

    record = out.json()["data"]
    assert out.status_code == 201
    assert record["late_minutes"] == 15  # shift 08:30 in Hamburg = 07:30Z
    assert record["early_departure_minutes"] == 60  # 17:00 local = 16:00Z
    assert record["work_hours"] == 7.25 and record["date"] == "2030-03-12"


def test_clock_without_timestamp_uses_the_server_time(api):
    response = api.post(
        "/v1/attendance/clock", json={"employee_id": DOC_EMPLOYEE, "type": "clock_in"}
    )

    assert response.json()["data"]["clock_in"] == "2030-03-13T09:30:00Z"


def test_clock_state_errors_name_the_field(sim, api):
    clock_in = {
        "employee_id": DOC_EMPLOYEE,
        "type": "clock_in",
        "timestamp": "2030-03-12T08:00:00Z",
    }
    not_in = api.post("/v1/attendance/clock", json={**clock_in, "type": "clock_out"})
    api.post("/v1/attendance/clock", json=clock_in)
    twice = api.post("/v1/attendance/clock", json=clock_in)
    backwards = post_clock(api, DOC_EMPLOYEE, "clock_out", "2030-03-12T07:00:00Z")
    api.delete(f"/v1/employees/{DOC_EMPLOYEE}")
    inactive = api.post("/v1/attendance/clock", json={**clock_in, "type": "clock_out"})

    assert_error(not_in, 400, "invalid_request", "type")
    assert_error(twice, 400, "invalid_request", "type")
    assert_error(backwards, 400, "invalid_request", "timestamp")
    assert_error(inactive, 400, "invalid_request", "employee_id")
    for body, field in [
        ({"type": "clock_in"}, "employee_id"),
        ({"employee_id": "emp_1", "type": "clock_in"}, "employee_id"),
        ({"employee_id": "emp_100002", "type": "pause"}, "type"),
        (
            {"employee_id": "emp_100002", "type": "clock_in", "timestamp": "2030-03-12 08:00"},
            "timestamp",
        ),
        ({"employee_id": "emp_100002", "type": "clock_in", "lock_id": "lock_1"}, "lock_id"),
    ]:
        assert_error(api.post("/v1/attendance/clock", json=body), 400, "invalid_request", field)


def test_attendance_comes_in_one_answer_when_paging_quirk_is_off(sim, api):
    sim.quirks.paginate_beyond_employees = False

    body = api.get("/v1/attendance", params={"start_date": "2030-03-01", "limit": 10}).json()
    history = api.get(f"/v1/locks/{DOC_LOCK}/history").json()

    assert "pagination" not in body and len(body["data"]) > 100
    assert "pagination" not in history and len(history["data"]) > 100


# -- reports ------------------------------------------------------------------------------------
@pytest.fixture
def worked_two_days(api):
    """Monday: 10 min late, 50 min overtime. Tuesday: on time, 60 min early (shift 08:30–17:00)."""
    for kind, when in [
        ("clock_in", "2030-03-11T07:40:00Z"),
        ("clock_out", "2030-03-11T16:50:00Z"),
        ("clock_in", "2030-03-12T07:30:00Z"),
        ("clock_out", "2030-03-12T15:00:00Z"),
    ]:
        body = {"employee_id": WORKER, "type": kind, "timestamp": when}
        assert api.post("/v1/attendance/clock", json=body).status_code == 201


def test_payroll_report_needs_start_and_end_dates(api):
    assert_error(api.get("/v1/reports/payroll"), 400, "invalid_request", "start_date")
    only_start = api.get("/v1/reports/payroll", params={"start_date": "2030-03-01"})
    assert_error(only_start, 400, "invalid_request", "end_date")
    bad_format = {"start_date": "2030-03-01", "end_date": "2030-03-12", "format": "pdf"}
    assert_error(
        api.get("/v1/reports/payroll", params=bad_format), 400, "invalid_request", "format"
    )


def test_payroll_report_calculates_overtime_and_penalties(api, worked_two_days):
    params = {"start_date": "2030-03-09", "end_date": "2030-03-13", "employee_id": WORKER}

    report = api.get("/v1/reports/payroll", params=params).json()["data"]

    [row] = report["employees"]
    rate = 75000 / (260 * 8.5)
    assert row["days_worked"] == 2 and row["work_hours"] == pytest.approx(16.67, abs=0.01)
    assert row["overtime_hours"] == pytest.approx(0.67, abs=0.01)
    assert row["late_minutes"] == 10 and row["early_departure_minutes"] == 60
    assert row["penalties"] == pytest.approx(70 / 60 * rate, abs=0.01)
    net = row["base_pay"] + row["overtime_pay"] - row["penalties"]
    assert row["net_pay"] == pytest.approx(net, abs=0.02)
    assert report["period"] == {"start_date": "2030-03-09", "end_date": "2030-03-13"}


def test_payroll_report_as_excel_is_a_workbook(api, worked_two_days):
    params = {"start_date": "2030-03-01", "end_date": "2030-03-13", "format": "excel"}

    response = api.get("/v1/reports/payroll", params=params)

    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "Jane Roe" in sheet and "net_pay" in sheet


def test_excel_report_reads_back_with_openpyxl_row_for_row(api, worked_two_days):
    params = {"start_date": "2030-03-01", "end_date": "2030-03-13"}
    rows = api.get("/v1/reports/payroll", params=params).json()["data"]["employees"]

    response = api.get("/v1/reports/payroll", params=params | {"format": "excel"})

    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["Payroll"]
    header, *body = list(book["Payroll"].iter_rows(values_only=True))
    assert header == tuple(PAYROLL_COLUMNS)
    assert [dict(zip(header, values, strict=True)) for values in body] == [
        {column: row[column] if row[column] != "" else None for column in PAYROLL_COLUMNS}
        for row in rows  # an empty text is an empty cell
    ]
    assert "2030-03-01_2030-03-13.xlsx" in response.headers["content-disposition"]


def test_attendance_report_counts_late_arrivals_early_departures_and_absences(api, worked_two_days):
    params = {"start_date": "2030-03-09", "end_date": "2030-03-13", "employee_id": WORKER}

    report = api.get("/v1/reports/attendance", params=params).json()["data"]

    [row] = report["employees"]
    assert row["days_present"] == 2 and row["late_arrivals"] == 1 and row["early_departures"] == 1
    assert row["absent_dates"] == ["2030-03-13"] and row["absences"] == 1


def test_attendance_report_for_the_company_defaults_to_this_month(api):
    report = api.get("/v1/reports/attendance").json()["data"]

    assert report["period"] == {"start_date": "2030-03-01", "end_date": "2030-03-13"}
    assert report["summary"]["employees"] >= 78 and report["summary"]["late_arrivals"] > 0


# -- smart locks --------------------------------------------------------------------------------
def test_two_ttlock_locks_per_site(api):
    locks = api.get("/v1/locks").json()["data"]

    assert len(locks) == 6 and {lock["brand"] for lock in locks} == {"TTLock"}
    assert Counter(lock["location"] for lock in locks) == {
        "Hamburg HQ": 2, "Bremen Warehouse": 2, "Hannover Workshop": 2,
    }  # fmt: skip
    assert api.get(f"/v1/locks/{DOC_LOCK}").json()["data"]["name"] == "Hamburg HQ – Main entrance"
    assert_error(api.get("/v1/locks/lock_1"), 404, "not_found")
    assert_error(api.get("/v1/locks/lock_1/history"), 404, "not_found")


def test_lock_history_pages_to_the_end_in_time_order_and_filters(api):
    events = all_pages(api, f"/v1/locks/{DOC_LOCK}/history")
    history = f"/v1/locks/{DOC_LOCK}/history"
    one_day = all_pages(api, history, start_date="2030-03-12", end_date="2030-03-12")
    someone = next(e["employee_id"] for e in events if e["employee_id"])
    theirs = all_pages(api, f"/v1/locks/{DOC_LOCK}/history", employee_id=someone)

    assert len(events) > 200 and len({e["id"] for e in events}) == len(events)
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    assert {e["access_method"] for e in events} >= {"fingerprint", "card", "passcode"}
    assert any(not e["success"] for e in events)
    assert one_day and all(
        e["timestamp"].startswith(("2030-03-11T23", "2030-03-12")) for e in one_day
    )
    assert theirs and {e["employee_id"] for e in theirs} == {someone}


def test_openings_on_a_lock_without_gateway_show_up_late_and_out_of_order(sim, api, clock):
    lock = next(lock for lock in sim.locks.values() if not lock.has_gateway)
    seen = {e["id"] for e in all_pages(api, f"/v1/locks/{lock.id}/history")}
    newest = max(e["timestamp"] for e in all_pages(api, f"/v1/locks/{lock.id}/history"))

    clock.advance(timedelta(hours=6))

    fresh = [e for e in all_pages(api, f"/v1/locks/{lock.id}/history") if e["id"] not in seen]
    uploaded_late = [e for e in fresh if e["timestamp"] < newest]
    assert fresh and uploaded_late


# -- webhooks -----------------------------------------------------------------------------------
def test_employee_changes_post_webhooks_with_the_registration_secret(api, hooks, registration):
    body = {"name": "Ida Kruse", "email": "ida@example.com"}
    created = api.post("/v1/employees", json=body).json()["data"]
    api.put(f"/v1/employees/{created['id']}", json={"position": "Planner"})
    api.delete(f"/v1/employees/{created['id']}")

    names = [e["event"] for e in hooks.events() if e["event"].startswith("employee.")]
    assert names == ["employee.created", "employee.updated", "employee.deleted"]
    first = hooks.received[0]
    assert str(first.url) == registration.url and first.method == "POST"
    assert first.headers["X-WorkTime-Secret"] == registration.secret
    assert first.headers["X-WorkTime-Event"] == "employee.created"
    body = hooks.events("employee.deleted")[0]
    assert body["data"]["id"] == created["id"] and body["data"]["status"] == "inactive"
    assert body["timestamp"] == "2030-03-13T09:30:00Z"


def test_clock_webhooks_follow_the_documented_payload_and_penalties_fire(api, hooks, registration):
    post_clock(api, WORKER, "clock_in", "2030-03-13T07:50:00Z", lock_id=DOC_LOCK)
    post_clock(api, WORKER, "clock_out", "2030-03-13T09:00:00Z")

    clock_in = hooks.events("attendance.clock_in")[-1]
    assert clock_in["timestamp"] == "2030-03-13T07:50:00Z"
    assert {"employee_id", "employee_name", "lock_id", "timestamp", "method"} <= set(
        clock_in["data"]
    )
    assert (
        clock_in["data"]["employee_name"] == "Jane Roe" and clock_in["data"]["lock_id"] == DOC_LOCK
    )
    assert hooks.events("attendance.clock_out")[-1]["data"]["work_hours"] == 1.17
    penalties = [e["data"] for e in hooks.events("penalty.created")]
    mine = [(p["type"], p["minutes"]) for p in penalties if p["employee_id"] == WORKER]
    assert mine == [("late_arrival", 20), ("early_departure", 420)]


def test_a_registration_only_gets_its_events_and_none_after_removal(sim, api, hooks):
    only_created = sim.register_webhook("https://a.example/hook", events=["employee.created"])
    api.put(f"/v1/employees/{DOC_EMPLOYEE}", json={"position": "CTO"})
    api.post("/v1/employees", json={"name": "A B", "email": "ab@example.com"})
    sim.remove_webhook(only_created)
    api.post("/v1/employees", json={"name": "C D", "email": "cd@example.com"})

    assert [e["event"] for e in hooks.events()] == ["employee.created"]
    with pytest.raises(ValueError):
        sim.register_webhook("https://a.example/hook", events=["employee.fired"])


def test_a_failing_webhook_receiver_does_not_break_the_api(sim, api, hooks, registration):
    hooks.fail = True

    response = api.post("/v1/employees", json={"name": "A B", "email": "ab@example.com"})

    assert response.status_code == 201
    delivery = sim.webhooks.deliveries[-1]
    assert delivery.event == "employee.created" and "ConnectError" in delivery.error


def test_webhook_faults_drop_and_duplicate_deliveries(sim, api, hooks, registration):
    sim.webhooks.faults.drop_next = 1
    sim.webhooks.faults.duplicate_next = 1

    api.post("/v1/employees", json={"name": "A B", "email": "ab@example.com"})
    api.post("/v1/employees", json={"name": "C D", "email": "cd@example.com"})

    bodies = hooks.events("employee.created")
    assert [b["data"]["name"] for b in bodies] == ["C D", "C D"]
    ids = {r.headers["X-WorkTime-Delivery"] for r in hooks.received}
    assert len(ids) == 1


# -- vendor faults ------------------------------------------------------------------------------
def test_html_bad_gateway_fault_answers_html_once(sim, api):
    sim.vendor_faults.html_error_next = 1

    failed = api.get("/v1/employees")
    then = api.get("/v1/employees")

    assert failed.status_code == 502 and failed.headers["content-type"].startswith("text/html")
    assert "X-RateLimit-Limit" not in failed.headers
    assert then.status_code == 200


def test_repeat_page_fault_serves_the_first_page_again(sim, api):
    first = api.get("/v1/employees", params={"limit": 10}).json()
    sim.vendor_faults.repeat_page_next = 1

    second = api.get("/v1/employees", params={"limit": 10, "page": 2}).json()
    retried = api.get("/v1/employees", params={"limit": 10, "page": 2}).json()

    assert second["data"] == first["data"] and second["pagination"]["page"] == 2
    assert retried["data"] != first["data"]


def test_kit_network_faults_reach_the_client(sim, api):
    sim.faults.drops = 1
    sim.faults.timeouts = 1

    with pytest.raises(httpx.ReadTimeout):
        api.get("/v1/employees")
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/v1/employees")
    assert api.get("/v1/employees").status_code == 200


# -- the simulated world moving on ----------------------------------------------------------------
def test_time_passing_adds_clock_events_lock_openings_and_webhooks(api, clock, hooks, registration):
    today = {"start_date": "2030-03-13"}
    before = api.get("/v1/attendance", params=today).json()["pagination"]["total"]

    clock.advance(timedelta(hours=8))  # through the end of the day shift
    after = all_pages(api, "/v1/attendance", start_date="2030-03-13")

    assert len(after) == before  # no new day yet, but the open records closed
    morning = [r for r in after if r["clock_in"] < "2030-03-13T10"]
    assert morning and all(r["clock_out"] for r in morning)
    fired = Counter(e["event"] for e in hooks.events())
    assert fired["attendance.clock_out"] > 20 and fired["lock.opened"] > 20
    opened = hooks.events("lock.opened")[0]["data"]
    assert {"lock_id", "employee_id", "employee_name", "access_method", "timestamp"} <= set(opened)


def test_locks_open_at_night_and_the_night_shift_clocks_in(sim, api, clock, hooks, registration):
    clock.set(datetime(2030, 3, 13, 20, 30, tzinfo=UTC))  # 21:30 in Hamburg
    api.get("/v1/organization")
    hooks.received.clear()

    clock.set(datetime(2030, 3, 14, 1, 0, tzinfo=UTC))  # 02:00 in Hamburg
    api.get("/v1/organization")

    night = [e["data"]["timestamp"] for e in hooks.events("lock.opened")]
    assert any("2030-03-14T00" <= t < "2030-03-14T01" for t in night)
    clock_ins = hooks.events("attendance.clock_in")
    security = {e["id"] for e in all_pages(api, "/v1/employees", department="dept_108")}
    assert clock_ins and {e["data"]["employee_id"] for e in clock_ins} <= security


def test_direct_tick_queues_webhooks_until_delivered(sim, clock, hooks, registration):
    clock.advance(timedelta(hours=1))

    with sim.lock:
        sim.tick()

    assert hooks.received == [] and sim.webhooks.pending > 0
    sim.deliver_webhooks()
    assert hooks.received and sim.webhooks.pending == 0


# -- demo() and large() ---------------------------------------------------------------------------
def test_demo_holds_the_demo_company_worktime_people(sim, api):
    people = build_company().people_in("worktime")
    employees = [
        e for e in all_pages(api, "/v1/employees") if e["id"] not in (DOC_EMPLOYEE, WORKER)
    ]

    assert len(employees) == len(people) == 82
    for person, employee in zip(people, employees, strict=True):
        seen = person.seen_by("worktime")
        assert employee["name"] == f"{seen['first_name']} {seen['last_name']}"
        assert employee["email"] == seen["email"] and employee["department"] == person.department
    assert any(e["email"].endswith("@mail.example") for e in employees)  # WorkTime's own variant
    assert 1 <= sum(e["status"] == "inactive" for e in employees) <= 6


def test_demo_has_30_days_of_attendance_ending_now_with_lates_and_early_leavers(sim, api):
    records = [r for r in sim.attendance.all(AttendanceQuery()) if r.employee_id != DOC_EMPLOYEE]
    dates = sorted({r.date for r in records})
    inactive = {e["id"] for e in all_pages(api, "/v1/employees", status="inactive")}

    assert str(dates[0]) >= "2030-02-11" and str(dates[-1]) == "2030-03-13"
    assert len(records) > 1200
    assert max(r.clock_in for r in records) <= WEDNESDAY_MORNING
    assert sum(r.late_minutes > 0 for r in records) > 50
    assert sum(r.early_departure_minutes > 0 for r in records) > 50
    assert any(r.clock_out is None for r in records)  # clocked in right now
    assert not inactive & {r.employee_id for r in records}
    assert {d.weekday() for d in dates} == set(range(7))  # the night shift works weekends


def test_large_directory_pages_a_million_employees():
    sim = WorkTimeSimulator.large(employees=1_000_000)
    with client_for(sim, sim.credentials()["api_key"]) as api:
        last = api.get("/v1/employees", params={"page": 10000, "limit": 100}).json()
        params = {"page": 500, "limit": 100, "department": "dept_103", "status": "active"}
        filtered = api.get("/v1/employees", params=params).json()

    assert last["pagination"]["total"] == 1_000_000 and last["data"][-1]["id"] == "emp_1100000"
    assert filtered["pagination"]["total"] == 120_000
    assert {e["department_id"] for e in filtered["data"]} == {"dept_103"}
    assert {e["status"] for e in filtered["data"]} == {"active"}
    ids = [int(e["id"][4:]) for e in filtered["data"]]
    assert ids == sorted(ids) and len(ids) == 100


def test_large_filtered_pages_agree_with_a_plain_scan():
    sim = WorkTimeSimulator.large(employees=2000)
    with client_for(sim, sim.credentials()["api_key"]) as api:
        api.put(
            "/v1/employees/emp_100011", json={"department_id": "dept_101", "status": "inactive"}
        )
        everyone = all_pages(api, "/v1/employees")
        chosen = all_pages(api, "/v1/employees", department="dept_101", status="inactive")

    expected = [
        e for e in everyone if e["department_id"] == "dept_101" and e["status"] == "inactive"
    ]
    assert chosen == expected and "emp_100011" in {e["id"] for e in chosen}


def test_large_generated_attendance_pages_and_filters_by_employee():
    clock = SimClock(WEDNESDAY_MORNING, frozen=True)
    sim = WorkTimeSimulator.large(employees=10_000, attendance_days=30, clock=clock)
    with client_for(sim, sim.credentials()["api_key"]) as api:
        page = api.get("/v1/attendance", params={"page": 2000, "limit": 100}).json()
        one = all_pages(api, "/v1/attendance", employee_id="emp_100043", start_date="2030-03-01")
        created = api.post("/v1/employees", json={"name": "New Person", "email": "new@example.com"})
        generated_email = {"name": "X", "email": "anna.becker.0000000@large.example"}
        taken = api.post("/v1/employees", json=generated_email)

    assert page["pagination"]["total"] == 300_000 and len(page["data"]) == 100
    assert len(one) == 12 and {r["employee_id"] for r in one} == {"emp_100043"}
    assert created.json()["data"]["id"] == "emp_110001"
    assert_error(taken, 400, "invalid_request", "email")


# -- over real loopback ---------------------------------------------------------------------------
def test_served_on_loopback_with_webhooks_posted_over_http(clock):
    received: list[dict] = []
    arrived = threading.Event()

    def receiver(environ, start_response):
        request = Request(environ)
        received.append({"secret": request.headers.get("X-WorkTime-Secret"), **request.get_json()})
        arrived.set()
        return Response("ok")(environ, start_response)

    hook_server = make_server("127.0.0.1", 0, receiver, threaded=True)
    threading.Thread(target=hook_server.serve_forever, daemon=True).start()
    sim = WorkTimeSimulator.demo(clock=clock)  # default: real httpx client, background delivery
    registration = sim.register_webhook(f"http://127.0.0.1:{hook_server.server_port}/hooks")
    running = serve(sim)
    try:
        auth = {"Authorization": f"Bearer {sim.credentials()['api_key']}"}
        with httpx.Client(base_url=running.base_url, headers=auth) as client:
            listed = client.get("/v1/employees", params={"limit": 3})
            body = {"name": "Loop Back", "email": "loop@example.com"}
            created = client.post("/v1/employees", json=body)
        assert arrived.wait(5)
    finally:
        running.server.shutdown()
        hook_server.shutdown()

    assert listed.status_code == 200 and listed.headers["X-RateLimit-Remaining"] == "9999"
    assert created.status_code == 201
    assert (
        received[0]["event"] == "employee.created" and received[0]["secret"] == registration.secret
    )
