from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from applications.signals import events_recorded, proposals_prepared

        from .beat_labels import name_in_chinese

        name_in_chinese()

        from .signals import emails_due
        from .tasks import deliver_on_commit, queue_emails, recount_deadlines

        def deliver(sender, *, events, **kwargs):
            deliver_on_commit(events)

        events_recorded.connect(deliver, weak=False, dispatch_uid="notifications.deliver")
        emails_due.connect(queue_emails, weak=False, dispatch_uid="notifications.emails")

        def invite(sender, *, applications, **kwargs):
            from .announcements import invite_to_confirm

            invite_to_confirm(applications)

        proposals_prepared.connect(invite, weak=False, dispatch_uid="notifications.invite")

        from measures.workdays import calendar_changed

        def recount(sender, *, years, **kwargs):
            # Sent once the change has committed: the task reads it.
            recount_deadlines.delay(list(years))

        calendar_changed.connect(recount, weak=False, dispatch_uid="notifications.recount")

        from enterprises.signals import person_anonymised

        from .services import notifications_drop_for

        person_anonymised.connect(notifications_drop_for, dispatch_uid="notifications.anonymised")

        from enterprises.signals import disagreement_answered, disagreement_reported

        from .disagreements import tell_administrators, tell_enterprise

        disagreement_reported.connect(
            tell_administrators, weak=False, dispatch_uid="notifications.disagreement"
        )
        disagreement_answered.connect(
            tell_enterprise, weak=False, dispatch_uid="notifications.disagreement_answer"
        )
