"""Shared pieces of the benchmarks: a throwaway database, a loopback simulator, a request counter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks import figures

ROOT = Path(__file__).resolve().parent.parent


def setup_django(var_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["WORKGATE_VAR_DIR"] = var_dir
    if figures.database() == "sqlite":
        os.environ.pop("DATABASE_URL", None)  # a fresh SQLite file in var_dir
    # on PostgreSQL, DATABASE_URL is the throwaway cluster scripts/with-postgres started
    os.environ["CACHE_BACKEND"] = "locmem"
    os.environ["DEBUG"] = "0"  # as in production: no per-query logging
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


@contextmanager
def throwaway_database():
    with tempfile.TemporaryDirectory(prefix="workgate-bench-") as var_dir:
        setup_django(var_dir)
        if figures.database() == "postgresql":
            # one throwaway cluster serves every child process of a run: each starts empty
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
        yield var_dir


@contextmanager
def loopback_biotime(employees: int, transactions: int, pace: float = 0):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.serve_large",
            "--employees",
            str(employees),
            "--transactions",
            str(transactions),
            "--pace",
            str(pace),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        announced = json.loads(process.stdout.readline())
        yield announced
    finally:
        process.terminate()
        process.wait(timeout=10)


class CountingTransport(httpx.HTTPTransport):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requests = 0

    def handle_request(self, request):
        self.requests += 1
        return super().handle_request(request)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result
