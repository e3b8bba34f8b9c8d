"""Sharing end to end: a local and a global instance of this service, on 127.0.0.1.

Both are real gunicorn processes with their own database; MONARC's traffic is replayed through
the local one's API, and every sharing command runs as its own process, as cron runs it.
"""

from __future__ import annotations

import copy
import signal
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from sharing.tests.fakeremote import Proxy
from stats import kinds
from statsservice.testing.live import Instance, free_port
from statsservice.testing.seed import RISK, daily_batch, record

pytestmark = pytest.mark.live

TODAY = timezone.localdate()
DAYS = [(TODAY - timedelta(days=n)).isoformat() for n in (2, 1, 0)]


class Node(Instance):
    """One of the two instances: one gunicorn worker with threads, and quick sharing retries."""

    def __init__(self, name: str, workdir, **env: str) -> None:
        super().__init__(
            name,
            workdir=workdir,
            workers=1,
            threads=4,
            SHARING_HTTP_RETRIES="1",
            SHARING_HTTP_BACKOFF="0",
            SHARING_HTTP_READ_TIMEOUT="20",
            **env,
        )

    def stats_of(self, token: str) -> list[dict]:
        """Every record the token's client sees, all types, sorted, as the API returns them."""
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        found: list[dict] = []
        for stats_type in kinds.names():
            query = {"type": stats_type, "date_from": "2000-01-01", "date_to": tomorrow}
            found.extend(self.call("GET", "/api/v1/stats/", query, token=token)["data"])
        return sorted(found, key=lambda r: (r["anr"], r["type"], r["date"]))


class Pair:
    def __init__(self, local: Node, remote: Node, instance_token: str) -> None:
        self.local = local
        self.remote = remote
        # What the local instance pushes with when a client has no token of its own.
        self.instance_token = instance_token


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sharing-live")
    remote = Node("global", tmp / "global")
    local = Node("local", tmp / "local", SHARING_PUSH_CHUNK_RECORDS="3", SHARING_PUSH_OVERLAP="0")
    try:
        for instance in (remote, local):
            instance.create(migrate=False)
        migrations = [i.manage_async("migrate", "--noinput") for i in (remote, local)]
        for process in migrations:
            _, err = process.communicate(timeout=180)
            assert process.returncode == 0, err
        _, instance_token = remote.create_client("local-instance", "--remote")
        remote.start()
        local.env["REMOTE_STATS_SERVER"] = remote.url
        local.env["REMOTE_STATS_TOKEN"] = instance_token
        local.start()
        yield Pair(local, remote, instance_token)
    finally:
        local.drop()
        remote.drop()


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def anrs(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def only(records: list[dict], wanted: list[str]) -> list[dict]:
    return [r for r in records if r["anr"] in wanted]


def test_push_keeps_origin_and_uuids_and_a_repush_duplicates_nothing(pair):
    local, remote = pair.local, pair.remote
    a_uuid, a_token = local.create_client(name("fo-a"))
    b_uuid, b_token = local.create_client(name("fo-b"))
    _, ra_token = remote.create_client(name("fo-a-on-global"), "--remote")
    local.manage("sharing_token_set", "--client", a_uuid, f"--token={ra_token}")
    anr_a, anr_b = anrs(2)
    local.post_stats(a_token, daily_batch(DAYS[1], [anr_a]) + daily_batch(DAYS[2], [anr_a]))
    local.post_stats(b_token, daily_batch(DAYS[2], [anr_b]))

    out = local.manage("stats_push", "--client", a_uuid, "--client", b_uuid).stdout
    assert "Pushed 15 records" in out
    assert "for 2 clients" in out
    # A went to its own remote client, B to the instance's: each with its records' uuids.
    assert remote.stats_of(ra_token) == local.stats_of(a_token)
    assert only(remote.stats_of(pair.instance_token), [anr_b]) == local.stats_of(b_token)
    # Received stats belong to a non-local client: "local only" views leave them out.
    counts = (
        remote.manage(
            "shell",
            "-c",
            "from stats.models import Stats; qs = Stats.objects.filter(analysis__uuid="
            f"'{anr_a}'); print(qs.count(), qs.local_only().count())",
        )
        .stdout.splitlines()[-1]
        .split()
    )
    assert counts == ["10", "0"]

    again = local.manage("stats_push", "--client", a_uuid, "--client", b_uuid).stdout
    assert "Pushed 0 records" in again
    local.manage("stats_push", "--full", "--client", a_uuid)
    assert remote.stats_of(ra_token) == local.stats_of(a_token)

    changed = copy.deepcopy(RISK)
    changed["total"]["current"]["informational"] = 1
    local.post_stats(a_token, [record("risk", DAYS[2], anr_a, data=changed)])
    out = local.manage("stats_push", "--client", a_uuid).stdout
    assert "Pushed 1 records" in out
    on_remote = remote.stats_of(ra_token)
    assert on_remote == local.stats_of(a_token)
    assert len(on_remote) == 10

    status = local.manage("stats_push", "--status").stdout
    assert "push -> " in status
    assert "success" in status
    assert ra_token not in status


def test_sharing_off_sends_nothing_and_withdraw_deletes_what_was_shared(pair):
    local, remote = pair.local, pair.remote
    on_uuid, on_token = local.create_client(name("fo-on"))
    off_uuid, off_token = local.create_client(name("fo-off"), "--no-sharing")
    _, r_on = remote.create_client(name("fo-on-global"), "--remote")
    _, r_off = remote.create_client(name("fo-off-global"), "--remote")
    local.manage("sharing_token_set", "--client", on_uuid, f"--token={r_on}")
    local.manage("sharing_token_set", "--client", off_uuid, f"--token={r_off}")
    anr_on, anr_off = anrs(2)
    local.post_stats(on_token, daily_batch(DAYS[2], [anr_on]))
    local.post_stats(off_token, daily_batch(DAYS[2], [anr_off]))

    local.manage("stats_push")  # every sharing client
    assert remote.stats_of(r_off) == []
    assert remote.me(r_off)["is_sharing_enabled"] is False  # consent mirrored there
    assert remote.me(r_on)["is_sharing_enabled"] is True
    assert len(remote.stats_of(r_on)) == 5
    refused = local.manage("stats_push", "--client", off_uuid, check=False)
    assert refused.returncode == 1
    assert "sharing disabled" in refused.stderr

    # Sharing turned off: new stats stay here, and withdraw removes what was sent.
    local.manage("client_sharing_deactivate", "--uuid", on_uuid)
    local.post_stats(on_token, daily_batch(DAYS[1], [anr_on]))
    local.manage("stats_push")
    assert {r["date"] for r in remote.stats_of(r_on)} == {DAYS[2]}
    assert remote.me(r_on)["is_sharing_enabled"] is False
    dry = local.manage("stats_withdraw", "--client", on_uuid, "--dry-run").stdout
    assert anr_on in dry
    assert len(remote.stats_of(r_on)) == 5
    out = local.manage("stats_withdraw", "--client", on_uuid).stdout
    assert "Deleted 1 analyses" in out
    assert remote.stats_of(r_on) == []
    assert len(local.stats_of(on_token)) == 10

    # Turned back on: the remote flag too, and everything is sent again.
    local.manage("client_sharing_activate", "--uuid", on_uuid)
    local.manage("stats_push", "--client", on_uuid)
    assert remote.me(r_on)["is_sharing_enabled"] is True
    assert remote.stats_of(r_on) == local.stats_of(on_token)


def test_a_remote_going_down_mid_run_loses_nothing_on_the_next_run(pair):
    local, remote = pair.local, pair.remote
    c_uuid, c_token = local.create_client(name("fo-c"))
    wanted = anrs(4)
    local.post_stats(c_token, daily_batch(DAYS[2], wanted))  # 20 records, 7 chunks of 3
    with Proxy(remote.url) as proxy:
        proxy.fail_after = 2
        failed = local.manage("stats_push", "--client", c_uuid, "--target", proxy.url, check=False)
        assert failed.returncode == 1
        assert "failed" in failed.stdout
        partial = only(remote.stats_of(pair.instance_token), wanted)
        assert len(partial) == 6
        status = local.manage("stats_push", "--status", "--limit", "1").stdout
        assert "failed" in status
        assert "HTTP 503" in status

        proxy.fail_after = None
        out = local.manage("stats_push", "--client", c_uuid, "--target", proxy.url).stdout
    assert "run #" in out
    assert only(remote.stats_of(pair.instance_token), wanted) == local.stats_of(c_token)


def test_a_killed_run_blocks_a_concurrent_one_and_the_next_run_completes(pair):
    local, remote = pair.local, pair.remote
    d_uuid, d_token = local.create_client(name("fo-d"))
    wanted = anrs(2)
    local.post_stats(d_token, daily_batch(DAYS[2], wanted))  # 10 records, 4 chunks
    with Proxy(remote.url) as proxy:
        proxy.hang_after = 1
        first = local.manage_async("stats_push", "--client", d_uuid, "--target", proxy.url)
        try:
            assert proxy.hanging.wait(timeout=60)
            second = local.manage(
                "stats_push", "--client", d_uuid, "--target", proxy.url, check=False
            )
            assert second.returncode == 1
            assert "another run holds the lock" in second.stderr
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        status = local.manage("stats_push", "--status", "--limit", "1").stdout
        assert "interrupted (its process is gone)" in status
        proxy.hang_after = None
        proxy.release.set()
        out = local.manage("stats_push", "--client", d_uuid, "--target", proxy.url).stdout
    assert "success" in out
    assert only(remote.stats_of(pair.instance_token), wanted) == local.stats_of(d_token)


def test_pull_is_paginated_idempotent_and_fails_clearly(pair):
    local, remote = pair.local, pair.remote
    _, g_token = remote.create_client(name("global-user"))
    remote.post_stats(g_token, daily_batch(DAYS[0], anrs(1)) + daily_batch(DAYS[1], anrs(2)))
    p_uuid, p_token = local.create_client(name("pulled"), "--remote")

    args = ["stats_pull", "--client", p_uuid, f"--token={g_token}", "--server", remote.url]
    out = local.manage(*args, SHARING_PULL_PAGE_SIZE="2").stdout
    assert "Pulled 15 records" in out
    assert local.stats_of(p_token) == remote.stats_of(g_token)
    local.manage(*args)
    assert local.stats_of(p_token) == remote.stats_of(g_token)
    only_risk = local.manage(*args, "--type", "risk").stdout
    assert "Pulled 3 records" in only_risk

    unknown = local.manage(
        "stats_pull", "--client", str(uuid.uuid4()), f"--token={g_token}", check=False
    )
    assert "No client with uuid" in unknown.stderr
    rejected = local.manage(
        "stats_pull", "--client", p_uuid, "--token=" + "x" * 40, "--server", remote.url, check=False
    )
    assert "rejected the token" in rejected.stderr
    down = f"http://127.0.0.1:{free_port()}"
    unreachable = local.manage(
        "stats_pull", "--client", p_uuid, f"--token={g_token}", "--server", down, check=False
    )
    assert "unreachable" in unreachable.stderr
    a_uuid, _ = local.create_client(name("monarc"))
    into_local = local.manage(
        "stats_pull", "--client", a_uuid, f"--token={g_token}", "--server", remote.url, check=False
    )
    assert "is local" in into_local.stderr


def test_pull_copies_only_what_the_source_shares_even_with_an_admin_token(pair):
    local, source = pair.local, pair.remote
    kinds = {"shares": (), "off": ("--no-sharing",), "inactive": (), "received": ("--remote",)}
    anr_of = {}
    for kind, flags in kinds.items():
        client_uuid, token = source.create_client(name(f"source-{kind}"), *flags)
        anr_of[kind] = anrs(1)[0]
        source.post_stats(token, daily_batch(DAYS[1], [anr_of[kind]]))
        if kind == "inactive":
            source.manage("client_set_active", "--uuid", client_uuid, "--inactive")
    _, admin_token = source.create_client(name("source-admin"), "--role", "admin")
    p_uuid, p_token = local.create_client(name("pulled-consent"), "--remote")

    local.manage(
        *("stats_pull", "--client", p_uuid, f"--token={admin_token}", "--server", source.url)
    )
    pulled = {record["anr"] for record in local.stats_of(p_token)}
    assert anr_of["shares"] in pulled
    assert not pulled & {anr_of["off"], anr_of["inactive"], anr_of["received"]}


def test_export_then_import_recreates_identical_data(pair, tmp_path):
    local, remote = pair.local, pair.remote
    e_uuid, e_token = local.create_client(name("fo-e"))
    local.post_stats(e_token, daily_batch(DAYS[1], anrs(2)) + daily_batch(DAYS[2], anrs(1)))
    export = tmp_path / "stats.json.gz"
    out = local.manage("stats_export", "--out", str(export), "--client", e_uuid, "--gzip").stdout
    assert "Exported 15 records of 1 clients" in out

    x_uuid, x_token = remote.create_client(name("air-gapped"), "--remote")
    remote.manage("stats_import", str(export), "--client", x_uuid)
    assert remote.stats_of(x_token) == local.stats_of(e_token)
    remote.manage("stats_import", str(export), "--client", x_uuid)
    assert remote.stats_of(x_token) == local.stats_of(e_token)

    broken = tmp_path / "broken.json"
    broken.write_bytes(export.read_bytes()[:-40])
    failed = remote.manage("stats_import", str(broken), "--client", x_uuid, check=False)
    assert failed.returncode == 1
    assert "Nothing imported" in failed.stderr
    assert len(remote.stats_of(x_token)) == 15


def test_the_commands_refuse_bad_dates(pair):
    bad = pair.local.manage("stats_push", "--date-from", "2026-13-01", check=False)
    assert "--date-from must be a date" in bad.stderr
    reversed_window = pair.local.manage(
        *["stats_export", "--out", "/dev/null"],
        *["--date-from", "2026-02-01", "--date-to", "2026-01-01"],
        check=False,
    )
    assert "must not be after" in reversed_window.stderr
