"""One way for every benchmark to report a figure: printed with its goal, kept in var/bench.json.

    record("door command p95 click→request", 42.0, "ms", "<= 150", met=42.0 <= 150)

A later run of the same figure replaces it; figures of other groups stay. A run on PostgreSQL
(``make bench`` runs the database-bound groups on both) names its figures "... [postgresql]".
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_FILE = ROOT / "var" / "bench.json"


def database() -> str:
    """The database this benchmark process measures: ``sqlite`` unless run on PostgreSQL."""
    return os.environ.get("WORKGATE_BENCH_DB", "sqlite")


def record(name: str, value: float, unit: str, goal: str, met: bool, note: str = "") -> None:
    if database() != "sqlite":
        name = f"{name} [{database()}]"
    mark = "met" if met else "NOT MET"
    extra = f"  ({note})" if note else ""
    print(f"  {name}: {value:,.2f} {unit}  goal {goal}: {mark}{extra}", flush=True)
    BENCH_FILE.parent.mkdir(exist_ok=True)
    saved = json.loads(BENCH_FILE.read_text()) if BENCH_FILE.exists() else {}
    saved[name] = {
        "value": round(value, 3),
        "unit": unit,
        "goal": goal,
        "met": bool(met),
        "database": database(),
    }
    BENCH_FILE.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")
