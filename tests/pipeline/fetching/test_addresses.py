"""The address policy, unit level: embedded IPv4 forms, odd numeric hosts, localhost."""

from __future__ import annotations

import ipaddress

import pytest

from pipeline.errors import FetchRejected
from pipeline.fetching.addresses import embedded_ipv4, is_public, refuse_host


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "::10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1:7f00:0:100::",  # local-use NAT64, RFC 6052 /48 layout
        "2002:7f00:1::",  # 6to4
        "2002:c0a8:101::",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    ],
)
def test_internal_addresses_in_every_form_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "93.184.215.14",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::",
    ],
)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


def test_embedded_ipv4_is_read_from_each_form() -> None:
    loopback = ipaddress.IPv4Address("127.0.0.1")
    for form in ("::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"):
        assert embedded_ipv4(ipaddress.IPv6Address(form)) == [loopback]
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700::1")) == []


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "0177.0.0.1",
        "0x7f.1",
        "0x7f000001",
        "127.1",
        "017700000001",
        "localhost",
        "localhost.",
        "LocalHost",
        "db.localhost",
        "127.0.0.1",
        "[::ffff:127.0.0.1]",
        "169.254.169.254",
    ],
)
def test_hosts_refused_whatever_they_resolve_to(host: str) -> None:
    with pytest.raises(FetchRejected, match="refused"):
        refuse_host(host)


@pytest.mark.parametrize(
    "host", ["news.example", "www.mining.com", "93.184.215.14", "1password.com"]
)
def test_ordinary_hosts_pass_the_name_check(host: str) -> None:
    refuse_host(host)


def test_a_policy_can_count_a_loopback_address_as_public() -> None:
    refuse_host("127.0.0.2", lambda address: str(address) == "127.0.0.2")
    with pytest.raises(FetchRejected, match=r"refused internal address 127\.0\.0\.1"):
        refuse_host("127.0.0.1", lambda address: str(address) == "127.0.0.2")
