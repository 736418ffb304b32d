"""What log lines about requests say."""

import logging


def _one_line(value: str) -> str:
    """As Django escapes request paths in its own log lines: no newline can forge a second entry."""
    return value.encode("unicode_escape").decode("ascii")


def _username(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return _one_line(user.get_username())


class ForbiddenOnOneLine(logging.Filter):
    """A refused page is an everyday event (a role without the permission), not a fault: log one
    line, ``Forbidden (403): /doors/ user=guard``, instead of Django's warning with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            request = getattr(record, "request", None)
            record.msg = "Forbidden (403): %s user=%s"
            record.args = (_one_line(getattr(request, "path", "?")), _username(request))
            record.exc_info = None
            record.exc_text = None
        return True
