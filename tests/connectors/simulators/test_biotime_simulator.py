"""The BioTime 9.5 simulator behaves like the server its document and the quirks file describe.

Everything goes over HTTP through ``sim.client()`` (one test over real loopback)."""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.biotime.simulator import BioTimeQuirks, BioTimeSimulator
from connectors.biotime.simulator.records import Terminal
from connectors.biotime.simulator.seed import CONTRACTOR_CODE
from connectors.simkit.clock import SimClock
from connectors.simkit.serve import serve

BERLIN = ZoneInfo("Europe/Berlin")
# A Wednesday, 12:40 in Berlin: people are at work, the loading dock is offline.
NOW = datetime(2025, 3, 12, 11, 40, tzinfo=UTC)
ADMIN = {"username": "admin", "password": "Nordhafen#2024"}

DOC_TERMINAL_KEYS = [
    "id", "sn", "ip_address", "alias", "terminal_name", "fw_ver", "push_ver", "state",
    "terminal_tz", "area", "last_activity", "user_count", "fp_count", "face_count", "palm_count",
    "transaction_count", "push_time", "transfer_time", "transfer_interval", "is_attendance",
    "area_name",
]  # fmt: skip
DOC_EMPLOYEE_LIST_KEYS = [
    "id", "emp_code", "first_name", "last_name", "nickname", "device_password", "card_no",
    "department", "dept_name", "position", "position_name", "hire_date", "gender", "birthday",
    "verify_mode", "emp_type", "contact_tel", "office_tel", "mobile", "national", "city",
    "address", "postcode", "email", "enroll_sn", "ssn", "religion", "enable_att",
    "enable_overtime", "enable_holiday", "dev_privilege", "self_password", "flow_role", "area",
    "area_name", "app_status", "app_role",
]  # fmt: skip
DOC_EMPLOYEE_DETAIL_KEYS = [
    k for k in DOC_EMPLOYEE_LIST_KEYS if k not in ("dept_name", "position_name", "area_name")
]
TRANSACTION_KEYS = [
    "id", "emp", "emp_code", "first_name", "last_name", "department", "position", "punch_time",
    "punch_state", "punch_state_display", "verify_type", "verify_type_display", "work_code",
    "gps_location", "area_alias", "terminal_sn", "temperature", "terminal_alias", "upload_time",
]  # fmt: skip


# -- fixtures and helpers --------------------------------------------------------------------------
@pytest.fixture
def clock():
    return SimClock(NOW, frozen=True)


@pytest.fixture
def sim(clock):
    """An empty server: the default department (1) and area (1) only."""
    return BioTimeSimulator(clock=clock)


@pytest.fixture
def client(sim):
    with sim.client() as c:
        yield c


@pytest.fixture
def auth(client):
    return jwt_headers(client)


@pytest.fixture(scope="module")
def demo():
    """A read-only demo server (tests that change it build their own)."""
    return BioTimeSimulator.demo(clock=SimClock(NOW, frozen=True))


@pytest.fixture(scope="module")
def demo_client(demo):
    with demo.client() as c:
        yield c


@pytest.fixture(scope="module")
def demo_auth(demo_client):
    return token_headers(demo_client)


def jwt_headers(client, body=ADMIN) -> dict:
    response = client.post("/jwt-api-token-auth/", json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"JWT {response.json()['token']}"}


def token_headers(client, body=ADMIN, path="/api-token-auth/") -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Token {response.json()['token']}"}


def jwt_part(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def pull_all(client, url, headers) -> list[dict]:
    rows, seen = [], set()
    while url not in (None, "null"):
        assert url not in seen, "next points at a page already read"
        seen.add(url)
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        rows += response.json()["data"]
        url = response.json()["next"]
    return rows


def data(client, url, headers) -> list[dict]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def create_employee(client, headers, **fields) -> dict:
    body = {"emp_code": "employee333", "first_name": "emp3_first_name", "area": [1]}
    body["department"] = 1
    response = client.post("/personnel/api/employees/", json=body | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def local(ts_text: str) -> datetime:
    return datetime.strptime(ts_text, "%Y-%m-%d %H:%M:%S")


# -- authentication --------------------------------------------------------------------------------
def test_jwt_login_answers_only_a_token_whose_exp_claim_is_the_lifetime(client):
    response = client.post("/jwt-api-token-auth/", json=ADMIN)

    assert response.status_code == 200
    assert list(response.json()) == ["token"]
    token = response.json()["token"]
    assert token.count(".") == 2
    assert jwt_part(token, 0) == {"typ": "JWT", "alg": "HS256"}
    assert jwt_part(token, 1)["exp"] == int(NOW.timestamp()) + 300
    assert jwt_part(token, 1)["username"] == "admin"


def test_jwt_expires_after_its_lifetime_and_then_answers_401(client, auth, clock):
    assert client.get("/iclock/api/terminals/", headers=auth).status_code == 200

    clock.advance(301)
    response = client.get("/iclock/api/terminals/", headers=auth)

    assert response.status_code == 401
    assert response.json() == {"detail": "Signature has expired."}
    assert response.headers["WWW-Authenticate"] == 'JWT realm="api"'


def test_jwt_lifetime_is_configurable(clock):
    sim = BioTimeSimulator(clock=clock, jwt_lifetime=timedelta(hours=2))
    token = sim.client().post("/jwt-api-token-auth/", json=ADMIN).json()["token"]

    assert jwt_part(token, 1)["exp"] - jwt_part(token, 1)["orig_iat"] == 7200


def test_general_token_never_expires_and_is_the_same_on_every_login(client, clock):
    headers = token_headers(client)

    clock.advance(timedelta(days=400))

    assert client.get("/personnel/api/areas/", headers=headers).status_code == 200
    assert token_headers(client) == headers
    assert len(headers["Authorization"].split()[1]) == 40


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer abc", "Authentication credentials were not provided."),
        ("JWT", "Invalid Authorization header. No credentials provided."),
        ("JWT not.a.jwt", "Error decoding signature."),
        ("JWT eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl", "Error decoding signature."),
        ("Token 0123456789abcdef0123456789abcdef01234567", "Invalid token."),
    ],
)
def test_missing_or_bad_credentials_answer_401(client, header, detail):
    headers = {"Authorization": header} if header else {}

    response = client.get("/personnel/api/employees/", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"detail": detail}


def test_bad_login_answers_400_with_drf_errors(client):
    wrong = client.post("/jwt-api-token-auth/", json={"username": "admin", "password": "nope"})
    empty = client.post("/api-token-auth/", json={})

    assert wrong.status_code == 400
    assert wrong.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert empty.status_code == 400
    required = ["This field is required."]
    assert empty.json() == {"username": required, "password": required}


def test_login_accepts_a_form_body_like_drf(client):
    response = client.post("/api-token-auth/", data=ADMIN)

    assert response.status_code == 200


def test_repeated_bad_logins_lock_the_account_even_for_the_right_password(sim, client):
    for _ in range(5):
        client.post("/jwt-api-token-auth/", json={"username": "admin", "password": "guess"})

    locked = client.post("/jwt-api-token-auth/", json=ADMIN)
    sim.auth.unlock()
    unlocked = client.post("/jwt-api-token-auth/", json=ADMIN)

    assert locked.status_code == 403
    assert "locked" in locked.json()["detail"]
    assert unlocked.status_code == 200


def test_staff_login_is_by_employee_code_and_sees_only_own_punches(demo, demo_client):
    staff = demo.credentials()
    body = {"username": staff["staff_username"], "password": staff["staff_password"]}

    as_system = demo_client.post("/api-token-auth/", json=body)
    headers = token_headers(demo_client, body, path="/staff-api-token-auth/")
    jwt = demo_client.post("/staff-jwt-api-token-auth/", json=body)
    punches = demo_client.get("/iclock/api/transactions/?page_size=50", headers=headers)
    employees = demo_client.get("/personnel/api/employees/", headers=headers)

    assert as_system.status_code == 400  # staff are not system users
    assert jwt.status_code == 200 and jwt_part(jwt.json()["token"], 1)["staff"] is True
    assert punches.status_code == 200 and punches.json()["count"] > 0
    assert {row["emp_code"] for row in punches.json()["data"]} == {staff["staff_username"]}
    assert employees.status_code == 403


def test_system_user_cannot_use_the_staff_login(client):
    response = client.post("/staff-jwt-api-token-auth/", json=ADMIN)

    assert response.status_code == 400


def test_licence_fault_answers_403_naming_the_api_module_but_login_works(sim, client):
    sim.vendor_faults.licence_missing = True

    headers = jwt_headers(client)
    response = client.get("/iclock/api/transactions/", headers=headers)

    assert response.status_code == 403
    assert "API module" in response.json()["detail"] and "license" in response.json()["detail"]


# -- paths -----------------------------------------------------------------------------------------
def test_path_without_trailing_slash_is_redirected_like_django(client, auth):
    response = client.get("/personnel/api/employees?emp_code=7", headers=auth)

    assert response.status_code == 301
    assert response.headers["Location"] == "/personnel/api/employees/?emp_code=7"


def test_unknown_path_answers_django_html_404(client, auth):
    response = client.get("/personnel/api/employee/", headers=auth)  # the document's typo

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_html_quirk_answers_200_html_for_wrong_paths_and_missing_slashes(sim, client, auth):
    sim.quirks.html_for_unknown_paths = True

    wrong = client.get("/personnel/api/employee/", headers=auth)
    no_slash = client.get("/iclock/api/transactions", headers=auth)

    for response in (wrong, no_slash):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "<html" in response.text


def test_wrong_method_answers_401_before_405(client, auth):
    anonymous = client.post("/iclock/api/terminals/", json={})
    known = client.post("/iclock/api/terminals/", json={}, headers=auth)
    login_get = client.get("/jwt-api-token-auth/")

    assert anonymous.status_code == 401
    assert known.status_code == 405
    assert known.json() == {"detail": 'Method "POST" not allowed.'}
    assert login_get.status_code == 405


# -- envelope and paging ---------------------------------------------------------------------------
def test_empty_list_is_the_documents_demo_envelope(client, auth):
    response = client.get("/iclock/api/terminals/", headers=auth)

    assert response.json() == {
        "count": 0, "next": None, "previous": None, "msg": "", "code": 0, "results": [], "data": [],
    }  # fmt: skip


def test_empty_page_without_results_key_when_the_build_does_not_add_it(sim, client, auth):
    sim.quirks.empty_page_results_key = False

    body = client.get("/iclock/api/terminals/", headers=auth).json()

    assert "results" not in body and body["data"] == []


def test_paging_follows_full_next_urls_to_the_end(client, auth):
    for n in range(7):
        create_employee(client, auth, emp_code=f"{n:03d}")

    first = client.get("/personnel/api/employees/?page_size=3", headers=auth).json()
    second = client.get(first["next"], headers=auth).json()
    rows = pull_all(client, "/personnel/api/employees/?page_size=3", auth)
    beyond = client.get("/personnel/api/employees/?page_size=3&page=4", headers=auth)

    assert first["count"] == 7
    assert first["next"] == "http://sim.test/personnel/api/employees/?page=2&page_size=3"
    assert second["previous"] == "http://sim.test/personnel/api/employees/?page_size=3"
    assert [r["emp_code"] for r in rows] == [f"{n:03d}" for n in range(7)]
    assert beyond.status_code == 404 and beyond.json() == {"detail": "Invalid page."}


def test_default_page_size_is_ten(client, auth):
    for n in range(12):
        create_employee(client, auth, emp_code=f"E{n}")

    body = client.get("/personnel/api/employees/", headers=auth).json()

    assert len(body["data"]) == 10 and body["next"].endswith("?page=2")


def test_page_size_parameter_name_is_chosen_by_the_build(sim, client, auth):
    for n in range(12):
        create_employee(client, auth, emp_code=f"E{n}")
    sim.quirks.page_size_param = "limit"

    by_limit = client.get("/personnel/api/employees/?limit=5", headers=auth).json()
    ignored = client.get("/personnel/api/employees/?page_size=5", headers=auth).json()

    assert len(by_limit["data"]) == 5 and "limit=5" in by_limit["next"]
    assert len(ignored["data"]) == 10


def test_next_as_string_null_quirk(sim, client, auth):
    sim.quirks.next_as_string_null = True

    body = client.get("/personnel/api/departments/", headers=auth).json()

    assert body["next"] == "null" and body["previous"] is None


def test_repeat_page_fault_points_next_at_the_same_page(sim, client, auth):
    for n in range(5):
        create_employee(client, auth, emp_code=f"E{n}")
    sim.vendor_faults.repeat_page = 1

    first = client.get("/personnel/api/employees/?page_size=2", headers=auth).json()
    again = client.get(first["next"], headers=auth).json()

    assert "page=1" in first["next"]
    assert again["data"] == first["data"]
    assert "page=2" in again["next"]  # one loop only: the fault was used up


def test_tokens_revoked_mid_paging_answer_401_until_a_new_login(sim, client):
    for n in range(6):
        create_employee(client, jwt_headers(client), emp_code=f"E{n}")
    jwt, token = jwt_headers(client), token_headers(client)
    sim.vendor_faults.revoke_tokens_after = 2

    first = client.get("/personnel/api/employees/?page_size=2", headers=jwt)
    second = client.get(first.json()["next"], headers=jwt)
    with_token = client.get(first.json()["next"], headers=token)
    relogged = client.get(first.json()["next"], headers=jwt_headers(client))

    assert first.status_code == 200
    assert second.status_code == 401 and second.json() == {"detail": "Error decoding signature."}
    assert with_token.status_code == 401 and with_token.json() == {"detail": "Invalid token."}
    assert relogged.status_code == 200 and relogged.json()["data"][0]["emp_code"] == "E2"


def test_html_200_fault_answers_html_on_an_api_path(sim, client, auth):
    sim.vendor_faults.html_200 = 1

    faulty = client.get("/iclock/api/terminals/", headers=auth)
    after = client.get("/iclock/api/terminals/", headers=auth)

    assert faulty.status_code == 200 and faulty.headers["content-type"].startswith("text/html")
    assert after.headers["content-type"] == "application/json"


def test_kit_error_burst_applies_then_recovers(sim, client, auth):
    sim.faults.error_burst = 1

    assert client.get("/iclock/api/terminals/", headers=auth).status_code == 503
    assert client.get("/iclock/api/terminals/", headers=auth).status_code == 200


def test_first_request_after_idle_is_slow(clock):
    quirks = BioTimeQuirks(slow_first_request_seconds=0.2, idle_threshold_seconds=600)
    sim = BioTimeSimulator(clock=clock, quirks=quirks)
    client = sim.client()

    def timed() -> float:
        started = time.perf_counter()
        client.get("/")
        return time.perf_counter() - started

    cold, warm = timed(), timed()
    clock.advance(601)
    after_idle = timed()

    assert cold >= 0.2 and after_idle >= 0.2
    assert warm < 0.2  # no latency injected while the server is warm


# -- employees -------------------------------------------------------------------------------------
def test_document_employee_examples_round_trip(client, auth):
    created = client.post(
        "/personnel/api/employees/",
        json={"emp_code": "employee333", "first_name": "emp3_first_name",
              "last_name": "emp3_last_name", "area": [1], "department": 1},
        headers=auth,
    )  # fmt: skip
    pk = created.json()["id"]
    fetched = client.get(f"/personnel/api/employees/{pk}/", headers=auth)
    patched = client.patch(
        f"/personnel/api/employees/{pk}/",
        json={"first_name": "emp3_first_name_update", "last_name": "emp3_last_name_update"},
        headers=auth,
    )
    listed = client.get("/personnel/api/employees/?emp_code=employee333", headers=auth)
    deleted = client.delete(f"/personnel/api/employees/{pk}/", headers=auth)
    gone = client.get(f"/personnel/api/employees/{pk}/", headers=auth)

    assert created.status_code == 201
    assert list(created.json()) == DOC_EMPLOYEE_LIST_KEYS
    assert created.json()["department"] == {"id": 1, "dept_code": "1", "dept_name": "Department"}
    assert created.json()["area"] == [{"id": 1, "area_code": "1", "area_name": "Not Authorized"}]
    assert created.json()["nickname"] is None and created.json()["verify_mode"] == -1
    assert list(fetched.json()) == DOC_EMPLOYEE_DETAIL_KEYS
    assert fetched.json()["department"] == 1 and fetched.json()["area"] == [1]
    assert patched.status_code == 200
    assert patched.json()["first_name"] == "emp3_first_name_update"
    assert patched.json()["department"] == 1
    assert listed.json()["count"] == 1
    assert listed.json()["data"][0]["last_name"] == "emp3_last_name_update"
    assert deleted.status_code == 204
    assert gone.status_code == 404 and gone.json() == {"detail": "Not found."}


def test_emp_code_stays_a_string_with_leading_zeros(client, auth):
    create_employee(client, auth, emp_code="007")
    create_employee(client, auth, emp_code=7)

    found = client.get("/personnel/api/employees/?emp_code=007", headers=auth).json()["data"]

    assert [row["emp_code"] for row in found] == ["007"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"emp_code", "department", "area"}),
        ({"emp_code": "x", "department": 99, "area": [1]}, {"department"}),
        ({"emp_code": "x", "department": 1, "area": []}, {"area"}),
        ({"emp_code": "x", "department": 1, "area": [1], "hire_date": "02.04.2019"}, {"hire_date"}),
        ({"emp_code": "x", "department": 1, "area": [1], "email": "nope"}, {"email"}),
        ({"emp_code": "taken", "department": 1, "area": [1]}, {"emp_code"}),
    ],
)
def test_invalid_employee_create_answers_400_by_field(client, auth, body, errors):
    create_employee(client, auth, emp_code="taken")

    response = client.post("/personnel/api/employees/", json=body, headers=auth)

    assert response.status_code == 400
    assert set(response.json()) == errors


def test_put_needs_the_required_fields_but_patch_does_not(client, auth):
    pk = create_employee(client, auth)["id"]

    put = client.put(f"/personnel/api/employees/{pk}/", json={"first_name": "A"}, headers=auth)
    patch = client.patch(f"/personnel/api/employees/{pk}/", json={"first_name": "A"}, headers=auth)

    assert put.status_code == 400 and set(put.json()) == {"emp_code", "department", "area"}
    assert patch.status_code == 200


def test_flat_8x_employee_shape(sim, client, auth):
    sim.quirks.employee_shape = "flat"

    row = create_employee(client, auth)

    assert row["department"] == 1 and row["dept_name"] == "Department"
    assert row["area"] == [1] and row["area_name"] == "Not Authorized"
    assert row["position"] is None and row["position_name"] is None


def test_detail_can_answer_objects_like_the_list(sim, client, auth):
    pk = create_employee(client, auth)["id"]
    sim.quirks.fk_ids_on_detail = False

    row = client.get(f"/personnel/api/employees/{pk}/", headers=auth).json()

    assert row["department"] == {"id": 1, "dept_code": "1", "dept_name": "Department"}


def test_custom_fields_quirk_adds_top_level_keys_with_spaces(demo, demo_client, demo_auth):
    demo.quirks.custom_fields = True
    try:
        row = data(demo_client, "/personnel/api/employees/?page_size=1", demo_auth)[0]
    finally:
        demo.quirks.custom_fields = False

    assert row["Cost Center"].isdigit()
    assert row["Shift Group"] in ("Early", "Late", "Night", "Flex")
    assert "badge_colour" in row
    assert (
        row["Global ID"].startswith("NH-")
        and row["Primary Job"] == row["position"]["position_name"]
    )
    assert "Passport No" in row


@pytest.mark.parametrize(
    "path",
    [
        "/personnel/api/resigns/",
        "/personnel/api/resigns/1/",
        "/personnel/api/resigns/reinstatement/",
    ],
)
def test_build_80_answers_the_resign_paths_with_django_html_404(clock, path):
    sim = BioTimeSimulator.demo(clock=clock, history_days=1, quirks=BioTimeQuirks.build_80())
    with sim.client() as client:
        headers = jwt_headers(client)
        response = client.get(path, headers=headers)
        employees = client.get("/personnel/api/employees/", headers=headers)

    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert employees.status_code == 200 and employees.json()["count"] == len(
        sim.directory.employees
    )
    assert not sim.directory.resigns  # 8.0 never had any


# -- resignations ----------------------------------------------------------------------------------
def test_resignation_round_trip_and_reinstatement(client, auth):
    pk = create_employee(client, auth, emp_code="11111122", first_name="aaabb", last_name="")["id"]

    created = client.post(
        "/personnel/api/resigns/",
        json={
            "employee": pk,
            "disableatt": True,
            "resign_type": 1,
            "resign_date": "2020-06-01",
            "reason": "",
        },
        headers=auth,
    )
    resign_id = created.json()["id"]
    hidden = client.get("/personnel/api/employees/", headers=auth).json()["count"]
    updated = client.put(
        f"/personnel/api/resigns/{resign_id}/", json={"resign_date": "2020-06-02"}, headers=auth
    )
    listed = client.get(f"/personnel/api/resigns/?employee={pk}", headers=auth).json()
    reinstated = client.post(
        "/personnel/api/resigns/reinstatement/", json={"resigns": [resign_id]}, headers=auth
    )
    back = client.get("/personnel/api/employees/", headers=auth).json()["count"]

    assert created.status_code == 201
    assert created.json() == {
        "id": resign_id, "resign_date": "2020-06-01", "resign_type": 1, "disableatt": True,
        "employee": {"id": pk, "emp_code": "11111122", "first_name": "aaabb", "last_name": ""},
        "first_name": "aaabb", "last_name": "",
    }  # fmt: skip
    assert hidden == 0
    assert updated.status_code == 200 and updated.json()["resign_date"] == "2020-06-02"
    assert listed["count"] == 1
    assert reinstated.status_code == 200
    assert back == 1
    assert client.get(f"/personnel/api/resigns/{resign_id}/", headers=auth).status_code == 404


def test_resignation_validation_and_delete(client, auth):
    pk = create_employee(client, auth)["id"]

    missing = client.post("/personnel/api/resigns/", json={"employee": pk}, headers=auth)
    created = client.post(
        "/personnel/api/resigns/",
        json={"employee": pk, "disableatt": True, "resign_type": 2, "resign_date": "2024-01-31"},
        headers=auth,
    ).json()
    twice = client.post(
        "/personnel/api/resigns/",
        json={"employee": pk, "disableatt": True, "resign_type": 2, "resign_date": "2024-01-31"},
        headers=auth,
    )
    deleted = client.delete(f"/personnel/api/resigns/{created['id']}/", headers=auth)
    bad_reinstate = client.post(
        "/personnel/api/resigns/reinstatement/", json={"resigns": [999]}, headers=auth
    )

    assert missing.status_code == 400
    assert set(missing.json()) == {"resign_type", "disableatt", "resign_date"}
    assert twice.status_code == 400 and "employee" in twice.json()
    assert deleted.status_code == 204
    assert bad_reinstate.status_code == 400


# -- departments, areas, positions -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "code", "name", "parent"),
    [
        ("departments", "dept_code", "dept_name", "parent_dept"),
        ("areas", "area_code", "area_name", "parent_area"),
        ("positions", "position_code", "position_name", "parent_position"),
    ],
)
def test_code_name_tree_round_trip(client, auth, kind, code, name, parent):
    url = f"/personnel/api/{kind}/"
    root = client.post(url, json={code: "1x", name: "Root"}, headers=auth).json()

    body = {code: "222", name: f"{kind}222", parent: root["id"]}
    created = client.post(url, json=body, headers=auth)
    pk = created.json()["id"]
    detail = client.get(f"{url}{pk}/", headers=auth).json()
    patched = client.patch(f"{url}{pk}/", json={name: f"{kind}222_update"}, headers=auth)
    filtered = client.get(f"{url}?{code}=222", headers=auth).json()
    contains = client.get(f"{url}?{name}_icontains=UPDATE", headers=auth).json()
    duplicate = client.post(url, json={code: "222", name: "again"}, headers=auth)
    deleted = client.delete(f"{url}{pk}/", headers=auth)

    assert created.status_code == 201
    assert created.json() == {"id": pk, code: "222", name: f"{kind}222", parent: root["id"]}
    assert detail[f"{parent}_name"] == "Root"
    if kind == "areas":  # the document nests the parent area, departments give its id
        assert detail[parent] == {"id": root["id"], code: "1x", name: "Root", parent: None}
    else:
        assert detail[parent] == root["id"]
    assert patched.json() == {"id": pk, code: "222", name: f"{kind}222_update", parent: root["id"]}
    assert filtered["count"] == 1 and contains["count"] == 1
    assert duplicate.status_code == 400 and code in duplicate.json()
    assert deleted.status_code == 204
    assert client.get(f"{url}{pk}/", headers=auth).status_code == 404


def test_department_with_employees_cannot_be_deleted(client, auth):
    body = {"dept_code": "9", "dept_name": "Nine"}
    dept = client.post("/personnel/api/departments/", json=body, headers=auth).json()
    create_employee(client, auth, department=dept["id"])

    response = client.delete(f"/personnel/api/departments/{dept['id']}/", headers=auth)

    assert response.status_code == 400


# -- terminals -------------------------------------------------------------------------------------
def test_terminal_list_and_object_have_the_documents_fields(demo_client, demo_auth):
    listed = demo_client.get("/iclock/api/terminals/", headers=demo_auth).json()
    first_id = listed["data"][0]["id"]
    one = demo_client.get(f"/iclock/api/terminals/{first_id}/", headers=demo_auth).json()
    by_sn = demo_client.get(f"/iclock/api/terminals/?sn={one['sn']}", headers=demo_auth).json()

    assert list(listed["data"][0]) == DOC_TERMINAL_KEYS
    assert one == listed["data"][0]
    assert one["area"]["area_name"] == one["area_name"]
    assert by_sn["count"] == 1
    assert demo_client.get("/iclock/api/terminals/999/", headers=demo_auth).status_code == 404


def test_terminal_type_quirks(demo, demo_client, demo_auth):
    demo.quirks.terminal_state_as_string = True
    for style, expected in (("int", 1), ("string", "1"), ("bool", True)):
        demo.quirks.is_attendance_style = style
        row = data(demo_client, "/iclock/api/terminals/?page_size=1", demo_auth)[0]
        assert row["is_attendance"] == expected
    demo.quirks.terminal_state_as_string = False

    assert row["state"] == "1"


def test_terminal_offline_at_noon_holds_its_punches(demo, demo_client, demo_auth):
    rows = data(demo_client, "/iclock/api/terminals/?alias=BRE Loading dock", demo_auth)

    assert rows[0]["state"] == 3
    assert rows[0]["last_activity"] == "2025-03-12 10:30:07"
    assert demo.pending_uploads(terminal_id=rows[0]["id"]) > 0


# -- transactions ----------------------------------------------------------------------------------
def test_transaction_fields_follow_the_document(demo_client, demo_auth):
    body = demo_client.get("/iclock/api/transactions/?page_size=5", headers=demo_auth).json()
    row = body["data"][0]
    detail = demo_client.get(f"/iclock/api/transactions/{row['id']}/", headers=demo_auth).json()

    assert list(row) == TRANSACTION_KEYS
    assert isinstance(row["emp_code"], str) and isinstance(row["punch_state"], str)
    assert isinstance(row["emp"], int) and isinstance(row["verify_type"], int)
    assert row["department"] and not row["department"].isdigit()  # a display name
    assert local(row["punch_time"]) and local(row["upload_time"])
    assert row["temperature"] == 0.0
    assert detail == row


def test_device_only_users_have_emp_null(demo_client, demo_auth):
    rows = data(demo_client, f"/iclock/api/transactions/?emp_code={CONTRACTOR_CODE}", demo_auth)

    assert rows and all(r["emp"] is None and r["first_name"] is None for r in rows)


def test_transaction_filters_match_a_brute_force_scan(demo, demo_client, demo_auth):
    everything = demo.transactions.select()
    all_rows = [(tid, p) for tid, p in everything.page(0, len(everything))]
    start = datetime(2025, 3, 3, 8, 0, tzinfo=BERLIN)
    end = datetime(2025, 3, 5, 17, 30, tzinfo=BERLIN)
    terminal = demo.directory.terminals[5]
    emp_code = demo.directory.employees[3].emp_code

    def pulled(**params) -> list[int]:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        url = f"/iclock/api/transactions/?page_size=500&{query}"
        return [r["id"] for r in pull_all(demo_client, url, demo_auth)]

    window = {"start_time": f"{start:%Y-%m-%d %H:%M:%S}", "end_time": f"{end:%Y-%m-%d %H:%M:%S}"}
    in_window = [tid for tid, p in all_rows if start.timestamp() <= p.punch_ts <= end.timestamp()]

    assert pulled(**window) == in_window
    assert pulled(**window, terminal_sn=terminal.sn) == [
        tid for tid, p in all_rows if tid in set(in_window) and p.terminal_id == terminal.id
    ]
    assert pulled(emp_code=emp_code) == [tid for tid, p in all_rows if p.emp_code == emp_code]


def test_invalid_time_filter_answers_400(demo_client, demo_auth):
    response = demo_client.get("/iclock/api/transactions/?start_time=yesterday", headers=demo_auth)

    assert response.status_code == 400
    assert response.json() == {"start_time": ["Enter a valid date/time."]}


def test_late_upload_appears_only_once_uploaded_so_a_punch_time_cursor_misses_it(
    sim, client, clock
):
    auth = token_headers(client)
    create_employee(client, auth, emp_code="0042")
    punched_at = int(clock.now().timestamp())
    terminal = _terminal(sim)
    sim.add_punch("0042", terminal_id=terminal, state=0, at_ts=punched_at, upload_delay=3 * 3600)
    clock.advance(60)
    sim.add_punch("0042", terminal_id=terminal, state=2, upload_delay=5)

    clock.advance(3600)
    before = pull_all(client, "/iclock/api/transactions/", auth)
    cursor = before[-1]["punch_time"]
    clock.advance(2 * 3600)
    since_cursor = pull_all(client, f"/iclock/api/transactions/?start_time={cursor}", auth)
    everything = pull_all(client, "/iclock/api/transactions/", auth)

    assert [r["punch_state"] for r in before] == ["2"]
    assert [r["punch_state"] for r in since_cursor] == ["2"]  # the late check-in is not in there
    late = [r for r in everything if r["punch_state"] == "0"][0]
    assert local(late["upload_time"]) - local(late["punch_time"]) == timedelta(hours=3)
    assert late["id"] > before[-1]["id"]


def _terminal(sim) -> int:
    if not sim.directory.terminals:
        terminal = Terminal(1, "ACEZ185060382", "ACEZ185060382_name", "127.0.0.1", area_id=1)
        sim.directory.add_terminal(terminal)
    return 1


@pytest.mark.parametrize(
    ("zone", "expected"), [("Europe/Berlin", "12:40:00"), ("Asia/Dubai", "15:40:00")]
)
def test_times_are_naive_in_the_servers_zone(clock, zone, expected):
    sim = BioTimeSimulator(clock=clock, time_zone=zone)
    client = sim.client()
    sim.add_punch("007", terminal_id=_terminal(sim), upload_delay=0)

    row = data(client, "/iclock/api/transactions/", token_headers(client))[0]

    assert row["punch_time"] == f"2025-03-12 {expected}" == row["upload_time"]
    assert row["emp"] is None and row["emp_code"] == "007"


def test_device_clock_ahead_uploads_before_its_punch_time(demo_client, demo_auth):
    rows = demo_client.get(
        "/iclock/api/transactions/?terminal_alias=HAN Workshop&page_size=200", headers=demo_auth
    ).json()["data"]

    assert rows and all(local(r["upload_time"]) < local(r["punch_time"]) for r in rows)


def test_offline_device_uploads_hours_late(demo_client, demo_auth):
    rows = pull_all(
        demo_client,
        "/iclock/api/transactions/?terminal_alias=BRE Loading dock&page_size=1000",
        demo_auth,
    )

    lags = [local(r["upload_time"]) - local(r["punch_time"]) for r in rows]
    assert max(lags) > timedelta(hours=2)
    assert min(lags) < timedelta(minutes=1)


def test_terminal_offline_over_a_weekend_uploads_31_hours_late(clock):
    sim = BioTimeSimulator(clock=clock)
    sim.directory.add_terminal(Terminal(1, "CQZ1", "Warehouse", "127.0.0.1", area_id=1))
    saturday = int(datetime(2025, 3, 15, 6, 0, tzinfo=UTC).timestamp())
    back = saturday + 31 * 3600
    sim.take_offline(1, int(NOW.timestamp()), back)
    sim.add_punch("0042", terminal_id=1, at_ts=saturday)
    with sim.client() as client:
        auth = token_headers(client)
        clock.advance(datetime.fromtimestamp(back - 60, UTC) - clock.now())
        state = data(client, "/iclock/api/terminals/", auth)
        before = data(client, "/iclock/api/transactions/", auth)
        clock.advance(timedelta(minutes=2))
        after = data(client, "/iclock/api/transactions/", auth)

    assert before == [] and state[0]["state"] == 3
    [row] = after
    assert local(row["upload_time"]) - local(row["punch_time"]) >= timedelta(hours=31)


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("punch_state_as_int", True, lambda r: isinstance(r["punch_state"], int)),
        ("verify_type_as_string", True, lambda r: isinstance(r["verify_type"], str)),
        ("temperature", "no_sensor", lambda r: r["temperature"] == 255),
        ("temperature", "string", lambda r: r["temperature"][:2] in ("35", "36", "37")),
        ("punch_state_display", "unknown", lambda r: r["punch_state_display"] == "Unknown"),
        ("punch_state_display", "null", lambda r: r["punch_state_display"] is None),
    ],
)
def test_transaction_type_quirks(demo, demo_client, demo_auth, field, value, check):
    previous = getattr(demo.quirks, field)
    setattr(demo.quirks, field, value)
    try:
        rows = data(demo_client, "/iclock/api/transactions/?page_size=20", demo_auth)
    finally:
        setattr(demo.quirks, field, previous)

    assert rows and all(check(r) for r in rows)


def test_french_build_says_depart_for_check_out(demo, demo_client, demo_auth):
    demo.quirks.punch_state_display = "french"
    try:
        rows = data(demo_client, "/iclock/api/transactions/?page_size=200", demo_auth)
    finally:
        demo.quirks.punch_state_display = "english"

    assert {r["punch_state_display"] for r in rows if r["punch_state"] == "1"} == {"Départ"}


def test_mixed_temperatures_vary_by_terminal(demo, demo_client, demo_auth):
    demo.quirks.temperature = "mixed"
    try:
        rows = data(demo_client, "/iclock/api/transactions/?page_size=2000", demo_auth)
    finally:
        demo.quirks.temperature = "zero"

    kinds = {repr(r["temperature"]) if r["temperature"] in (0.0, 255) else "text" for r in rows}
    assert kinds == {"0.0", "255", "text"}


# -- the demo and the clock ------------------------------------------------------------------------
def test_demo_holds_the_companys_biotime_people_sites_and_terminals(demo, demo_client, demo_auth):
    employees = pull_all(demo_client, "/personnel/api/employees/?page_size=100", demo_auth)
    areas = demo_client.get("/personnel/api/areas/", headers=demo_auth).json()["data"]
    terminals = demo_client.get("/iclock/api/terminals/", headers=demo_auth).json()["data"]
    resigns = demo_client.get("/personnel/api/resigns/", headers=demo_auth).json()

    assert 240 <= len(employees) <= 290
    assert all(len(e["emp_code"]) == 5 and e["emp_code"].startswith("00") for e in employees)
    sites = {"Hamburg HQ", "Bremen Warehouse", "Hannover Workshop"}
    assert {a["area_name"] for a in areas} == sites | {"Not Authorized"}
    per_site = Counter(t["area_name"] for t in terminals)
    assert all(2 <= n <= 3 for n in per_site.values()) and len(per_site) == 3
    assert resigns["count"] == 2
    resigned = {r["employee"]["id"] for r in resigns["data"]}
    assert not resigned & {e["id"] for e in employees}


def test_demo_history_covers_30_days_of_shifts_at_every_hour(demo):
    rows = demo.transactions.tail.rows
    first, last = rows[0].punch_ts, rows[-1].upload_ts
    hours = Counter(datetime.fromtimestamp(r.punch_ts, BERLIN).hour for r in rows)
    states = Counter(r.punch_state for r in rows)

    assert timedelta(days=29) < timedelta(seconds=last - first) <= timedelta(days=30, hours=1)
    assert len(hours) == 24
    assert states[0] > 4000 and states[1] > 4000 and states[2] > 1000 and states[3] > 1000


def test_clock_moving_produces_new_punches_with_growing_ids(clock):
    sim = BioTimeSimulator.demo(clock=clock)
    client = sim.client()
    headers = token_headers(client)
    before = client.get("/iclock/api/transactions/?page=last", headers=headers).json()

    clock.advance(timedelta(hours=1))
    after = client.get("/iclock/api/transactions/?page=last", headers=headers).json()
    newest = after["data"][-1]

    assert after["count"] > before["count"] + 10
    assert newest["id"] > before["data"][-1]["id"]
    assert local(newest["upload_time"]) > NOW.astimezone(BERLIN).replace(tzinfo=None)


def test_demo_stays_busy_at_night(clock):
    clock.set(datetime(2025, 3, 13, 1, 0, tzinfo=UTC))  # 02:00 in Berlin
    sim = BioTimeSimulator.demo(clock=clock)
    count = len(sim.transactions)

    clock.advance(timedelta(hours=2))
    sim.client().get("/")

    assert len(sim.transactions) > count


# -- large data sets -------------------------------------------------------------------------------
def test_large_builds_lazily_and_serves_deep_pages(clock):
    # (speed is measured by `make bench`, not asserted here: wall time depends on the machine's load)
    sim = BioTimeSimulator.large(employees=10_000, transactions=1_000_000, clock=clock)
    client = sim.client()
    headers = token_headers(client)

    deep = client.get("/iclock/api/transactions/?page=999&page_size=1000", headers=headers).json()
    window = client.get(
        "/iclock/api/transactions/?page_size=1000"
        "&start_time=2025-02-03 00:00:00&end_time=2025-02-04 23:59:59",
        headers=headers,
    ).json()

    assert deep["count"] == 1_000_000 and deep["data"][-1]["id"] == 999_000
    assert window["count"] > 30_000


def test_large_pull_of_employees_and_transactions(clock):
    sim = BioTimeSimulator.large(employees=10_000, transactions=1_000_000, clock=clock)
    client = sim.client()
    headers = token_headers(client)

    employees = pull_all(client, "/personnel/api/employees/?page_size=1000", headers)
    punches = data(client, "/iclock/api/transactions/?page_size=10000&page=7", headers)

    assert len(employees) == 10_000 and len({e["emp_code"] for e in employees}) == 10_000
    assert len(punches) == 10_000


_SMALL = {}


def _small_large() -> BioTimeSimulator:
    """40 people, 4000 generated punches, and one late upload in the list segment after them."""
    if "sim" not in _SMALL:
        clock = SimClock(NOW, frozen=True)
        sim = BioTimeSimulator.large(employees=40, transactions=4000, clock=clock)
        sim.add_punch("000001", terminal_id=1, at_ts=int(NOW.timestamp()) - 7200, upload_delay=7200)
        _SMALL["sim"] = sim
    return _SMALL["sim"]


def _odd_indices() -> list[int]:
    """Generated punches uploaded late or before their punch time: the window's hard cases."""
    segment = _small_large().transactions.segments[0][0]
    return [i for i in range(len(segment)) if abs(segment.upload_ts(i) - segment.punch_ts(i)) > 60]


@settings(max_examples=100, deadline=None)
@given(
    anchor=st.one_of(st.sampled_from(_odd_indices()), st.integers(min_value=0, max_value=3999)),
    shift=st.one_of(
        st.integers(min_value=-900, max_value=900),
        st.integers(min_value=-4 * 3600, max_value=4 * 3600),
    ),
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=3 * 86400)),
    anchor_is_end=st.booleans(),
    emp=st.one_of(st.none(), st.integers(min_value=0, max_value=39)),
    terminal=st.one_of(st.none(), st.integers(min_value=1, max_value=9)),
)
def test_time_window_over_generated_and_listed_punches_matches_brute_force(
    anchor, shift, length, anchor_is_end, emp, terminal
):
    store = _small_large().transactions
    edge = store.segments[0][0].punch_ts(anchor) + shift  # near a late or early-stamped punch
    if anchor_is_end:
        lo, hi = (None if length is None else edge - length), edge
    else:
        lo, hi = edge, (None if length is None else edge + length)
    code = f"{emp + 1:06d}" if emp is not None else None
    terminals = frozenset({terminal}) if terminal is not None else None

    selection = store.select(code, terminals, lo, hi)
    got = [tid for tid, _ in selection.page(0, len(selection))]

    punches = {tid: store.get(tid) for tid in range(1, len(store) + 1)}
    expected = [
        tid
        for tid, p in punches.items()
        if (lo is None or lo <= p.punch_ts)
        and (hi is None or p.punch_ts <= hi)
        and (code is None or p.emp_code == code)
        and (terminals is None or p.terminal_id in terminals)
    ]
    assert got == expected


def test_large_data_has_late_uploads_and_devices_running_ahead():
    store = _small_large().transactions
    lags = [p.upload_ts - p.punch_ts for p in (store.get(t) for t in range(1, len(store) + 1))]

    assert sum(lag > 3600 for lag in lags) >= 10
    assert sum(lag < 0 for lag in lags) >= 5


# -- loopback --------------------------------------------------------------------------------------
def test_serves_over_real_loopback_with_full_next_urls():
    sim = BioTimeSimulator.demo(clock=SimClock(NOW, frozen=True))
    running = serve(sim)
    try:
        with httpx.Client(base_url=running.base_url, timeout=5) as client:
            headers = jwt_headers(client)
            body = client.get("/personnel/api/employees/?page_size=5", headers=headers).json()
            second = client.get(body["next"], headers=headers)
    finally:
        running.server.shutdown()

    assert body["next"].startswith(running.base_url + "/personnel/api/employees/?")
    assert second.status_code == 200 and len(second.json()["data"]) == 5
