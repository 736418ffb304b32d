"""Push drain figure (``make bench ONLY=push``): 1,000 person edits, each owed to two vendors
(BioTime and BioStar X), drained through the outbox against the simulators served on loopback,
each vendor in its own process as two vendors are two servers (real sockets,
benchmarks/serve_push.py).

The people are hired and linked first (a drain of their creates); then the worker's kept
connectors are dropped, as in a freshly started push worker, and 1,000 edits are drained.
Figures: drain time (goal <= 5 s), logins per account seen by the simulators (goal 1: one vendor
session per account, not a login per message), and the ratio to a bare httpx loop replaying the
same vendor requests the drain made (the peer: one loop per vendor, side by side).
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from benchmarks.figures import database, record
from benchmarks.harness import ROOT, throwaway_database

EDITS = 1_000
GOAL_SECONDS = 5.0


class Simulators:
    """One serve_push process per vendor (two vendors are two servers, as in production), and
    their commands; the answers are merged by kind."""

    def __init__(self):
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "benchmarks.serve_push", kind],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for kind in ("biotime", "biostar")
        ]
        self.announced = {}
        for process in self.processes:
            self.announced |= json.loads(process.stdout.readline())

    def ask(self, command: str):
        answers = {}
        for process in self.processes:
            process.stdin.write(command + "\n")
            process.stdin.flush()
            answers |= json.loads(process.stdout.readline())
        return answers

    def close(self):
        for process in self.processes:
            process.stdin.close()
            process.terminate()
            process.wait(timeout=10)


def wire_accounts(announced: dict) -> list:
    from connectors.registry import vendor
    from portal.sync.models import VendorAccount

    accounts = []
    for kind, served in announced.items():
        spec, given = vendor(kind), served["credentials"]
        accounts.append(
            VendorAccount.objects.create(
                kind=kind,
                name=f"{spec.short_label} bench",
                base_url=served["base_url"],
                options={o.name: given[o.name] for o in spec.options if o.name in given},
                credentials={s.name: given[s.name] for s in spec.secrets if s.name in given},
            )
        )
    return accounts


def hire_and_link(count: int) -> list:
    from portal.people.models import Person
    from portal.people.services import create_person
    from portal.sync import push

    people = [
        create_person(
            request=None,
            employee_code=f"7{number:04d}",
            first_name="Bench",
            last_name=f"Person{number}",
            email=f"push{number}@example.com",
            status=Person.Status.ACTIVE,
        )
        for number in range(count)
    ]
    while push.drain(limit=100_000):
        pass
    return people


def edit(people) -> None:
    """Each person's last name changes through the path a page's save takes (receivers queue
    the pushes in the same transaction)."""
    from django.db import transaction

    from portal.people import signals
    from portal.people.services import announce

    for person in people:
        with transaction.atomic():
            person.last_name = f"{person.last_name}-Edited"
            person.save(update_fields=["last_name"])
            announce(person, signals.UPDATED, {"last_name": person.last_name})


def forget_kept_connectors() -> None:
    """A fresh worker: no session kept from the setup's drain."""
    from portal.sync import connectors

    with connectors._kept_lock:
        while connectors._kept:
            connectors._kept.popitem()[1].close()


def drain_as_the_workers_do() -> tuple[int, int]:
    """What the push queue does: the kick (``push_outbox``) queues one ``push_account`` task per
    account with due messages, and the worker's processes (Celery's prefork pool) run them side
    by side, each keeping its own session. Here each task runs in a process forked from this one
    (settings and database inherited); returns the messages handled and the queries made."""
    from django.db import connections

    from portal.sync import push

    account_ids = push.fan_out()  # to the in-memory broker nobody reads; we run them here
    connections.close_all()  # a forked child must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(len(account_ids)) as pool:
        results = pool.map(drain_account, account_ids)
    return sum(r[0] for r in results), sum(r[1] for r in results)


def drain_account(account_id: int) -> tuple[int, int]:
    """One ``push_account`` task, in a worker process: drained until nothing is due."""
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    from portal.sync import push

    try:
        with CaptureQueriesContext(connection) as queries:
            handled = 0
            while drained := push.drain(account_id=account_id, limit=100_000):
                handled += drained
        return handled, len(queries)
    finally:
        connections.close_all()


def replay(announced: dict, log: dict) -> float:
    """The peer: bare httpx loops sending the drain's vendor requests again (logins left out:
    the drain's sessions are still open), one client per vendor, the vendors side by side as the
    drain serves them."""

    def send(kind: str, requests: list) -> None:
        origin = httpx.URL(announced[kind]["base_url"]).copy_with(path="/", query=None)
        with httpx.Client(base_url=str(origin).rstrip("/")) as client:
            for seen in requests:
                if seen["path"].split("?")[0].endswith(("token-auth/", "/api/login")):
                    continue
                client.request(
                    seen["method"],
                    seen["path"],
                    headers=seen["headers"],
                    content=base64.b64decode(seen["body"]),
                )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(log)) as pool:
        for done in [pool.submit(send, kind, requests) for kind, requests in log.items()]:
            done.result()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    os.environ["REDIS_URL"] = "memory://"  # nothing listens for the tasks: this drains itself
    edits = int(argv[argv.index("--edits") + 1]) if "--edits" in argv else EDITS
    simulators = Simulators()
    try:
        with throwaway_database():
            from portal.sync.models import OutboxMessage

            accounts = wire_accounts(simulators.announced)
            people = hire_and_link(edits)
            linked = OutboxMessage.objects.filter(status="sent").count()
            assert linked == 2 * edits, f"{linked} creates sent"
            edit(people)
            due = OutboxMessage.objects.filter(status="pending").count()
            forget_kept_connectors()
            simulators.ask("reset")
            start = time.perf_counter()
            handled, queries = drain_as_the_workers_do()
            seconds = time.perf_counter() - start
            sent = OutboxMessage.objects.filter(status="sent").count() - linked
            assert sent == due == 2 * edits, (sent, due)
            logins = simulators.ask("logins")
            log = simulators.ask("log")
            if "--paths" in argv:
                from collections import Counter

                for kind, seen in log.items():
                    shapes = Counter(
                        (
                            r["method"],
                            "".join(c for c in r["path"].split("?")[0] if not c.isdigit()),
                        )
                        for r in seen
                    )
                    print(kind, shapes.most_common(8))
            requests = sum(len(r) for r in log.values())
            peer = replay(simulators.announced, log)
            where = "SQLite in a temp dir" if database() == "sqlite" else "throwaway PostgreSQL"
            note = (
                f"{sent} messages, {requests} vendor requests, "
                f"{queries / sent:.1f} queries a message, {requests / sent:.2f} requests a "
                f"message; {where}, loopback simulators, one worker process per account"
            )
            record(
                f"push_drain_{edits}_edits_two_vendors",
                seconds,
                "s",
                f"<= {GOAL_SECONDS:.0f} s",
                seconds <= GOAL_SECONDS,
                note=note,
            )
            worst = max(logins[a.kind] for a in accounts)
            record(
                "push_drain_logins_per_account",
                worst,
                "logins",
                "== 1 (one vendor session per account)",
                worst == 1,
                note=", ".join(f"{kind} {n}" for kind, n in logins.items()),
            )
            record(
                "push_drain_ratio_to_bare_httpx",
                seconds / peer,
                "x",
                "printed (peer replays the same vendor requests)",
                True,
                note=f"peer {peer:.2f} s for {requests} requests",
            )
    finally:
        simulators.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
