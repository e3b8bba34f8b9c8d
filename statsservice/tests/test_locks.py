"""Job locks: one holder at a time, taken over when expired or when its process is gone."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError
from django.utils import timezone

from statsservice import locks
from statsservice.models import JobLock


def test_a_lock_cannot_be_taken_twice(db):
    first = locks.acquire("push:x")
    with pytest.raises(locks.LockBusy, match="another run holds"):
        locks.acquire("push:x")
    first.release()
    locks.acquire("push:x").release()


def test_an_expired_lock_is_taken_over_and_its_old_holder_stops(db):
    first = locks.acquire("push:x")
    JobLock.objects.filter(name="push:x").update(expires_at=timezone.now() - timedelta(seconds=1))
    second = locks.acquire("push:x")
    with pytest.raises(locks.LockLost):
        first.renew()
    second.renew()


def test_the_lock_of_a_dead_process_on_this_host_is_taken_over(db):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    held = locks.acquire("push:x")
    host = held.holder.split(":")[0]
    JobLock.objects.filter(name="push:x").update(holder=f"{host}:{gone.stdout.strip()}:dead")
    locks.acquire("push:x").release()


def test_job_lock_releases_the_lock_when_its_block_fails(db):
    with pytest.raises(RuntimeError), locks.job_lock("push:x"):
        raise RuntimeError("boom")
    with locks.job_lock("push:x") as lock:
        assert lock is not None
    assert JobLock.objects.get(name="push:x").holder == ""


def test_a_busy_job_lock_stops_a_command_with_the_holder_named(db):
    with locks.job_lock("push:x") as held:
        with (
            pytest.raises(
                CommandError, match=r"^Not started: another run holds the lock 'push:x' \("
            ),
            locks.job_lock("push:x"),
        ):
            pass
        assert JobLock.objects.get(name="push:x").holder == held.holder


def test_a_disabled_job_lock_holds_nothing(db):
    with locks.job_lock("push:x"), locks.job_lock("push:x", enabled=False) as lock:
        assert lock is None


def test_the_admin_lists_job_locks_read_only(admin_client, db):
    locks.acquire("push:x")
    page = admin_client.get("/admin/statsservice/joblock/")
    assert page.status_code == 200
    assert b"push:x" in page.content
    assert admin_client.get("/admin/statsservice/joblock/add/").status_code == 403
