"""Every page answers bad query values with the unfiltered page, a 400 or a 404: never a 500.

The pages and their parameters are found, not listed: every GET-able URL of the project (with a
real object for the ones that take an id), and every parameter name the portal's code reads from
``request.GET`` or declares in a filter set, plus the ones every list understands (page, sort).
"""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ALWAYS = {"page", "sort", "ordering", "q", "status", "department", "sites", "account", "kind"}
GARBAGE = [
    "abc",
    "-1",
    "0",
    "99999999999999999999999",
    "1.5",
    "2026-13-45",
    "\x00",
    "' OR 1=1 --",
    "x" * 5000,
]
# the REST API has its own property test over every operation and parameter of its schema
# (tests/portal/api/test_schema.py); its router's regex routes are not paths this test can build
SKIP_PREFIXES = ("admin/", "logout/", "login/", "static/", "api/")


def parameter_names() -> set[str]:
    names = set(ALWAYS)
    for path in (ROOT / "portal").rglob("*.py"):
        text = path.read_text()
        names.update(re.findall(r"GET(?:\.get|\.getlist)?\(?\[?[\"'](\w+)[\"']", text))
        if "FilterSet" in text:
            for fields in re.findall(r"fields = \[([^\]]*)\]", text):
                names.update(re.findall(r"[\"'](\w+)[\"']", fields))
    return names


def get_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith(SKIP_PREFIXES):
                yield from get_routes(entry, route)
        elif isinstance(entry, URLPattern) and not route.startswith(SKIP_PREFIXES):
            yield route


def concrete(route: str, ids: dict[str, str]) -> str | None:
    path = re.sub(r"<int:pk>", ids["pk"], route)
    path = re.sub(r"<str:\w+>", "unknown-token", path)
    if "<" in path or path.startswith("^"):
        return None
    return "/" + path


def test_no_page_answers_500_to_bad_query_values(client, admin_user):
    person = PersonFactory()
    client.force_login(admin_user)
    client.raise_request_exception = False
    names = sorted(parameter_names())
    failures = []
    for route in get_routes():
        path = concrete(route, {"pk": str(person.pk)})
        if path is None:
            continue
        for name in names:
            for value in GARBAGE:
                response = client.get(path, {name: value})
                if response.status_code >= 500:
                    failures.append(f"{path}?{name}={value[:20]!r} → {response.status_code}")
                response = client.get(path, {name: value}, headers={"HX-Request": "true"})
                if response.status_code >= 500:
                    failures.append(f"{path}?{name}={value[:20]!r} (htmx) → {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_nul_in_a_query_parameter_is_a_400_on_every_database(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/audit/", {"action": "x\x00"}).status_code == 400
    assert client.get("/people/", {"q\x00": "x"}).status_code == 400
    assert client.get("/audit/", {"action": "person.changed"}).status_code == 200
