"""When windows open, the enterprises whose file matches one of their tracks are told: one
digest per enterprise per sweep, and never twice of the same window.

Windows are often created in advance; the sweep (beat, every 15 minutes, and ``run_deadlines``)
takes every window open at its clock that has not been announced, matches every enterprise's
file against their tracks (``enterprises.matching``) and tells each user of an enterprise that
qualifies or may qualify for one of them, in-app and by email: one notification (so one email)
listing every window of the sweep that concerns the enterprise, whatever their number. A
``WindowAnnouncement`` row marks each window done, and sweeps running at the same time take
disjoint windows (the rows are locked, the locked skipped): a window is in one sweep's digests
only. The digest's key names the first of its windows (``window-opened:<window>``, unique with
the person), so that a sweep run again over the same windows tells nobody twice. An enterprise
whose file matches only after the announcement finds the window on its 可申报政策 page.

Queries do not grow with the number of windows, tracks or enterprises: the windows, their
tracks (with fields and thresholds), the enterprises' users, their files.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.matching import Status, match_track, open_windows_with_tracks
from enterprises.models import Enterprise
from enterprises.selectors import enterprise_files
from measures.models import ApplicationWindow
from measures.money import format_yuan

from .bulk import local_time, notifications_for, save_fresh, save_new
from .models import Notification, WindowAnnouncement
from .selectors import enterprise_user_ids


def _unannounced_windows(now) -> list[int]:
    """The windows open at ``now`` not announced yet, locked for this sweep; a sweep running
    at the same time skips them."""
    return list(
        ApplicationWindow.objects.open_at(now)
        .exclude(pk__in=WindowAnnouncement.objects.values("window_id"))
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )


def _window_lines(window, matches) -> list[str]:
    qualifies = [m.track.name for m in matches if m.status == Status.QUALIFIES]
    may_qualify = [m.track.name for m in matches if m.status == Status.MAY_QUALIFY]
    lines = [
        _("%(measure)s · %(window)s（申报时间：%(opens)s 至 %(closes)s）")
        % {
            "measure": window.measure,
            "window": window.name,
            "opens": local_time(window.opens_at),
            "closes": local_time(window.closes_at),
        }
    ]
    if qualifies:
        lines.append(_("符合申报条件：%(tracks)s") % {"tracks": "、".join(qualifies)})
    if may_qualify:
        lines.append(
            _("可能符合（须补充档案数据或确认通知规定的条件）：%(tracks)s")
            % {"tracks": "、".join(may_qualify)}
        )
    # Under its window, indented by a full-width space as Chinese text is.
    return lines[:1] + [f"\u3000{line}" for line in lines[1:]]


def _digest(windows: list, matches_by_window: dict[int, list]) -> tuple[str, str]:
    """The title and body of one enterprise's digest of the windows of a sweep."""
    if len(windows) == 1:
        title = _("新批次开放：%(measure)s · %(window)s") % {
            "measure": windows[0].measure,
            "window": windows[0].name,
        }
    else:
        title = _("新批次开放：%(count)s个申报批次与贵企业相关") % {"count": len(windows)}
    lines = [_("根据贵企业的企业档案测算，以下申报批次已开放：")]
    for number, window in enumerate(windows, start=1):
        window_lines = _window_lines(window, matches_by_window[window.pk])
        lines.append(f"{number}. {window_lines[0]}")
        lines.extend(window_lines[1:])
    lines.append(_("测算金额、所缺数据和须确认的条件请在“可申报政策”页面查看。"))
    return title, "\n".join(lines)


def _worth_telling(match, *, industry: str, scale: str) -> bool:
    """A track the file qualifies for, or may (figures missing, conditions to confirm) where
    the file holds some of what it reads or the measure addresses the enterprise's industry or
    scale: an empty file would otherwise be told of nearly every window."""
    if match.status == Status.QUALIFIES:
        return True
    if match.status == Status.DOES_NOT_QUALIFY:
        return False
    return bool(
        match.known or match.recognitions or match.measure.fit(industry=industry, scale=scale)
    )


@transaction.atomic
def announce_opened_windows(*, now=None) -> int:
    """Announce every window open at ``now`` and not yet announced, in one digest per
    enterprise user. Returns how many notifications were new."""
    now = now or timezone.now()
    window_ids = set(_unannounced_windows(now))
    if not window_ids:
        return 0
    pairs = [
        (window, track)
        for window, track in open_windows_with_tracks(moment=now)
        if window.pk in window_ids
    ]
    users_by_enterprise = enterprise_user_ids()
    files = enterprise_files(enterprise_ids=users_by_enterprise) if pairs else {}

    notifications = []
    told: dict[int, set[int]] = {pk: set() for pk in window_ids}
    windows = {}
    for window, _track in pairs:
        windows.setdefault(window.pk, window)
    profiles = (
        {
            pk: (industry, scale)
            for pk, industry, scale in Enterprise.objects.filter(
                pk__in=users_by_enterprise
            ).values_list("pk", "industry", "scale")
        }
        if pairs
        else {}
    )
    for enterprise_id, file in files.items():
        by_window: dict[int, list] = {}
        industry, scale = profiles[enterprise_id]
        for window, track in pairs:
            match = match_track(track=track, window=window, file=file)
            if _worth_telling(match, industry=industry, scale=scale):
                by_window.setdefault(window.pk, []).append(match)
        if not by_window:
            continue
        # In the notice's order, as the windows were read.
        digest_windows = [windows[pk] for pk in by_window]
        title, body = _digest(digest_windows, by_window)
        for window_pk in by_window:
            told[window_pk].add(enterprise_id)
        notifications += notifications_for(
            users_by_enterprise[enterprise_id],
            key=f"window-opened:{digest_windows[0].pk}",
            kind=Notification.Kind.WINDOW_OPENED,
            title=title,
            body=body,
        )
    created = save_new(notifications)
    WindowAnnouncement.objects.bulk_create(
        [
            WindowAnnouncement(
                window_id=pk,
                announced_at=now,
                enterprises=len(told[pk]),
                notifications=sum(len(users_by_enterprise[e]) for e in told[pk]),
            )
            for pk in window_ids
        ],
        ignore_conflicts=True,
    )
    return created


def _sources_named(application) -> str:
    """The departments whose data the draft's figures came from, as 统计局、经信委认定."""
    names = dict.fromkeys(
        source.get("source_name", "") for source in (application.declared_sources or {}).values()
    )
    return "、".join(name for name in names if name) or _("相关部门")


def invite_to_confirm(applications) -> int:
    """免申即享: tell each user of the enterprise that a draft was prepared from the departments'
    data and awaits its confirmation; once per draft (the key names it, and the draft is new, so
    none is there: ``save_fresh``). ``applications``: the drafts, or what the preparation wrote
    of them (``applications.proposals.Prepared``). Returns how many were new."""
    applications = list(applications)
    users_by_enterprise = enterprise_user_ids(
        enterprise_ids={a.enterprise_id for a in applications}
    )
    body_text = _(
        "平台根据%(sources)s掌握的贵企业数据，为%(window)s准备了这份申报：数据已填好，"
        "材料取自企业材料库，测算金额%(amount)s。请核对后一键确认申报；不确认则不会提交。"
    )
    rows, titles = [], {}
    for application in applications:
        title = titles.get(application.track_id)
        if title is None:
            title = titles[application.track_id] = _(
                "免申即享：%(measure)s · %(track)s已为您准备好，请确认"
            ) % {"measure": application.track.measure, "track": application.track.name}
        body = body_text % {
            "sources": _sources_named(application),
            "window": application.window.name,
            "amount": format_yuan(application.calculated_amount),
        }
        key = f"proposal:{application.pk}"
        rows += [
            (user_id, key, Notification.Kind.WINDOW_OPENED, application.pk, title, body)
            for user_id in users_by_enterprise.get(application.enterprise_id, [])
        ]
    return save_fresh(rows)
