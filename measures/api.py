"""The public JSON API: the measures, and quotes from the award calculator."""

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from policy_portal.client_ip import client_ip

from .calculator import quote
from .forms import declared_form_class
from .selectors import measure_get, measure_list, track_for_quote
from .serializers import MeasureSerializer, QuoteRequestSerializer, QuoteSerializer


class MeasureListApi(APIView):
    def get(self, request):
        return Response(MeasureSerializer(measure_list(), many=True).data)


class MeasureDetailApi(APIView):
    def get(self, request, number: int):
        measure = measure_get(number=number)
        if measure is None:
            raise Http404(_("没有第%(number)s条措施。") % {"number": number})
        return Response(MeasureSerializer(measure).data)


def _as_form_value(value) -> str:
    # The form parses strings, as from an HTML form; JSON null means "not given"; JSON true
    # and false are the only yes and no (a number is not one).
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise ValueError
    return str(value)


class QuoteRateThrottle(AnonRateThrottle):
    """Quotes per client address, counted in the cache (Redis in production)."""

    scope = "quote"

    def get_rate(self):
        return settings.QUOTE_RATE

    def get_ident(self, request):
        # The same address as the login lockout and the form limits: a client cannot pick its
        # own by sending X-Forwarded-For.
        return client_ip(request)


class MeasureQuoteApi(APIView):
    """POST {"track": code, "declared": {field: amount}} → eligibility and amount."""

    throttle_classes = [QuoteRateThrottle]

    def post(self, request, number: int):
        body = QuoteRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        code = body.validated_data["track"]
        measure = measure_get(number=number)
        if measure is None:
            raise ValidationError({"measure": [_("没有第%(number)s条措施。") % {"number": number}]})
        if not measure.is_funding:
            raise ValidationError(
                {"measure": [_("第%(number)s条为工作举措，不受理资金申报。") % {"number": number}]}
            )
        track = track_for_quote(measure_number=number, code=code)
        if track is None:
            codes = "、".join(t.code for t in measure.tracks.all())
            raise ValidationError(
                {
                    "track": [
                        _("第%(number)s条没有申报类别“%(code)s”，可选：%(codes)s。")
                        % {"number": number, "code": code, "codes": codes}
                    ]
                }
            )
        form_class = declared_form_class(track)
        declared = body.validated_data["declared"]
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
                data[name] = _as_form_value(value)
            except ValueError:
                errors[name] = [_("应为数字、文本或是/否。")]
        form = form_class(data=data)
        if not form.is_valid() or errors:
            for name, messages in form.errors.items():
                errors.setdefault(name, []).extend(messages)
            raise ValidationError({"declared": errors})
        return Response(QuoteSerializer(quote(track, form.declared())).data)
