"""django-csp's middleware, with the site's policy built once instead of on every response.

django-csp builds the header from the settings for each response (two dataclass copies and a
walk over every directive), though it differs only for a response a decorator changed or a
request that asked for a nonce. The site uses neither; where one is used, django-csp builds the
header as always.
"""

from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


@cache
def _policies() -> tuple[str, str]:
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _forget_policies(setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.cache_clear()


def _excludes_some_urls() -> bool:
    return any(
        (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    )


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in PER_RESPONSE)
            or _excludes_some_urls()
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        policy, report_only = _policies()
        if policy and HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[HEADER] = policy
        if (
            report_only
            and HEADER_REPORT_ONLY not in response
            and not getattr(response, "_csp_exempt_ro", False)
        ):
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp: a nonce asked for once the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
