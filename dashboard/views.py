"""The administrators' dashboard (in the admin) and the public page 政策兑现公开."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from policy_portal.signals import security_event

from . import selectors
from .charts import (
    CHARTS_BY_KEY,
    cached_rows,
    chart_table,
    charts_for,
    dashboard_tables,
    district_label,
)
from .exports import CONTENT_TYPE, table_xlsx
from .permissions import dashboard_scope


def _scope_or_403(request):
    scope = dashboard_scope(request.user)
    if scope is None:
        raise PermissionDenied
    return scope


def _scope_label(scope) -> str:
    if scope.district:
        return _("%(district)s（本区县）") % {"district": district_label(scope.district)}
    return _("全市")


@require_GET
def dashboard(request):
    scope = _scope_or_403(request)
    tables = dashboard_tables(scope, charts_for(request.user))
    return render(
        request,
        "dashboard/dashboard.html",
        {
            **admin.site.each_context(request),
            "title": _("数据看板"),
            "scope_label": _scope_label(scope),
            "tables": tables,
            "plots": [table.plot() for table in tables],
        },
    )


@require_GET
def chart_xlsx(request, chart: str):
    scope = _scope_or_403(request)
    if chart not in CHARTS_BY_KEY:
        raise Http404
    if CHARTS_BY_KEY[chart] not in charts_for(request.user):
        raise PermissionDenied
    table = chart_table(CHARTS_BY_KEY[chart], scope)
    security_event.send(
        sender=__name__,
        kind="export",
        user=request.user,
        request=request,
        target=None,
        detail={"chart": chart, "scope": scope.key},
    )
    response = HttpResponse(
        table_xlsx(table, scope_label=_scope_label(scope)), content_type=CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="dashboard-{chart}-{scope.key}.xlsx"'
    return response


@require_GET
def transparency(request):
    by_measure = cached_rows("transparency:measures", selectors.public_totals_by_measure)
    by_district = cached_rows("transparency:districts", selectors.public_totals_by_district)
    return render(
        request,
        "dashboard/transparency.html",
        {
            "by_measure": by_measure,
            "by_district": [
                {**row, "label": district_label(row["district"])} for row in by_district
            ],
            "total": {
                "count": sum(row["count"] for row in by_measure),
                "approved": sum(row["approved"] for row in by_measure),
                "paid": sum(row["paid"] for row in by_measure),
            },
        },
    )
