"""Resolving a webhook's host and pinning the request to the address that was checked.

A subscription's URL is checked when it is made (422) and again before every batch of
deliveries: the host is resolved once, every address it resolves to must be allowed
(``domain.webhook.targets``), and the requests of the batch connect to the first of them,
with the URL's host in ``Host`` and, for https, in the TLS server name, so the certificate
is still checked against the name. A host that resolves to a public address when checked
and to a private one a second later (DNS rebinding) therefore never gets a request to the
private one.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from ipaddress import ip_address

import httpx

from domain.fact import DomainError
from domain.webhook.targets import Address, Network, allowed

REFUSED = (
    "the URL's host must resolve only to public addresses (or to networks the installation "
    "allows in TUMBUH_WEBHOOK_ALLOWED_NETWORKS)"
)


class TargetRefused(DomainError):
    """A webhook URL whose host is not public, or does not resolve: 422."""

    code = "webhook-target"

    def __init__(self) -> None:
        # One text whatever the reason, so the answer does not tell which internal names exist.
        super().__init__(REFUSED, field="target_url")


@dataclass(frozen=True)
class Pinned:
    """A request target bound to the address that was checked."""

    url: httpx.URL
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


def lookup(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, as a connection would resolve it (every legacy
    IPv4 spelling included); tests replace it."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def pin(target_url: str, extra: Sequence[Network]) -> Pinned:
    """The request target of ``target_url`` bound to a checked address, or ``TargetRefused``."""
    try:
        url = httpx.URL(target_url)
        host = url.raw_host.decode("ascii")
        port = url.port or (443 if url.scheme == "https" else 80)
        addresses = [_address(found) for found in lookup(host, port)]
    except (httpx.InvalidURL, OSError, UnicodeError, ValueError):
        raise TargetRefused from None
    if not addresses or not all(allowed(a, extra) for a in addresses):
        raise TargetRefused
    bound = url.copy_with(host=str(addresses[0]))
    sni = {"sni_hostname": host} if url.scheme == "https" else {}
    return Pinned(bound, {"Host": url.netloc.decode("ascii")}, sni)


def _address(text: str) -> Address:
    return ip_address(text.split("%", 1)[0])  # without an IPv6 zone (fe80::1%eth0)
