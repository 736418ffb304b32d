"""Run the benchmarks, all of them or one group: ``python -m benchmarks [group]``.

Each group is a module with a ``main(argv)``; each runs in its own process so one group's memory
and database never colour another's figures.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.figures import ROOT

GROUPS: dict[str, list[str]] = {
    "pull": ["benchmarks.pull_biotime", "benchmarks.worker_crash"],
    "doors": ["benchmarks.doors_commands", "benchmarks.doors_events"],
    "timecards": ["benchmarks.timecards"],
    "directory": ["benchmarks.directory"],
    "push": ["benchmarks.offboarding"],
    "api": ["benchmarks.api"],
}


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")] or list(GROUPS)
    unknown = [g for g in wanted if g not in GROUPS]
    if unknown:
        print(f"unknown group {', '.join(unknown)}; groups: {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    failed = 0
    for group in wanted:
        for module in GROUPS[group]:
            print(f"== {group}: {module}", flush=True)
            failed |= subprocess.run([sys.executable, "-m", module], cwd=ROOT).returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
