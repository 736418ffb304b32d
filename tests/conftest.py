"""Root fixtures. Nothing here imports Django, so connector tests run without it."""

import pytest


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` run only when DATABASE_URL points at PostgreSQL (make test-postgres)."""
    postgres_tests = [item for item in items if item.get_closest_marker("postgres")]
    if not postgres_tests:
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: run with `make test-postgres`")
    for item in postgres_tests:
        item.add_marker(skip)
