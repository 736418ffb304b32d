"""Offboarding figure (``make bench ONLY=push``): from HR's confirming click to every system's
read-back confirmed, for a person linked in BioStar X, BioTime and WorkTime One.

The click is the real page (Django's test client posting the confirmed termination); the
pushes are the outbox drain a push worker runs, talking HTTP to the three simulators through
in-process httpx transports (no sockets: loopback workers would measure process start-up on a
2-core machine, not Workgate). SQLite in a temporary directory. Goal: p95 at most 10 s over 20.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime

import httpx

from benchmarks.figures import record
from benchmarks.harness import throwaway_database

RUNS = 20
GOAL_SECONDS = 10.0
KINDS = ("biostar", "biotime", "worktime")


class Router(httpx.BaseTransport):
    """One transport for the drain: each account's host goes to its own simulator."""

    def __init__(self, transports: dict[str, httpx.BaseTransport]):
        self.transports = transports

    def handle_request(self, request):
        return self.transports[request.url.host].handle_request(request)


def wire_accounts():
    from connectors.registry import vendor
    from connectors.simkit.clock import SimClock
    from connectors.simulators import load
    from portal.sync.models import VendorAccount

    clock = SimClock(datetime.now(UTC))
    transports = {}
    for kind in KINDS:
        simulator = load(kind).demo(clock=clock)
        spec, given = vendor(kind), simulator.credentials()
        VendorAccount.objects.create(
            kind=kind,
            name=f"{spec.short_label} bench",
            base_url=f"http://{kind}.sim{simulator.base_path}",
            options={o.name: given[o.name] for o in spec.options if o.name in given},
            credentials={s.name: given[s.name] for s in spec.secrets if s.name in given},
        )
        transports[f"{kind}.sim"] = simulator.transport()
    return Router(transports)


def hire(number: int):
    from portal.people.models import Person
    from portal.people.services import create_person

    return create_person(
        request=None,
        employee_code=f"8{number:04d}",
        first_name="Bench",
        last_name=f"Person{number}",
        email=f"bench{number}@example.com",
        status=Person.Status.ACTIVE,
    )


def main(argv: list[str]) -> int:
    os.environ["REDIS_URL"] = "memory://"  # nothing listens for the tasks: this drains itself
    with throwaway_database():
        from django.contrib.auth.models import Group, User
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from portal.core.roles import HR
        from portal.people.models import Offboarding
        from portal.sync import push
        from portal.sync.models import OffboardingStep

        transport = wire_accounts()
        user = User.objects.create_user("hr", password="bench-only-password")
        user.groups.set([Group.objects.get(name=HR)])
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        timings = []
        for number in range(RUNS):
            person = hire(number)
            push.drain(transport=transport, sleep=lambda s: None)  # linked in all three
            start = time.perf_counter()
            response = client.post(
                reverse("people:person-terminate", args=[person.pk]),
                {
                    "termination_date": timezone.localdate().isoformat(),
                    "reason": "Benchmark",
                    "when": "now",
                    "confirm": "1",
                },
            )
            assert response.status_code == 302, response.content[:500]
            offboarding = Offboarding.objects.get(person=person)
            while OffboardingStep.objects.filter(offboarding=offboarding, status="sending"):
                push.drain(transport=transport, sleep=lambda s: None)
            timings.append(time.perf_counter() - start)
            steps = OffboardingStep.objects.filter(offboarding=offboarding)
            confirmed = steps.filter(status="confirmed").count()
            assert confirmed == len(KINDS), list(steps.values_list("account__kind", "error"))
        p95 = statistics.quantiles(timings, n=20)[-1]
        record(
            "offboarding_click_to_confirmed_p95",
            p95,
            "s",
            f"<= {GOAL_SECONDS:.0f} s p95 over {RUNS} runs, 3 systems",
            p95 <= GOAL_SECONDS,
            note=f"median {statistics.median(timings):.2f} s; in-process simulator transports, "
            "SQLite in a temp dir",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
