"""One beat across the cluster: django-celery-beat's database scheduler, run only while this
beat holds the beat lock.

Two beats would send every periodic task twice (two reminder mails, two sweeps at once). A
second beat, started by mistake on another node or left running by a deployment, starts as a
standby: it ticks without sending anything until the lock is free, then takes over.

- With Redis (REDIS_URL, or a redis:// broker): the key BEAT_LOCK_KEY, set with NX and an
  expiry of BEAT_LOCK_SECONDS, holding this beat's token; renewed at every tick (at most
  every beat_max_loop_interval, 5 seconds), only while it still holds this token; deleted on a
  clean stop. A beat that dies leaves it to expire: the standby takes over within
  BEAT_LOCK_SECONDS. Not a PostgreSQL advisory lock: one taken for the session would be lost
  or, worse, kept by another client behind PgBouncer's transaction pooling.
- Without Redis (`make run` on the filesystem broker, one machine): an exclusive flock on
  var/celery/beat.lock, held while the process lives.
"""

import fcntl
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

# Renew the expiry only if the key still holds our token; delete it likewise.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisBeatLock:
    def __init__(self, url: str, *, key: str, seconds: float):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.key = key
        self.milliseconds = int(seconds * 1000)
        self.token = uuid.uuid4().hex
        self.held = False

    def acquire(self) -> bool:
        """Take the lock, or keep it (renewed) if this beat holds it; False if another does.
        Renewed by the token, not by what this beat believed: after a tick when Redis could not
        be reached, a lock that still holds this beat's token is still its own."""
        self.held = bool(self.client.eval(_RENEW, 1, self.key, self.token, self.milliseconds))
        if not self.held:
            self.held = bool(self.client.set(self.key, self.token, nx=True, px=self.milliseconds))
        return self.held

    def release(self) -> None:
        # Deleted only if it holds this beat's token: never another beat's lock.
        self.client.eval(_RELEASE, 1, self.key, self.token)
        self.held = False

    def __str__(self) -> str:
        return f"Redis key {self.key}"


class FileBeatLock:
    def __init__(self, path: Path):
        self.path = path
        self.file = None

    def acquire(self) -> bool:
        if self.file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a")  # noqa: SIM115 (held open while this beat runs)
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self.file = file
        return True

    def release(self) -> None:
        if self.file is not None:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()
            self.file = None

    def __str__(self) -> str:
        return f"file {self.path}"


def beat_lock():
    """The lock of the configured installation: Redis's when there is one, else a file's."""
    url = settings.REDIS_URL
    if not url and settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        url = settings.CELERY_BROKER_URL
    if url:
        return RedisBeatLock(url, key=settings.BEAT_LOCK_KEY, seconds=settings.BEAT_LOCK_SECONDS)
    return FileBeatLock(Path(settings.VAR_DIR) / "celery" / "beat.lock")


class SingleBeatScheduler(DatabaseScheduler):
    """DatabaseScheduler that sends due tasks only while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock = kwargs.pop("lock", None) or beat_lock()
        self.leading = False
        self.waiting_logged = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        try:
            held = self.lock.acquire()
        except Exception:
            # Redis unreachable: whether another beat holds the lock is unknown, so this one
            # sends nothing until it can tell.
            logger.exception("beat: the lock (%s) cannot be checked; sending nothing", self.lock)
            held = False
        if not held:
            if self.leading:
                logger.warning("beat: lost the lock (%s); standing by", self.lock)
            elif not self.waiting_logged:
                logger.warning(
                    "beat: another beat holds the lock (%s) (pid %s standing by)",
                    self.lock,
                    os.getpid(),
                )
            self.leading = False
            self.waiting_logged = True
            return self.standby_interval()
        if not self.leading:
            logger.info("beat: holds the lock (%s); sending the periodic tasks", self.lock)
            self.leading = True
            self.waiting_logged = False
            # What the other beat sent meanwhile is in the database: read the schedule afresh,
            # as at start (and not again as "changed" within the same tick, which would build
            # the heap from entries the read then replaced).
            self._initial_read = True
            self._last_timestamp = None
            self._heap = None
        return min(super().tick(*args, **kwargs), self.standby_interval())

    def standby_interval(self) -> float:
        """How often to renew the lock, or to try for it: well within its expiry."""
        return min(self.max_interval, settings.BEAT_LOCK_SECONDS / 3)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.lock.release()
            self.leading = False
