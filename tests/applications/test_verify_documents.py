"""`manage.py verify_documents`: every stored document against the SHA-256 of its row."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.applications.factories import draft, library_document


def verify() -> str:
    out = io.StringIO()
    call_command("verify_documents", stdout=out)
    return out.getvalue()


@pytest.fixture
def documents(enterprise_user):
    application = draft(user=enterprise_user)
    licence = library_document(user=enterprise_user)
    return list(application.documents.all()), licence


def test_untouched_documents_pass(documents):
    attached, _licence = documents

    assert verify().strip() == f"{len(attached) + 1} documents checked, 0 with a problem"


def test_a_tampered_file_and_a_missing_one_are_named_and_the_command_fails(documents):
    attached, licence = documents
    tampered, gone = attached[0], attached[-1] if len(attached) > 1 else licence
    with open(tampered.file.path, "ab") as file:
        file.write(b"%% changed after upload")
    gone.file.storage.delete(gone.file.name)
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 with a problem"):
        call_command("verify_documents", stdout=out)

    lines = out.getvalue().splitlines()
    assert any(
        line.startswith("mismatch:") and tampered.file.name in line and tampered.sha256 in line
        for line in lines
    )
    assert any(line.startswith("missing:") and gone.file.name in line for line in lines)
    assert len(lines) == 2


def test_the_library_is_read_too(documents):
    _attached, licence = documents
    with open(licence.file.path, "wb") as file:
        file.write(b"%PDF-1.4 another file")

    with pytest.raises(CommandError):
        verify()
