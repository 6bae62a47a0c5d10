"""``manage.py restore DIR``: a backup put back into an empty installation, then checked."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from security.errors import BackupError
from security.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup written by `backup` into an empty installation (an empty database and "
        "an empty MEDIA_ROOT): the backup's checksums first, then the database and the "
        "documents, then every table's row count and every document's SHA-256."
    )
    # The database is empty until restored: nothing here may need it before.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a backup's directory (holding manifest.json)")
        parser.add_argument("--yes", action="store_true", help="do not ask before restoring")

    def handle(self, *args, directory, yes=False, **options):
        try:
            report = backup_restore(
                directory=Path(directory), confirm=None if yes else self._confirm
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        for line in report.warnings:
            self.stderr.write(self.style.WARNING(line))
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(problem))
        if report.problems:
            raise CommandError(
                _("恢复后的核对发现 %(count)d 处不一致（见上），请勿使用此安装。")
                % {"count": len(report.problems)}
            )
        self.stdout.write(
            _(
                "恢复完成：数据表 %(tables)d 张共 %(rows)d 行、文件 %(files)d 个、"
                "材料 %(documents)d 份，均与备份一致。"
            )
            % {
                "tables": report.tables,
                "rows": report.rows,
                "files": report.files,
                "documents": report.documents,
            }
        )
        if report.migrate_needed:
            self.stdout.write(_("本版本有备份之后新增的迁移：请运行 python manage.py migrate。"))

    def _confirm(self, manifest: dict) -> bool:
        question = _(
            "将把 %(created)s 的备份恢复到数据库 %(database)s 和文件目录 %(media)s。继续吗？[y/N] "
        ) % {
            "created": manifest["created_at"],
            "database": connection.settings_dict["NAME"],
            "media": settings.MEDIA_ROOT,
        }
        try:
            return input(question).strip().lower() in ("y", "yes")
        except EOFError:
            return False
