"""Where a webhook may be sent: public addresses, and the networks an installation allows."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from domain.webhook.targets import allowed, networks

REFUSED = [
    "127.0.0.1",  # loopback (also 2130706433, 0x7f000001, 127.1 once resolved)
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",  # private
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "169.254.169.254",  # link-local: the cloud metadata service
    "0.0.0.0",  # unspecified
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "192.0.2.10",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",  # unique-local
    "fec0::1",  # site-local (deprecated, still routed by some)
    "ff0e::1",  # multicast
    "::ffff:169.254.169.254",  # IPv4-mapped
    "::ffff:8.8.8.8",  # IPv4-mapped, even of a public address
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2001:db8::1",  # documentation
]


@pytest.mark.parametrize("address", REFUSED)
def test_a_non_public_address_is_refused(address: str) -> None:
    assert not allowed(ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111"])
def test_a_public_address_is_allowed(address: str) -> None:
    assert allowed(ip_address(address))


def test_an_installation_may_allow_its_own_networks() -> None:
    own = networks("127.0.0.0/8, 10.20.0.0/16,")

    assert allowed(ip_address("127.0.0.1"), own)
    assert allowed(ip_address("10.20.3.4"), own)
    assert not allowed(ip_address("10.21.0.1"), own)
    assert not allowed(ip_address("::1"), own)
    assert networks("") == ()


def test_a_network_that_is_not_cidr_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"10\.0\.0\.0/33"):
        networks("10.0.0.0/33")
