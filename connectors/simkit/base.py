"""Base class of every vendor simulator: a stateful WSGI app with routing, faults and a clock.

A subclass declares its routes in :meth:`routes` as werkzeug ``Rule`` objects whose endpoint is
the name of a handler method. Handlers take ``(request, **url_values)`` and return a werkzeug
``Response`` (use :func:`json_response`). State changes happen under one lock, so the simulator is
safe behind the threaded loopback server.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

import httpx
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import http_date
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from connectors.simkit.clock import SimClock
from connectors.simkit.faults import Faults, InjectedFault

PACE_KEY = "simkit.pace_seconds"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":"), default=str),
        status=status,
        headers=headers,
        mimetype="application/json",
    )


class Simulator:
    """A vendor server in a box. Subclasses set ``name`` and implement ``routes()``."""

    name = "vendor"
    #: path prefix clients include in their base URL (WorkTime One's "/v1")
    base_path = ""
    #: the vendor's own pace: list pages cost ``rows / pace`` seconds to serve (None: as fast as
    #: Python goes). Benchmarks set it so the simulator, like a real server, is the bottleneck.
    pace_rows_per_second: float | None = None
    #: Werkzeug's strict_slashes: False so a path with the "wrong" slash reaches a handler that
    #: answers the way the vendor does (BioTime redirects/HTML, BioStar refuses), not a generic 404.
    strict_slashes = False

    def __init__(
        self, *, clock: SimClock | None = None, faults: Faults | None = None, seed: int = 1
    ):
        self.clock = clock or SimClock()
        self.faults = faults or Faults()
        self.seed = seed
        self.lock = threading.RLock()
        self.requests_served = 0
        # (method, path) of recent requests, for tests; bounded so a long demo does not grow
        self.request_log: deque[tuple[str, str]] = deque(maxlen=10_000)
        self.url_map = Map(list(self.routes()), strict_slashes=self.strict_slashes)

    # -- to implement -------------------------------------------------------------------------
    def routes(self) -> Iterable[Rule]:
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        """What the vendor answers for an unknown path (override to match the vendor)."""
        return json_response({"detail": "Not found."}, status=404)

    def tick(self) -> None:
        """Move the simulated world forward to ``clock.now()`` (new punches, events, door states)."""

    def credentials(self) -> dict[str, str]:
        """Credentials a client needs, printed by the loopback server and used by the demo."""
        return {}

    def before_request(self, request: Request) -> Response | None:
        """Hook for per-request behaviour such as rate limits; return a Response to short-circuit."""
        return None

    def after_request(self, request: Request, response: Response) -> Response:
        return response

    # -- WSGI ---------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        self.requests_served += 1
        self.request_log.append((request.method, path))
        if self.faults.latency:
            time.sleep(self.faults.latency)
        if self.faults.take("timeouts", path):
            raise InjectedFault("timeout")
        if self.faults.take("drops", path):
            raise InjectedFault("drop")
        if self.faults.take("error_burst", path):
            return self.server_error(request, self.faults.error_status)
        adapter = self.url_map.bind_to_environ(request.environ)
        with self.lock:
            self.tick()
            early = self.before_request(request)
            if early is not None:
                return self.after_request(request, early)
            try:
                endpoint, values = adapter.match()
            except NotFound:
                response = self.not_found(request)
            except MethodNotAllowed as exc:
                response = self.method_not_allowed(request, exc)
            except HTTPException as exc:  # e.g. a RequestRedirect werkzeug raises for slashes
                response = exc.get_response(request.environ)
            else:
                response = getattr(self, endpoint)(request, **values)
            response = self.after_request(request, response)
            if (
                "Date" not in response.headers
            ):  # servers date their answers; ours by the simulated clock
                response.headers["Date"] = http_date(self.clock.now())
        if pace := request.environ.get(PACE_KEY):
            time.sleep(pace)  # outside the lock: a slow server is slow for each client, not all
        if self.faults.take("lost_answers", path):  # the work is done; the client never hears of it
            raise InjectedFault("drop")
        return response

    def charge(self, request: Request, rows: int) -> None:
        """Account for serving ``rows`` records at the vendor's pace (see ``pace_rows_per_second``)."""
        if self.pace_rows_per_second:
            request.environ[PACE_KEY] = (
                request.environ.get(PACE_KEY, 0.0) + rows / self.pace_rows_per_second
            )

    def method_not_allowed(self, request: Request, exc: MethodNotAllowed) -> Response:
        return json_response({"detail": f'Method "{request.method}" not allowed.'}, status=405)

    def server_error(self, request: Request, status: int) -> Response:
        return Response("Service Unavailable", status=status, mimetype="text/plain")

    # -- in-process use -----------------------------------------------------------------------
    def transport(self) -> httpx.BaseTransport:
        return SimulatorTransport(self)

    def client(self, base_url: str = "http://sim.test", **kwargs) -> httpx.Client:
        return httpx.Client(transport=self.transport(), base_url=base_url, **kwargs)


class SimulatorTransport(httpx.BaseTransport):
    """Runs requests through the simulator in-process and turns injected faults into httpx errors."""

    def __init__(self, simulator: Simulator):
        self.simulator = simulator
        self._wsgi = httpx.WSGITransport(app=self._app)

    def _app(self, environ, start_response):
        return self.simulator(environ, start_response)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._wsgi.handle_request(request)
        except InjectedFault as fault:
            if fault.kind == "timeout":
                raise httpx.ReadTimeout("simulated timeout", request=request) from None
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
