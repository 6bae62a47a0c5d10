"""Reading the charts' rows through the cache, per chart and scope, and building their tables."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from dashboard.permissions import Scope

from .tables import Chart, Table

logger = logging.getLogger("dashboard.charts")


def _cache_key(chart: Chart, scope: Scope) -> str:
    return f"dashboard:{chart.key}:{scope.key}"


def cached_rows(key: str, query: Callable[[], object]):
    """``query()``'s result, kept for DASHBOARD_CACHE_SECONDS (0: not cached). A cache that
    cannot be reached is a help missing, not an error: the figures are read afresh."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return query()
    try:
        rows = cache.get(key)
    except Exception:
        logger.warning("cache unreachable: %s is read afresh", key, exc_info=True)
        return query()
    if rows is None:
        rows = query()
        try:
            cache.set(key, rows, seconds)
        except Exception:
            logger.warning("cache unreachable: %s is not kept", key, exc_info=True)
    return rows


def chart_table(chart: Chart, scope: Scope) -> Table:
    rows = cached_rows(_cache_key(chart, scope), lambda: chart.query(scope))
    return chart.build(chart, rows, scope)


def dashboard_tables(scope: Scope, charts: list[Chart]) -> list[Table]:
    """Each of ``charts``' tables, the cached ones read in one round trip to the cache."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    keys = {chart.key: _cache_key(chart, scope) for chart in charts}
    found = {}
    if seconds:
        try:
            found = cache.get_many(keys.values())
        except Exception:
            logger.warning("cache unreachable: the dashboard is read afresh", exc_info=True)
            seconds = 0
    tables, fresh = [], {}
    for chart in charts:
        key = keys[chart.key]
        rows = found.get(key)
        if rows is None:
            rows = fresh[key] = chart.query(scope)
        tables.append(chart.build(chart, rows, scope))
    if seconds and fresh:
        try:
            cache.set_many(fresh, seconds)
        except Exception:
            logger.warning("cache unreachable: the dashboard is not kept", exc_info=True)
    return tables
