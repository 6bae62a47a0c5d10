"""gunicorn's configuration for bench/web.py: each worker adds the requests it answered to its
own slot of a file (BENCH_REQUEST_COUNTER), so that the benchmark divides the workers' CPU time
by what they served, requests still in flight when a round ended included."""

import os
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import open_counter  # noqa: E402

_counter = None


def post_worker_init(worker):
    global _counter
    _counter = open_counter(os.environ["BENCH_REQUEST_COUNTER"], worker.age)


def post_request(worker, req, environ, resp):
    memory, offset = _counter
    (count,) = struct.unpack_from("Q", memory, offset)
    struct.pack_into("Q", memory, offset, count + 1)
