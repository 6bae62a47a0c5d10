"""gunicorn for the benchmarks: started on a free loopback port, waited for, its workers' CPU
time and the requests they answered read while it runs, stopped by its process id."""

import http.client
import mmap
import os
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CONFIG = BENCH_DIR / "_gunicorn_conf.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SLOTS = 64  # worker counters in the file bench/_gunicorn_conf.py writes (one per worker)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(app: str, port: int, workers: int, timeout: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
    ]


def wait_until_answers(port: int, path: str, alive, log: Path, seconds: float = 60) -> None:
    """Until GET ``path`` answers 200; ``alive()`` raises if the server exited meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on port {port}; see {log}")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def children(pid: int) -> list[int]:
    try:
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except OSError:
        return []


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids`` (those still running)."""
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # Fields after the command's closing parenthesis; utime and stime are the 14th and 15th.
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


class Gunicorn:
    """One gunicorn (``app``, e.g. "policy_portal.wsgi:application") with ``workers`` sync
    workers, run with bench/_gunicorn_conf.py, which counts the requests its workers answered
    in a file read here. Logs to ``folder``/``name``.log."""

    def __init__(self, name: str, app: str, environment: dict, folder: Path, workers: int):
        self.name = name
        self.log = folder / f"{name}.log"
        self.counter = folder / f"{name}.requests"
        self.counter.write_bytes(bytes(8 * SLOTS))
        self.port = free_port()
        self.command = [
            *gunicorn_command(app, self.port, workers, timeout=120),
            "--config",
            str(CONFIG),
        ]
        self.environment = {**environment, "BENCH_REQUEST_COUNTER": str(self.counter)}
        self.workers = workers
        self.process: subprocess.Popen | None = None
        # The last snapshot: what the workers had done when they last fell idle.
        self.settled: Snapshot | None = None

    def start(self, check_path: str) -> "Gunicorn":
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until_answers(self.port, check_path, self._alive, self.log)
        deadline = time.monotonic() + 30
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        return self

    def _alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn ({self.name}) exited; see {self.log}")

    def stop(self) -> None:
        if self.process is not None:
            stop([self.process])

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def served(self) -> int:
        """Requests the workers answered since the start."""
        with open(self.counter, "rb") as file:
            data = file.read(8 * SLOTS)
        return sum(struct.unpack(f"{SLOTS}Q", data))

    def snapshot(self) -> "Snapshot":
        """The workers' CPU seconds and the requests answered, once the workers have finished
        what was sent them: no connection to the port left open (a client gone at the end of
        a round leaves its request to be answered) and their CPU time no longer growing."""
        deadline = time.monotonic() + 120
        while open_connections(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
        last = None
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            now = Snapshot(cpu_seconds(pids), self.served(), frozenset(pids))
            if now == last:
                break
            last = now
            time.sleep(0.05)
        self.settled = last
        return last


@dataclass(frozen=True)
class Snapshot:
    cpu_seconds: float
    served: int
    workers: frozenset[int]  # a worker replaced in between takes its CPU time with it


# TCP states (include/net/tcp_states.h) in which a connection's request may still be answered.
_UNANSWERED = {"01", "03", "08"}  # established, SYN received, close wait


def open_connections(port: int) -> int:
    """Connections to ``port`` on this machine not yet answered and closed by the server."""
    needle = f":{port:04X} "
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            text = Path(table).read_text()
        except OSError:
            continue
        # Sockets in TIME_WAIT (the server closes each connection) fill the table: look only
        # at the lines that name the port, then at the local address and the state.
        start = text.find(needle)
        while start != -1:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            fields = text[line_start:line_end].split(None, 4)
            if fields[3] in _UNANSWERED and fields[1].endswith(needle.strip()):
                count += 1
            start = text.find(needle, line_end)
    return count


def open_counter(path: str, slot: int):
    """The 8-byte counter ``slot`` of the file at ``path``, as a memory map and an offset."""
    with open(path, "r+b") as file:
        memory = mmap.mmap(file.fileno(), 8 * SLOTS)
    return memory, 8 * (slot % SLOTS)
