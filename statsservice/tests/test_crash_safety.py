"""Crash safety: SIGKILL gunicorn during a batch POST; the batch is stored entirely or not at all.

The server runs on its own database (PostgreSQL when the suite does, else a SQLite file), so the
kill hits a real process writing through a real connection.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import threading
import time
import uuid

import pytest

from stats import kinds
from statsservice.testing.live import Gunicorn, Instance
from statsservice.testing.seed import daily_batch

pytestmark = pytest.mark.live

ANALYSES = 150
DAY = "2026-11-01"


@pytest.fixture
def service():
    with Instance("crash", workers=1) as live:
        _, token = live.create_client("live-0")
        yield live.database, live.server, token
        live.server.kill()


def stored(server: Gunicorn, token: str) -> int:
    total = 0
    for stats_type in kinds.names():
        status, body = server.request(
            "GET",
            "/api/v1/stats/",
            {"type": stats_type, "date_from": DAY, "date_to": DAY, "limit": 1},
            token=token,
        )
        assert status == 200
        total += body["metadata"]["count"]
    return total


def batch() -> bytes:
    anrs = [str(uuid.uuid4()) for _ in range(ANALYSES)]
    return json.dumps(daily_batch(DAY, anrs)).encode()


def post_in_background(server: Gunicorn, body: bytes, token: str) -> threading.Thread:
    def post() -> None:
        # The server dies under us: that is the point.
        with contextlib.suppress(OSError, http.client.HTTPException):
            server.request("POST", "/api/v1/stats/", body, token=token, timeout=60)

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def test_a_batch_killed_at_any_moment_is_stored_whole_or_not_at_all(service):
    _database, server, token = service
    body = batch()
    records = ANALYSES * len(kinds.names())
    outcomes = []
    # Kill earlier and later in the request: before, while and after the batch is written.
    for delay in (0.05, 0.3, 0.8, 1.5, 3.0):
        server.start()
        stored_before = stored(server, token)
        thread = post_in_background(server, body, token)
        time.sleep(delay)
        server.kill()
        thread.join(timeout=60)
        server.start()
        count = stored(server, token)
        server.kill()
        outcomes.append((delay, stored_before, count))
        # Re-sending the same day replaces it, so the count is all or nothing every time.
        assert count in (0, records), outcomes
        if count:
            break
    # And once the server stays up, the same batch goes through whole.
    server.start()
    status, reply = server.request("POST", "/api/v1/stats/", body, token=token, timeout=120)
    assert status == 201 and reply["metadata"]["count"] == records
    assert stored(server, token) == records
    print("kill delay (s), records before, records after:", outcomes)


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="needs PostgreSQL locks; on SQLite the randomised kill test covers it",
)
def test_a_worker_killed_inside_its_transaction_leaves_nothing_behind(service):
    """Deterministic version on PostgreSQL: the kill lands while the batch's INSERT is running.

    The test holds a lock on the stats table, so the worker's transaction (analyses already
    created) waits inside its INSERT; then the whole server is SIGKILLed.
    """
    database, server, token = service
    import psycopg2

    server.start()
    locker = psycopg2.connect(database.url)
    watcher = psycopg2.connect(database.url)
    watcher.autocommit = True
    try:
        with locker.cursor() as cursor:
            cursor.execute("LOCK TABLE stats_stats IN SHARE MODE")
        thread = post_in_background(server, batch(), token)
        waiting_pid = None
        deadline = time.monotonic() + 60
        while waiting_pid is None and time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"stats_stats\"%%'"
                )
                row = cursor.fetchone()
            waiting_pid = row[0] if row else None
            time.sleep(0.05)
        assert waiting_pid is not None, "the batch never reached its INSERT"
        with watcher.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM stats_analysis")
            assert cursor.fetchone() == (0,)  # not visible: uncommitted, inside the transaction
        server.kill()
        locker.rollback()  # the orphaned backend now finishes its INSERT, finds its client gone
        thread.join(timeout=60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (waiting_pid,))
                if cursor.fetchone() is None:
                    break
            time.sleep(0.05)
        with watcher.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM stats_stats), (SELECT count(*) FROM stats_analysis)"
            )
            assert cursor.fetchone() == (0, 0)
    finally:
        locker.close()
        watcher.close()
    server.start()
    assert stored(server, token) == 0
