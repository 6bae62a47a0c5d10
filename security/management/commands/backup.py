"""``manage.py backup``: one consistent backup of the database and the uploaded documents."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from security.backup import backup_create
from security.errors import BackupError
from security.manifest import manifest_warnings


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, the online backup API on SQLite) and the "
        "uploaded documents (a tar of MEDIA_ROOT) into a new timestamped directory, with a "
        "manifest.json that `restore` checks everything against."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="directory to create the backup in (default: settings.BACKUP_DIR)"
        )

    def handle(self, *args, output=None, **options):
        try:
            backup = backup_create(output=Path(output or settings.BACKUP_DIR))
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backup.manifest
        for line in manifest_warnings(manifest):
            self.stderr.write(self.style.WARNING(line))
        self.stdout.write(
            _("备份完成：%(directory)s（数据表 %(tables)d 张共 %(rows)d 行，文件 %(files)d 个）")
            % {
                "directory": backup.directory,
                "tables": len(manifest["row_counts"]),
                "rows": sum(manifest["row_counts"].values()),
                "files": len(manifest["media"]),
            }
        )
