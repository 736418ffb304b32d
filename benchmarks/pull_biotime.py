"""Pull figures against a loopback BioTime simulator (``make bench``).

1. Full pull of 10,000 employees and 200,000 transactions through the portal (connector,
   mapping, identity, bulk upserts into SQLite or PostgreSQL) as a ratio to a bare httpx loop
   fetching the same pages, the median of 3 runs. Target: at most 1.10. The timecards are built
   after the pull by their own task (attendance.dirty); the time it takes is printed beside.
2. Idle re-sync: every BioTime stream pulled again with nothing changed: requests sent and rows
   written.
3. Peak memory of a 1,000,000-transaction pull, in a fresh process. Target: under 250 MB.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

import httpx

from benchmarks.figures import record
from benchmarks.harness import ROOT, CountingTransport, loopback_biotime, throwaway_database

PAGE_SIZE = 1000
#: The vendor's pace for the ratio: a BioTime server serialising 20,000 transactions a second
#: (50 ms per 1,000-row page; DRF over its database, generous to the vendor). The unpaced run
#: below shows the portal's own processing rate against a simulator with no pace at all.
VENDOR_PACE = 20_000


def bare_loop(base_url: str, credentials: dict) -> tuple[float, int]:
    """What fetching the same pages costs with nothing but httpx and json."""
    start = time.perf_counter()
    rows = 0
    with httpx.Client(base_url=base_url, timeout=120) as client:
        token = client.post(
            "/jwt-api-token-auth/",
            json={"username": credentials["username"], "password": credentials["password"]},
        ).json()["token"]
        headers = {"Authorization": f"JWT {token}"}
        for path in (
            "/iclock/api/terminals/",
            "/personnel/api/employees/",
            "/personnel/api/resigns/",
            "/iclock/api/transactions/",
        ):
            url = f"{path}?page=1&page_size={PAGE_SIZE}&limit={PAGE_SIZE}"
            while url:
                body = client.get(url, headers=headers).json()
                rows += len(body.get("data") or [])
                following = body.get("next")
                url = following if following not in (None, "null") else None
    return time.perf_counter() - start, rows


def make_account(base_url: str, credentials: dict):
    from portal.sync.models import VendorAccount

    return VendorAccount.objects.create(
        kind="biotime",
        name="Bench BioTime",
        base_url=base_url,
        import_new_people=True,
        options={"username": credentials["username"], "login_kind": "jwt", "page_size": PAGE_SIZE},
        credentials={"password": credentials["password"]},
    )


def portal_pull(account, streams=("people", "punches"), transport=None) -> tuple[float, list]:
    from portal.sync.pull import pull_stream

    start = time.perf_counter()
    runs = [
        pull_stream(account.pk, stream, full=transport is None, transport=transport)
        for stream in streams
    ]
    for run in runs:
        if run.status != "succeeded":
            raise SystemExit(f"{run.stream} failed: {run.error}")
    return time.perf_counter() - start, runs


def throughput_child(employees: int, transactions: int, pace: float, idle: bool) -> dict:
    with loopback_biotime(employees, transactions, pace) as sim, throwaway_database():
        bare_first, rows = bare_loop(sim["base_url"], sim["credentials"])
        account = make_account(sim["base_url"], sim["credentials"])
        cpu = time.process_time()
        pulled, runs = portal_pull(account)
        cpu = time.process_time() - cpu
        bare_second, _ = bare_loop(sim["base_url"], sim["credentials"])
        from portal.attendance.dirty import recompute_dirty_days

        cards_start = time.perf_counter()
        recompute_dirty_days()
        figures = {
            "rows": rows,
            "bare": [bare_first, bare_second],
            "pulled": pulled,
            "cpu": cpu,
            "cards": time.perf_counter() - cards_start,
            "created": sum(r.created for r in runs),
        }
        if pace and idle:
            from portal.sync.schedules import streams_of

            counting = CountingTransport()
            portal_pull(account, streams_of(account))  # every stream once, from scratch
            _, idle_runs = portal_pull(account, streams_of(account), transport=counting)
            figures["idle"] = {
                "streams": len(idle_runs),
                "requests": counting.requests,
                "written": sum(r.created + r.updated for r in idle_runs),
            }
        return figures


def memory_child(transactions: int) -> dict:
    with loopback_biotime(1_000, transactions) as sim, throwaway_database():
        account = make_account(sim["base_url"], sim["credentials"])
        seconds, runs = portal_pull(account)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"peak_mb": peak_kb / 1024, "created": runs[-1].created, "seconds": seconds}


def in_child(*args) -> dict:
    """Each measurement in a fresh process: its own database, and an honest peak memory."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.pull_biotime", "--child", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def report_throughput(employees: int, transactions: int, pace: float, runs: int = 1) -> None:
    label = f"vendor pace {pace:,.0f} rows/s" if pace else "simulator unpaced"
    ratios = []
    for n in range(runs):
        figures = in_child("throughput", employees, transactions, pace, "idle" if n == 0 else "-")
        bare = sum(figures["bare"]) / 2
        ratio = figures["pulled"] / bare
        ratios.append(ratio)
        print(
            f"full pull, {label}: {employees:,} employees + {transactions:,} transactions"
            f" ({figures['rows']:,} rows), load {os.getloadavg()[0]:.2f}"
        )
        print(
            f"  bare httpx loop   {bare:7.2f} s  ({figures['bare'][0]:.2f} s, {figures['bare'][1]:.2f} s)"
        )
        print(
            f"  portal pull       {figures['pulled']:7.2f} s  ({figures['created']:,} rows created,"
            f" {figures['cpu']:.2f} s CPU in the pulling process)  ratio {ratio:.2f}"
        )
        print(f"  then the timecard task: {figures['cards']:.2f} s")
        if idle := figures.get("idle"):
            print(
                f"idle re-sync of {idle['streams']} streams: {idle['requests']} requests,"
                f" {idle['written']} rows written"
            )
    median = statistics.median(ratios)
    if pace:
        record(
            "pull ratio portal/bare httpx at vendor pace",
            median,
            "x",
            "<= 1.10",
            median <= 1.10,
            note=f"median of {runs}: {', '.join(f'{r:.2f}' for r in ratios)}; load {os.getloadavg()[0]:.2f}",
        )
    else:
        print(f"  ratio portal/bare {median:7.2f}   (the portal's own processing rate; no target)")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        kind, *numbers = argv[1:]
        if kind == "throughput":
            figures = throughput_child(
                int(numbers[0]), int(numbers[1]), float(numbers[2]), numbers[3] == "idle"
            )
        else:
            figures = memory_child(int(numbers[0]))
        print(json.dumps(figures))
        return
    quick = "--quick" in argv
    employees, transactions = (1_000, 20_000) if quick else (10_000, 200_000)
    report_throughput(employees, transactions, VENDOR_PACE, runs=3)
    report_throughput(employees, transactions, 0)
    million = 100_000 if quick else 1_000_000
    figures = in_child("memory", million)
    record(
        f"pull peak memory, {million:,} transactions",
        figures["peak_mb"],
        "MB",
        "< 250",
        figures["peak_mb"] < 250,
        note=f"{figures['created']:,} punches stored in {figures['seconds']:.0f} s;"
        f" load {os.getloadavg()[0]:.2f}",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
