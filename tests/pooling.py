"""The test databases behind a pooler in transaction pooling (PgBouncer, `.ci/run`).

The tests connect through the pooler (DATABASE_URL, DATABASE_POOLING=transaction), as the site
does in production. Creating and dropping their databases does not go well that way: DROP
DATABASE fails while the pooler keeps idle server connections to the database, and
pytest-django drops a database left by an earlier run before creating it again. So, when
DATABASE_DIRECT_URL names the PostgreSQL server itself, the connection Django opens to create
and drop the test databases (its "no database" connection) goes there, and the drop ends
whatever connections are left (DROP DATABASE … WITH (FORCE), PostgreSQL 13 and later), the
pooler's among them; the pooler opens new ones when they are next needed.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import environ
import pytest


@contextmanager
def test_databases_made_directly() -> Iterator[None]:
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django.db.backends.postgresql.creation import DatabaseCreation

    direct_url = os.environ.get("DATABASE_DIRECT_URL", "")
    direct = environ.Env.db_url_config(direct_url) if direct_url else None
    nodb_cursor = DatabaseWrapper._nodb_cursor

    @contextmanager
    def direct_nodb_cursor(self):
        if direct is None:
            with nodb_cursor(self) as cursor:
                yield cursor
            return
        pooled = self.settings_dict
        self.settings_dict = {
            **pooled,
            **{key: direct[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if direct[key]},
        }
        try:
            with nodb_cursor(self) as cursor:
                yield cursor
        finally:
            self.settings_dict = pooled

    def destroy_test_db(self, test_database_name, verbosity):
        with self._nodb_cursor() as cursor:
            cursor.execute(
                f"DROP DATABASE {self.connection.ops.quote_name(test_database_name)} WITH (FORCE)"
            )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseWrapper, "_nodb_cursor", direct_nodb_cursor)
        patch.setattr(DatabaseCreation, "_destroy_test_db", destroy_test_db)
        yield
