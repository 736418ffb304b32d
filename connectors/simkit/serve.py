"""Serve simulators on loopback ports, each in its own thread, with a ticker moving their clocks."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from connectors.simkit.base import Simulator
from connectors.simkit.faults import InjectedFault


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the demo would otherwise print every poll
        pass


def _loopback_app(simulator: Simulator):
    """Wrap a simulator so injected faults become real socket behaviour."""

    def app(environ, start_response):
        try:
            return simulator(environ, start_response)
        except InjectedFault as fault:
            sock: socket.socket | None = environ.get("werkzeug.socket")
            if fault.kind == "timeout":
                time.sleep(simulator.faults.hang_seconds)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            raise

    return app


@dataclass
class RunningSimulator:
    simulator: Simulator
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


def serve(simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> RunningSimulator:
    """Serve on ``port``, or on any free port if that one is taken (0: any)."""
    try:
        server = make_server(
            host, port, _loopback_app(simulator), threaded=True, request_handler=_QuietHandler
        )
    except (OSError, SystemExit):  # werkzeug exits when the port is in use
        server = make_server(
            host, 0, _loopback_app(simulator), threaded=True, request_handler=_QuietHandler
        )
    thread = threading.Thread(
        target=server.serve_forever, name=f"sim-{simulator.name}", daemon=True
    )
    thread.start()
    return RunningSimulator(simulator, server, thread)


def tick_forever(
    simulators: list[Simulator], every: float = 1.0, stop: threading.Event | None = None
):
    """Move each simulator's world forward regularly even when nobody is asking."""
    stop = stop or threading.Event()
    while not stop.wait(every):
        for sim in simulators:
            with sim.lock:
                sim.tick()
