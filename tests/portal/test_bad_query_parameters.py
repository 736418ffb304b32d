"""Every page answers bad query values with the unfiltered page, a 400 or a 404: never a 500.

The pages and their parameters are found, not listed: every GET-able URL of the project (with a
real object for the ones that take an id), and every parameter name the portal's code reads from
``request.GET`` or declares in a filter set, plus the ones every list understands (page, sort).

Sending every bad value for every name to every page (plain and htmx) is ~57,000 requests, ten
minutes. Most pages read a handful of names, so the test watches which names each page actually
reads (a recording ``request.GET``) and sends every bad value, plain and htmx, for those; the names
a page does not read get a seeded random sample, and so do combinations of several bad values at
once. A failure prints the seed; ``BAD_QUERY_SEED=<seed>`` replays the same sample.
"""

import os
import random
import re
from pathlib import Path

import pytest
from django.http import QueryDict
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
UNREAD_SAMPLE = 400  # (page, unread name, value, htmx?) requests
COMBINATION_SAMPLE = 150  # requests with several read names at once
HTMX = {"HX-Request": "true"}


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


# names asked of request.GET (or of a copy of it) during the current request
READS: set[str] = set()


class RecordingQueryDict(QueryDict):
    """``request.GET`` that notes every name a view, form or filter set asks for.

    get(), items() and dict() go through __getitem__; getlist() through _getlist; copy() makes
    another RecordingQueryDict. lists() and urlencode() (re-encoding for links) are not reads.
    """

    def __getitem__(self, key):
        READS.add(key)
        return super().__getitem__(key)

    def _getlist(self, key, *args, **kwargs):
        READS.add(key)
        return super()._getlist(key, *args, **kwargs)

    def __contains__(self, key):
        READS.add(key)
        return super().__contains__(key)


class RecordReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = RecordingQueryDict(
            request.META.get("QUERY_STRING", ""), encoding=request.encoding
        )
        return self.get_response(request)


@pytest.fixture
def recording(settings):
    settings.MIDDLEWARE = [f"{__name__}.RecordReadsMiddleware", *settings.MIDDLEWARE]


def test_no_page_answers_500_to_bad_query_values(client, admin_user, recording):
    seed = int(os.environ.get("BAD_QUERY_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    person = PersonFactory()
    client.force_login(admin_user)
    client.raise_request_exception = False
    names = sorted(parameter_names())
    paths = [path for route in get_routes() if (path := concrete(route, {"pk": str(person.pk)}))]
    failures = []
    sent = 0

    def get(path: str, params: dict, htmx: bool) -> set[str]:
        nonlocal sent
        READS.clear()
        response = client.get(path, params, headers=HTMX if htmx else {})
        sent += 1
        if response.status_code >= 500:
            shown = "&".join(f"{name}={value[:20]!r}" for name, value in params.items())
            failures.append(f"{path}?{shown}{' (htmx)' if htmx else ''} → {response.status_code}")
        return set(READS)

    # every bad value for every name a page reads, plain and htmx; a name first read only when
    # another one is present joins the list for that page
    read_by = {}
    for path in paths:
        read = get(path, {}, False) | get(path, {}, True)
        done = set()
        while pending := sorted(read - done):
            for name in pending:
                done.add(name)
                for value in GARBAGE:
                    for htmx in (False, True):
                        read |= get(path, {name: value}, htmx)
            read -= set(GARBAGE)  # a page that reads the name another parameter gives (suggest)
        read_by[path] = sorted(read)
    assert {"action", "actor"} <= set(read_by["/audit/"]), "the recording request.GET saw no reads"

    # names a page did not ask for: a random sample of (page, name, value, plain or htmx)
    unread = [(path, name) for path in paths for name in names if name not in read_by[path]]
    for path, name in rng.sample(unread, min(UNREAD_SAMPLE, len(unread))):
        get(path, {name: rng.choice(GARBAGE)}, rng.random() < 0.5)

    # several bad values at once (a date range with both ends bad, a filter and a page, ...)
    readers = [path for path in paths if len(read_by[path]) > 1]
    for _ in range(COMBINATION_SAMPLE):
        path = rng.choice(readers)
        chosen = rng.sample(read_by[path], rng.randint(2, min(4, len(read_by[path]))))
        get(path, {name: rng.choice(GARBAGE) for name in chosen}, rng.random() < 0.5)

    print(f"{sent} requests, seed {seed}")
    assert not failures, f"replay with BAD_QUERY_SEED={seed}\n" + "\n".join(failures)


def test_a_nul_in_a_query_parameter_is_a_400_on_every_database(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/audit/", {"action": "x\x00"}).status_code == 400
    assert client.get("/people/", {"q\x00": "x"}).status_code == 400
    assert client.get("/audit/", {"action": "person.changed"}).status_code == 200
