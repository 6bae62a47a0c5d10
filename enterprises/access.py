"""Who may use the enterprise portal: the decorator every portal view of every app wears."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from policy_portal import roles


def enterprise_required(view):
    """Signed-in users of an enterprise only; officials are sent to their admin."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.enterprise_id is None or not roles.user_has_role(user, roles.ENTERPRISE):
            if user.is_staff:
                return redirect("admin:index")
            raise Http404(_("只有企业用户可以使用申报功能。"))
        return view(request, *args, **kwargs)

    return wrapper
