"""Which addresses a webhook may be sent to: public ones, and the networks an installation
allows itself (``TUMBUH_WEBHOOK_ALLOWED_NETWORKS``); pure.

A subscriber chooses the URL, so without this rule the service would send requests, and
report how they fared, to its own loopback, the cloud's metadata service at
169.254.169.254 or the private network it runs in (server-side request forgery). Refused:
loopback, private, shared (100.64/10), link-local, site- and unique-local, multicast,
unspecified, documentation, benchmarking and reserved addresses, IPv4-mapped IPv6
addresses, and 6to4 or NAT64 addresses that embed one of those. The address is the one the
host resolves to, so every spelling of it (``2130706433``, ``0x7f000001``, ``127.1``,
``[::ffff:127.0.0.1]``, ``localhost``) meets the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from typing import Final

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
_NAT64: Final = IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are IPv4


def networks(text: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list of CIDRs (``127.0.0.0/8, 10.20.0.0/16``)."""
    found = []
    for part in text.split(","):
        if part.strip():
            try:
                found.append(ip_network(part.strip(), strict=False))
            except ValueError:
                raise ValueError(f"{part.strip()!r} is not a network in CIDR form") from None
    return tuple(found)


def allowed(address: Address, extra: Sequence[Network] = ()) -> bool:
    """Whether a webhook may be sent to ``address``: public, or inside ``extra``."""
    if any(address.version == net.version and address in net for net in extra):
        return True
    return public(address)


def public(address: Address) -> bool:
    """Whether ``address`` is a public unicast address that embeds no other."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None or address.is_site_local:
            return False
        inner = _embedded(address)
        if inner is not None and not public(inner):
            return False
    special = (
        address.is_private,
        address.is_loopback,
        address.is_link_local,
        address.is_multicast,
        address.is_reserved,
        address.is_unspecified,
    )
    return address.is_global and not any(special)


def _embedded(address: IPv6Address) -> IPv4Address | None:
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None
