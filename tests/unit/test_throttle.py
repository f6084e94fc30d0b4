"""How a client address is counted by the login throttle."""

from __future__ import annotations

import pytest

from api.identity.throttle import address_of


@pytest.mark.parametrize(
    ("host", "counted"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("testclient", "testclient"),
        (None, "unknown"),
    ],
)
def test_an_address_is_counted_as_itself_or_its_ipv6_subnet(host: str | None, counted: str) -> None:
    result = address_of(host)

    assert result == counted
