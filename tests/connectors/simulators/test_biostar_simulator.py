"""The BioStar X simulator over HTTP: the document's shapes, sessions, users and groups, doors and
their clock-driven state, event search, every quirk switch and fault, demo() and large()."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors.biostar.simulator import BioStarQuirks, BioStarSimulator
from connectors.biostar.simulator import eventlog as ev
from connectors.biostar.simulator.seed import seed_sites
from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import build_company
from connectors.simkit.serve import serve

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
PASSWORD = "biostar-demo-1"


@pytest.fixture
def clock():
    return SimClock(START, frozen=True)


@pytest.fixture
def sim(clock):
    return BioStarSimulator.demo(clock=clock)


@pytest.fixture
def bare(clock):
    """A server with only the Administrator and the demo sites' doors (no activity plan)."""
    sim = BioStarSimulator(clock=clock)
    seed_sites(sim, sim.company)
    return sim


def login(client: httpx.Client, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/login", json={"login_id": "admin", "password": password})
    assert response.status_code == 200, response.text
    return {"bs-session-id": response.headers["bs-session-id"]}


@pytest.fixture
def api(sim):
    """An httpx client already carrying a live session."""
    client = sim.client()
    client.headers.update(login(client))
    return client


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


def search(api, *conditions, limit=0, offset=0, descending=False, total=False):
    query = {"limit": limit, "offset": offset, "conditions": list(conditions),
             "orders": [{"column": "datetime", "descending": descending}]}  # fmt: skip
    if total:
        query["total"] = True
    response = api.post("/api/events/search", json={"Query": query})
    assert response.status_code == 200, response.text
    return response.json()["EventCollection"]


def window(start: datetime, end: datetime) -> dict:
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    return {"column": "datetime", "operator": 3, "values": [start.strftime(fmt), end.strftime(fmt)]}


# -- sessions -----------------------------------------------------------------------------------
def test_login_answers_user_and_session_id_only_in_a_response_header(sim):
    client = sim.client()

    response = client.post("/api/login", json={"login_id": "admin", "password": PASSWORD})

    body = response.json()
    assert response.status_code == 200
    assert len(response.headers["bs-session-id"]) == 32
    assert body["Response"] == {"code": "0", "message": "Success"}
    assert body["User"]["user_id"] == "1" and body["User"]["login_id"] == "admin"
    assert body["User"]["permission"]["name"] == "Administrator"
    assert "bs-session-id" not in response.text


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": {"User": {"login_id": "admin", "password": PASSWORD}}},
        {"data": {"login_id": "admin", "password": PASSWORD}},
    ],
    ids=["user-wrapped-json", "form-encoded"],
)
def test_login_accepts_wrapped_json_and_form_bodies(sim, request_kwargs):
    response = sim.client().post("/api/login", **request_kwargs)

    assert response.status_code == 200 and response.headers["bs-session-id"]


def test_login_with_a_wrong_password_is_refused(sim):
    response = sim.client().post("/api/login", json={"login_id": "admin", "password": "nope"})

    assert response.status_code == 401
    assert response.json()["Response"]["code"] == "11"
    assert "bs-session-id" not in response.headers


def test_calls_without_a_session_answer_login_required(sim):
    response = sim.client().get("/api/users", headers={"bs-session-id": "0" * 32})

    assert response.status_code == 401
    assert response.json() == {"Response": {"code": "10", "message": "Login required."}}


def test_session_ends_after_the_idle_time(sim, clock, api):
    assert api.get("/api/doors").status_code == 200
    clock.advance(timedelta(minutes=29))
    assert api.get("/api/doors").status_code == 200  # use restarts the idle timer

    clock.advance(timedelta(minutes=31))

    response = api.get("/api/doors")
    assert response.status_code == 401 and response.json()["Response"]["code"] == "10"


def test_session_ends_after_its_lifetime_even_when_busy(clock):
    sim = BioStarSimulator(clock=clock, session_lifetime=timedelta(hours=1))
    client = sim.client()
    headers = login(client)
    for _ in range(5):
        clock.advance(timedelta(minutes=11))
        assert client.get("/api/users", headers=headers).status_code == 200

    clock.advance(timedelta(minutes=6))

    assert client.get("/api/users", headers=headers).status_code == 401


def test_logout_ends_the_session(api):
    assert api.post("/api/logout").json()["Response"]["code"] == "0"

    assert api.get("/api/users").json()["Response"]["code"] == "10"


@pytest.mark.parametrize("ends_old", [False, True])
def test_a_new_login_ends_older_sessions_only_with_the_quirk(clock, ends_old):
    sim = BioStarSimulator(clock=clock, quirks=BioStarQuirks(new_login_ends_old_sessions=ends_old))
    client = sim.client()
    first = login(client)

    login(client)

    status = client.get("/api/users", headers=first).status_code
    assert status == (401 if ends_old else 200)


def test_a_trailing_slash_is_an_error(api):
    response = api.get("/api/users/")

    assert response.status_code == 404
    assert response.json()["Response"]["code"] == "20"
    assert "trailing" in response.json()["Response"]["message"]


def test_unknown_paths_answer_in_the_biostar_envelope(api):
    response = api.get("/api/no_such_thing")

    assert response.status_code == 404
    assert set(response.json()) == {"Response"}


# -- users --------------------------------------------------------------------------------------
def test_users_page_with_limit_and_offset_to_the_end(api, sim):
    seen, offset = [], 0
    while True:
        answer = api.get("/api/users", params={"limit": 50, "offset": offset})
        page = answer.json()["UserCollection"]
        seen += [row["user_id"] for row in page["rows"]]
        offset += 50
        if offset >= int(page["total"]):
            break

    assert len(seen) == len(set(seen)) == len(sim.users) == int(page["total"])


def test_users_pull_incrementally_by_last_modified(api):
    rows = api.get("/api/users", params={"limit": 0}).json()["UserCollection"]["rows"]
    cursor = max(int(row["last_modified"]) for row in rows) + 1
    api.put("/api/users/00002", json={"User": {"department": "Finance"}})

    changed = api.get("/api/users", params={"last_modified": cursor}).json()["UserCollection"]

    assert changed["total"] == "1"
    assert (changed["rows"][0]["user_id"], changed["rows"][0]["department"]) == ("00002", "Finance")


def test_users_filter_by_group_id_and_order_by_name_descending(api, sim):
    it = next(g for g in sim.user_groups.values() if g.name == "IT")

    rows = api.get(
        "/api/users", params={"group_id": it.id, "order_by": "name:true", "limit": 0}
    ).json()["UserCollection"]["rows"]

    assert rows and all(row["user_group_id"] == {"id": str(it.id), "name": "IT"} for row in rows)
    assert [r["name"] for r in rows] == sorted((r["name"] for r in rows), reverse=True)


def test_user_create_get_update_delete_round_trip_with_the_documents_body(api):
    document_example = {
        "User": {
            "user_id": "1001", "name": "John Doe", "user_group_id": {"id": "1"},
            "disabled": False, "start_datetime": "2001-01-01T00:00:00.00Z",
            "expiry_datetime": "2030-12-31T23:59:00.00Z", "email": "john.doe@example.com",
            "department": "Engineering", "title": "Software Engineer", "photo": "",
            "phone": "+1-555-0123", "permission": {"id": "1"}, "access_groups": [{"id": "1"}],
            "login_id": "john.doe", "password": "ZxwOzbCK2VQ1dyv", "user_ip": "192.168.1.100",
            "pin": 1234,
        }
    }  # fmt: skip

    created = api.post("/api/users", json=document_example).json()
    user = api.get("/api/users/1001").json()["User"]
    expire = {"disabled": True, "expiry_datetime": "2026-03-01T00:00:00.00Z"}
    api.put("/api/users/1001", json={"User": expire})
    changed = api.get("/api/users/1001").json()["User"]
    deleted = api.delete("/api/users", params={"id": "1001"}).json()
    gone = api.get("/api/users/1001")

    assert created["UserCollection"]["rows"] == [{"user_id": "1001"}]
    assert user["user_title"] == "Software Engineer" and user["pin_exists"] == "true"
    assert user["expiry_datetime"] == "2030-12-31T23:59:00.00Z"
    assert user["access_groups"][0]["id"] == "1"
    assert changed["disabled"] == "true" and changed["expired"] == "true"
    assert deleted["Response"]["code"] == "0"
    assert gone.status_code == 404 and gone.json()["Response"]["code"] == "20"


def test_users_can_be_created_from_user_collection_rows(api):
    rows = [
        {"user_id": str(5000 + i), "name": f"Temp {i}", "user_group_id": {"id": 1}}
        for i in range(3)
    ]

    answer = api.post("/api/users", json={"UserCollection": {"rows": rows}}).json()

    assert [r["user_id"] for r in answer["UserCollection"]["rows"]] == ["5000", "5001", "5002"]
    assert api.get("/api/users/5002").json()["User"]["name"] == "Temp 2"


def test_user_scalars_are_strings_and_optional_fields_are_left_out(api):
    api.post("/api/users", json={"User": {"user_id": "777", "name": "No Contact"}})

    user = api.get("/api/users/777").json()["User"]

    assert all(isinstance(value, str) for value in leaves(user))
    assert not {"email", "phone", "department", "login_id", "access_groups"} & set(user)
    assert None not in leaves(api.get("/api/users", params={"limit": 0}).json())


@pytest.mark.parametrize(
    "body, code",
    [
        ({"User": {"user_id": "00001", "name": "Twin"}}, "31"),
        ({"User": {"user_id": "778", "name": "x" * 49}}, "30"),
        ({"User": {"user_id": "779", "name": "M", "email": "vera.jansen@nordhafen.example"}}, "31"),
        ({"User": {"user_id": "780", "name": "Lost", "user_group_id": {"id": 99}}}, "20"),
    ],
    ids=["duplicate-id", "long-name", "duplicate-email", "unknown-group"],
)
def test_user_create_refuses_what_the_document_lists(api, body, code):
    response = api.post("/api/users", json=body)

    assert response.status_code >= 400 and response.json()["Response"]["code"] == code


def test_users_delete_in_batches_with_plus_separated_ids(api, sim):
    rows = [{"user_id": f"9{i}", "name": f"T{i}"} for i in range(3)]
    api.post("/api/users", json={"UserCollection": {"rows": rows}})

    response = api.delete("/api/users?id=90+91+92")

    assert response.json()["Response"]["code"] == "0"
    assert not {"90", "91", "92"} & set(sim.users)


def test_deleting_an_unknown_user_deletes_nothing(api, sim):
    response = api.delete("/api/users?id=00002+424242")

    assert response.status_code == 404
    assert "00002" in sim.users


def test_bulk_update_reports_partial_success_per_row(api):
    rows = [{"user_id": "00002", "department": "Sales"}, {"user_id": "424242", "name": "Ghost"}]

    body = api.put("/api/users", json={"UserCollection": {"rows": rows}}).json()

    assert body["Response"]["code"] == "1"
    assert [r["ret_code"] for r in body["UserCollection"]["rows"]] == ["0", "20"]


@pytest.mark.parametrize("integers", [True, False])
def test_v2_user_search_sends_integers_unless_switched_off(clock, integers):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(v2_integers=integers))
    api = sim.client(headers=login(sim.client()))

    criteria = {"limit": 5, "order_by": "user_id:false", "user_name": "a"}
    body = api.post("/api/v2/users/search", json=criteria).json()

    row = body["UserCollection"]["rows"][0]
    assert isinstance(body["UserCollection"]["total"], int) is integers
    assert isinstance(row["user_group_id"]["id"], int) is integers
    assert isinstance(row["user_id"], str)
    assert row["start_datetime"] == "2001-01-01T00:00:00"


# -- user groups and access groups --------------------------------------------------------------
def test_user_groups_are_departments_under_all_users(api, sim):
    rows = api.get("/api/user_groups").json()["UserGroupCollection"]["rows"]

    names = {row["name"] for row in rows}
    assert names == {"All Users"} | {p.department for p in build_company().people}
    it = next(row for row in rows if row["name"] == "IT")
    assert it["parent_id"] == {"id": "1", "name": "All Users"} and it["depth"] == "1"
    assert int(it["user_count"]) == sum(u.department == "IT" for u in sim.users.values())


def test_user_group_create_rename_and_delete_moves_users_to_all_users(api):
    example = {"UserGroup": {"parent_id": {"id": 1}, "depth": 1, "name": "TestDataXFer3"}}
    created = api.post("/api/user_groups", json=example).json()
    group_id = created["UserGroup"]["id"]
    api.put(f"/api/user_groups/{group_id}", json={"UserGroup": {"name": "TestDataXFer3xx"}})
    api.put("/api/users/00002", json={"User": {"user_group_id": {"id": group_id}}})
    twin = {"UserGroup": {"parent_id": {"id": 1}, "name": "TestDataXFer3xx"}}
    duplicate = api.post("/api/user_groups", json=twin)

    renamed = api.get(f"/api/user_groups/{group_id}").json()["UserGroup"]
    api.delete("/api/user_groups", params={"id": group_id})

    assert renamed["name"] == "TestDataXFer3xx" and renamed["user_count"] == "1"
    assert duplicate.json()["Response"]["code"] == "31"
    assert api.get("/api/users/00002").json()["User"]["user_group_id"]["id"] == "1"


def test_access_groups_list_in_the_documents_shape(api):
    body = api.get("/api/access_groups").json()

    group = body["AccessGroupCollection"]["rows"][0]
    assert body["AccessGroupCollection"]["total"] == str(len(body["AccessGroupCollection"]["rows"]))
    assert {"id", "name", "user_count", "access_levels"} <= set(group)
    assert set(group["users"][0]) == {"name", "user_id"}
    assert all(isinstance(value, str) for value in leaves(body))


def test_access_group_create_update_and_membership(api):
    created = api.post("/api/access_groups", json={"AccessGroup": {
        "name": "ac_grp2", "description": "", "users": {"0": {"user_id": 1}},
        "user_groups": {"0": {"id": 1}}, "access_levels": {"0": {"id": 2}},
    }}).json()  # fmt: skip
    group_id = created["AccessGroup"]["id"]
    api.put(f"/api/access_groups/{group_id}", json={"AccessGroup": {
        "name": "Meeting Room Name", "new_users": {"0": {"user_id": "00002"}},
        "delete_users": {"0": {"user_id": 1}},
    }})  # fmt: skip

    group = api.get(f"/api/access_groups/{group_id}").json()["AccessGroup"]
    users = api.get(f"/api/access_groups/{group_id}/users").json()["UserCollection"]["rows"]
    user = api.get("/api/users/00002").json()["User"]

    assert created["DeviceResponse"]["result"] == "true"
    assert group["name"] == "Meeting Room Name"
    assert [u["user_id"] for u in group["users"]] == ["00002"]
    assert "user_groups" not in group  # left out of the update: emptied, as the document warns
    assert [u["user_id"] for u in users] == ["00002"]
    assert {"id": group_id, "name": "Meeting Room Name"} in user["access_groups"]


def test_access_group_users_of_an_unknown_group_is_success_without_records(api):
    body = api.get("/api/access_groups/9999/users").json()

    assert body["Response"]["code"] == "0" and body["UserCollection"]["rows"] == []


def test_access_group_v2_search_sends_integers_like_the_document(api):
    example = {"limit": 0, "order_by": "id:false"}
    body = api.post("/api/v2/access_groups/search", json=example).json()

    collection = body["AccessGroupCollection"]
    assert isinstance(collection["total"], int) and isinstance(collection["rows"][0]["id"], int)
    assert isinstance(collection["rows"][0]["users"][0]["user_id"], str)


# -- doors and devices --------------------------------------------------------------------------
def test_doors_are_one_per_site_door_each_with_its_own_controller(api):
    answer = api.get("/api/doors", params={"limit": 0, "order_by": "id:false"})
    doors = answer.json()["DoorCollection"]["rows"]
    devices = api.get("/api/devices").json()["DeviceCollection"]["rows"]

    site_doors = [name for site in build_company().sites for name in site.doors]
    assert [d["name"] for d in doors] == site_doors
    assert len({d["entry_device_id"]["id"] for d in doors}) == len(doors) == len(devices)
    assert api.get("/api/doors/1").json()["Door"]["open_duration"] == "5"
    assert devices[0]["status"] == "1" and devices[0]["device_type_id"]["name"] == "FaceStation F2"
    assert api.get(f"/api/devices/{devices[0]['id']}").json()["Device"] == devices[0]


def test_v2_door_and_device_searches(api):
    door_query = {"limit": 25, "search_text": "dock", "door_group_id": 1}
    device_query = {"limit": 0, "exclude_device_type_id": 29, "order_by": "id:false"}

    doors = api.post("/api/v2/doors/search", json=door_query).json()
    devices = api.post("/api/v2/devices/search", json=device_query).json()

    assert [d["name"] for d in doors["DoorCollection"]["rows"]] == ["Loading dock"]
    assert all(d["device_type_id"]["id"] == 32 for d in devices["DeviceCollection"]["rows"])


def door_status(api, door_id: int) -> dict:
    answer = api.post("/api/doors/status", json={"monitoring_permission": True})
    rows = answer.json()["DoorStatusCollection"]["rows"]
    return next(row for row in rows if row["door_id"]["id"] == str(door_id))


def test_open_unlocks_momentarily_and_relocks_after_the_open_duration(bare, clock):
    api = bare.client(headers=login(bare.client()))

    answer = api.post("/api/doors/open", json={"DoorCollection": {"rows": {"0": {"id": 1}}}}).json()
    during = door_status(api, 1)
    clock.advance(6)
    after = door_status(api, 1)

    assert answer["DeviceResponse"]["rows"] == [{"id": str(bare.doors[1].device_id), "code": "0"}]
    assert (during["unlocked"], during["status"], during["alarm"]) == ("true", "2", "2")
    assert (after["unlocked"], after["status"]) == ("false", "1")


def test_unlock_and_lock_hold_until_release(bare, clock):
    api = bare.client(headers=login(bare.client()))
    rows = {"DoorCollection": {"rows": [{"id": 2}]}}

    api.post("/api/doors/unlock", json=rows)
    clock.advance(timedelta(minutes=20))
    unlocked = door_status(api, 2)
    api.post("/api/doors/lock", json=rows)
    locked = door_status(api, 2)
    refused_open = api.post("/api/doors/open", json=rows)
    api.post("/api/doors/release", json=rows)
    released = door_status(api, 2)

    assert (unlocked["unlocked"], unlocked["status"]) == ("true", "2048")  # operator unlocked
    assert (locked["unlocked"], locked["status"]) == ("false", "1024")  # operator locked
    assert refused_open.status_code == 400
    assert (released["status"], released["alarm"]) == ("1", "1")
    assert released["unlocked"] == "false"


def test_a_door_command_path_with_the_id_in_it_is_refused(api):
    response = api.post("/api/doors/1/open", json={})

    assert response.status_code == 404 and response.json()["Response"]["code"] == "20"


def test_a_command_on_an_unknown_door_is_refused(api):
    response = api.post("/api/doors/unlock", json={"DoorCollection": {"rows": [{"id": 999}]}})

    assert response.status_code == 404


def test_forced_open_raises_an_alarm_that_clear_alarm_clears(bare, clock):
    api = bare.client(headers=login(bare.client()))
    door = bare.doors[3]
    bare.force_open(int(clock.now().timestamp() * 1000), door)

    alarmed = door_status(api, 3)
    doc_rows = {"DoorCollection": {"rows": {"0": {"id": 3}}}}
    cleared = api.post("/api/doors/clear_alarm", json=doc_rows)
    after = door_status(api, 3)
    codes = [int(r["event_type_id"]["code"]) for r in search(api)["rows"]]

    assert (alarmed["status"], alarmed["alarm"], alarmed["opened"]) == ("5", "7", "true")
    assert alarmed["last_open_time"] == str(int(clock.now().timestamp()))
    assert cleared.json()["Response"]["code"] == "0" and after["alarm"] == after["status"]
    assert codes == [
        ev.DOOR_FORCED_OPEN,
        ev.DOOR_FORCED_OPEN_ALARM,
        ev.DOOR_FORCED_OPEN_ALARM_CLEAR,
    ]


def test_a_door_left_open_past_its_timeout_raises_held_open(sim, clock, api):
    door = sim.doors[4]
    user = next(u for u in sim.users.values() if door.id in sim.doors_of(u) and not u.disabled)
    start = int(clock.now().timestamp() * 1000)
    sim.attempt_access(start, door, user.user_id, 0, hold=True)
    clock.advance(door.open_timeout + 1)
    sim.check_held_open(start + (door.open_timeout + 1) * 1000, door)

    status = door_status(api, door.id)

    assert (status["status"], status["alarm"], status["opened"]) == ("9", "9", "true")


def test_door_status_rows_have_exactly_the_real_servers_keys(api):
    rows = api.post("/api/doors/status", json={"monitoring_permission": True}).json()

    row = rows["DoorStatusCollection"]["rows"][0]
    assert set(row) == {"door_id", "opened", "unlocked", "last_open_time", "status", "alarm"}
    assert row["door_id"] == {"id": "1"}
    assert all(isinstance(value, str) for key, value in row.items() if key != "door_id")


@pytest.mark.parametrize(
    ("holder", "value", "status", "unlocked"),
    [
        ("emergency", "lock", "256", "false"),
        ("emergency", "unlock", "512", "true"),
        ("schedule", "lock", "64", "false"),
        ("schedule", "unlock", "128", "true"),
    ],
)
def test_emergency_and_schedule_holds_show_their_status_bits(bare, holder, value, status, unlocked):
    api = bare.client(headers=login(bare.client()))
    setattr(bare.doors[2], holder, value)

    row = door_status(api, 2)

    assert (row["status"], row["alarm"], row["unlocked"]) == (status, status, unlocked)


def test_an_emergency_outranks_an_operator_and_a_schedule(bare):
    api = bare.client(headers=login(bare.client()))
    door = bare.doors[2]
    door.schedule, door.manual, door.emergency = "unlock", "unlock", "lock"

    assert door_status(api, 2)["status"] == "256"
    door.emergency = None
    assert door_status(api, 2)["status"] == "2048"


def test_a_disconnected_controller_sets_status_bit_32(bare):
    api = bare.client(headers=login(bare.client()))
    bare.devices[bare.doors[2].device_id].status = 0

    assert door_status(api, 2)["status"] == "33"  # locked and disconnected


def test_a_build_without_alarms_in_the_status_call_logs_them_as_events_only(clock):
    sim = BioStarSimulator(clock=clock, quirks=BioStarQuirks(status_without_alarms=True))
    seed_sites(sim, sim.company)
    api = sim.client(headers=login(sim.client()))
    sim.force_open(int(clock.now().timestamp() * 1000), sim.doors[3])

    row = door_status(api, 3)
    codes = [int(r["event_type_id"]["code"]) for r in search(api)["rows"]]

    assert (row["status"], row["alarm"], row["opened"]) == ("1", "1", "true")
    assert codes == [ev.DOOR_FORCED_OPEN, ev.DOOR_FORCED_OPEN_ALARM]


def test_a_user_disabled_through_the_api_is_denied_at_the_door(sim, clock, api):
    door = sim.doors[1]
    user = next(u for u in sim.users.values() if door.id in sim.doors_of(u) and not u.disabled)
    api.put(f"/api/users/{user.user_id}", json={"User": {"disabled": "true"}})

    sim.attempt_access(int(clock.now().timestamp() * 1000), door, user.user_id, 1, hold=False)

    last = search(api, descending=True, limit=1)["rows"][0]
    assert last["event_type_id"]["code"] == str(ev.ACCESS_DENIED)
    assert last["user_id"]["user_id"] == user.user_id


# -- events -------------------------------------------------------------------------------------
def test_the_documents_event_search_example_passes_unchanged(api, sim):
    device = sim.doors[1].device_id
    example = {"Query": {
        "limit": 5,
        "conditions": {
            "0": {"column": "datetime", "operator": 3,
                  "values": {"0": "2026-02-24T16:05:00.000Z", "1": "2026-03-01T15:58:00.000Z"}},
            "1": {"column": "device_id", "operator": 0, "values": {"0": str(device)}},
        },
        "orders": {"0": {"column": "datetime", "descending": True}},
    }}  # fmt: skip

    rows = api.post("/api/events/search", json=example).json()["EventCollection"]["rows"]

    times = [row["datetime"] for row in rows]
    assert len(rows) == 5 and times == sorted(times, reverse=True)
    assert all(row["device_id"]["id"] == str(device) for row in rows)
    assert all("2026-02-24T16:05" <= t <= "2026-03-01T15:58" for t in times)


def test_event_fields_follow_biostar_conventions(api):
    face = {"column": "event_type_id", "operator": 0, "values": [str(ev.IDENTIFY_SUCCESS_FACE)]}

    row = search(api, face, limit=1, descending=True)["rows"][0]

    utc = datetime.strptime(row["datetime"], "%Y-%m-%dT%H:%M:%S.%fZ")
    local = datetime.strptime(row["server_datetime"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert local - utc == timedelta(hours=1)  # Berlin in winter, yet written with a Z
    assert row["timezone"] == {"half": "0", "hour": "1", "negative": "0"}
    assert row["tna_key"] in {"1", "2", "5", "6"}
    assert set(row["user_id"]) == {"user_id", "name", "photo_exists"}
    assert {"id", "name"} == set(row["door_id"]) == set(row["device_id"])
    assert len(row["datetime"].split(".")[1]) == 3  # two fraction digits and the Z


def test_event_ids_restart_at_one_every_month(api):
    march_1 = datetime(2026, 2, 28, 23, 0, tzinfo=UTC)  # midnight in Berlin

    february_1 = datetime(2026, 1, 31, 23, 0, tzinfo=UTC)
    end_of_february = march_1 - timedelta(milliseconds=1)

    before = search(api, window(february_1, end_of_february), descending=True, limit=1)["rows"][0]
    first = search(api, window(march_1, march_1 + timedelta(hours=6)), limit=2)["rows"]
    february = search(api, window(february_1, end_of_february), total=True)

    assert [r["id"] for r in first] == ["1", "2"]
    assert before["id"] == february["total"]


def test_event_search_operators_contains_not_equal_and_greater(api):
    ids = ["00002", "00003"]
    users = {"column": "user_id", "operator": 2, "values": ids}
    not_door_1 = {"column": "door_id", "operator": 1, "values": ["1"]}
    after_8 = {"column": "datetime", "operator": 5, "values": ["2026-03-02T08:00:00.00Z"]}

    contains = search(api, users)["rows"]
    elsewhere = search(api, not_door_1, limit=200)["rows"]
    late = search(api, after_8)["rows"]

    assert contains and {r["user_id"]["user_id"] for r in contains} <= set(ids)
    assert elsewhere and all(r.get("door_id", {}).get("id") != "1" for r in elsewhere)
    assert late and all(r["datetime"] > "2026-03-02T08:00:00.00Z" for r in late)


def test_event_search_by_server_datetime_reads_it_as_local_time(api):
    local_9 = {"column": "server_datetime", "operator": 5, "values": ["2026-03-02T09:00:00.00Z"]}

    rows = search(api, local_9)["rows"]

    assert rows and all(r["server_datetime"] > "2026-03-02T09:00:00.00Z" for r in rows)
    assert all(r["datetime"] > "2026-03-02T08:00:00.00Z" for r in rows)


def test_event_search_refuses_unknown_columns(api):
    colour = {"column": "colour", "operator": 0, "values": ["red"]}

    response = api.post("/api/events/search", json={"Query": {"conditions": [colour]}})

    assert response.status_code == 400 and response.json()["Response"]["code"] == "30"


def test_paging_a_window_with_offset_reaches_every_event_once(api):
    day = window(datetime(2026, 2, 25, tzinfo=UTC), datetime(2026, 2, 26, tzinfo=UTC))
    total = int(search(api, day, total=True)["total"])
    seen = []
    while len(seen) < total:
        rows = search(api, day, limit=200, offset=len(seen))["rows"]
        assert rows
        seen += [(r["datetime"], r["device_id"]["id"], r["id"]) for r in rows]

    assert len(set(seen)) == total > 200
    assert search(api, day, limit=200, offset=total)["rows"] == []


def test_the_clock_keeps_producing_events(sim, clock):
    before = len(sim.events)

    clock.advance(timedelta(hours=8))
    api = sim.client(headers=login(sim.client()))
    rows = search(api, window(START, START + timedelta(hours=8)))["rows"]

    assert len(sim.events) > before and rows
    assert all(START.strftime("%Y-%m-%dT%H") <= r["datetime"] for r in rows)


def test_event_types_list_the_codes_the_log_uses(api):
    rows = api.get("/api/event_types").json()["EventTypeCollection"]["rows"]

    codes = {row["code"] for row in rows}
    assert {"4867", "6400", "21504", "21760"} <= codes


# -- quirks -------------------------------------------------------------------------------------
@pytest.mark.parametrize("omit", [False, True])
def test_an_empty_collection_is_left_out_only_with_the_quirk(clock, omit):
    sim = BioStarSimulator(clock=clock, quirks=BioStarQuirks(omit_empty_collections=omit))
    api = sim.client(headers=login(sim.client()))

    body = api.get("/api/users", params={"last_modified": 99}).json()

    assert ("UserCollection" in body) is not omit
    assert body["Response"]["code"] == "0"


def test_arrays_come_as_indexed_objects_with_the_quirk(clock):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(indexed_object_arrays=True))
    api = sim.client(headers=login(sim.client()))

    rows = api.get("/api/doors").json()["DoorCollection"]["rows"]

    assert isinstance(rows, dict) and rows["0"]["id"] == "1"


@pytest.mark.parametrize("wrapped_only", [False, True])
def test_the_flat_login_body_is_refused_only_with_the_quirk(clock, wrapped_only):
    sim = BioStarSimulator(clock=clock, quirks=BioStarQuirks(wrapped_login_only=wrapped_only))
    flat = {"login_id": "admin", "password": PASSWORD}

    refused = sim.client().post("/api/login", json=flat)
    form = sim.client().post("/api/login", data=flat)
    wrapped = sim.client().post("/api/login", json={"User": flat})

    assert refused.status_code == form.status_code == (400 if wrapped_only else 200)
    assert wrapped.status_code == 200 and wrapped.headers["bs-session-id"]


@pytest.mark.parametrize("absent", [False, True])
def test_the_v2_device_search_is_absent_with_the_quirk_and_get_devices_always_answers(
    clock, absent
):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(no_device_search=absent))
    api = sim.client(headers=login(sim.client()))

    searched = api.post("/api/v2/devices/search", json={"limit": 0})
    listed = api.get("/api/devices").json()["DeviceCollection"]["rows"]

    assert searched.status_code == (404 if absent else 200)
    assert [row["id"] for row in listed] == [str(d) for d in sorted(sim.devices)]


@pytest.mark.parametrize("ignored", [False, True])
def test_event_offset_is_ignored_with_the_quirk(clock, ignored):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(ignore_offset=ignored))
    api = sim.client(headers=login(sim.client()))

    first = search(api, limit=5)["rows"]
    second = search(api, limit=5, offset=5)["rows"]

    assert (first == second) is ignored


@pytest.mark.parametrize("local_only", [False, True])
def test_event_rows_carry_only_server_datetime_with_the_quirk(clock, local_only):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(server_datetime_only=local_only))
    api = sim.client(headers=login(sim.client()))

    rows = search(api, limit=20)["rows"]

    assert all(("datetime" in row) is not local_only and row["server_datetime"] for row in rows)


@pytest.mark.parametrize("anonymous", [False, True])
def test_events_of_nobody_carry_user_zero_with_the_quirk(clock, anonymous):
    sim = BioStarSimulator.demo(clock=clock, quirks=BioStarQuirks(anonymous_events=anonymous))
    api = sim.client(headers=login(sim.client()))
    forced = {"column": "event_type_id", "operator": 0, "values": [str(ev.DOOR_FORCED_OPEN)]}

    rows = search(api, forced, limit=3)["rows"]

    assert rows
    if anonymous:
        assert all(row["user_id"]["user_id"] == "0" for row in rows)
    else:
        assert all("user_id" not in row for row in rows)


def test_new_users_get_the_consoles_default_expiry_and_user_1_is_the_administrator(api):
    api.post("/api/users", json={"User": {"user_id": "900", "name": "No Expiry Given"}})

    created = api.get("/api/users/900").json()["User"]
    admin = api.get("/api/users/1").json()["User"]
    rows = api.get("/api/users", params={"limit": 5}).json()["UserCollection"]["rows"]
    listed = next(row for row in rows if row["user_id"] == "1")

    assert created["expiry_datetime"] == "2030-12-31T23:59:00.00Z"
    assert "permission" not in created
    assert admin["permission"] == {"id": "1", "name": "Administrator"}
    assert listed["permission"]["name"] == "Administrator"


@pytest.mark.parametrize("old_server", [False, True])
def test_a_malformed_request_ends_the_session_only_on_old_servers(clock, old_server):
    quirks = BioStarQuirks(malformed_request_ends_session=old_server)
    sim = BioStarSimulator(clock=clock, quirks=quirks)
    api = sim.client(headers=login(sim.client()))

    bad = api.post("/api/users", content=b"{not json", headers={"content-type": "application/json"})
    after = api.get("/api/users")

    assert bad.status_code == 400
    assert after.status_code == (401 if old_server else 200)


@pytest.mark.parametrize("truncates", [False, True])
def test_deleting_more_than_1000_users_at_once_misbehaves_with_the_quirk(clock, truncates):
    sim = BioStarSimulator(clock=clock, quirks=BioStarQuirks(large_user_delete_truncates=truncates))
    api = sim.client(headers=login(sim.client()))
    rows = [{"user_id": str(2000 + i), "name": f"Bulk {i}"} for i in range(1200)]
    api.post("/api/users", json={"UserCollection": {"rows": rows}})

    answer = api.delete("/api/users", params={"id": "+".join(r["user_id"] for r in rows)})

    assert answer.json()["Response"]["code"] == "0"
    assert len(sim.users) - 1 == (200 if truncates else 0)


# -- faults -------------------------------------------------------------------------------------
def test_a_session_killed_mid_paging_answers_login_required(sim, api):
    sim.end_sessions_after(1)

    first = api.get("/api/users", params={"limit": 50, "offset": 0})
    second = api.get("/api/users", params={"limit": 50, "offset": 50})
    again = sim.client(headers=login(sim.client()))
    relogin = again.get("/api/users", params={"limit": 50, "offset": 50})

    assert first.status_code == 200
    assert second.status_code == 401 and second.json()["Response"]["code"] == "10"
    assert relogin.status_code == 200


def test_kit_faults_apply_error_bursts_and_timeouts(sim, api):
    sim.faults.error_burst = 1
    sim.faults.timeouts = 1
    sim.faults.only_paths = ("/api/doors",)

    with pytest.raises(httpx.ReadTimeout):
        api.get("/api/doors")
    burst = api.get("/api/doors")
    recovered = api.get("/api/doors")

    assert burst.status_code == 503 and recovered.status_code == 200


# -- demo and large -----------------------------------------------------------------------------
def test_demo_holds_the_companys_biostar_people_with_their_biostar_codes(sim):
    people = build_company().people_in("biostar")

    expected = {p.seen_by("biostar")["code"] for p in people}
    assert set(sim.users) == expected | {"1"}
    assert any(not code.startswith("0") for code in expected)  # BioStar's code without zeros
    departments = {g.name for g in sim.user_groups.values()}
    assert {p.department for p in people} <= departments
    staff_groups = [g for g in sim.access_groups.values() if g.name.endswith(" staff")]
    assert len(staff_groups) == len(build_company().sites)


def test_demo_has_30_days_of_granted_denied_forced_and_held_events_at_every_hour(sim):
    records = [sim.events[i] for i in range(len(sim.events))]
    codes = {r[4] for r in records}
    hours = {datetime.fromtimestamp(r[0] / 1000, sim.zone).hour for r in records}
    oldest = datetime.fromtimestamp(records[0][0] / 1000, UTC)

    assert {ev.IDENTIFY_SUCCESS_FACE, ev.VERIFY_SUCCESS_CARD, ev.ACCESS_DENIED} <= codes
    assert {ev.DOOR_FORCED_OPEN, ev.DOOR_HELD_OPEN, ev.IDENTIFY_FAIL_FACE} <= codes
    assert hours == set(range(24))
    assert START - timedelta(days=30) <= oldest < START - timedelta(days=29)
    assert records[-1][0] <= START.timestamp() * 1000
    assert len(records) > 10_000


def test_demo_is_deterministic(clock):
    again = BioStarSimulator.demo(clock=SimClock(START, frozen=True))
    first = BioStarSimulator.demo(clock=clock)

    assert len(first.events) == len(again.events)
    assert first.events[len(first.events) - 1] == again.events[len(again.events) - 1]


def test_large_builds_and_serves_a_time_window(clock):
    sim = BioStarSimulator.large(events=100_000, users=2_000, clock=clock)
    api = sim.client(headers=login(sim.client()))
    day = window(datetime(2026, 2, 20, tzinfo=UTC), datetime(2026, 2, 21, tzinfo=UTC))

    rows = search(api, day, limit=500)["rows"]
    users = api.get("/api/users", params={"limit": 100, "offset": 1900}).json()["UserCollection"]

    assert len(sim.events) == 100_000
    assert len(rows) == 500
    assert rows[0]["datetime"] >= "2026-02-20T00:00"
    assert rows == sorted(rows, key=lambda r: r["datetime"])
    assert users["total"] == "2001" and len(users["rows"]) == 100


def test_serves_over_real_loopback(clock):
    sim = BioStarSimulator.demo(clock=clock)
    running = serve(sim)
    try:
        with httpx.Client(base_url=running.base_url, timeout=5) as client:
            headers = login(client)
            doors = client.get("/api/doors", headers=headers).json()
            refused = client.get("/api/doors/", headers=headers)
    finally:
        running.server.shutdown()

    assert doors["DoorCollection"]["total"] == "10"
    assert refused.status_code == 404
