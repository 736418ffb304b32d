"""Serve every registered vendor's simulator on loopback: ``python -m connectors.simulators``.

Each simulator gets its own port (8101 onwards in order of kind, so 8101–8105 for the five
vendors; ``--base-port`` to move them), is seeded with the demo company and 30 days of history,
and keeps producing punches, events and door changes while it runs. The base URLs and credentials are printed as JSON lines, which is also what
``make run`` reads to register the vendor accounts in the portal.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from connectors.registry import kinds, vendor, webhook_vendors
from connectors.simkit.clock import SimClock
from connectors.simkit.serve import serve, tick_forever


def load(kind: str):
    """The simulator class of ``kind``: it offers ``demo(clock=...)`` and ``credentials()``.

    A simulator of a vendor that sends webhooks also takes ``demo(webhook_urls=[...])``.
    """
    return vendor(kind).simulator_class


def webhook_url_option(kind: str) -> str:
    return f"{kind}_webhook_url"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--base-port", type=int, default=8101)
    parser.add_argument("--only", nargs="*", choices=sorted(kinds()), default=sorted(kinds()))
    for entry in webhook_vendors():
        parser.add_argument(
            f"--{entry.kind}-webhook-url",
            dest=webhook_url_option(entry.kind),
            help=f"Where the {entry.short_label} simulator posts its webhooks.",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    clock = SimClock()
    running = []
    for offset, kind in enumerate(sorted(kinds())):  # ports in alphabetical order of kind
        if kind not in args.only:
            continue
        webhook_url = getattr(args, webhook_url_option(kind), None)
        extra = {"webhook_urls": [webhook_url]} if webhook_url else {}
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
