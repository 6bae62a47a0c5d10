"""The audit trail written out with its chain (seq, algorithm, prev_hash, hash), for an
auditor's own tools or for keeping elsewhere: CSV (UTF-8 with a byte-order mark) or JSON
lines, one record a line, in chain order.

A record's person is written twice: ``actor`` holds their login, for tools that match it, and
``actor_name`` (the last column, so that the others keep their places) how the site names them
(``User.display_name``), for the auditor who reads it. Both are read when the file is written;
the chain covers the records, not these columns."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder

from policy_portal.spreadsheets import csv_text

from .guard import CONTENT_COLUMNS, SEAL_COLUMNS
from .records import AuditRecord

# A record's content, with the login of its person, its place in the chain, then the person's name.
COLUMNS = ("seq", *CONTENT_COLUMNS, "actor", *SEAL_COLUMNS[1:], "actor_name")
_PERSON_COLUMNS = ("actor", "actor_name")


def records_since(moment):
    return (
        AuditRecord.objects.filter(created_at__gte=moment)
        .select_related("actor")
        .order_by("seq", "id")
    )


def _row(record) -> dict:
    row = {
        column: getattr(record, column, None) for column in COLUMNS if column not in _PERSON_COLUMNS
    }
    person = record.actor if record.actor_id else None
    row["actor"] = person.get_username() if person else ""
    row["actor_name"] = person.display_name if person else ""
    return row


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def _cell(value):
    """A CSV cell: JSON as its text; text a spreadsheet would run gets an apostrophe (the JSON
    lines keep every value exactly, for checking the hashes)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = _json(value)
    return csv_text(value) if isinstance(value, str) else value


def jsonl_lines(records):
    for record in records.iterator(chunk_size=2000):
        yield _json(_row(record)) + "\n"


def csv_lines(records):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for record in records.iterator(chunk_size=2000):
        buffer.seek(0)
        buffer.truncate()
        row = _row(record)
        writer.writerow([_cell(row[column]) for column in COLUMNS])
        yield buffer.getvalue()


WRITERS = {"csv": csv_lines, "jsonl": jsonl_lines}
