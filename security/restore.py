"""Restoring a backup (``manage.py restore``) into an empty installation, and proving it whole:
the backup's files are checked against the manifest before anything is touched; afterwards every
table's row count against the manifest, every archived file against its SHA-256, and every row
that names a document against the SHA-256 the row keeps."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from .contents import contents_read
from .databases import database_file, database_restore
from .errors import BackupError
from .manifest import manifest_read, manifest_warnings
from .media import (
    MEDIA_ARCHIVE,
    media_is_empty,
    media_require_on_disk,
    media_unpack,
    sha256_of,
)


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    documents: int
    problems: list[str] = field(default_factory=list)
    # What the backup already lacked (manifest_warnings).
    warnings: list[str] = field(default_factory=list)
    migrate_needed: bool = False


def backup_restore(
    *, directory: Path, confirm: Callable[[dict], bool] | None = None
) -> RestoreReport:
    """Restore the backup in ``directory`` into this installation, which must be empty; ask
    ``confirm`` (given the manifest) once every check has passed and before anything changes."""
    media_require_on_disk()
    manifest = manifest_read(directory)
    _require_compatible(manifest)
    _require_empty(manifest)
    if confirm is not None and not confirm(manifest):
        raise BackupError(_("已取消，未做任何更改。"))
    database_restore(directory / database_file())
    media_unpack(directory / MEDIA_ARCHIVE, Path(settings.MEDIA_ROOT))
    return restore_verify(manifest)


def _require_compatible(manifest: dict) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            _("这是 %(backup)s 数据库的备份，本安装配置的是 %(configured)s，无法恢复。")
            % {"backup": vendor, "configured": connection.vendor}
        )
    for name in (database_file(), MEDIA_ARCHIVE):
        if name not in manifest["files"]:
            raise BackupError(_("备份清单没有列出 %(name)s，不是完整的备份。") % {"name": name})
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    installed = {config.label for config in apps.get_app_configs()}
    for app, name in manifest["migrations"].items():
        if app in installed and (app, name) not in known:
            raise BackupError(
                _(
                    "备份来自更新的版本：%(app)s 的迁移 %(name)s 不在本版本中。请用备份时的版本恢复。"
                )
                % {"app": app, "name": name}
            )


def _require_empty(manifest: dict) -> None:
    tables = sorted(set(connection.introspection.table_names()) & set(manifest["row_counts"]))
    if tables:
        raise BackupError(
            _(
                "只能恢复到空的安装：数据库 %(database)s 中已有本系统的数据表（%(tables)s 等 "
                "%(count)d 张）。请新建一个空数据库，指向它后再恢复。"
            )
            % {
                "database": connection.settings_dict["NAME"],
                "tables": "、".join(tables[:3]),
                "count": len(tables),
            }
        )
    if not media_is_empty(Path(settings.MEDIA_ROOT)):
        raise BackupError(
            _(
                "只能恢复到空的安装：文件目录 %(media)s（MEDIA_ROOT）中已有文件。请指向一个空目录后再恢复。"
            )
            % {"media": settings.MEDIA_ROOT}
        )


def restore_verify(manifest: dict) -> RestoreReport:
    """Compare this installation with the backup's manifest."""
    with connection.cursor() as cursor:
        contents = contents_read(cursor)
    problems = []
    for table, expected in manifest["row_counts"].items():
        actual = contents.row_counts.get(table)
        if actual is None:
            problems.append(_("数据表 %(table)s 恢复后不存在。") % {"table": table})
        elif actual != expected:
            problems.append(
                _("数据表 %(table)s：备份时 %(expected)d 行，恢复后 %(actual)d 行。")
                % {"table": table, "expected": expected, "actual": actual}
            )
    root = Path(settings.MEDIA_ROOT)
    digests: dict[str, str | None] = {}

    def digest(name: str) -> str | None:
        if name not in digests:
            digests[name] = sha256_of(root / name)
        return digests[name]

    for name, expected in manifest["media"].items():
        if digest(name) != expected:
            problems.append(_("文件 %(name)s 恢复后缺失或与备份时不同。") % {"name": name})
    # What the backup already lacked is reported from the manifest, not again here.
    known = {
        (entry["table"], entry["id"])
        for key in ("missing", "mismatched")
        for entry in manifest["documents"][key]
    }
    for row in contents.documents:
        if (row.table, row.id) in known:
            continue
        values = {"table": row.table, "id": row.id, "file": row.file}
        actual = digest(row.file)
        if actual is None:
            problems.append(_("%(table)s #%(id)s 的文件 %(file)s 恢复后缺失。") % values)
        elif row.sha256 and actual != row.sha256:
            problems.append(_("%(table)s #%(id)s 的文件 %(file)s 与记录的 SHA-256 不符。") % values)
    executor = MigrationExecutor(connection)
    return RestoreReport(
        tables=len(manifest["row_counts"]),
        rows=sum(manifest["row_counts"].values()),
        files=len(manifest["media"]),
        documents=len(contents.documents),
        problems=problems,
        warnings=manifest_warnings(manifest),
        migrate_needed=bool(executor.migration_plan(executor.loader.graph.leaf_nodes())),
    )
