"""Every task beat may run, by its Chinese name: what the periodic tasks' admin shows in place of
a Python path (applications.tasks.expire_closed_drafts), in its list, filter, drop-down and on
the schedules' pages."""

from django.utils.translation import gettext_lazy as _

TASK_NAMES = {
    "notifications.tasks.drain_outbox": _("送达待发事件"),
    "notifications.tasks.redeliver_outbox": _("送达遗漏的通知"),
    "notifications.tasks.email_pending_notifications": _("补发邮件"),
    "notifications.tasks.remind_window_closing": _("申报截止提醒"),
    "notifications.tasks.remind_review_deadlines": _("审核期限提醒与逾期督办"),
    "notifications.tasks.remind_payment_limits": _("拨付时限预警与超期督办"),
    "notifications.tasks.announce_opened_windows": _("新批次开放推送"),
    "notifications.tasks.recount_deadlines": _("重算办理期限"),
    "notifications.tasks.deliver_events": _("送达办理进展"),
    "applications.tasks.expire_closed_drafts": _("草稿过期"),
    "applications.tasks.sweep_orphan_documents": _("清理无主文件"),
    "applications.tasks.prepare_proposals": _("生成拟支持名单"),
    "enterprises.tasks.clear_expired_sessions": _("清理过期会话"),
    "publicity.tasks.close_due_publicities": _("公示期满自动结束"),
    "departments.tasks.preview_import_job": _("预览部门数据文件"),
    "departments.tasks.apply_import_job": _("导入部门数据文件"),
    "security.audit.tasks.seal_audit_trail": _("审计记录封存"),
    "celery.backend_cleanup": _("清理过期任务结果"),
}


def task_name(task: str) -> str:
    """The Chinese name of a task path; a path the project does not know (typed by hand) is
    marked as such rather than shown bare."""
    if not task:
        return ""
    name = TASK_NAMES.get(task)
    return str(name) if name is not None else str(_("其他任务（%(path)s）") % {"path": task})


def periodic_task_name(name: str) -> str:
    """A periodic task's own name; celery names the one it creates itself by its path
    (celery.backend_cleanup), shown by the task's Chinese name instead."""
    known = TASK_NAMES.get(name)
    return str(known) if known is not None else name
