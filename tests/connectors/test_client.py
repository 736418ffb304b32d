"""The shared HTTP base: retries, backoff, auth renewal and error mapping, over real httpx."""

import ssl

import httpx
import pytest

from connectors import errors
from connectors.client import ClientOptions, VendorClient, backoff_delay, retry_after_seconds


class Recorder:
    """An httpx MockTransport that answers from a script and records what it was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class TokenClient(VendorClient):
    vendor = "Example"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.logins = 0
        self.token = None

    def auth_headers(self):
        if self.token is None:
            self.logins += 1
            self.token = f"t{self.logins}"
        return {"Authorization": f"Token {self.token}"}

    def renew_auth(self):
        self.token = None


def make_client(recorder, **options):
    sleeps = []
    client = TokenClient(
        "http://vendor.test",
        options=ClientOptions(**options),
        transport=httpx.MockTransport(recorder),
        sleep=sleeps.append,
    )
    return client, sleeps


def test_transient_errors_are_retried_with_capped_backoff_then_succeed():
    recorder = Recorder(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json={"ok": 1})
    )
    client, sleeps = make_client(recorder, backoff_base=1, backoff_cap=1.5)
    assert client.json(client.request("GET", "/x")) == {"ok": 1}
    assert len(recorder.requests) == 3
    assert len(sleeps) == 2 and all(0 <= s <= 1.5 for s in sleeps)


def test_retries_are_bounded_and_the_last_error_is_raised():
    recorder = Recorder(httpx.Response(503))
    client, sleeps = make_client(recorder, max_retries=3)
    with pytest.raises(errors.TransientError) as caught:
        client.request("GET", "/x")
    assert caught.value.is_retryable
    assert len(recorder.requests) == 4 and len(sleeps) == 3


def test_timeouts_and_dropped_connections_become_transient_errors():
    recorder = Recorder(
        httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("gone"), httpx.Response(200, json=[])
    )
    client, sleeps = make_client(recorder)
    assert client.json(client.request("GET", "/x")) == []
    assert len(sleeps) == 2


def test_rate_limit_waits_for_retry_after():
    recorder = Recorder(
        httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={})
    )
    client, sleeps = make_client(recorder)
    client.request("GET", "/x")
    assert sleeps == [7.0]


def test_a_rate_limit_wait_longer_than_allowed_is_raised_not_slept():
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}))
    client, sleeps = make_client(recorder, max_wait=60)
    with pytest.raises(errors.RateLimitError) as caught:
        client.request("GET", "/x")
    assert caught.value.retry_after == 3600 and sleeps == []


@pytest.mark.parametrize(
    "status,error",
    [
        (400, errors.ValidationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.ValidationError),
    ],
)
def test_client_errors_are_mapped_and_never_retried(status, error):
    recorder = Recorder(httpx.Response(status, text="no"))
    client, sleeps = make_client(recorder)
    with pytest.raises(error) as caught:
        client.request("POST", "/x", json={})
    assert not caught.value.is_retryable
    assert len(recorder.requests) == 1 and sleeps == []


def test_expired_auth_logs_in_once_more_and_repeats_the_request():
    recorder = Recorder(httpx.Response(401), httpx.Response(200, json={"n": 1}))
    client, _ = make_client(recorder)
    client.request("GET", "/x")
    assert client.logins == 2
    assert [r.headers["Authorization"] for r in recorder.requests] == ["Token t1", "Token t2"]


def test_auth_refused_after_renewal_is_an_authentication_error_without_a_login_storm():
    recorder = Recorder(httpx.Response(401))
    client, sleeps = make_client(recorder)
    with pytest.raises(errors.AuthenticationError):
        client.request("GET", "/x")
    assert client.logins == 2 and len(recorder.requests) == 2 and sleeps == []


def test_html_with_200_is_a_protocol_error():
    recorder = Recorder(
        httpx.Response(
            200, text="<html><body>Login</body></html>", headers={"Content-Type": "text/html"}
        )
    )
    client, _ = make_client(recorder)
    with pytest.raises(errors.ProtocolError, match="HTML page"):
        client.json(client.request("GET", "/x"))


def test_backoff_grows_exponentially_and_is_capped():
    import random

    rng = random.Random(1)
    highs = [max(backoff_delay(a, 0.5, 8, rng) for _ in range(200)) for a in range(6)]
    assert highs[0] <= 0.5 and 0.5 < highs[2] <= 2 and all(h <= 8 for h in highs)


def test_retry_after_reads_seconds_http_dates_and_reset_epochs():
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "3"})) == 3
    assert (
        retry_after_seconds(
            httpx.Response(429, headers={"X-RateLimit-Reset": "1100"}), now=lambda: 1000
        )
        == 100
    )
    date = retry_after_seconds(
        httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        now=lambda: 1445412470,
    )
    assert date == 10


def test_tls_verification_uses_a_custom_ca(tmp_path):
    from connectors.client import tls_verification

    assert tls_verification(ClientOptions(verify_tls=False)) is False
    assert tls_verification(ClientOptions()) is True
    with pytest.raises(ssl.SSLError):
        tls_verification(
            ClientOptions(
                ca_certificate="-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"
            )
        )


def test_a_create_whose_answer_was_lost_is_not_repeated_by_the_client():
    recorder = Recorder(httpx.RemoteProtocolError("gone"), httpx.Response(201, json={}))
    client, sleeps = make_client(recorder)
    with pytest.raises(errors.TransientError) as caught:
        client.request("POST", "/things", json={"code": "1"})
    assert caught.value.may_have_run and len(recorder.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "1"}),
    ],
)
def test_a_create_that_surely_did_not_run_is_retried(failure):
    recorder = Recorder(failure, httpx.Response(201, json={"id": 1}))
    client, _ = make_client(recorder)
    assert client.request("POST", "/things", json={}).status_code == 201
    assert len(recorder.requests) == 2


def test_a_create_answered_with_502_is_not_repeated():
    recorder = Recorder(httpx.Response(502), httpx.Response(201))
    client, _ = make_client(recorder)
    with pytest.raises(errors.TransientError):
        client.request("POST", "/things", json={})
    assert len(recorder.requests) == 1


def test_idempotent_methods_are_repeated_after_a_lost_answer():
    recorder = Recorder(httpx.ReadTimeout("slow"), httpx.Response(200, json={}))
    client, _ = make_client(recorder)
    client.request("PUT", "/things/1", json={})
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("address", ["ftp://vendor.test", "vendor.test:8090", "file:///tmp/x"])
def test_an_address_that_is_not_http_or_https_is_a_configuration_error_never_retried(address):
    recorder = Recorder(httpx.Response(200, json={}))
    with pytest.raises(errors.ConfigurationError) as raised:
        TokenClient(address, transport=httpx.MockTransport(recorder), sleep=lambda s: None)
    assert raised.value.is_retryable is False
    assert "must start with http:// or https://" in raised.value.message
    assert recorder.requests == []
