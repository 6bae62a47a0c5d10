"""The client's address, for the login lockout, the form rate limits and the API throttle.

Without a proxy it is REMOTE_ADDR. Behind PROXY_COUNT reverse proxies that each append the address
they received from to X-Forwarded-For, it is the entry the outermost trusted proxy appended; the
entries before it are whatever the client chose to send and are never trusted.
"""

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    # Fewer entries than proxies: the request did not come through them all; count it under the
    # address that reached us, so that it cannot pick its own.
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
