"""``manage.py anonymise_person <username>``: anonymise one person (个人信息删除/匿名化) as the
admin's action does, refused with the same reasons while work still needs them."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enterprises.models import User
from enterprises.personal_data import user_anonymise


class Command(BaseCommand):
    help = "Anonymise a person: placeholders for name, email, phone and username; deactivated."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                _("没有登录账号为 %(username)s 的用户。") % {"username": username}
            ) from None
        try:
            user = user_anonymise(user=user, by=None)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self.stdout.write(
            _("已匿名化：%(old)s → %(new)s") % {"old": username, "new": user.username}
        )
