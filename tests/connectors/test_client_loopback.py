"""The shared HTTP base against real sockets on loopback: a private CA, and a server that is silent.

A vendor appliance often serves HTTPS with a certificate from the customer's own CA; the account's
``ca_certificate`` must make that work without turning verification off.
"""

import datetime
import http.server
import ipaddress
import socket
import ssl
import threading
import time

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors import errors
from connectors.client import ClientOptions, VendorClient


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _certificate(subject, issuer, public_key, signing_key, *, ca, extensions=()):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    for extension in extensions:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory):
    """A CA of our own and a server certificate for 127.0.0.1 that it signed."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate(
        _name("Workgate test CA"),
        _name("Workgate test CA"),
        ca_key.public_key(),
        ca_key,
        ca=True,
        extensions=[
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            )
        ],
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _certificate(
        _name("127.0.0.1"),
        ca_cert.subject,
        server_key.public_key(),
        ca_key,
        ca=False,
        extensions=[
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        ],
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "server.pem").write_text(_pem(server_cert))
    (folder / "server.key").write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return {"ca_pem": _pem(ca_cert), "cert": folder / "server.pem", "key": folder / "server.key"}


class PingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"pong": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def https_server(private_ca):
    """An HTTPS server on loopback whose certificate only the private CA vouches for."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PingHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(private_ca["cert"], private_ca["key"])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _client(address, **options):
    return VendorClient(address, options=ClientOptions(max_retries=0, **options), sleep=None)


def test_a_client_given_the_private_ca_connects(https_server, private_ca):
    with _client(https_server, ca_certificate=private_ca["ca_pem"]) as client:
        assert client.json(client.request("GET", "/ping")) == {"pong": True}


def test_a_client_without_the_private_ca_refuses_the_server(https_server):
    with _client(https_server) as client, pytest.raises(errors.TransientError) as refused:
        client.request("GET", "/ping")
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message
    assert refused.value.may_have_run is False  # the request never left: a retry is safe


def test_verification_turned_off_connects_without_the_ca(https_server):
    with _client(https_server, verify_tls=False) as client:
        assert client.json(client.request("GET", "/ping")) == {"pong": True}


@pytest.fixture
def silent_server():
    """Accepts a connection, reads the request and says nothing for two seconds, then hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            stop.wait(2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(3)
    listener.close()


def test_a_server_that_does_not_answer_times_out_as_configured(silent_server):
    started = time.monotonic()
    with (
        _client(silent_server, timeout=0.3) as client,
        pytest.raises(errors.TransientError) as slow,
    ):
        client.request("GET", "/ping")
    assert time.monotonic() - started < 1.5
    assert slow.value.message == "vendor did not answer in time (ReadTimeout)"
    assert slow.value.may_have_run is True


def test_the_connect_timeout_reaches_the_http_client():
    with _client("http://127.0.0.1:9", timeout=7.0, connect_timeout=2.5) as client:
        assert client.http.timeout == httpx.Timeout(7.0, connect=2.5)
