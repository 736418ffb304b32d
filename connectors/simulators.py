"""Serve all five vendor simulators on loopback: ``python -m connectors.simulators``.

Each simulator gets its own port (8101–8105 by default, ``--base-port`` to move them), is seeded
with the demo company and 30 days of history, and keeps producing punches, events and door
changes while it runs. The base URLs and credentials are printed as JSON lines, which is also what
``make run`` reads to register the vendor accounts in the portal.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import threading

from connectors.simkit.clock import SimClock
from connectors.simkit.serve import serve, tick_forever

#: kind -> "module:Class"; each class offers ``demo(clock=...)`` and ``credentials()``.
SIMULATORS = {
    "biotime": "connectors.biotime.simulator:BioTimeSimulator",
    "biostar": "connectors.biostar.simulator:BioStarSimulator",
    "worktime": "connectors.worktime.simulator:WorkTimeSimulator",
    "zeitstrom": "connectors.zeitstrom.simulator:ZeitstromSimulator",
    "q2": "connectors.q2.simulator:Q2Simulator",
}


def load(kind: str):
    module_name, class_name = SIMULATORS[kind].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=8101)
    parser.add_argument("--only", nargs="*", choices=sorted(SIMULATORS), default=sorted(SIMULATORS))
    parser.add_argument(
        "--worktime-webhook-url", help="Where the WorkTime simulator posts its webhooks."
    )
    args = parser.parse_args(argv)

    clock = SimClock()
    running = []
    for offset, kind in enumerate(sorted(SIMULATORS)):
        if kind not in args.only:
            continue
        extra = (
            {"webhook_urls": [args.worktime_webhook_url]}
            if kind == "worktime" and args.worktime_webhook_url
            else {}
        )
        simulator = load(kind).demo(clock=clock, **extra)
        handle = serve(simulator, host=args.host, port=args.base_port + offset)
        running.append(handle)
        print(
            json.dumps(
                {
                    "kind": kind,
                    "base_url": handle.base_url + simulator.base_path,
                    "credentials": simulator.credentials(),
                }
            ),
            flush=True,
        )

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    ticker = threading.Thread(
        target=tick_forever, args=([h.simulator for h in running], 1.0, stop), daemon=True
    )
    ticker.start()
    stop.wait()
    for handle in running:
        handle.server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
