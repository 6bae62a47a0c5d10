import factory

from notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification written directly, as a delivery would leave it."""

    class Meta:
        model = Notification

    key = factory.Sequence(lambda n: f"test:{n}")
    kind = Notification.Kind.TRANSITION
    title = factory.Sequence(lambda n: f"【CQJX-2026-02-{n:06d}】提交申报")
    body = "申报：第2条 · 供应链配套\n状态：区县审核"
