"""Pull figures against a loopback BioTime simulator (``make bench``).

1. Full pull of 10,000 employees and 200,000 transactions through the portal (connector,
   mapping, identity, bulk upserts into SQLite) as a ratio to a bare httpx loop fetching the same
   pages. Target: at most 1.25.
2. Idle re-sync: every BioTime stream pulled again with nothing changed: requests sent and rows
   written.
3. Peak memory of a 1,000,000-transaction pull, in a fresh process. Target: under 250 MB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import httpx

from benchmarks.harness import ROOT, CountingTransport, loopback_biotime, throwaway_database

PAGE_SIZE = 1000


def bare_loop(base_url: str, credentials: dict) -> tuple[float, int]:
    """What fetching the same pages costs with nothing but httpx and json."""
    start = time.perf_counter()
    rows = 0
    with httpx.Client(base_url=base_url, timeout=120) as client:
        token = client.post("/jwt-api-token-auth/", json={
            "username": credentials["username"], "password": credentials["password"]}).json()["token"]
        headers = {"Authorization": f"JWT {token}"}
        for path in ("/iclock/api/terminals/", "/personnel/api/employees/", "/personnel/api/resigns/",
                     "/iclock/api/transactions/"):
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
        kind="biotime", name="Bench BioTime", base_url=base_url, import_new_people=True,
        options={"username": credentials["username"], "login_kind": "jwt", "page_size": PAGE_SIZE},
        credentials={"password": credentials["password"]},
    )


def portal_pull(account, streams=("people", "punches"), transport=None) -> tuple[float, list]:
    from portal.sync.pull import pull_stream

    start = time.perf_counter()
    runs = [pull_stream(account.pk, stream, full=transport is None, transport=transport) for stream in streams]
    for run in runs:
        if run.status != "succeeded":
            raise SystemExit(f"{run.stream} failed: {run.error}")
    return time.perf_counter() - start, runs


def throughput(employees: int, transactions: int) -> None:
    with loopback_biotime(employees, transactions) as sim, throwaway_database():
        bare_first, rows = bare_loop(sim["base_url"], sim["credentials"])
        account = make_account(sim["base_url"], sim["credentials"])
        pulled, runs = portal_pull(account)
        bare_second, _ = bare_loop(sim["base_url"], sim["credentials"])
        bare = (bare_first + bare_second) / 2
        stored = sum(r.created for r in runs)
        print(f"full pull: {employees:,} employees + {transactions:,} transactions ({rows:,} rows)")
        print(f"  bare httpx loop   {bare:7.2f} s  ({bare_first:.2f} s, {bare_second:.2f} s)")
        print(f"  portal pull       {pulled:7.2f} s  ({stored:,} rows created)")
        print(f"  ratio portal/bare {pulled / bare:7.2f}   (target <= 1.25)")

        from portal.sync.schedules import streams_of

        counting = CountingTransport()
        portal_pull(account, streams_of(account), transport=None)  # every stream once, full
        _, idle_runs = portal_pull(account, streams_of(account), transport=counting)
        written = sum(r.created + r.updated for r in idle_runs)
        print(f"idle re-sync of {len(idle_runs)} streams: {counting.requests} requests, {written} rows written")


def peak_memory(transactions: int) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.pull_biotime", "--memory-child", str(transactions)],
        cwd=ROOT, capture_output=True, text=True, timeout=3600,
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"peak memory of a {transactions:,}-transaction pull: {figures['peak_mb']:.0f} MB "
          f"(target < 250 MB; {figures['created']:,} punches stored in {figures['seconds']:.0f} s)")


def memory_child(transactions: int) -> None:
    with loopback_biotime(1_000, transactions) as sim, throwaway_database():
        account = make_account(sim["base_url"], sim["credentials"])
        seconds, runs = portal_pull(account)
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"peak_mb": peak_kb / 1024, "created": runs[-1].created, "seconds": seconds}))


def main(argv: list[str]) -> None:
    if argv[:1] == ["--memory-child"]:
        memory_child(int(argv[1]))
        return
    quick = "--quick" in argv
    throughput(1_000 if quick else 10_000, 20_000 if quick else 200_000)
    peak_memory(100_000 if quick else 1_000_000)


if __name__ == "__main__":
    main(sys.argv[1:])
