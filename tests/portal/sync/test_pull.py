"""Pulls over the simulators: full, incremental, idempotent, resumable, one at a time."""

import gc
import sys
import threading

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.attendance.models import Punch
from portal.people.models import Person
from portal.sync.connectors import kept_connector
from portal.sync.lease import StreamBusy, stream_lease
from portal.sync.mirror.base import legacy_record_hash, record_hash
from portal.sync.mirror.people import PersonWriter
from portal.sync.models import ExternalLink, SyncCursor, SyncRun, UnmatchedPerson
from portal.sync.pull import pull_stream
from portal.sync.runtime import PULL_SWITCH_INTERVAL
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db


def pull(wired, stream, **kwargs):
    return pull_stream(
        wired.account.pk, stream, transport=wired.transport, sleep=lambda s: None, **kwargs
    )


def test_full_people_pull_creates_and_links_everyone_then_a_repeat_writes_nothing(
    q2, django_assert_max_num_queries
):
    first = pull(q2, "people", full=True)
    assert first.status == SyncRun.Status.SUCCEEDED, first.error
    people_in_q2 = first.fetched - first.skipped
    # Q2 does not require an employee number: those few cannot be created and wait for HR
    no_code = UnmatchedPerson.objects.filter(reason=UnmatchedPerson.Reason.NO_CODE).count()
    assert first.unmatched == no_code > 0
    assert first.created == people_in_q2 - no_code == Person.objects.count() > 40
    assert ExternalLink.objects.filter(account=q2.account).count() == first.created

    second = pull(q2, "people", full=True)
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)


@pytest.mark.parametrize(("vendor", "stream"), [("q2", "people"), ("biostar", "departments")])
def test_links_hashed_before_the_hash_changed_count_unchanged_and_take_todays_hash(
    request, vendor, stream
):
    """Links whose hash the portal stored before ``record_hash`` changed: the next pull finds
    them unchanged (no update counted, no drift check), and stores today's hash."""
    wired = request.getfixturevalue(vendor)
    first = pull(wired, stream, full=True)
    assert first.created > 2, first.error
    with kept_connector(
        wired.account, transport=wired.transport, sleep=lambda s: None
    ) as connector:
        records = {r.vendor_id: r for page in connector.read(stream, None) for r in page.records}
    links = list(ExternalLink.objects.filter(account=wired.account))
    for link in links:
        link.content_hash = legacy_record_hash(records[link.vendor_id])
        assert link.content_hash != record_hash(records[link.vendor_id])
    ExternalLink.objects.bulk_update(links, ["content_hash"])

    second = pull(wired, stream, full=True)
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    stored = dict(ExternalLink.objects.values_list("vendor_id", "content_hash"))
    assert stored == {vendor_id: record_hash(records[vendor_id]) for vendor_id in stored}


def test_people_that_match_nobody_wait_in_the_unmatched_queue(zeitstrom):
    run = pull(zeitstrom, "people", full=True)
    assert run.status == "succeeded", run.error
    assert run.unmatched == UnmatchedPerson.objects.count() == run.fetched - run.skipped > 0
    assert not Person.objects.exists()


def test_people_are_matched_by_code_then_email(zeitstrom):
    from tests.factories import PersonFactory

    pull(zeitstrom, "people", full=True)
    by_code, by_email = (
        UnmatchedPerson.objects.exclude(code="")[:1].get(),
        UnmatchedPerson.objects.exclude(email="")[1:2].get(),
    )
    coded = PersonFactory(employee_code=by_code.code)
    mailed = PersonFactory(employee_code="X-1", email=by_email.email.upper())
    UnmatchedPerson.objects.all().delete()

    run = pull(zeitstrom, "people", full=True)
    linked = set(
        ExternalLink.objects.filter(account=zeitstrom.account).values_list("object_id", flat=True)
    )
    assert {coded.pk, mailed.pk} <= linked
    assert run.created == 2


def plan_of(sql: str) -> str:
    """How the database would run ``sql``; on PostgreSQL with sequential scans off (a test's few
    rows would be scanned whatever the indexes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " ".join(str(row) for row in cursor.fetchall())


def test_the_match_by_email_reads_the_email_index(zeitstrom):
    """The pull compares e-mail in lower case: an index of the column as stored cannot serve
    that, and each page of new people then read every person (``person_by_email`` does)."""
    from tests.factories import PersonFactory

    PersonFactory(email="Someone@Example.com")
    with CaptureQueriesContext(connection) as queries:
        pull(zeitstrom, "people", full=True)
    by_email = next(q["sql"] for q in queries if "WHERE LOWER(email)" in q["sql"])
    plan = plan_of(by_email)
    assert "person_by_email" in plan, plan


def test_an_objects_links_in_every_account_are_read_through_the_one_per_account_key():
    """The person page and the outbox look up an object's links in every account at once: the
    key (type, object, account) serves that, with no index of its own to write per link."""
    from tests.factories import PersonFactory, VendorAccountFactory, link_person_to

    person = PersonFactory()
    for kind in ("biotime", "zeitstrom"):
        link_person_to(VendorAccountFactory(kind=kind), person)
    link = ExternalLink.objects.first()
    links = ExternalLink.objects.filter(content_type=link.content_type, object_id__in=[person.pk])
    assert links.count() == 2
    plan = plan_of(str(links.query))  # its parameters are ids: the text is the query
    if connection.vendor == "postgresql":
        assert "link_one_record_per_account" in plan, plan
    else:  # SQLite names a table's UNIQUE constraint's index itself
        assert "USING INDEX sqlite_autoindex_sync_externallink" in plan, plan
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ExternalLink._meta.db_table)
    index_columns = {
        tuple(index["columns"])
        for index in constraints.values()
        if index["index"] or index["unique"]
    }
    assert ("content_type_id", "object_id") not in index_columns


def test_time_cards_become_punches_once_however_often_pulled(q2):
    pull(q2, "people", full=True)
    first = pull(q2, "time_cards")
    assert first.status == "succeeded", first.error
    stored = Punch.objects.filter(account=q2.account).count()
    assert stored == first.created > 100
    # only the punches of people still waiting in the unmatched queue are unattached
    unattached = set(
        Punch.objects.filter(person__isnull=True).values_list("vendor_person_id", flat=True)
    )
    assert unattached <= set(UnmatchedPerson.objects.values_list("vendor_id", flat=True))

    again = pull(q2, "time_cards")  # incremental, overlapping window
    assert again.created == 0 and again.unchanged > 0
    assert Punch.objects.filter(account=q2.account).count() == stored


@pytest.fixture
def q2_paged(q2):
    """Q2 with its people pulled, its time cards read 50 to a page: a pull to kill part way."""
    q2.account.options["page_size"] = 50
    q2.account.save()
    pull(q2, "people", full=True)
    return q2


def resume_stores_what_a_clean_pull_stores(q2) -> None:
    """The killed pull resumed, then everything pulled again from scratch: the same punches."""
    resumed = pull(q2, "time_cards")
    assert resumed.status == "succeeded"
    resumed_total = Punch.objects.count()

    Punch.objects.all().delete()
    SyncCursor.objects.filter(stream="time_cards").delete()
    clean = pull(q2, "time_cards")
    assert resumed_total == Punch.objects.count() == clean.created


def test_a_pull_killed_between_pages_resumes_without_losing_or_duplicating(q2_paged):
    q2 = q2_paged

    class Killed(Exception):
        pass

    def kill_after_third_page(run):
        if run.pages == 3:
            raise Killed

    with pytest.raises(Killed):  # every page its own batch: killed between commits
        pull(q2, "time_cards", on_page=kill_after_third_page, batch_rows=1)
    halfway = Punch.objects.count()
    assert halfway > 0
    assert SyncCursor.objects.get(account=q2.account, stream="time_cards").value  # checkpoint kept
    assert SyncRun.objects.get(stream="time_cards").status == "failed"

    resume_stores_what_a_clean_pull_stores(q2)


def wait_for_the_read_ahead() -> None:
    """Until the pull's read-ahead thread has read all it will (its pages waiting for the store)."""
    wait_until(
        lambda: not any(t.name == "prefetch" and t.is_alive() for t in threading.enumerate()),
        timeout=10,
    )


class WorkerDied(BaseException):
    """The worker process going away: nothing of the pull's own handling runs."""


def dying_on(wired, request_number: int, command: bytes) -> httpx.BaseTransport:
    """The account's simulator, over HTTP, until the worker dies sending the n-th ``command``."""
    simulator = wired.transport
    sent = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        if command in request.content:
            sent += 1
            if sent == request_number:
                raise WorkerDied
        return simulator.handle_request(request)

    return httpx.MockTransport(handle)


def test_a_pull_killed_between_pages_of_one_batch_loses_nothing(q2_paged):
    q2 = q2_paged

    def store_slowly(run):
        # after the first page's commit, the store waits until the read-ahead has read all it
        # will (pages 2-6, then the death on the 7th request): the pages pile up, so batches of
        # 3 pages follow, and the worker dies while the second of them is gathered
        if run.pages == 1:
            wait_for_the_read_ahead()

    with pytest.raises(WorkerDied):
        pull_stream(
            q2.account.pk,
            "time_cards",
            transport=dying_on(q2, 7, b"q2QueryTimeCards"),
            sleep=lambda s: None,
            batch_rows=150,
            on_page=store_slowly,
        )
    died = SyncRun.objects.get(stream="time_cards")
    assert (died.pages, died.fetched) == (4, 200)  # pages 5 and 6 were read, never stored
    cards = {
        vendor_id.split(":")[0] for vendor_id in Punch.objects.values_list("vendor_id", flat=True)
    }
    assert len(cards) == 200 - died.skipped
    assert SyncCursor.objects.get(account=q2.account, stream="time_cards").value

    resume_stores_what_a_clean_pull_stores(q2)


def test_a_vendor_error_fails_the_run_with_its_message_and_keeps_the_cursor(q2):
    pull(q2, "people", full=True)
    cursor_before = SyncCursor.objects.get(account=q2.account, stream="people").value
    q2.simulator.rotate_token()
    run = pull(q2, "people")
    assert run.status == "failed"
    assert "AuthenticationError" in run.error and "not correct" in run.error
    assert SyncCursor.objects.get(account=q2.account, stream="people").value == cursor_before


def test_two_pulls_of_one_stream_never_run_at_once(q2):
    with stream_lease(q2.account, "people"), pytest.raises(StreamBusy):
        pull(q2, "people")
    assert pull(q2, "people").status == "succeeded"  # the lease is released after use


def test_a_person_gone_from_the_vendor_is_marked_not_deleted(q2):
    pull(q2, "people", full=True)
    link = ExternalLink.objects.filter(account=q2.account).first()
    with q2.simulator.lock:
        q2.simulator.users = [u for u in q2.simulator.users if u.user_name != link.vendor_id]
    run = pull(q2, "people", full=True)
    link.refresh_from_db()
    assert run.gone == 1 and link.gone_at is not None
    assert Person.objects.filter(pk=link.object_id).exists()


def test_people_waiting_for_someone_another_system_brings_are_linked_when_they_arrive(
    q2, zeitstrom
):
    """Zeitstrom is pulled before Q2 has created anyone: its people wait, then link on their own."""
    zeitstrom.account.name = "zs"
    zeitstrom.account.save()
    first = pull(zeitstrom, "people", full=True)
    waiting = UnmatchedPerson.objects.filter(account=zeitstrom.account).count()
    assert first.unmatched == waiting > 0

    pull(q2, "people", full=True)  # Q2 creates the people (import_new_people)
    linked_now = ExternalLink.objects.filter(account=zeitstrom.account).count()
    assert linked_now > 0
    assert UnmatchedPerson.objects.filter(account=zeitstrom.account).count() == waiting - linked_now


def test_pulls_in_one_worker_reuse_the_vendor_session(biostar):
    transport, sleep = biostar.transport, (lambda s: None)
    for _ in range(3):
        run = pull_stream(biostar.account.pk, "door_state", transport=transport, sleep=sleep)
        assert run.status == "succeeded", run.error
    logins = [path for method, path in biostar.simulator.request_log if path == "/api/login"]
    assert len(logins) == 1

    biostar.account.save()  # an edited account (new credentials, say) starts a fresh session
    pull_stream(biostar.account.pk, "door_state", transport=transport, sleep=sleep)
    assert len([p for m, p in biostar.simulator.request_log if p == "/api/login"]) == 2


def test_a_pull_leaves_the_workers_own_objects_out_of_garbage_collection_until_it_ends(q2_paged):
    """...and hands the interpreter lock between its threads sooner, also until it ends."""
    interval_before = sys.getswitchinterval()
    during = []

    class Killed(Exception):
        pass

    def look(run):
        during.append((gc.get_freeze_count(), sys.getswitchinterval()))
        if run.stream == "time_cards" and run.pages == 2:
            raise Killed

    assert pull(q2_paged, "people", full=True, on_page=look, batch_rows=1).status == "succeeded"
    with pytest.raises(Killed):  # however the pull ends
        pull(q2_paged, "time_cards", on_page=look, batch_rows=1)

    assert len(during) > 2
    assert all(frozen > 0 for frozen, _ in during)
    assert all(interval == PULL_SWITCH_INTERVAL < interval_before for _, interval in during)
    assert gc.get_freeze_count() == 0
    assert sys.getswitchinterval() == interval_before


def test_people_pages_are_stored_a_few_at_a_time_as_they_come(q2, monkeypatch):
    monkeypatch.setattr(PersonWriter, "batch_rows", 20)  # the writer's batch, not the pull's
    q2.account.options["page_size"] = 10
    q2.account.save()
    committed = []

    def store_slowly(run):
        committed.append(run.pages)
        if len(committed) == 1:  # the rest of the pages pile up behind the first batch
            wait_for_the_read_ahead()

    run = pull(q2, "people", full=True, on_page=store_slowly)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.pages > 4
    sizes = [after - before for before, after in zip([0, *committed], committed, strict=False)]
    assert max(sizes[1:-1]) == min(sizes[1:-1]) == 2  # pages waiting: two at a time, not all
    assert committed[-1] == run.pages


def test_a_people_pull_collects_young_garbage_less_often_and_restores_the_collector(q2):
    default = gc.get_threshold()
    during = []

    pull(q2, "people", full=True, on_page=lambda run: during.append(gc.get_threshold()))

    assert during and all(seen[0] == 50_000 and seen[1:] == default[1:] for seen in during)
    assert gc.get_threshold() == default
