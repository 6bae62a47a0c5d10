"""Residual information (剩余信息保护, GB/T 22239-2019 第三级 安全计算环境): what a signed-in
person was shown is not left in the browser's or a proxy's cache, and signing out clears what
the site left in the browser.

- Every response to a signed-in person (signed in when the request came, or by it) and every
  download (a response that is an attachment, whoever asked) says ``Cache-Control: no-store``
  (with Django's never-cache set: ``max-age=0, no-cache, no-store, must-revalidate, private``).
  Anonymous pages keep their caching: the public catalogue is the same for everyone, and
  WhiteNoise answers the static files before this middleware runs.
- A response that ends a session (the logout page, an official's idle time-out) says
  ``Clear-Site-Data: "cache", "storage"``. Not ``"cookies"``: Django's logout has already
  flushed the session (its row is deleted and the cookie emptied), and clearing the CSRF
  cookie too would make a login form opened in another tab before fail with a 403.

Below every app: imports Django only. It sits right after Django's AuthenticationMiddleware.
"""

from django.utils.cache import add_never_cache_headers

CLEAR_SITE_DATA = '"cache", "storage"'


def _is_download(response) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in_before = user is not None and user.is_authenticated
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in_after = user is not None and user.is_authenticated
        if signed_in_before or signed_in_after or _is_download(response):
            add_never_cache_headers(response)
        if signed_in_before and not signed_in_after:
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
