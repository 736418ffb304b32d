"""A refused page is logged as one line, not as a warning with a traceback."""

import io
import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def request_records(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_403_is_logged_as_one_line_naming_the_path_and_the_user(client_as, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_as("guard").get(reverse("core:audit-list"))
    assert response.status_code == 403
    [record] = request_records(caplog)
    assert record.getMessage() == "Forbidden (403): /audit/ user=guard"
    assert record.exc_info is None
    assert "\n" not in logging.Formatter().format(record)


def test_other_client_errors_keep_django_s_own_line(client_as, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client_as("guard").get("/nowhere/")
    [record] = request_records(caplog)
    assert record.getMessage() == "Not Found: /nowhere/"


def test_the_console_prints_a_403_once_even_with_debug_on(client_as, settings):
    settings.DEBUG = True  # Django's own console handler only speaks when DEBUG is on
    console = io.StringIO()
    handlers = [
        h
        for name in ("django.request", "django", "")
        for h in logging.getLogger(name).handlers
        if type(h) is logging.StreamHandler  # the configured consoles, not pytest's capture
    ]
    assert handlers
    previous = [h.setStream(console) for h in handlers]
    try:
        client_as("guard").get(reverse("core:audit-list"))
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)
    lines = console.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].endswith("Forbidden (403): /audit/ user=guard"), lines
