"""API clients signed in with a real token of a user of each role; a local cache for rates."""

import pytest
from rest_framework.test import APIClient

from portal.api import tokens

# the in-memory Celery broker, and doors mirrored from a BioStar X simulator
from tests.portal.doors.conftest import doors, worktime_lock  # noqa: F401
from tests.portal.sync.conftest import biostar, broker, clock  # noqa: F401

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def local_cache(settings):
    """Rate limits count in the cache: a per-test local one, so no Redis is needed and no test's
    calls count against another's."""
    settings.CACHES = LOCAL_CACHE
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def token_for(user_with_role):
    def make(role: str) -> str:
        _row, text = tokens.create_token(user_with_role(role), name=f"{role} test")
        return text

    return make


@pytest.fixture
def api_as(token_for):
    """An API client sending ``Authorization: Token …`` of a user with ``role``."""

    def make(role: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(role)}")
        return client

    return make
