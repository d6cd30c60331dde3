"""Which hosts and addresses the fetcher may connect to, and how names are resolved.

The rule: connect only to public addresses (unless ``fetch.allow_private_addresses``).

- An address is public when Python calls it global and it is not multicast; an IPv6
  address that embeds an IPv4 address is judged by the embedded address instead
  (IPv4-mapped ``::ffff:0:0/96``, IPv4-compatible ``::/96``, NAT64 ``64:ff9b::/96``
  and ``64:ff9b:1::/48``, 6to4 ``2002::/16``, Teredo ``2001::/32``), because a
  dual-stack socket or a translator on the way delivers it to that IPv4 address:
  ``[::ffff:127.0.0.1]``, ``[::127.0.0.1]`` and ``[64:ff9b::7f00:1]`` are loopback.
- A host written as a number in another form than dotted decimal (``2130706433``,
  ``0177.0.0.1``, ``0x7f.1``, ``127.1``) is refused outright: the C resolver reads
  these as addresses, and no real site is named that way. So is ``localhost`` and
  every name under it, with or without the trailing dot (RFC 6761).
- Names are judged by what they resolve to, at connect time
  (:mod:`pipeline.fetching.transport`), through a :data:`Resolver` hook, so tests can
  simulate public names and a DNS answer that changes cannot slip past the check.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable

from pipeline.errors import FetchRejected, Unreachable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
AddressPolicy = Callable[[IPAddress], bool]

_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_NUMBER_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
_ALLOW_HINT = "set fetch.allow_private_addresses to allow it"


def is_public(address: IPAddress) -> bool:
    """The default address policy: global, not multicast, embedded IPv4 judged itself."""
    embedded = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else []
    if embedded:
        return all(is_public(inner) for inner in embedded)
    return address.is_global and not address.is_multicast


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (empty when it carries none)."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)  # (server, client): both must be public
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return [_low_32_bits(address)]
    if address in _NAT64_LOCAL:  # RFC 6052 /48 layout, and the common /96 one
        packed = address.packed
        return [ipaddress.IPv4Address(packed[6:8] + packed[9:11]), _low_32_bits(address)]
    return []


def _low_32_bits(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def ip_literal(host: str) -> IPAddress | None:
    """The address when ``host`` is an IP literal (IPv6 with or without brackets)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def refuse_host(host: str, allowed: AddressPolicy = is_public) -> None:
    """FetchRejected for a host that may not be fetched whatever it resolves to:
    an address literal the policy refuses, a number in an odd form, or localhost."""
    literal = ip_literal(host)
    if literal is not None:
        refuse_internal(host, [literal], allowed)
        return
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise FetchRejected(f"refused local host name {host!r}; {_ALLOW_HINT}")
    if _NUMBER_LABEL.match(name.rsplit(".", 1)[-1]):
        raise FetchRejected(f"refused numeric host {host!r} (an address in disguise)")


def refuse_internal(
    host: str, addresses: list[IPAddress], allowed: AddressPolicy = is_public
) -> None:
    """FetchRejected when any address of ``host`` is refused by the policy.

    Any, not all: a name that resolves to one public and one internal address could
    be connected to the internal one.
    """
    for address in addresses:
        if not allowed(address):
            raise FetchRejected(
                f"refused internal address {address} for host {host!r}; {_ALLOW_HINT}"
            )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """The default resolver: a non-blocking lookup through the event loop."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Unreachable(f"cannot resolve host {host!r} ({exc.strerror})") from None
    except (UnicodeError, ValueError):
        raise FetchRejected(f"not a valid host name: {host!r}") from None
    return unique(ipaddress.ip_address(info[4][0]) for info in infos)


def unique(addresses: Iterable[IPAddress]) -> list[IPAddress]:
    """The addresses in order, each once."""
    return list(dict.fromkeys(addresses))
