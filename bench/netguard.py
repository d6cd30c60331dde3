"""Keep a process on loopback: refuse (and record) every other address it tries.

:func:`install` wraps ``socket.getaddrinfo`` and ``socket.socket.connect``: a name
other than localhost, or an address that is not loopback, raises ``OSError`` and is
added to :data:`ATTEMPTS`, so a library that phones home is both stopped and reported.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

ATTEMPTS: list[str] = []
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "", None}
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def _loopback(host: object) -> bool:
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _loopback(host.decode() if isinstance(host, bytes) else host):
        ATTEMPTS.append(f"resolve {host}")
        raise OSError(f"bench: no network beyond loopback ({host})")
    return _real_getaddrinfo(host, *args, **kwargs)


def _connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        ATTEMPTS.append(f"connect {address[0]}")
        raise OSError(f"bench: no network beyond loopback ({address[0]})")
    _real_connect(self, address)


def install() -> None:
    socket.getaddrinfo = _getaddrinfo
    socket.socket.connect = _connect  # type: ignore[method-assign,assignment]
