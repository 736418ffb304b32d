"""Print what `pip list --outdated` finds in the venv, pinned requirements first.

Run by `make outdated`: the pinned rows are the ones to bump in requirements*.txt; the others
come in as dependencies of those and follow them.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_names() -> dict[str, str]:
    """Canonical name -> the requirements file that pins it."""
    names = {}
    for path in sorted(ROOT.glob("requirements*.txt")):
        for line in path.read_text().splitlines():
            match = PIN.match(line.strip())
            if match:
                names[canonical(match.group(1))] = path.name
    return names


def main() -> int:
    listing = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--outdated", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    rows = json.loads(listing.stdout)
    pins = pinned_names()
    pinned = [row for row in rows if canonical(row["name"]) in pins]
    others = [row for row in rows if canonical(row["name"]) not in pins]
    for title, group in (("pinned", pinned), ("dependencies", others)):
        if not group:
            continue
        print(f"{title}:")
        for row in sorted(group, key=lambda row: canonical(row["name"])):
            where = pins.get(canonical(row["name"]), "")
            print(
                f"  {row['name']:<28} {row['version']:>12} -> {row['latest_version']:<12} {where}"
            )
    print(
        "everything is current"
        if not rows
        else f"{len(pinned)} pinned, {len(others)} others outdated"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
