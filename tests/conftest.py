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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """``WORKGATE_TEST_DB_PER_PROCESS=1``: each pytest process gets a PostgreSQL test database of
    its own. Mutation testing runs one pytest session per mutant, several at once, against one
    server; a shared test database name would make them fail each other."""
    import os

    if not os.environ.get("WORKGATE_TEST_DB_PER_PROCESS"):
        return
    from django.conf import settings

    for database in settings.DATABASES.values():
        if "postgresql" in database["ENGINE"]:
            database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"
