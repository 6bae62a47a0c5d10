"""``manage.py move_documents --to s3``: the stored files from MEDIA_ROOT into the bucket that
STORAGE_URL names (``--to filesystem``: back), each checked against its row's SHA-256."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from applications.services.moving import documents_move
from policy_portal.storage_url import S3


class Command(BaseCommand):
    help = (
        "Copy every stored file (applications' and libraries' documents, departments' imports) "
        "between MEDIA_ROOT and the bucket STORAGE_URL names, under the same names, checking "
        "each against the SHA-256 its row recorded. Files already there with that SHA-256 are "
        "skipped: an interrupted move is simply run again. Fails if a file is missing or "
        "differs from its row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=["s3", "filesystem"])

    def handle(self, *args, to: str, **options):
        if settings.STORAGES["default"]["BACKEND"] != S3:
            raise CommandError(
                _("未设置 STORAGE_URL：不知道要把文件迁往（或迁出）哪个对象存储桶。")
            )
        bucket = storages["default"]
        filesystem = FileSystemStorage(location=settings.MEDIA_ROOT)
        source, target = (filesystem, bucket) if to == "s3" else (bucket, filesystem)
        verbosity = options["verbosity"]

        def progress(name: str, outcome: str) -> None:
            if outcome in ("missing", "mismatch"):
                self.stderr.write(self.style.ERROR(f"{outcome}: {name}"))
            elif verbosity > 1:
                self.stdout.write(f"{outcome}: {name}")

        report = documents_move(source=source, target=target, progress=progress)
        summary = _(
            "已复制 %(copied)d 个文件，%(there)d 个已在目标中（SHA-256 一致），"
            "%(missing)d 个源文件缺失，%(mismatched)d 个与数据库记录的 SHA-256 不符。"
        ) % {
            "copied": report.copied,
            "there": report.already_there,
            "missing": len(report.missing),
            "mismatched": len(report.mismatched),
        }
        if report.problems:
            raise CommandError(
                summary
                + _("与记录不符或缺失的文件未复制（见上）；核实后再运行本命令，已复制的将跳过。")
            )
        self.stdout.write(summary)
