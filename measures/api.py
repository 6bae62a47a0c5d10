"""The public JSON API: the measures, and quotes from the award calculator."""

import json
import logging
import re

from django import forms
from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from policy_portal.cache import count
from policy_portal.client_ip import client_ip

from .cache import cached
from .calculator import quote
from .fields import StrictBooleanField
from .forms import declared_form_class
from .models import Track
from .selectors import measure_get, measure_list, quote_targets, track_for_quote
from .serializers import MeasureSerializer, QuoteRequestSerializer, quote_json

logger = logging.getLogger(__name__)


class RenderedJSON(bytes):
    """A body that ``PolicyJSONRenderer`` rendered before, cached with the policy version."""


class PolicyJSONRenderer(JSONRenderer):
    """JSONRenderer, which sends a body rendered before as it is."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, RenderedJSON):
            if self.get_indent(accepted_media_type, renderer_context or {}) is None:
                return bytes(data)
            data = json.loads(data)
        return super().render(data, accepted_media_type, renderer_context)


def _rendered(data) -> bytes:
    return PolicyJSONRenderer().render(data)


class MeasureListApi(APIView):
    renderer_classes = [PolicyJSONRenderer]

    def get(self, request):
        body = cached(
            "api-measures",
            lambda moment: _rendered(
                MeasureSerializer(measure_list(moment=moment), many=True).data
            ),
            timed=True,
            per_language=False,
        )
        return Response(RenderedJSON(body))


def _measure_json(number: int, moment) -> bytes | None:
    measure = measure_get(number=number, moment=moment)
    return None if measure is None else _rendered(MeasureSerializer(measure).data)


class MeasureDetailApi(APIView):
    renderer_classes = [PolicyJSONRenderer]

    def get(self, request, number: int):
        body = cached(
            f"api-measure:{number}",
            lambda moment: _measure_json(number, moment),
            timed=True,
            per_language=False,
        )
        if body is None:
            raise Http404(_("没有第%(number)s条措施。") % {"number": number})
        return Response(RenderedJSON(body))


def _as_form_value(value, field: forms.Field) -> str:
    # The form parses strings, as from an HTML form; JSON null means "not given"; JSON true
    # and false are the only yes and no (a number is not one), and only for a yes/no field:
    # a text field does not take false as the word "false".
    if value is None:
        return ""
    if isinstance(value, bool):
        if not isinstance(field, StrictBooleanField):
            raise ValueError
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise ValueError
    return str(value)


RATE_PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def quote_throttle_key(address: str) -> str:
    return f"throttle:quote:{address}"


class QuoteRateThrottle(BaseThrottle):
    """At most QUOTE_RATE quotes per client address ("60/min"): a counter in the cache that
    starts with the address's first quote and expires a period later. One cache round trip a
    request (DRF's own throttles read and write a list of timestamps: two, and a longer value).
    """

    def allow_request(self, request, view):
        number, unit = settings.QUOTE_RATE.split("/")
        self.period = RATE_PERIODS[unit[0]]
        # The same address as the login lockout and the form limits: a client cannot pick its
        # own by sending X-Forwarded-For.
        key = quote_throttle_key(client_ip(request))
        try:
            return count(key, self.period) <= int(number)
        except Exception:
            # The cache is a help: while it cannot be reached, quotes are not counted.
            logger.warning("cache unreachable: quotes are not counted", exc_info=True)
            return True

    def wait(self):
        return self.period


# Track codes are slugs (the model's validation); anything else names no track, nor a cache key.
TRACK_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def _funding_track(number: int, code: str) -> Track | None:
    track = track_for_quote(measure_number=number, code=code)
    return track if track is not None and track.measure.is_funding else None


def _refuse_quote_target(number: int, code: str) -> None:
    """Say why measure ``number`` has no track ``code`` that takes applications."""
    targets = cached("quote-targets", lambda moment: quote_targets(), per_language=False)
    if number not in targets:
        raise ValidationError({"measure": [_("没有第%(number)s条措施。") % {"number": number}]})
    is_funding, codes = targets[number]
    if not is_funding:
        raise ValidationError(
            {"measure": [_("第%(number)s条为工作举措，不受理资金申报。") % {"number": number}]}
        )
    raise ValidationError(
        {
            "track": [
                _("第%(number)s条没有申报类别“%(code)s”，可选：%(codes)s。")
                % {"number": number, "code": code, "codes": "、".join(codes)}
            ]
        }
    )


class MeasureQuoteApi(APIView):
    """POST {"track": code, "declared": {field: amount}} → eligibility and amount."""

    throttle_classes = [QuoteRateThrottle]

    def post(self, request, number: int):
        code, declared = _quote_request(request.data)
        track = None
        if TRACK_CODE.fullmatch(code):
            track = cached(
                f"quote-track:{number}:{code}",
                lambda moment: _funding_track(number, code),
                per_language=False,
            )
        if track is None:
            _refuse_quote_target(number, code)
        form_class = declared_form_class(track)
        unknown = sorted(set(declared) - set(form_class.base_fields))
        if unknown:
            # One message, however many: the answer never grows with what was sent.
            shown = "、".join(name[:40] for name in unknown[:5])
            raise ValidationError(
                {
                    "declared": [
                        _(
                            "该申报类别没有这些申报项：%(names)s（共%(count)d项）。可填：%(fields)s。"
                        )
                        % {
                            "names": shown,
                            "count": len(unknown),
                            "fields": "、".join(form_class.base_fields),
                        }
                    ]
                }
            )
        errors: dict[str, list] = {}
        data = {}
        for name, value in declared.items():
            try:
                data[name] = _as_form_value(value, form_class.base_fields[name])
            except ValueError:
                errors[name] = [_("应为数字、文本或是/否。")]
        form = form_class(data=data)
        if not form.is_valid() or errors:
            for name, messages in form.errors.items():
                errors.setdefault(name, []).extend(messages)
            raise ValidationError({"declared": errors})
        return Response(quote_json(quote(track, form.declared())))


def _quote_request(data) -> tuple[str, dict]:
    """The track's code and the declared figures of a quote request."""
    if (
        isinstance(data, dict)
        and isinstance(data.get("track"), str)
        and TRACK_CODE.fullmatch(data["track"])
        and isinstance(data.get("declared"), dict)
    ):
        # What the serializer would take unchanged, without building it.
        return data["track"], data["declared"]
    body = QuoteRequestSerializer(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data["track"], body.validated_data["declared"]
