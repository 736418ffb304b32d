"""Dependencies point down: connectors <- core <- domain apps <- sync <- dashboard, demo.

Each module's imports are read with ``ast`` (top level and inside functions alike), so an import
hidden in a function to dodge a cycle still counts.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports, as absolute dotted names, with the line it is named on."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from portal import sync` imports portal.sync: count each name as a submodule too
            found += [(base, node.lineno)]
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def imports_under(folder: str, forbidden) -> list[str]:
    """``file:line imports module`` for every import below ``folder`` that ``forbidden`` flags."""
    offences = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name, line in imported_modules(path):
            if forbidden(name):
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return sorted(set(offences))


def within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_the_reader_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    package = tmp_path / "portal" / "core"
    package.mkdir(parents=True)
    module = package / "example.py"
    module.write_text(
        "def later():\n"
        "    from portal.sync.models import VendorAccount\n"
        "    import portal.people.services\n"
        "from ..doors import models\n"
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    names = {name for name, _line in imported_modules(module)}
    assert {"portal.sync.models", "portal.people.services", "portal.doors.models"} <= names
    assert imports_under("portal/core", lambda n: not within(n, "portal.core")) == [
        "portal/core/example.py:2 imports portal.sync.models",
        "portal/core/example.py:2 imports portal.sync.models.VendorAccount",
        "portal/core/example.py:3 imports portal.people.services",
        "portal/core/example.py:4 imports portal.doors",
        "portal/core/example.py:4 imports portal.doors.models",
    ]


def test_core_imports_no_other_portal_module():
    """core is the ground floor: roles, audit, permissions, HTMX helpers, heartbeat."""
    assert (
        imports_under("portal/core", lambda n: within(n, "portal") and not within(n, "portal.core"))
        == []
    )


def test_connectors_import_neither_django_nor_the_portal():
    assert imports_under("connectors", lambda n: within(n, "django", "portal")) == []


def test_only_the_url_configuration_imports_the_dashboard_and_nothing_imports_the_demo():
    """Both sit on top of every app; an app importing them would turn the layers upside down."""
    offences = [
        o
        for folder in ("portal", "connectors")
        for o in imports_under(folder, lambda n: within(n, "portal.dashboard", "portal.demo"))
        if not o.startswith(("portal/dashboard/", "portal/demo/", "portal/urls.py:"))
    ]
    assert offences == []


def test_people_imports_no_sync():
    assert imports_under("portal/people", lambda n: within(n, "portal.sync")) == []


def test_nothing_imports_the_api_app():
    """The API sits on top of every domain app and sync; they reach it only by signals
    (``portal.core.notify.emit``), so nothing below may import it. Retention sits above it."""
    offences = [
        o
        for folder in ("portal", "connectors")
        for o in imports_under(folder, lambda n: within(n, "portal.api"))
        if not o.startswith(("portal/api/", "portal/retention/", "portal/urls.py:"))
    ]
    assert offences == []


def test_nothing_imports_retention():
    """Retention prunes the history of sync, doors and the API: it sits on top of them all."""
    offences = [
        o
        for folder in ("portal", "connectors")
        for o in imports_under(folder, lambda n: within(n, "portal.retention"))
        if not o.startswith("portal/retention/")
    ]
    assert offences == []
