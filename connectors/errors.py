"""One exception family for every vendor, so the sync engine can act without knowing the vendor.

``is_retryable`` tells the caller whether trying again later can help.
"""

from __future__ import annotations


class ConnectorError(Exception):
    is_retryable = False

    def __init__(
        self, message: str, *, status_code: int | None = None, vendor_code: str | None = None
    ):
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


class SystemAccountError(ValidationError):
    """The write targets the vendor's own administrator/operator account: Workgate never changes
    it (disabling it could lock the portal, and the vendor's operators, out)."""


class ConflictError(ValidationError):
    """The record already exists (a create whose natural key is taken)."""


class TransientError(ConnectorError):
    """5xx, timeouts, dropped connections: trying again later can succeed.

    ``may_have_run`` says the server may have carried the request out although we got no answer
    (a read timeout, a dropped connection, most 5xx): repeating a create is then not safe.
    """

    is_retryable = True

    def __init__(self, message: str, *, may_have_run: bool = True, **kwargs):
        super().__init__(message, **kwargs)
        self.may_have_run = may_have_run


class RateLimitError(TransientError):
    """The vendor's rate limit: ``retry_after`` seconds until it lets requests through again."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, may_have_run=False, **kwargs)
        self.retry_after = retry_after


class ProtocolError(ConnectorError):
    """The answer is not what the protocol promises: HTML with 200, bad JSON, a page that repeats."""


class ConfigurationError(ConnectorError):
    """The account's settings cannot work (a base URL that is not http or https): never retried."""


class UnsupportedError(PermissionDeniedError):
    """The vendor's server lacks the feature (an older build without that API): retrying or
    other credentials cannot help; the message says what to do instead."""
