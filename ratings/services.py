"""Every write of a rating: lock the application, check who and when, record once."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applications.models import Application

from . import permissions
from .errors import RatingError
from .models import COMMENT_MAX_LENGTH, Rating
from .selectors import rating_stage_of


def _score(value) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise RatingError(_("请选择1至5分的评分。"))
    return value


@transaction.atomic
def rating_create(*, application: Application, by, score, comment: str = "") -> Rating:
    """The enterprise's rating of how its application was handled, once it is paid or
    rejected; once per application. The application's row is locked, so that two ratings sent
    at once are taken one after the other; the one-to-one key refuses a second all the same."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not permissions.may_rate(application, by):
        raise PermissionDenied(_("只有申报企业可以评价本次服务。"))
    stage = rating_stage_of(application)
    if stage is None:
        raise RatingError(_("申报拨付或审核不通过后才能评价。"))
    if Rating.objects.filter(application=application).exists():
        raise RatingError(_("这份申报已经评价过，每份申报只能评价一次。"))
    score = _score(score)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise RatingError(
            _("意见建议不能超过%(limit)d个字（现为%(length)d个字）。")
            % {"limit": COMMENT_MAX_LENGTH, "length": len(comment)}
        )
    try:
        with transaction.atomic():
            return Rating.objects.create(
                application=application, score=score, comment=comment, stage=stage, rated_by=by
            )
    except IntegrityError as error:
        raise RatingError(_("这份申报已经评价过，每份申报只能评价一次。")) from error
