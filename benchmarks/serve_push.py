"""Serve the BioTime and BioStar X demo simulators on loopback for the push drain benchmark.

    python -m benchmarks.serve_push [kind ...]
(both kinds when none is named) prints one JSON line {kind: {"base_url", "credentials"}} and then answers commands on stdin,
one a line: ``reset`` forgets the requests seen, ``log`` prints them as one JSON line (method,
path, headers, body: what a bare httpx loop replays), ``logins`` prints the logins per kind.
Its own process: the simulators' work does not share the drain's interpreter. Served by
tornado's HTTP server, which keeps connections open as a vendor's web server does (werkzeug's
development server closes each one, so every request would pay a new TCP connection).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import sys
import threading

from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.wsgi import WSGIContainer

from connectors.simkit.clock import SimClock
from connectors.simulators import load

KINDS = ("biotime", "biostar")
#: what a login looks like at each vendor (BioTime: JWT or token; BioStar: session)
LOGIN_PATHS = ("/jwt-api-token-auth/", "/api-token-auth/", "/api/login")


class Recorder:
    """A WSGI wrapper that keeps every request it passes on."""

    def __init__(self, app):
        self.app, self.seen, self.logins, self.lock = app, [], 0, threading.Lock()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_") and key not in ("HTTP_HOST", "HTTP_CONTENT_LENGTH")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        with self.lock:
            self.seen.append(
                {
                    "method": environ["REQUEST_METHOD"],
                    "path": path + (f"?{query}" if query else ""),
                    "headers": headers,
                    "body": base64.b64encode(body).decode(),
                }
            )
            if path.endswith(LOGIN_PATHS):
                self.logins += 1
        return self.app(environ, start_response)


def serve_in_thread(apps: dict) -> dict[str, int]:
    """Serve each WSGI app on its own loopback port from one event-loop thread; the ports."""
    ports: dict[str, int] = {}
    ready = threading.Event()

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        for kind, app in apps.items():
            sockets = bind_sockets(0, "127.0.0.1")
            HTTPServer(WSGIContainer(app)).add_sockets(sockets)
            ports[kind] = sockets[0].getsockname()[1]
        ready.set()
        IOLoop.current().start()

    threading.Thread(target=run, daemon=True).start()
    ready.wait()
    return ports


def main() -> None:
    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # not a line per request
    clock = SimClock(frozen=True)
    kinds = [kind for kind in sys.argv[1:] if kind in KINDS] or list(KINDS)
    simulators = {kind: load(kind).demo(clock=clock) for kind in kinds}
    recorders = {kind: Recorder(simulator) for kind, simulator in simulators.items()}
    ports = serve_in_thread(recorders)
    announced = {
        kind: {
            "base_url": f"http://127.0.0.1:{ports[kind]}{simulator.base_path}",
            "credentials": simulator.credentials(),
        }
        for kind, simulator in simulators.items()
    }
    print(json.dumps(announced), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "reset":
            for recorder in recorders.values():
                with recorder.lock:
                    recorder.seen, recorder.logins = [], 0
            print("{}", flush=True)
        elif command == "log":
            print(json.dumps({k: r.seen for k, r in recorders.items()}), flush=True)
        elif command == "logins":
            print(json.dumps({k: r.logins for k, r in recorders.items()}), flush=True)


if __name__ == "__main__":
    main()
