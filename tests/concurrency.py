"""Calls made at the same moment from several connections, for the tests of row locks
(PostgreSQL): who wins, who is refused, and nothing crashes."""

import threading

from django.core.exceptions import PermissionDenied
from django.db import connection

from applications.errors import ApplicationError


def run_together(calls):
    """Run each call in its own thread and database connection, released at the same moment."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except (ApplicationError, PermissionDenied) as error:
            outcomes[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
            outcomes[index] = ("crashed", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
