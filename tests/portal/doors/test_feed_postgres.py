"""The event feed's queries on PostgreSQL: the planner walks an index in feed order and stops at
the page's end; no sequential scan, no sort of the whole history (300,000 generated events with
fresh statistics). A sort of the few rows a narrow filter matches is fine; the page's cost
bound is what says the history is not read."""

import re
from datetime import timedelta

import pytest
from django.db import connection

from portal.doors.feed import Cursor, EventFilters, feed_queryset, older_than
from portal.doors.models import DoorEvent
from tests.factories import DoorFactory, PersonFactory, SiteFactory, VendorAccountFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EVENTS = 300_000


@pytest.fixture
def history():
    account = VendorAccountFactory(kind="biostar")
    sites = [SiteFactory(), SiteFactory()]
    doors = [DoorFactory(account=account, site=sites[n % 2]) for n in range(10)]
    people = [PersonFactory() for _ in range(50)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {DoorEvent._meta.db_table} (account_id, door_id, occurred_at, kind, "
            "method, person_id, vendor_user_id, vendor_code, vendor_key, description, raw) "
            "SELECT %s, %s + (i %% 10), now() - make_interval(secs => i * 6), "
            "CASE WHEN i %% 50 = 0 THEN 'denied' ELSE 'granted' END, 'card', "
            "%s + (i %% 50), '', '', 'k' || i, '', '{}'::jsonb "
            "FROM generate_series(1, %s) AS i",
            [account.pk, doors[0].pk, people[0].pk, EVENTS],
        )
        cursor.execute(f"ANALYZE {DoorEvent._meta.db_table}")
    return {"site": sites[0], "door": doors[3], "person": people[7]}


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "filters",
    [
        lambda h: EventFilters(),
        lambda h: EventFilters(door=h["door"].pk),
        lambda h: EventFilters(person=h["person"].pk),
        lambda h: EventFilters(q=h["person"].last_name),
        lambda h: EventFilters(site=h["site"].pk, kind="denied"),
    ],
)
def test_feed_pages_walk_an_index_without_sorting_the_history(history, filters):
    events = filters(history).apply(feed_queryset())
    first = plan(events[:51])
    newest = events.first()
    deep = plan(older_than(events, Cursor(newest.occurred_at - timedelta(days=5), 1))[:51])
    for text in (first, deep):
        assert "Seq Scan on doors_doorevent" not in text, text
        assert "Index Scan" in text, text
        limit_cost = float(re.match(r"Limit  \(cost=[\d.]+\.\.([\d.]+)", text).group(1))
        assert limit_cost < 10_000, text  # the page's end is reached without reading the history
