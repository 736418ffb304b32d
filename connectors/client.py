"""The HTTP base every vendor client builds on: timeouts, TLS, retries with backoff, error mapping.

A vendor client subclasses :class:`VendorClient` and provides
- ``auth_headers()``: headers proving who we are (logging in lazily if needed);
- ``renew_auth()``: log in again after the server said the session/token ended (called once);
- ``is_auth_expired(response)``: whether a response means "log in again" (default: 401);
- ``raise_for_vendor_error(response)``: raise the right :mod:`connectors.errors` exception.

Retries cover transient failures only (5xx, 429, timeouts, dropped connections), a bounded number
of times, sleeping ``Retry-After`` / the rate-limit reset when given, else capped exponential
backoff with full jitter. Authentication and validation errors are never retried.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

try:  # a pull parses thousands of list pages: orjson does it in a fraction of the time
    import orjson
except ImportError:  # pragma: no cover - optional; json gives the same values
    orjson = None

from connectors import errors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClientOptions:
    timeout: float = 30.0
    connect_timeout: float = 10.0
    verify_tls: bool = True
    ca_certificate: str = ""  # PEM text of a private CA
    max_retries: int = 4  # retries after the first try
    backoff_base: float = 0.5  # seconds
    backoff_cap: float = 30.0  # never wait longer than this between tries
    max_wait: float = 120.0  # a rate-limit wait longer than this is raised, not slept
    page_size: int = 100
    time_zone: str = "UTC"  # the zone the vendor writes naive times in
    user_agent: str = "Workgate/0.1"


def tls_verification(options: ClientOptions) -> bool | ssl.SSLContext:
    if not options.verify_tls:
        return False
    if options.ca_certificate.strip():
        context = ssl.create_default_context()
        context.load_verify_locations(cadata=options.ca_certificate)
        return context
    return True


_rng = random.Random()
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random = _rng) -> float:
    """Full jitter: uniform between 0 and the capped exponential for this attempt (0-based)."""
    return rng.uniform(0, min(cap, base * (2**attempt)))


def retry_after_seconds(
    response: httpx.Response, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or an epoch reset header."""
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now())
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("X-RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - now())
        except ValueError:
            return None
    return None


class VendorClient:
    """Base of the five vendor clients. Not used directly."""

    vendor = "vendor"

    def __init__(
        self,
        base_url: str,
        *,
        options: ClientOptions | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ):
        self.options = options or ClientOptions()
        self.base_url = base_url.rstrip("/")
        if httpx.URL(self.base_url).scheme not in ("http", "https"):
            raise errors.ConfigurationError(
                f"{self.vendor} address {self.base_url!r} must start with http:// or https://"
            )
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.requests_sent = 0
        self.http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            verify=tls_verification(self.options),
            timeout=httpx.Timeout(self.options.timeout, connect=self.options.connect_timeout),
            headers={"User-Agent": self.options.user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )

    # -- to implement per vendor ------------------------------------------------------------
    def auth_headers(self) -> Mapping[str, str]:
        return {}

    def renew_auth(self) -> None:
        """Forget the session/token so the next ``auth_headers()`` logs in again."""

    def is_auth_expired(self, response: httpx.Response) -> bool:
        return response.status_code == 401

    def raise_for_vendor_error(self, response: httpx.Response) -> None:
        raise_for_status(response)

    def refuse_redirect(self, response: httpx.Response) -> None:
        """Redirects are never followed: Django's APPEND_SLASH or http→https would turn a POST into
        a GET and lose its body. A redirect means the account's address needs fixing."""
        if 300 <= response.status_code < 400:
            raise errors.ProtocolError(
                f"{self.vendor} redirected {response.request.url.path} to "
                f"{response.headers.get('Location', '')!r}; check the server address (https? path?).",
                status_code=response.status_code,
            )

    def is_replayable(self, method: str, path: str) -> bool:
        """Whether repeating this request after a lost answer is harmless.

        GET, PUT and DELETE are by HTTP's rules; vendors that read through POST (searches,
        one-URL APIs) say which of their POSTs only read. A create is never replayed here: the
        caller looks the record up by its natural key before trying again.
        """
        return method.upper() in IDEMPOTENT_METHODS

    # -- the request loop --------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        authenticated: bool = True,
        retry: bool = True,
    ) -> httpx.Response:
        """Send one logical request; returns a successful response or raises a ConnectorError."""
        renewed = False
        attempt = 0
        while True:
            try:
                response = self._send(method, path, params, json, data, headers, authenticated)
                if authenticated and not renewed and self.is_auth_expired(response):
                    # The session or token ended: log in once more and repeat, never in a loop.
                    renewed = True
                    self.renew_auth()
                    continue
                self.refuse_redirect(response)
                self.raise_for_vendor_error(response)
                return response
            except errors.ConnectorError as exc:
                unsafe = getattr(exc, "may_have_run", False) and not self.is_replayable(
                    method, path
                )
                if unsafe or not (
                    retry and exc.is_retryable and attempt < self.options.max_retries
                ):
                    raise
                delay = self._delay_for(exc, attempt)
                attempt += 1
                log.info(
                    "%s %s %s failed (%s); retry %d in %.1fs",
                    self.vendor,
                    method,
                    path,
                    exc,
                    attempt,
                    delay,
                )
                self.sleep(delay)

    def _delay_for(self, exc: errors.ConnectorError, attempt: int) -> float:
        if isinstance(exc, errors.RateLimitError) and exc.retry_after is not None:
            if exc.retry_after > self.options.max_wait:
                raise exc
            return exc.retry_after
        return backoff_delay(attempt, self.options.backoff_base, self.options.backoff_cap, self.rng)

    def _send(self, method, path, params, json, data, headers, authenticated) -> httpx.Response:
        merged = dict(self.auth_headers()) if authenticated else {}
        merged.update(headers or {})
        self.requests_sent += 1
        try:
            return self.http.request(
                method, path, params=params, json=json, data=data, headers=merged
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # never reached the server: always safe to try again
            raise errors.TransientError(
                f"{self.vendor} could not be reached: {exc}", may_have_run=False
            ) from exc
        except httpx.TimeoutException as exc:
            raise errors.TransientError(
                f"{self.vendor} did not answer in time ({exc.__class__.__name__})"
            ) from exc
        except httpx.TransportError as exc:
            raise errors.TransientError(f"{self.vendor} connection failed: {exc}") from exc

    def json(self, response: httpx.Response) -> Any:
        """The body as JSON; anything else (an HTML page with 200, say) is a protocol error."""
        content_type = response.headers.get("Content-Type", "")
        try:
            return parse_json(response)
        except ValueError:
            kind = (
                "an HTML page"
                if "html" in content_type or response.text.lstrip().startswith("<")
                else "non-JSON"
            )
            raise errors.ProtocolError(
                f"{self.vendor} answered {response.request.method} {response.request.url.path} with {kind} "
                f"(HTTP {response.status_code}); check the server address and API path.",
                status_code=response.status_code,
            ) from None

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def parse_json(response: httpx.Response) -> Any:
    """``response.json()``, read by orjson when it gives the same values: it reads an integer
    past 64 bits as a float, so a body with a run of 19 digits goes to ``json``, as does whatever
    orjson refuses (NaN, a BOM, UTF-16): the values and the errors stay those of ``json``.
    The scan is needed: ``orjson.loads`` raises nothing for such an integer (3.13; its "Integer
    exceeds 64-bit range" is ``dumps``'), and -9223372036854775809 has 19 digits."""
    content = response.content
    if orjson is not None and not has_long_number(content):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass
    return response.json()


#: every digit as "0", every other byte as a space: a run of 19 zeros is a run of 19 digits
_DIGITS_ONLY = bytes(b"0"[0] if chr(i).isdigit() and i < 128 else b" "[0] for i in range(256))
_LONG_RUN = b"0" * 19


def has_long_number(content: bytes) -> bool:
    """Whether a run of 19 digits (past what orjson reads as an integer) is in ``content``;
    a bytes translation and search, a tenth of what a regular expression takes."""
    return _LONG_RUN in content.translate(_DIGITS_ONLY)


def json_or_none(response: httpx.Response) -> Any:
    """The body as JSON, or None when it is not JSON (an HTML error page, say)."""
    try:
        return response.json()
    except ValueError:
        return None


def raise_for_status(
    response: httpx.Response,
    message: str | None = None,
    *,
    vendor_code: str | None = None,
    field: str | None = None,
) -> None:
    """Map an HTTP status to the error family; a 2xx/3xx passes."""
    status = response.status_code
    if status < 400:
        return
    text = message or f"HTTP {status}: {response.text[:200]}"
    kwargs = {"status_code": status, "vendor_code": vendor_code}
    if status == 401:
        raise errors.AuthenticationError(text, **kwargs)
    if status == 403:
        raise errors.PermissionDeniedError(text, **kwargs)
    if status == 404:
        raise errors.NotFoundError(text, **kwargs)
    if status == 409:
        raise errors.ConflictError(text, field=field, **kwargs)
    if status == 429:
        raise errors.RateLimitError(text, retry_after=retry_after_seconds(response), **kwargs)
    if status in (400, 422):
        raise errors.ValidationError(text, field=field, **kwargs)
    if status >= 500 or status == 408:
        # 503 and 408 say the request was not processed; other 5xx may have been half done
        raise errors.TransientError(text, may_have_run=status not in (503, 408), **kwargs)
    raise errors.ProtocolError(text, **kwargs)
