from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("审核")

    def ready(self) -> None:
        from applications.signals import transition_taken
        from policy_portal.admin_icons import describe_in_the_readers_language

        describe_in_the_readers_language()

        from .services import review_record

        def record(sender, *, entry, by, **kwargs):
            review_record(entry=entry, by=by)

        transition_taken.connect(record, weak=False, dispatch_uid="reviews.record")
