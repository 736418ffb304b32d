"""Which way imports point between the portal's apps, read from the source with ``ast``."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_people_imports_no_sync():
    """People is the domain: sync reacts to it (signals, template tags), never the other way."""

    def imported_modules(path: Path):
        # every import, at the top of the module or inside functions and classes
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                yield from (alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.level:  # relative: resolve against the module's package
                    package = path.relative_to(ROOT).parent.parts
                    base = package[: len(package) - node.level + 1]
                    yield ".".join((*base, node.module))
                else:
                    yield node.module
                    yield from (f"{node.module}.{alias.name}" for alias in node.names)

    people = sorted((ROOT / "portal" / "people").rglob("*.py"))
    assert len(people) > 5  # the walk found the app
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in people
        for module in imported_modules(path)
        if module == "portal.sync" or module.startswith("portal.sync.")
    ]
    assert offenders == []
