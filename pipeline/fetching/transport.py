"""An httpx transport that connects only to the address it checked.

httpx resolves a name when it connects, after any check a caller made, so a name
that answers "public" to the check and "127.0.0.1" to the connect (DNS rebinding)
would reach the internal network. Here the connection itself does the check: for
each new connection :class:`VettingBackend` resolves the host ONCE through the
:data:`~pipeline.fetching.addresses.Resolver` hook, refuses the host when any answer
fails the :data:`~pipeline.fetching.addresses.AddressPolicy`, and connects to the
vetted IPs (in order, until one accepts). The request keeps its URL, so the Host
header, the TLS server name (SNI) and the certificate check all use the host name.

Every redirect hop and every retry that opens a connection is checked; a pooled
keep-alive connection was checked when it was opened.

httpcore's exceptions become the httpx exceptions of the same name, as httpx's own
transport does, so callers handle one family of errors.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

import httpcore
import httpx

from pipeline.fetching.addresses import AddressPolicy, Resolver, refuse_internal

SocketOption = httpcore.SOCKET_OPTION


class VettingBackend(httpcore.AsyncNetworkBackend):
    """Resolves through the hook, vets every answer, connects to a vetted IP."""

    def __init__(self, resolver: Resolver, allowed: AddressPolicy) -> None:
        self._resolver = resolver
        self._allowed = allowed
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolver(host, port)
        refuse_internal(host, addresses, self._allowed)
        failure: Exception = httpcore.ConnectError(f"no address for host {host!r}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.UnsupportedProtocol("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class VettingTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool that uses :class:`VettingBackend`."""

    def __init__(
        self,
        resolver: Resolver,
        allowed: AddressPolicy,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=VettingBackend(resolver, allowed),
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _Body(httpx.AsyncByteStream):
    """The response body, with httpcore errors raised as httpx ones."""

    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._response.aiter_stream():
                yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


@contextmanager
def httpx_errors() -> Iterator[None]:
    """Raise an httpcore exception as the httpx exception of the same name (httpcore
    mirrors httpx's names); anything else (our own refusals, cancellation) as it is."""
    try:
        yield
    except Exception as exc:
        mapped = _httpx_class(exc)
        if mapped is None:
            raise
        raise mapped(str(exc)) from exc


def _httpx_class(exc: Exception) -> type[httpx.HTTPError] | None:
    for cls in type(exc).__mro__:
        if getattr(httpcore, cls.__name__, None) is not cls:
            continue
        mapped = getattr(httpx, cls.__name__, None)
        if isinstance(mapped, type) and issubclass(mapped, httpx.HTTPError):
            return mapped
    return None
