"""部门数据 by API: a department's system delivers a batch of rows, signed, and gets every
row's result. The same import as a file (``departments.imports.import_rows``): the same checks
of each row, the valid rows applied at once, the refused ones answered with their reasons.

``POST /api/departments/batches/`` with

- ``X-Source-Key``: the source's key id (``SourceKey.key_id``);
- ``X-Timestamp``: Unix seconds or ISO 8601 with its offset, at most ``MAX_SKEW`` seconds from
  now;
- ``X-Batch-Id``: the department's own id of the batch, 1 to 64 visible ASCII characters;
- ``X-Signature``: ``hmac-sha256=<hex>``, the HMAC-SHA256 under the source's secret of
  ``"{timestamp}\\n{batch id}\\n{sha256 hex of the body}"``, the timestamp and batch id exactly
  as sent.

The body is JSON: ``{"year": 2025, "rows": [{"credit_code": "…", "year": 2025, "工业增加值":
"123.45", …}]}``. A row names a column by its header (``SourceField.header``) or by what it
gives (the figure's name, the recognition's code); "year" at the top is the year of a row that
gives none. Rows are numbered from 1 in the order of ``rows``.

A batch id is spent once it is imported, even if the batch is later rolled back: the same id
with the same body gets the first answer again (200) and imports nothing, with another body
409. That is also what makes a replayed request harmless: see the README."""

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from measures.parsers import _has_lone_surrogate, _no_constant
from policy_portal.signals import security_event

from .api_models import ApiDelivery, SourceKey
from .imports import CODE_HEADER, YEAR_HEADER, import_rows
from .models import DataSource, ImportBatch
from .reading import FileRefused

MAX_SKEW = 300  # seconds
BATCH_ID = re.compile(r"[\x21-\x7e]{1,64}")
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
SIGNATURE_PREFIX = "hmac-sha256="
CODE_KEYS = ("credit_code", CODE_HEADER)
YEAR_KEYS = ("year", YEAR_HEADER)


def canonical(timestamp: str, batch_id: str, body: bytes) -> bytes:
    """What the signature is computed over."""
    return f"{timestamp}\n{batch_id}\n{hashlib.sha256(body).hexdigest()}".encode()


def signature(secret: str, timestamp: str, batch_id: str, body: bytes) -> str:
    """The X-Signature a body signed with ``secret`` carries."""
    digest = hmac.new(secret.encode(), canonical(timestamp, batch_id, body), hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


class Refused(Exception):
    """A request answered with an error: its status, a machine code and a message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _moment(text: str) -> datetime:
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return datetime.fromtimestamp(int(text), tz=UTC)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment


def _fresh(timestamp: str) -> None:
    try:
        moment = _moment(timestamp)
    except (ValueError, OverflowError, OSError):
        raise Refused(
            401, "bad_timestamp", _("X-Timestamp 应为 Unix 秒数或带时区的 ISO 8601 时间。")
        ) from None
    if abs((timezone.now() - moment).total_seconds()) > MAX_SKEW:
        raise Refused(
            401,
            "stale_timestamp",
            _("X-Timestamp 与服务器时间相差超过%(seconds)s秒，请校准时钟后重新签名发送。")
            % {"seconds": MAX_SKEW},
        )


def _body(request) -> bytes:
    """The raw body, read to its limit only."""
    limit = settings.DEPARTMENT_API_MAX_BODY_BYTES
    too_large = Refused(
        413,
        "body_too_large",
        _("请求内容过大（最多%(mb)s MB），请分批推送。") % {"mb": limit // (1024 * 1024)},
    )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_large
    return body


def _authenticated(request, *, key_id: str, timestamp: str, batch_id: str) -> tuple:
    """The source's key and the body, once the signature holds."""
    if not (key_id and timestamp and batch_id and request.headers.get("X-Signature")):
        raise Refused(
            401,
            "missing_headers",
            _("请求应带 X-Source-Key、X-Timestamp、X-Batch-Id 和 X-Signature。"),
        )
    key = None
    if KEY_ID.fullmatch(key_id):
        key = SourceKey.objects.select_related("source").filter(key_id=key_id).first()
    if key is None:
        raise Refused(401, "unknown_key", _("X-Source-Key 不是有效的密钥编号。"))
    _fresh(timestamp)
    if not BATCH_ID.fullmatch(batch_id):
        raise Refused(401, "bad_batch_id", _("X-Batch-Id 应为1至64个可见ASCII字符（不含空格）。"))
    body = _body(request)
    expected = signature(key.secret, timestamp, batch_id, body)
    given = request.headers.get("X-Signature", "").strip().lower()
    if not hmac.compare_digest(expected.encode(), given.encode("ascii", "replace")):
        raise Refused(401, "bad_signature", _("签名不正确。"))
    if key.is_revoked:
        raise Refused(403, "revoked_key", _("该密钥已吊销，请向系统管理员申请新密钥。"))
    if not key.source.is_active:
        raise Refused(
            403, "inactive_source", _("%(source)s已停用，不能导入。") % {"source": key.source.name}
        )
    return key, body


def _bad_body(message: str) -> Refused:
    return Refused(400, "bad_body", message)


def _payload(body: bytes) -> tuple[list, object]:
    """The rows and the default year of the body."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_no_constant, parse_float=Decimal)
    except RecursionError:
        raise _bad_body(_("JSON嵌套过深。")) from None
    except (ValueError, UnicodeDecodeError):
        raise _bad_body(_("请求内容不是有效的JSON。")) from None
    if _has_lone_surrogate(data):
        raise _bad_body(_("请求内容不是有效的JSON。"))
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or not data["rows"]:
        raise _bad_body(_("请求内容应为对象，其中“rows”为非空的数据行列表。"))
    rows = data["rows"]
    limit = settings.DEPARTMENT_API_MAX_ROWS
    if len(rows) > limit:
        raise Refused(
            413,
            "too_many_rows",
            _("一批最多%(limit)s行，本批%(count)s行，请分批推送。")
            % {"limit": limit, "count": len(rows)},
        )
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise _bad_body(_("第%(row)s行应为对象。") % {"row": number})
    return rows, data.get("year")


def _header_of(source: DataSource) -> dict[str, str]:
    """Each name a row may give a column by → the column's header."""
    names = {}
    for field in source.fields.all():
        names[field.target] = field.header
        names[field.header] = field.header
    for key in CODE_KEYS:
        names[key] = CODE_HEADER
    for key in YEAR_KEYS:
        names[key] = YEAR_HEADER
    return names


def _table(source: DataSource, rows: list, year) -> list[tuple[int, list]]:
    """The rows as a file's: a header, then (row number, cells); a body that names a column
    the source does not have, or one column twice in a row, is refused."""
    names = _header_of(source)
    unknown = sorted({key for row in rows for key in row if key not in names})
    if unknown:
        raise _bad_body(
            _("%(source)s没有这些字段：%(names)s。")
            % {"source": source.name, "names": "、".join(name[:60] for name in unknown[:10])}
        )
    header = [CODE_HEADER, YEAR_HEADER]
    for row in rows:
        for key in row:
            if names[key] not in header:
                header.append(names[key])
    at = {name: index for index, name in enumerate(header)}
    table: list[tuple[int, list]] = [(0, header)]
    for number, row in enumerate(rows, start=1):
        cells = [None] * len(header)
        cells[1] = year
        given = set()
        for key, value in row.items():
            name = names[key]
            if name in given:
                raise _bad_body(
                    _("第%(row)s行两次给出“%(name)s”。") % {"row": number, "name": name}
                )
            given.add(name)
            cells[at[name]] = value
        table.append((number, cells))
    return table


def _answer(batch: ImportBatch, outcome) -> dict:
    return {
        "batch": batch.pk,
        "batch_id": batch.external_id,
        "rows": outcome.rows,
        "new": outcome.new,
        "changed": outcome.changed,
        "unchanged": outcome.unchanged,
        "refused": outcome.refused,
        "results": [
            {"row": r["row"], "status": r["status"], "reason": "；".join(r["reasons"])}
            for r in outcome.results
        ],
    }


def _deliver(key: SourceKey, *, batch_id: str, body: bytes) -> tuple[int, dict, ImportBatch]:
    """Import the body as the batch ``batch_id`` of the key's source, or answer the batch that
    id already gave."""
    sha256 = hashlib.sha256(body).hexdigest()
    rows, year = _payload(body)
    with transaction.atomic():
        # One import of a source at a time, and one look for the batch id under that lock.
        source = DataSource.objects.select_for_update().get(pk=key.source_id)
        earlier = (
            ImportBatch.objects.filter(source=source, external_id=batch_id)
            .select_related("api_delivery")
            .first()
        )
        if earlier is not None:
            if earlier.sha256 != sha256:
                raise Refused(
                    409,
                    "batch_id_reused",
                    _("批次号%(batch_id)s已用于另一批内容，请使用新的批次号。")
                    % {"batch_id": batch_id},
                )
            answer = dict(earlier.api_delivery.answer)
            answer["rolled_back"] = earlier.is_rolled_back
            return 200, answer, earlier
        try:
            outcome = import_rows(
                source=source,
                rows=iter(_table(source, rows, year)),
                channel=ImportBatch.Channel.API,
                sha256=sha256,
                by=None,
                apply=True,
                external_id=batch_id,
                results=True,
            )
        except FileRefused as error:
            raise _bad_body("".join(error.messages)) from None
        answer = _answer(outcome.batch, outcome)
        ApiDelivery.objects.create(batch=outcome.batch, answer=answer)
        SourceKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return 201, {**answer, "rolled_back": False}, outcome.batch


def _rate(group, request):
    return settings.DEPARTMENT_API_RATE


def _limited(request) -> bool:
    # Per key named, and per client address (which a client cannot pick for itself), so that
    # neither a department's system nor one guessing keys can flood the import.
    return any(
        is_ratelimited(
            request, group="department-api", key=key, rate=_rate, method="POST", increment=True
        )
        for key in ("header:x-source-key", "ip")
    )


def _record(request, *, status: int, code: str, key, key_id: str, batch_id: str, batch=None):
    detail = {
        "status": status,
        "code": code,
        "key_id": key_id[:40],
        "batch_id": batch_id[:64] if BATCH_ID.fullmatch(batch_id) else "",
    }
    if key is not None:
        detail["source"] = key.source.code
    security_event.send(
        sender=__name__,
        kind="department_api",
        user=None,
        request=request,
        target=batch if batch is not None else key,
        detail=detail,
    )


@csrf_exempt
@require_POST
def batches(request):
    """A department's batch, delivered by its system."""
    key_id = request.headers.get("X-Source-Key", "").strip()
    timestamp = request.headers.get("X-Timestamp", "").strip()
    batch_id = request.headers.get("X-Batch-Id", "").strip()
    key = batch = None
    try:
        if _limited(request):
            raise Refused(429, "rate_limited", _("请求过于频繁，请稍后再试。"))
        key, body = _authenticated(request, key_id=key_id, timestamp=timestamp, batch_id=batch_id)
        status, answer, batch = _deliver(key, batch_id=batch_id, body=body)
        code = "imported" if status == 201 else "replayed"
    except Refused as refused:
        status, code = refused.status, refused.code
        answer = {"detail": refused.message, "code": refused.code}
    _record(
        request, status=status, code=code, key=key, key_id=key_id, batch_id=batch_id, batch=batch
    )
    return JsonResponse(answer, status=status, json_dumps_params={"ensure_ascii": False})
