"""Named locks in the database, so that two runs of a command never work on the same thing.

A lock is claimed by one conditional UPDATE (free, expired, or held by a dead process of this
host), so two processes racing for it cannot both win, on SQLite and PostgreSQL alike. No
transaction stays open while the lock is held: a long push does not block writers.

Every command that needs one uses `job_lock` the same way:

    with job_lock(f"push:{target}", enabled=not dry_run) as lock:
        service(..., lock=lock)  # which calls lock.renew() at each sign of progress

A busy lock is a CommandError, so the command stops with "Not started: another run holds the
lock ..." and exit status 1.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone

from statsservice.models import JobLock


class LockBusy(CommandError):
    def __init__(self, lock: JobLock) -> None:
        since = f"{lock.acquired_at:%Y-%m-%d %H:%M:%S %Z}" if lock.acquired_at else "?"
        until = f"{lock.expires_at:%H:%M:%S %Z}" if lock.expires_at else "?"
        super().__init__(
            f"Not started: another run holds the lock {lock.name!r} ({lock.holder}, "
            f"since {since}, expires {until})."
        )
        self.lock = lock


class LockLost(Exception):
    """The lock expired and another process took it: stop before doing anything twice."""


def process_is_gone(holder: str) -> bool:
    """True when `holder` is a process of this host that no longer exists."""
    try:
        host, pid, _ = holder.rsplit(":", 2)
        pid_number = int(pid)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid_number, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Lock:
    def __init__(self, name: str, holder: str, ttl: timedelta) -> None:
        self.name = name
        self.holder = holder
        self.ttl = ttl

    def renew(self) -> None:
        """Push the expiry back; raise LockLost if someone took the lock meanwhile."""
        renewed = JobLock.objects.filter(name=self.name, holder=self.holder).update(
            expires_at=timezone.now() + self.ttl
        )
        if not renewed:
            raise LockLost(f"lost the lock {self.name!r}")

    def release(self) -> None:
        JobLock.objects.filter(name=self.name, holder=self.holder).update(
            holder="", acquired_at=None, expires_at=None
        )


def acquire(name: str, *, ttl_seconds: int | None = None) -> Lock:
    """Claim the lock `name` for `ttl_seconds` (default SHARING_LOCK_TTL), or raise LockBusy."""
    ttl = timedelta(seconds=ttl_seconds or settings.SHARING_LOCK_TTL)
    holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
    JobLock.objects.bulk_create([JobLock(name=name)], ignore_conflicts=True)
    # Two tries: the holder may release between our failed claim and our look at it.
    for _ in range(2):
        now = timezone.now()
        free = Q(holder="") | Q(expires_at__lt=now)
        claim = {"holder": holder, "acquired_at": now, "expires_at": now + ttl}
        if JobLock.objects.filter(free, name=name).update(**claim):
            return Lock(name, holder, ttl)
        current = JobLock.objects.get(name=name)
        # A run killed with SIGKILL leaves its claim behind; on the same host we can tell.
        if process_is_gone(current.holder) and JobLock.objects.filter(
            name=name, holder=current.holder
        ).update(**claim):
            return Lock(name, holder, ttl)
        if current.holder:
            break
    raise LockBusy(current)


@contextmanager
def job_lock(
    name: str, *, enabled: bool = True, ttl_seconds: int | None = None
) -> Iterator[Lock | None]:
    """Hold the lock `name` for the block and release it however the block ends.

    `enabled=False` (a dry run, which changes nothing) holds no lock and yields None. A run
    that cannot renew midway passes a `ttl_seconds` longer than it may take.
    """
    if not enabled:
        yield None
        return
    lock = acquire(name, ttl_seconds=ttl_seconds)
    try:
        yield lock
    finally:
        lock.release()
