"""One exception family for every vendor, so the sync engine can act without knowing the vendor.

``is_retryable`` tells the caller whether trying again later can help.
"""

from __future__ import annotations


class ConnectorError(Exception):
    is_retryable = False

    def __init__(self, message: str, *, status_code: int | None = None, vendor_code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.vendor_code = vendor_code


class AuthenticationError(ConnectorError):
    """Credentials refused. Do not retry: repeated bad logins can lock the vendor account."""


class PermissionDeniedError(ConnectorError):
    """Logged in, but the user, key scope or server licence does not allow this."""


class NotFoundError(ConnectorError):
    """The record (or the endpoint) does not exist on the vendor."""


class ValidationError(ConnectorError):
    """The vendor rejected the data; ``field`` names the vendor's field when it said which."""

    def __init__(self, message: str, *, field: str | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.field = field


class ConflictError(ValidationError):
    """The record already exists (a create whose natural key is taken)."""


class TransientError(ConnectorError):
    """5xx, timeouts, dropped connections: trying again later can succeed."""

    is_retryable = True


class RateLimitError(TransientError):
    """The vendor's rate limit: ``retry_after`` seconds until it lets requests through again."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProtocolError(ConnectorError):
    """The answer is not what the protocol promises: HTML with 200, bad JSON, a page that repeats."""
