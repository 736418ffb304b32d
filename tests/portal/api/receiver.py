"""A webhook receiver on 127.0.0.1 for tests: records each request; can be down or slow to answer."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["Workgate-Delivery"]

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    #: the status code answered; 2xx means accepted
    status: int = 204
    extra_headers: dict[str, str] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)

    def accepted(self) -> list[Received]:
        """What a receiver de-duplicating on the delivery id keeps, in arrival order."""
        seen, kept = set(), []
        for request in self.requests:
            if request.id not in seen:
                seen.add(request.id)
                kept.append(request)
        return kept


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if 200 <= receiver.status < 300:
                receiver.requests.append(Received(dict(self.headers.items()), body))
            self.send_response(receiver.status)
            for name, value in receiver.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/workgate"
    return receiver, server
