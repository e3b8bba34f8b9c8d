"""Sharing commands against remotes that misbehave on purpose, and import files built to hurt.

Every command runs as its own process (as cron runs it) on a scratch instance; the remotes are
real servers on 127.0.0.1 (fakeremote); memory is the peak the kernel counted for the command's
process.
"""

from __future__ import annotations

import gzip
import json
import os
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from sharing.tests.fakeremote import Answer, FakeRemote, Hostile, endless, pages, trickle
from statsservice.testing.live import Instance, free_port
from statsservice.testing.seed import daily_batch, record

pytestmark = pytest.mark.live

MiB = 1024 * 1024
TODAY = timezone.localdate()
DAY = (TODAY - timedelta(days=1)).isoformat()
# Quick failures: no retry, short timeouts.
QUICK = {"SHARING_HTTP_RETRIES": "0", "SHARING_HTTP_READ_TIMEOUT": "5"}


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    instance = Instance("hostile", workdir=tmp_path_factory.mktemp("hostile"), workers=1)
    with instance:
        instance.start()
        yield instance


def one_line_error(done) -> str:
    """The command failed as an operator should see it: exit 1, one line on stderr."""
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def stats_count(node: Instance, client_uuid: str) -> int:
    out = node.manage(
        "shell",
        "-c",
        "from stats.models import Stats; "
        f"print(Stats.objects.filter(analysis__client__uuid='{client_uuid}').count())",
    ).stdout
    return int(out.strip().splitlines()[-1])


def last_run(node: Instance) -> str:
    return node.manage("stats_push", "--status", "--limit", "1").stdout


def pull(node: Instance, client_uuid: str, server: str, **env: str):
    args = ["stats_pull", "--client", client_uuid, "--token=pull-key", "--server", server]
    return node.manage_measured(*args, **(QUICK | env))


# --- Keys stay on their host ----------------------------------------------------------------
def test_no_sharing_command_sends_its_key_to_the_host_a_redirect_names(node):
    local_uuid, local_token = node.create_client("redirected-local")
    node.post_stats(local_token, daily_batch(DAY, [str(uuid.uuid4())]))
    pulled_uuid, _ = node.create_client("redirected-pull", "--remote")
    with FakeRemote([Answer(200, {"data": []})]) as elsewhere:
        moved = Answer(307, headers={"Location": elsewhere.url + "/api/v1/stats/"})
        with FakeRemote([moved]) as remote:
            keyed = {**QUICK, "REMOTE_STATS_TOKEN": "push-key"}
            push = node.manage(
                "stats_push", "--client", local_uuid, "--target", remote.url, check=False, **keyed
            )
            assert push.returncode == 1
            assert "HTTP 307" in push.stderr
            node.manage("client_sharing_deactivate", "--uuid", local_uuid)
            withdraw = node.manage(
                "stats_withdraw",
                "--client",
                local_uuid,
                "--target",
                remote.url,
                check=False,
                **keyed,
            )
            assert "HTTP 307" in one_line_error(withdraw)
            done, _, _ = pull(node, pulled_uuid, remote.url)
            assert "never sent to another host" in one_line_error(done)
            assert {seen.method for seen in remote.seen} == {"POST", "DELETE", "GET"}
            assert {seen.headers["X-API-KEY"] for seen in remote.seen} == {"push-key", "pull-key"}
        assert elsewhere.seen == []


# --- Pulls are bounded ----------------------------------------------------------------------
def test_a_trickling_remote_is_left_at_the_run_deadline_and_the_run_says_why(node):
    pulled_uuid, _ = node.create_client("pull-trickle", "--remote")
    with Hostile(trickle(every=0.2)) as remote:
        done, _, seconds = pull(node, pulled_uuid, remote.url, SHARING_RUN_DEADLINE="3")
    assert "SHARING_RUN_DEADLINE, 3 s) passed" in one_line_error(done)
    # Django's start-up plus the 3 s: the trickle alone would never end.
    assert seconds < 20
    status = last_run(node)
    assert "pull -> " in status
    assert ": failed" in status
    assert "SHARING_RUN_DEADLINE" in status


def test_a_push_to_a_trickling_remote_stops_at_the_run_deadline(node):
    local_uuid, local_token = node.create_client("push-trickle")
    node.post_stats(local_token, daily_batch(DAY, [str(uuid.uuid4())]))
    with Hostile(trickle(every=0.2)) as remote:
        done, _, seconds = node.manage_measured(
            *("stats_push", "--client", local_uuid, "--target", remote.url),
            **QUICK,
            REMOTE_STATS_TOKEN="push-key",
            SHARING_RUN_DEADLINE="3",
        )
    assert done.returncode == 1
    assert "SHARING_RUN_DEADLINE, 3 s) passed" in done.stderr
    assert seconds < 20
    status = last_run(node)
    assert "push -> " in status
    assert ": failed" in status


def fresh_page(limit: int) -> list[dict]:
    return [
        {**record("risk", DAY, str(uuid.uuid4())), "uuid": str(uuid.uuid4())} for _ in range(limit)
    ]


def test_full_pages_without_a_count_stop_at_the_page_cap(node):
    pulled_uuid, _ = node.create_client("pull-endless", "--remote")
    with Hostile(pages(fresh_page)) as remote:
        done, _, _ = pull(
            node,
            pulled_uuid,
            remote.url,
            SHARING_PULL_PAGE_SIZE="2",
            SHARING_PULL_MAX_PAGES="5",
        )
        asked = len(remote.seen)
    assert "stopped after 5 pages (SHARING_PULL_MAX_PAGES)" in one_line_error(done)
    assert asked == 5
    assert "shared_only=true" in remote.seen[0].path
    assert ": failed" in last_run(node)
    # The pages read before the cap are kept (each stored whole), as after any failed pull.
    assert stats_count(node, pulled_uuid) == 10


def test_a_page_that_brings_nothing_new_ends_the_pull(node):
    pulled_uuid, _ = node.create_client("pull-loop", "--remote")
    same = fresh_page(3)
    with Hostile(pages(lambda limit: same)) as remote:
        done, _, _ = pull(node, pulled_uuid, remote.url, SHARING_PULL_PAGE_SIZE="3")
        asked = len(remote.seen)
    assert "brings no record not already read" in one_line_error(done)
    assert asked == 2
    assert "paging loops" in last_run(node)


def test_a_huge_answer_is_refused_within_bounded_memory(node):
    pulled_uuid, _ = node.create_client("pull-huge", "--remote")
    unreachable = f"http://127.0.0.1:{free_port()}"
    _, baseline, _ = pull(node, pulled_uuid, unreachable)
    with Hostile(endless(400 * MiB)) as remote:
        done, peak, _ = pull(node, pulled_uuid, remote.url)
    assert "larger than 67108864 bytes" in one_line_error(done)
    # The default cap (64 MiB) read, and nothing near the 400 MB sent.
    assert peak - baseline < 64 * MiB + 48 * MiB, (peak, baseline)


# --- Imports are bounded --------------------------------------------------------------------
def export_document(records: list[dict]) -> dict:
    return {
        "format": "statsservice-export",
        "version": 1,
        "source": "http://elsewhere",
        "records": records,
        "count": len(records),
    }


def gzip_bomb(path, expanded: int) -> None:
    """A gzip of many identical members: about 1 KiB per MiB it expands to."""
    member = gzip.compress(b" " * MiB, compresslevel=9)
    with path.open("wb") as out:
        for _ in range(expanded // MiB):
            out.write(member)


def test_a_gzip_bomb_is_refused_within_bounded_memory(node, tmp_path):
    target_uuid, _ = node.create_client("import-bomb", "--remote")
    bomb = tmp_path / "bomb.json.gz"
    gzip_bomb(bomb, 1024 * MiB)
    assert bomb.stat().st_size < 2 * MiB
    _, baseline, _ = node.manage_measured("stats_import", "/nonexistent", "--client", target_uuid)
    done, peak, _ = node.manage_measured("stats_import", str(bomb), "--client", target_uuid)
    assert "holds more than 268435456 bytes (SHARING_IMPORT_MAX_BYTES)" in one_line_error(done)
    # The default limit (256 MiB) read, never the whole GiB.
    assert peak - baseline < 256 * MiB + 64 * MiB, (peak, baseline)
    smaller, peak, _ = node.manage_measured(
        "stats_import", str(bomb), "--client", target_uuid, SHARING_IMPORT_MAX_BYTES=str(8 * MiB)
    )
    assert "holds more than 8388608 bytes" in one_line_error(smaller)
    assert peak - baseline < 32 * MiB, (peak, baseline)


def test_hostile_import_files_fail_in_one_line_and_store_nothing(node, tmp_path):
    target_uuid, _ = node.create_client("import-hostile", "--remote")
    anr = str(uuid.uuid4())
    deep = tmp_path / "deep.json"
    text = json.dumps(export_document([record("risk", DAY, anr, data={"x": "HOLE"})]))
    deep.write_text(text.replace('"HOLE"', "[" * 3000 + "]" * 3000))
    nan = tmp_path / "nan.json"
    compliance = record("compliance", DAY, anr)
    compliance["data"][0]["current"][0]["value"] = float("nan")  # Python's json writes NaN
    nan.write_text(json.dumps(export_document([compliance])))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = {
        str(deep): "nested deeper than 33 levels",
        str(nan): "NaN is not valid JSON",
        "/dev/zero": "/dev/zero is not a regular file",
        str(fifo): "is not a regular file",
        str(tmp_path): "is not a regular file",
    }
    for path, reason in cases.items():
        done, _, seconds = node.manage_measured("stats_import", path, "--client", target_uuid)
        assert reason in one_line_error(done), path
        assert seconds < 30
    assert stats_count(node, target_uuid) == 0
    status = last_run(node)
    assert "import" in status
    assert ": failed" in status


def test_an_import_still_loads_a_valid_gzip_export(node, tmp_path):
    target_uuid, _ = node.create_client("import-valid", "--remote")
    path = tmp_path / "ok.json.gz"
    records = daily_batch(DAY, [str(uuid.uuid4())])
    path.write_bytes(gzip.compress(json.dumps(export_document(records)).encode()))
    node.manage("stats_import", str(path), "--client", target_uuid)
    assert stats_count(node, target_uuid) == 5
