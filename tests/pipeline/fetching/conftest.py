"""Fixtures for the fetching tests: a guard that fails any connection to a non-loopback
address, a simulated public internet on loopback, and a self-signed TLS certificate.

The simulated internet: the "public" server listens on 127.0.0.2 and the "internal"
one on 127.0.0.1 (Linux routes all of 127/8 to lo). The test resolver answers
``news.example`` with 127.0.0.2 and ``intranet.example`` with 127.0.0.1, and refuses
every other name without asking DNS; the test policy counts 127.0.0.2 as public and
judges everything else like production does.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import Unreachable
from pipeline.fetching.addresses import IPAddress, ip_literal, is_public
from tests.conftest import FIXTURES
from tests.fixture_server import FixtureServer, serve_fixtures

PUBLIC_IP = ipaddress.ip_address("127.0.0.2")
INTERNAL_IP = ipaddress.ip_address("127.0.0.1")
NAMES = {"news.example": PUBLIC_IP, "intranet.example": INTERNAL_IP}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Fail the test if anything connects to a non-loopback address, even a test
    whose refusal check is broken: the connect itself raises."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(str(address[0])):
            attempts.append(address)
            raise AssertionError(f"a test tried to connect to {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    assert attempts == []


def _is_loopback(host: str) -> bool:
    address = ip_literal(host.split("%", 1)[0])
    return address is not None and address.is_loopback


@dataclass
class FakeDns:
    """The test resolver: known names only; ``answers`` overrides per name, in order
    (the last answer repeats), to simulate a rebinding name."""

    answers: dict[str, list[IPAddress]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        literal = ip_literal(host)
        if literal is not None:
            return [literal]
        name = host.lower().rstrip(".")
        queue = self.answers.get(name)
        if queue:
            return [queue.pop(0) if len(queue) > 1 else queue[0]]
        if name in NAMES:
            return [NAMES[name]]
        raise Unreachable(f"cannot resolve host {host!r} (not in the test DNS)")


def public_on_loopback(address: IPAddress) -> bool:
    """The test policy: 127.0.0.2 plays a public address; the rest as in production."""
    return address == PUBLIC_IP or is_public(address)


@pytest.fixture
def dns() -> FakeDns:
    return FakeDns()


@pytest.fixture
def internal() -> Iterator[FixtureServer]:
    """The internal server (127.0.0.1): every test asserts it counted no hits."""
    with serve_fixtures(FIXTURES) as state:
        yield state


@pytest.fixture
def public(internal: FixtureServer) -> Iterator[FixtureServer]:
    """The public server: 127.0.0.2 on the internal server's port, so a name that
    rebinds from one address to the other reaches the same port on both."""
    port = int(internal.base.rsplit(":", 1)[1])
    with serve_fixtures(FIXTURES, host=str(PUBLIC_IP), port=port) as state:
        yield state


def news_url(server: FixtureServer, path: str, host: str = "news.example") -> str:
    """``path`` on ``server`` addressed by a test name instead of its IP."""
    port = server.base.rsplit(":", 1)[1]
    scheme = server.base.split(":", 1)[0]
    return f"{scheme}://{host}:{port}{path}"


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client that trusts this certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for news.example, made with openssl for this run."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=news.example",
            "-addext",
            "subjectAltName=DNS:news.example",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)
