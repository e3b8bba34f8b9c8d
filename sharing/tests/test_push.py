"""stats_push's selection, chunking, cursor and run records, against a scripted local server."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sharing import push as pushing
from sharing.models import PushCursor, RemoteCredential, SharedAnalysis, SharingRun
from sharing.tests.fakeremote import Answer, FakeRemote
from stats.models import Stats
from statsservice.testing.live import free_port

CREATED = Answer(201, {"metadata": {"count": 0}, "data": []})


@pytest.fixture
def remote():
    with FakeRemote([CREATED]) as fake:
        yield fake


@pytest.fixture(autouse=True)
def sharing_settings(settings):
    settings.REMOTE_STATS_TOKEN = "instance-token-0123456789"
    settings.SHARING_HTTP_RETRIES = 0
    settings.SHARING_PUSH_OVERLAP = 3600
    return settings


def sent_records(remote: FakeRemote) -> list[dict]:
    return [item for seen in remote.seen for item in json.loads(seen.body)]


def run_push(remote: FakeRemote, **kw) -> pushing.PushResult:
    options = pushing.PushOptions(target=remote.url, **kw)
    return pushing.push(options, lock=None)


def test_it_sends_every_record_with_its_uuid_in_chunks_bounded_by_records(
    make_client, remote, settings, store_days
):
    settings.SHARING_PUSH_CHUNK_RECORDS = 4
    client, _ = make_client()
    store_days(client, ["2026-11-01", "2026-11-02"], analyses=2)  # 20 records
    result = run_push(remote)
    assert (result.records, result.chunks, result.clients) == (20, 5, 1)
    sent = sent_records(remote)
    stored = Stats.objects.values_list("uuid", flat=True)
    assert {r["uuid"] for r in sent} == {str(u) for u in stored}
    assert all(len(json.loads(seen.body)) <= 4 for seen in remote.seen)
    assert remote.seen[0].headers["X-API-KEY"] == "instance-token-0123456789"
    assert result.run.outcome == SharingRun.Outcome.SUCCESS
    assert result.run.records == 20


def test_it_bounds_chunks_by_bytes_too(make_client, remote, settings, store_days):
    settings.SHARING_PUSH_CHUNK_BYTES = 4000  # the 20 sample records take ~15 KB
    client, _ = make_client()
    store_days(client, ["2026-11-01"], analyses=4)
    result = run_push(remote)
    assert result.records == 20
    assert result.chunks > 1
    assert all(len(seen.body) <= 4000 for seen in remote.seen)
    assert result.bytes == sum(len(seen.body) for seen in remote.seen)


def test_a_second_push_sends_only_what_changed_since(make_client, remote, settings, store_days):
    settings.SHARING_PUSH_OVERLAP = 0
    client, _ = make_client()
    store_days(client, ["2026-11-01"])
    run_push(remote)
    assert run_push(remote).records == 0
    store_days(client, ["2026-11-02"])
    assert run_push(remote).records == 5
    assert run_push(remote, full=True).records == 10


def test_the_overlap_catches_a_row_committed_late_with_an_older_timestamp(
    make_client, remote, settings, store_days
):
    client, _ = make_client()
    store_days(client, ["2026-11-01"])
    run_push(remote)
    cursor = PushCursor.objects.get(client=client)
    # A transaction that stamped its rows before our run but committed after it:
    late = Stats.objects.first()
    Stats.objects.filter(pk=late.pk).update(updated_at=cursor.pushed_until - timedelta(minutes=5))
    settings.SHARING_PUSH_OVERLAP = 0
    Stats.objects.exclude(pk=late.pk).update(updated_at=cursor.pushed_until - timedelta(days=1))
    assert run_push(remote).records == 0  # without overlap, lost
    settings.SHARING_PUSH_OVERLAP = 3600
    remote.seen.clear()
    assert run_push(remote).records == 1
    assert sent_records(remote)[0]["uuid"] == str(late.uuid)


def test_only_local_active_sharing_clients_are_pushed(make_client, remote, store_days):
    sharing, _ = make_client("sharing")
    off, _ = make_client("off", is_sharing_enabled=False)
    received, _ = make_client("received", local=False)
    inactive, _ = make_client("inactive")
    inactive.is_active = False
    inactive.save()
    mine = store_days(sharing, ["2026-11-01"])
    for other in (off, received, inactive):
        store_days(other, ["2026-11-01"])
    result = run_push(remote)
    assert result.clients == 1
    assert {r["anr"] for r in sent_records(remote)} == set(mine)


def test_a_dry_run_sends_nothing_and_moves_no_cursor(make_client, remote, store_days):
    client, _ = make_client()
    store_days(client, ["2026-11-01"])
    result = run_push(remote, dry_run=True)
    assert result.records == 5
    assert result.bytes > 0
    assert remote.seen == []
    assert not PushCursor.objects.exists()
    assert not SharedAnalysis.objects.exists()


def test_a_date_window_sends_that_window_and_keeps_the_cursor(make_client, remote, store_days):
    client, _ = make_client()
    store_days(client, ["2026-11-01", "2026-11-02"])
    result = run_push(remote, date_from=timezone.datetime(2026, 11, 2).date(), date_to=None)
    assert result.records == 5
    assert {r["date"] for r in sent_records(remote)} == {"2026-11-02"}
    assert PushCursor.objects.get(client=client).pushed_until is None


def test_a_rejected_client_fails_alone_and_keeps_its_cursor(make_client, settings, store_days):
    first, _ = make_client("a-first")
    second, _ = make_client("b-second")
    store_days(first, ["2026-11-01"])
    store_days(second, ["2026-11-01"])
    script = [Answer(400, {"Error": "Item 0: bad"}), CREATED]
    with FakeRemote(script) as remote:
        result = run_push(remote)
    assert result.run.outcome == SharingRun.Outcome.PARTIAL
    assert "Item 0: bad" in result.failures[0]
    assert len(remote.seen) == 2  # no retry on a 400
    entries = {e.client_name: e for e in result.run.per_client.all()}
    assert entries["a-first"].outcome == SharingRun.Outcome.FAILED
    assert entries["b-second"].outcome == SharingRun.Outcome.SUCCESS
    assert PushCursor.objects.get(client=first).pushed_until is None
    assert PushCursor.objects.get(client=second).pushed_until is not None


def test_a_per_client_token_is_used_stored_encrypted_and_never_printed(
    make_client, remote, store_days
):
    client, _ = make_client()
    store_days(client, ["2026-11-01"])
    out = StringIO()
    secret = "per-client-remote-token-42"
    call_command(
        "sharing_token_set",
        "--client",
        str(client.uuid),
        "--token",
        secret,
        "--target",
        remote.url,
        stdout=out,
    )
    assert secret not in out.getvalue()
    stored = RemoteCredential.objects.get(client=client)
    assert secret not in stored.token_encrypted
    run_push(remote)
    assert remote.seen[0].headers["X-API-KEY"] == secret


def test_the_command_prints_a_summary_and_refuses_bad_options(make_client, remote, store_days):
    client, _ = make_client()
    store_days(client, ["2026-11-01"])
    out = StringIO()
    call_command("stats_push", "--target", remote.url, stdout=out, verbosity=2)
    assert f"{client.name}: 5/5 records" in out.getvalue()  # progress, every chunk at -v 2
    summary = out.getvalue().strip().splitlines()[-1]
    assert summary.startswith("Pushed 5 records (")
    assert "chunks for 1 clients" in summary
    with pytest.raises(CommandError, match="must not be after"):
        call_command("stats_push", "--date-from", "2026-11-02", "--date-to", "2026-11-01")
    remote_client, _ = make_client(local=False)
    with pytest.raises(CommandError, match="not local"):
        call_command("stats_push", "--client", str(remote_client.uuid))
    with pytest.raises(CommandError, match="No client"):
        call_command("stats_push", "--client", str(uuid.uuid4()))


def test_a_failed_push_exits_with_an_error_after_its_summary(make_client, store_days):
    client, _ = make_client()
    store_days(client, ["2026-11-01"])
    out = StringIO()
    forbidden = Answer(403, {"Error": "Forbidden - Authentication failed."})
    with (
        FakeRemote([forbidden]) as remote,
        pytest.raises(CommandError, match="Authentication failed"),
    ):
        call_command("stats_push", "--target", remote.url, stdout=out)
    assert "failed" in out.getvalue()
    status = StringIO()
    call_command("stats_push", "--status", stdout=status)
    assert "Authentication failed" in status.getvalue()


def test_withdraw_refuses_while_sharing_is_on(make_client, remote):
    client, _ = make_client()
    with pytest.raises(CommandError, match="client_sharing_deactivate"):
        call_command("stats_withdraw", "--client", str(client.uuid), "--target", remote.url)
    assert remote.seen == []


def test_an_unreachable_remote_stops_the_run_at_the_first_client(make_client, store_days):
    for prefix in ("a", "b"):
        store_days(make_client(prefix)[0], ["2026-11-01"])
    closed = f"http://127.0.0.1:{free_port()}"
    result = pushing.push(pushing.PushOptions(target=closed), lock=None)
    assert result.clients == 1
    assert result.run.outcome == SharingRun.Outcome.FAILED
    assert "stopped: remote unreachable" in result.run.error
    assert not PushCursor.objects.filter(pushed_until__isnull=False).exists()


def test_without_any_token_the_command_says_sharing_is_not_configured(
    make_client, remote, settings, store_days
):
    settings.REMOTE_STATS_TOKEN = ""
    store_days(make_client()[0], ["2026-11-01"])
    out = StringIO()
    call_command("stats_push", "--target", remote.url, stdout=out)
    assert "not configured" in out.getvalue()
    assert remote.seen == []
