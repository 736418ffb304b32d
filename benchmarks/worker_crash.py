"""How long door state stalls when a worker dies mid-pull, with real Celery workers and beat.

    .venv/bin/python -m benchmarks.worker_crash

A throwaway SQLite database, an embedded Redis, a BioStar X simulator on loopback (its door
list answering slowly while we aim the kill), beat and two Celery workers; beat pulls door state
every 10 s. Two crashes, each during a door-state pull:

1. the worker's pool process is SIGKILLed: Celery requeues the task (reject on worker lost),
   and its redelivery takes its own dead lease over at once;
2. a whole worker (main process and pool) is SIGKILLed: its message stays unacknowledged until
   the 30-minute visibility timeout, so the next beat tick on the other worker has to wait for
   the lease to lapse (LEASE_TTL).

For each: seconds from the kill to the next successful door-state run, and what the dead run
reads. Figures go to var/bench.json (goal: under 30 s each).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.figures import record

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 30
SLOW_DOOR_LIST = 4.0  # seconds the door list takes while we aim the kill


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: killpg reaches the pool processes too
    )


def _pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children]


class Stack:
    def __init__(self, var_dir: Path):
        from benchmarks.harness import setup_django
        from portal.demo.runtime import free_port, redis_server_command, wait_for_port

        self.var_dir = var_dir
        redis_port = free_port(6479)
        self.env = {
            **os.environ,
            "WORKGATE_VAR_DIR": str(var_dir),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CACHE_BACKEND": "locmem",
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DATABASE_URL", None)
        os.environ.update({k: self.env[k] for k in ("REDIS_URL",)})
        self.processes: list[subprocess.Popen] = []
        self.processes.append(
            _start(redis_server_command(redis_port, var_dir / "redis"), self.env, var_dir / "r.log")
        )
        assert wait_for_port(redis_port), "Redis did not start"
        setup_django(str(var_dir))

    def worker(self, name: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "sync,celery"]
        command += ["--concurrency", "1", "--loglevel", "INFO", "--hostname", f"{name}@%h"]
        process = _start(command, self.env, self.var_dir / f"{name}.log")
        process.log = self.var_dir / f"{name}.log"
        self.processes.append(process)
        return process

    def beat(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel", "INFO"]
        command += ["--pidfile", ""]
        self.processes.append(_start(command, self.env, self.var_dir / "beat.log"))

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def slow_biostar():
    from connectors.biostar.simulator.app import BioStarSimulator
    from connectors.simkit.serve import serve

    class SlowDoors(BioStarSimulator):
        slow = threading.Event()

        def dispatch(self, request):
            if self.slow.is_set() and request.path.startswith("/api/doors"):
                time.sleep(SLOW_DOOR_LIST)
            return super().dispatch(request)

    return serve(SlowDoors.demo())


def add_account(running):
    from django_celery_beat.models import PeriodicTask

    from portal.sync.models import VendorAccount
    from portal.sync.schedules import task_name

    given = running.simulator.credentials()
    account = VendorAccount.objects.create(
        kind="biostar",
        name="Crash BioStar",
        base_url=running.base_url,
        options={"login_id": given["login_id"]},
        credentials={"password": given["password"]},
    )
    # only door state on its 10 s schedule, so the figures are about that stream alone
    PeriodicTask.objects.filter(name__startswith=f"sync:{account.pk}:").exclude(
        name=task_name(account.pk, "door_state")
    ).update(enabled=False)
    return account


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def running_door_pull(account):
    from portal.sync.models import SyncRun

    return SyncRun.objects.filter(account=account, stream="door_state", status="running").first()


def crash(stack, account, running, kill) -> dict:
    """Slow the vendor, wait for a door-state pull to be under way, ``kill`` its holder."""
    from portal.sync.models import SyncCursor, SyncRun

    running.simulator.slow.set()
    dead = wait_for(lambda: running_door_pull(account), 60, "a door-state pull to start")
    time.sleep(1)  # well inside its first slow request
    owner = SyncCursor.objects.get(account=account, stream="door_state").lease_owner
    killed_at = time.monotonic()
    kill(owner.split(":", 1)[0])
    running.simulator.slow.clear()  # the vendor is fine again: only the crash is measured

    def next_success():
        return (
            SyncRun.objects.filter(account=account, stream="door_state", status="succeeded")
            .filter(pk__gt=dead.pk)
            .first()
        )

    wait_for(next_success, 120, "the next successful door-state pull")
    stall = time.monotonic() - killed_at
    dead.refresh_from_db()
    return {"seconds": round(stall, 1), "dead_run": dead.status, "dead_run_error": dead.error}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="workgate-crash-") as tmp:
        stack = Stack(Path(tmp))
        try:
            running = slow_biostar()
            account = add_account(running)
            workers = {"w1": stack.worker("w1"), "w2": stack.worker("w2")}
            stack.beat()
            from portal.sync.models import SyncRun

            wait_for(
                lambda: SyncRun.objects.filter(stream="door_state", status="succeeded").exists(),
                90,
                "a first door-state pull",
            )

            def holder(task_id: str) -> str:
                return next(n for n, w in workers.items() if task_id in w.log.read_text())

            def kill_pool_process(task_id):
                os.kill(_pool_children(workers[holder(task_id)].pid)[0], signal.SIGKILL)

            def kill_whole_worker(task_id):
                os.killpg(workers[holder(task_id)].pid, signal.SIGKILL)

            pool = crash(stack, account, running, kill_pool_process)
            time.sleep(3)  # the killed pool process is replaced
            whole = crash(stack, account, running, kill_whole_worker)
        finally:
            stack.stop()
    figures = {
        "door_state_stall_after_pool_process_kill": pool,
        "door_state_stall_after_whole_worker_kill": whole,
    }
    print(json.dumps(figures, indent=2))
    save(figures)


def save(figures: dict) -> None:
    for name, figure in figures.items():
        record(
            name,
            figure["seconds"],
            "s",
            f"< {GOAL_SECONDS}",
            met=figure["seconds"] < GOAL_SECONDS and figure["dead_run"] == "interrupted",
            note=f"dead run reads {figure['dead_run']}",
        )


if __name__ == "__main__":
    main()
