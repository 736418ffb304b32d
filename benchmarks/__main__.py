"""Run the benchmarks, all of them or one group: ``python -m benchmarks [group]``.

Each group is a module with a ``main(argv)``; each runs in its own process so one group's memory
and database never colour another's figures. Modules in ``ON_POSTGRESQL`` run a second time on a
throwaway PostgreSQL cluster (``scripts/with-postgres``); their figures there end in
"[postgresql]". ``--sqlite-only`` skips that second run.
"""

from __future__ import annotations

import os
import subprocess
import sys

from benchmarks.figures import ROOT

GROUPS: dict[str, list[str]] = {
    "pull": ["benchmarks.pull_biotime", "benchmarks.punch_store", "benchmarks.worker_crash"],
    "doors": ["benchmarks.doors_commands", "benchmarks.doors_events"],
    "timecards": ["benchmarks.timecards"],
    "directory": ["benchmarks.directory"],
    "push": ["benchmarks.offboarding", "benchmarks.push_drain"],
    "api": ["benchmarks.api"],
    "health": ["benchmarks.health"],
}

# database-bound figures that production's database must meet too (issue 15)
ON_POSTGRESQL: set[str] = {
    "benchmarks.api",
    "benchmarks.directory",
    "benchmarks.health",
    "benchmarks.pull_biotime",
    "benchmarks.punch_store",
    "benchmarks.push_drain",
    "benchmarks.timecards",
}


def run_module(module: str, database: str) -> int:
    # a PostgreSQL run gets production's durability settings (scripts/with-postgres)
    env = {**os.environ, "WORKGATE_BENCH_DB": database, "WORKGATE_PG_DURABLE": "1"}
    command = [sys.executable, "-m", module]
    if database == "postgresql":
        command = [str(ROOT / "scripts" / "with-postgres"), *command]
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")] or list(GROUPS)
    unknown = [g for g in wanted if g not in GROUPS]
    if unknown:
        print(f"unknown group {', '.join(unknown)}; groups: {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    databases = ["sqlite"] if "--sqlite-only" in argv else ["sqlite", "postgresql"]
    failed = 0
    for group in wanted:
        for module in GROUPS[group]:
            for database in databases:
                if database != "sqlite" and module not in ON_POSTGRESQL:
                    continue
                print(f"== {group}: {module} on {database}", flush=True)
                failed |= run_module(module, database)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
