"""``manage.py move_documents``: the stored files from MEDIA_ROOT into the bucket and back, each
checked against its row's SHA-256, resumable."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from applications.models import ApplicationDocument, LibraryDocument
from departments.models import ImportJob
from policy_portal.storage_url import FILESYSTEM
from tests.applications.factories import draft, library_document
from tests.departments.factories import code, csv_bytes, previewed_job, statistics_bureau
from tests.enterprises.factories import UserFactory

from .conftest import PREFIX

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def on_the_filesystem():
    return override_settings(STORAGES={**settings.STORAGES, "default": {"BACKEND": FILESYSTEM}})


@pytest.fixture
def stored_on_disk(s3, enterprise_user, media_root):
    """An application's documents, a library document and a staged import, on the disk as
    before STORAGE_URL was set: {name: content}."""
    with on_the_filesystem():
        draft(user=enterprise_user)
        library_document(user=enterprise_user)
        administrator = UserFactory(is_staff=True, roles=["administrator"])
        previewed_job(
            statistics_bureau(), csv_bytes([[code(1), 2024, "1", "是", ""]]), by=administrator
        )
    names = [
        *ApplicationDocument.objects.values_list("file", flat=True),
        *LibraryDocument.objects.values_list("file", flat=True),
        *ImportJob.objects.values_list("staged_name", flat=True),
    ]
    assert len(names) >= 3
    return {name: (Path(media_root) / name).read_bytes() for name in names}


def move(*args) -> str:
    from io import StringIO

    output = StringIO()
    call_command("move_documents", *args, stdout=output, stderr=StringIO())
    return output.getvalue()


def test_every_stored_file_moves_into_the_bucket_under_its_name(s3, stored_on_disk):
    output = move("--to", "s3")

    assert s3.objects() == sorted(f"{PREFIX}/{name}" for name in stored_on_disk)
    for name, content in stored_on_disk.items():
        assert s3.read(f"{PREFIX}/{name}") == content
    assert f"已复制 {len(stored_on_disk)} 个文件，0 个已在目标中" in output


def test_an_interrupted_move_run_again_copies_only_what_is_not_there(s3, stored_on_disk):
    first, second, *rest = sorted(stored_on_disk)
    # Left by the interrupted run: one object complete, one other with the wrong content.
    s3.client.put_object(Bucket=s3.name, Key=f"{PREFIX}/{first}", Body=stored_on_disk[first])
    s3.client.put_object(Bucket=s3.name, Key=f"{PREFIX}/{second}", Body=b"half of it")

    output = move("--to", "s3")

    assert f"已复制 {1 + len(rest)} 个文件，1 个已在目标中" in output
    assert s3.read(f"{PREFIX}/{second}") == stored_on_disk[second]
    assert s3.objects() == sorted(f"{PREFIX}/{name}" for name in stored_on_disk)
    assert f"已复制 0 个文件，{len(stored_on_disk)} 个已在目标中" in move("--to", "s3")


def test_a_file_that_differs_from_its_row_is_refused_and_the_others_moved(
    s3, stored_on_disk, media_root
):
    changed = ApplicationDocument.objects.first().file.name
    (Path(media_root) / changed).write_bytes(b"changed on disk")

    with pytest.raises(CommandError, match="1 个与数据库记录的 SHA-256 不符") as refused:
        move("--to", "s3")

    assert "未复制" in str(refused.value)
    assert s3.objects() == sorted(f"{PREFIX}/{name}" for name in stored_on_disk if name != changed)


def test_a_missing_file_is_named_and_fails_the_move(s3, stored_on_disk, media_root):
    gone = LibraryDocument.objects.get().file.name
    (Path(media_root) / gone).unlink()

    with pytest.raises(CommandError, match="1 个源文件缺失"):
        move("--to", "s3")

    assert f"{PREFIX}/{gone}" not in s3.objects()


def test_the_files_move_back_to_the_filesystem(s3, stored_on_disk, media_root, tmp_path):
    move("--to", "s3")
    empty = tmp_path / "empty-media"

    with override_settings(MEDIA_ROOT=empty):
        output = move("--to", "filesystem")

    assert f"已复制 {len(stored_on_disk)} 个文件" in output
    for name, content in stored_on_disk.items():
        assert (empty / name).read_bytes() == content


def test_without_storage_url_there_is_nowhere_to_move_to(db):
    with pytest.raises(CommandError, match="STORAGE_URL"):
        move("--to", "s3")
