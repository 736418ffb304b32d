"""Serve a large BioTime simulator on loopback for the benchmarks (its own process, its own core).

    python -m benchmarks.serve_large --employees 10000 --transactions 200000
prints one JSON line {"base_url", "credentials"} and serves until killed.
"""

import argparse
import json
import signal
import threading

from connectors.biotime.simulator import BioTimeSimulator
from connectors.simkit.clock import SimClock
from connectors.simkit.serve import serve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--transactions", type=int, default=200_000)
    parser.add_argument(
        "--pace", type=float, default=0, help="rows per second the server serves (0: unpaced)"
    )
    args = parser.parse_args()
    # a frozen clock: nothing happens on this server but the benchmark's own requests
    simulator = BioTimeSimulator.large(
        employees=args.employees, transactions=args.transactions, clock=SimClock(frozen=True)
    )
    simulator.pace_rows_per_second = args.pace or None
    handle = serve(simulator)
    print(
        json.dumps({"base_url": handle.base_url, "credentials": simulator.credentials()}),
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    handle.server.shutdown()


if __name__ == "__main__":
    main()
