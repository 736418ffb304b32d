"""Serve the BioTime and BioStar X demo simulators on loopback for the push drain benchmark.

    python -m benchmarks.serve_push
prints one JSON line {kind: {"base_url", "credentials"}} and then answers commands on stdin,
one a line: ``reset`` forgets the requests seen, ``log`` prints them as one JSON line (method,
path, headers, body: what a bare httpx loop replays), ``logins`` prints the logins per kind.
Its own process: the simulators' work does not share the drain's interpreter.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import threading

from werkzeug.serving import make_server

from connectors.simkit.clock import SimClock
from connectors.simkit.serve import _QuietHandler
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


def main() -> None:
    clock = SimClock(frozen=True)
    recorders, announced = {}, {}
    for kind in KINDS:
        simulator = load(kind).demo(clock=clock)
        recorder = Recorder(simulator)
        server = make_server("127.0.0.1", 0, recorder, threaded=True, request_handler=_QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        host, port = server.server_address[:2]
        recorders[kind] = recorder
        announced[kind] = {
            "base_url": f"http://{host}:{port}{simulator.base_path}",
            "credentials": simulator.credentials(),
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
