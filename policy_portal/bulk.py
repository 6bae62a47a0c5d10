"""Reads and writes of thousands of rows at once.

Writes by COPY on PostgreSQL (``copy_rows``): the cost of an INSERT … SELECT rather than the
building of a statement with a parameter per value. The tables' triggers (the audit's) see each
row as for any insert; errors come out as Django's (an IntegrityError for a duplicate key), as
for any query.

Reads of thousands of ids (``among``): by their range where they lie close together, since a
list of thousands of ids is a statement of thousands of parameters, which costs more to build
and to parse than the rows it reads."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

# Below this many ids, a list; above, a range where the ids fill a quarter of it or more.
DENSE_FROM = 64


def copy_rows(model, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """Write ``rows`` (tuples in the order of ``columns``, database column names) into
    ``model``'s table. PostgreSQL only: the caller chooses another way elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def among(field: str, ids) -> Q:
    """A filter on ``field`` for ``ids``: by their range where they are many and close together,
    else by their list. The range may take in rows of other ids: the caller keeps its own."""
    ids = set(ids)
    if len(ids) >= DENSE_FROM:
        low, high = min(ids), max(ids)
        if high - low < 4 * len(ids):
            return Q(**{f"{field}__gte": low, f"{field}__lte": high})  # a foreign key has no range
    return Q(**{f"{field}__in": ids})
