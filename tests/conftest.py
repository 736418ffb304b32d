"""Root fixtures. Nothing here imports Django, so connector tests run without it."""

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests check behaviour, not speed: on a loaded 2-core CI machine an example can take
# longer than Hypothesis's default 200 ms deadline and fail a correct test.
hypothesis_settings.register_profile("workgate", deadline=None)
hypothesis_settings.load_profile("workgate")


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
