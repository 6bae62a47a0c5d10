"""The client address that the login lockout, the form limits and the API throttle count by."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from measures.api import quote_throttle_key
from policy_portal.client_ip import client_ip
from tests.measures.test_api_hardening import post


def request(remote="192.0.2.1", forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.PROXY_COUNT = 0

    assert client_ip(request(forwarded="203.0.113.5")) == "192.0.2.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # Whatever the client put before the trusted proxies' entries is not believed.
        (1, "10.0.0.1, 203.0.113.5", "203.0.113.5"),
        (2, "10.0.0.1, 203.0.113.5, 198.51.100.2", "203.0.113.5"),
        # Fewer entries than proxies, or none: the address that reached the site.
        (2, "203.0.113.5", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, None, "192.0.2.1"),
    ],
)
def test_behind_proxies_the_outermost_trusted_entry_counts(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies

    assert client_ip(request(forwarded=forwarded)) == expected


def test_a_client_cannot_escape_the_quote_throttle_with_a_forwarded_header(
    client, policy, settings
):
    settings.QUOTE_RATE = "2/min"
    cache.delete(quote_throttle_key("10.9.8.5"))
    payload = {
        "track": "supply-chain",
        "declared": {"annual_purchase_amount": "200000000", "new_purchase_amount": "1000000"},
    }

    codes = [
        post(
            client, 2, payload, REMOTE_ADDR="10.9.8.5", HTTP_X_FORWARDED_FOR=f"10.1.1.{n}"
        ).status_code
        for n in range(3)
    ]

    assert codes == [200, 200, 429]
