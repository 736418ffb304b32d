"""The embedded runtime end to end: what `make run` starts, on real processes and sockets."""

import contextlib
import io
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis

from portal.celery import app as celery_app
from portal.demo.management.commands.runstack import Command
from portal.demo.runtime import Supervisor, free_port
from portal.demo.users import DEMO_USERS
from portal.sync.tasks import pull_account_task

ROOT = Path(__file__).resolve().parents[3]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_runstack_serves_the_portal_with_worker_and_beat_and_stops_everything(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(WORKGATE_VAR_DIR=str(tmp_path), PORT=str(free_port(8600)), PYTHONUNBUFFERED="1")
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)

    stack = subprocess.Popen(
        [*manage, "runstack", "--no-simulators"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output, url, redis_port, ready = [], None, None, False
    try:
        deadline = time.monotonic() + 120
        while not ready and time.monotonic() < deadline:
            line = stack.stdout.readline()
            output.append(line)
            if match := re.search(r"Embedded Redis on 127\.0\.0\.1:(\d+)", line):
                redis_port = int(match.group(1))
            if match := re.search(r"Workgate is running at (\S+)", line):
                url = match.group(1)
            ready = "Ctrl-C stops everything" in line
        assert url and ready, "".join(output)
        # the URL and the logins come last: after the worker's and beat's start-up banners,
        # and only once the worker has run its first heartbeat
        before, block = "".join(output).split("Workgate is running at")
        assert "[queues]" in before and "celery beat v" in before
        for user in DEMO_USERS:
            assert f"{user.username}  " in block and user.password in block
        with sqlite3.connect(tmp_path / "workgate.sqlite3", timeout=5) as conn:
            assert conn.execute("SELECT hostname FROM core_workerheartbeat").fetchall()
        login = httpx.get(url + "login/", timeout=10)
        assert login.status_code == 200 and "Sign in to Workgate" in login.text

        # beat schedules the heartbeat, the worker runs it, through the embedded Redis
        database = tmp_path / "workgate.sqlite3"
        beats = []
        deadline = time.monotonic() + 45
        while not beats and time.monotonic() < deadline:
            time.sleep(1)
            with sqlite3.connect(database, timeout=5) as conn:
                beats = conn.execute("SELECT hostname FROM core_workerheartbeat").fetchall()
        assert beats, "no heartbeat within 45 s"
    finally:
        stack.send_signal(signal.SIGINT)
        rest, _ = stack.communicate(timeout=30)
        output.append(rest)
    assert stack.returncode == 0, "".join(output)
    assert "Stopped." in rest
    web_port = int(url.rsplit(":", 1)[1].strip("/"))
    assert not port_open(web_port) and not port_open(redis_port)


def test_runstack_queues_its_own_tasks_on_the_embedded_redis_even_off_the_default_port(
    tmp_path, settings, monkeypatch
):
    """With 6390 taken (another stack, a system Redis), the first sync must still reach the
    Redis this stack started, not whatever listens on the settings' default port."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings.VAR_DIR = tmp_path
    previous = celery_app.conf.broker_url
    supervisor = Supervisor()
    with socket.socket() as squatter:
        with contextlib.suppress(OSError):  # already taken is just as good
            squatter.bind(("127.0.0.1", 6390))
            squatter.listen()
        try:
            Command(stdout=io.StringIO()).start_redis(supervisor)
            port = int(supervisor.env["REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
            assert port != 6390
            assert f"127.0.0.1:{port}/" in celery_app.connection_for_write().as_uri()
            with celery_app.connection_for_write() as connection, connection.Producer() as producer:
                pull_account_task.apply_async(args=[0], producer=producer)
            assert redis.Redis(port=port).llen("sync") == 1
        finally:
            celery_app.conf.CELERY_BROKER_URL = previous
            supervisor.stop_all()
