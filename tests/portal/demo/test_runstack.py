"""The embedded runtime end to end: what `make run` starts, on real processes and sockets."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from portal.demo.runtime import free_port

ROOT = Path(__file__).resolve().parents[3]


def port_open(port: int) -> bool:
    import socket

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
    output, url, redis_port = [], None, None
    try:
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = stack.stdout.readline()
            output.append(line)
            if match := re.search(r"Embedded Redis on 127\.0\.0\.1:(\d+)", line):
                redis_port = int(match.group(1))
            if match := re.search(r"Workgate is running at (\S+)", line):
                url = match.group(1)
        assert url, "".join(output)
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
