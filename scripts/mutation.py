"""Mutation testing of the core modules with mutmut: each module against its own tests.

    .venv/bin/python scripts/mutation.py                  # every module; prints killed/total each
    .venv/bin/python scripts/mutation.py client --show    # one module, with the surviving diffs

mutmut reads one configuration per working directory and copies the code into ``mutants/``
there, so each module gets a workspace of its own under ``var/mutation/<name>/``: links to the
project's folders plus a ``setup.cfg`` naming the one file to mutate and the tests to run
(``pyproject.toml`` must carry no ``[tool.mutmut]`` table, which would win over ``setup.cfg``).
mutmut then runs, for each mutant, only the selected tests that reach the mutated function.
A workspace is rebuilt on every run: mutmut would otherwise keep stale copies of unmutated files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACES = ROOT / "var" / "mutation"
LINKED = ["connectors", "portal", "tests", "templates", "static", "manage.py", "pyproject.toml"]


@dataclass(frozen=True)
class Target:
    name: str
    module: str
    tests: tuple[str, ...]
    #: run on a throwaway PostgreSQL: row locks (SKIP LOCKED, waiting claims) are no-ops on SQLite
    postgres: bool = False


TARGETS = (
    Target(
        "client",
        "connectors/client.py",
        ("tests/connectors/test_client.py", "tests/connectors/test_client_loopback.py"),
    ),
    Target(
        "biostar-mapping",
        "connectors/biostar/mapping.py",
        (
            "tests/connectors/test_biostar_mapping.py",
            "tests/connectors/test_biostar_mapping_cases.py",
        ),
    ),
    Target(
        "push",
        "portal/sync/push.py",
        (
            "tests/portal/sync/test_push.py",
            "tests/portal/sync/test_push_claims.py",
            "tests/portal/sync/test_push_reconcile.py",
            "tests/portal/sync/test_outbox_delivery.py",
            "tests/portal/sync/test_outbox_concurrency.py",
            "tests/portal/sync/test_pauses.py",
        ),
        postgres=True,
    ),
    Target(
        "outbox",
        "portal/sync/outbox.py",
        (
            "tests/portal/sync/test_push.py",
            "tests/portal/sync/test_push_reconcile.py",
            "tests/portal/sync/test_outbox_delivery.py",
            "tests/portal/sync/test_outbox_enqueue.py",
            "tests/portal/sync/test_receivers.py",
        ),
    ),
)

# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code): a timeout is a detection too
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0, 5, 33}  # the tests passed, or no selected test reached the mutant


def prepare(target: Target) -> Path:
    workspace = WORKSPACES / target.name
    shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir(parents=True)
    for entry in LINKED:
        if (ROOT / entry).exists():
            (workspace / entry).symlink_to(ROOT / entry)
    tests = "\n".join(f"    {path}" for path in target.tests)
    (workspace / "setup.cfg").write_text(
        "[mutmut]\n"
        "source_paths =\n    connectors\n    portal\n"
        f"only_mutate = {target.module}\n"
        f"pytest_add_cli_args_test_selection =\n{tests}\n"
        "pytest_add_cli_args =\n    -p\n    no:cacheprovider\n"
        # pytest-django puts the folder of the nearest manage.py first on sys.path: that must
        # be mutants/, or Django would import the unmutated code through the workspace's links
        "also_copy =\n    manage.py\n    templates\n    static\n"
    )
    return workspace


def mutmut(
    workspace: Path, *args: str, log=None, postgres: bool = False
) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "mutmut"), *args]
    env = dict(os.environ)
    if postgres:
        command = [str(ROOT / "scripts" / "with-postgres"), *command]
        env["WORKGATE_TEST_DB_PER_PROCESS"] = "1"  # mutants run in parallel: a database each
    return subprocess.run(
        command,
        cwd=workspace,
        env=env,
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def outcomes(workspace: Path, target: Target) -> dict[str, int | None]:
    meta = workspace / "mutants" / f"{target.module}.meta"
    return json.loads(meta.read_text())["exit_code_by_key"]


def run(target: Target, *, show: bool) -> tuple[int, int]:
    workspace = prepare(target)
    started = time.monotonic()
    with open(workspace / "run.log", "w") as log:
        finished = mutmut(workspace, "run", log=log, postgres=target.postgres)
    seconds = time.monotonic() - started
    if finished.returncode != 0:
        print(f"{target.module}: mutmut failed ({finished.returncode}); see {workspace}/run.log")
        return 0, 0
    codes = outcomes(workspace, target)
    killed = sum(code in KILLED for code in codes.values())
    survivors = sorted(name for name, code in codes.items() if code in SURVIVED)
    odd = sorted(name for name, code in codes.items() if code not in KILLED | SURVIVED)
    total = killed + len(survivors)
    score = 100 * killed / total if total else 0.0
    print(f"{target.module}: {killed}/{total} killed ({score:.1f}%) in {seconds:.0f}s")
    for name in odd:
        print(f"    not counted ({codes[name]}): {name}")
    for name in survivors:
        if show:
            print(mutmut(workspace, "show", name).stdout.rstrip())
        else:
            print(f"    survived: {name}")
    return killed, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=", ".join(t.name for t in TARGETS))
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    options = parser.parse_args()
    unknown = set(options.names) - {t.name for t in TARGETS}
    if unknown:
        parser.error(f"unknown module(s): {', '.join(sorted(unknown))}")
    chosen = [t for t in TARGETS if not options.names or t.name in options.names]
    started = time.monotonic()
    results = [(target, run(target, show=options.show)) for target in chosen]
    print(f"\nmutation score per module ({time.monotonic() - started:.0f}s in all)")
    for target, (killed, total) in results:
        score = f"{100 * killed / total:.1f}%" if total else "no result"
        print(f"  {target.module:<32} {killed:>4}/{total:<4} {score}")
    return 0 if all(total for _, (_, total) in results) else 1


if __name__ == "__main__":
    sys.exit(main())
