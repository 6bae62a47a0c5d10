"""The API's JSON parser: a small body, read to its limit only, and any JSON it cannot take in
is a 400, never a 500. A JSON number with a fraction or an exponent is read as a Decimal, as it
was written (1.23457E+11 stays what it says, for the figures' reading to refuse), never through
a float."""

import json
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class PayloadTooLarge(ParseError):
    status_code = 413
    default_code = "payload_too_large"


class BoundedJSONParser(JSONParser):
    """JSON of at most API_MAX_BODY_BYTES; deeply nested JSON is refused as such."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(_("请求内容过大（最多%(kb)d KB）。") % {"kb": limit // 1024})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(
                body.decode(encoding), parse_constant=_no_constant, parse_float=Decimal
            )
        except RecursionError as exc:
            raise ParseError(_("JSON嵌套过深。")) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("请求内容不是有效的JSON。")) from exc
        if _has_lone_surrogate(data):
            raise ParseError(_("请求内容不是有效的JSON。"))
        return data


def _no_constant(name: str):
    # NaN and Infinity are not JSON; Python's json module would take them.
    raise ValueError(name)


def _has_lone_surrogate(data) -> bool:
    # JSON's "\ud800" escape gives a string no UTF-8 can encode: echoed in an answer (an
    # unknown field's name) it broke the response, and no database column can hold it.
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode()
                except UnicodeEncodeError:
                    return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
