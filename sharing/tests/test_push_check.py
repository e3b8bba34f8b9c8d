"""`stats_push --check` and how a push treats unconfigured clients, against a real global instance
(gunicorn) with each misconfiguration an operator can make."""

from __future__ import annotations

import re
import uuid

import pytest

from statsservice.testing.live import Instance, free_port
from statsservice.testing.seed import daily_batch

pytestmark = pytest.mark.live


class Setup:
    def __init__(self, local: Instance, remote: Instance) -> None:
        self.local = local
        self.remote = remote
        self.uuids: dict[str, str] = {}
        self.tokens: dict[str, str] = {}

    def local_client(self, name: str, remote_token: str | None, *, target: str = "") -> None:
        client_uuid, token = self.local.create_client(name)
        self.uuids[name] = client_uuid
        self.tokens[name] = token
        if remote_token is not None:
            target_args = ["--target", target] if target else []
            self.local.manage(
                "sharing_token_set",
                "--client",
                client_uuid,
                f"--token={remote_token}",
                *target_args,
            )


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("push-check")
    with (
        Instance("global", workdir=tmp / "global", workers=1) as remote,
        Instance("local", workdir=tmp / "local", workers=1, SHARING_HTTP_RETRIES="0") as local,
    ):
        remote.start()
        local.env["REMOTE_STATS_SERVER"] = remote.url
        # The first-run admin client (sharing off) and another admin with sharing on: neither
        # is a MONARC instance, neither is ever shared.
        local.manage("bootstrap_dev")
        local.create_client("ops admin", "--role", "admin")
        s = Setup(local, remote)
        _, good = remote.create_client("FO good at local", "--remote")
        _, admin_there = remote.create_client("an admin there", "--role", "admin")
        _, local_there = remote.create_client("a local client there")
        s.local_client("FO good", good)
        s.local_client("FO no token", None)
        s.local_client("FO wrong token", "x" * 40)
        s.local_client("FO admin there", admin_there)
        s.local_client("FO local there", local_there)
        local.start()
        for name in ("FO good", "FO wrong token"):
            local.post_stats(s.tokens[name], daily_batch("2026-11-20", [str(uuid.uuid4())]))
        yield s


def check_lines(output: str) -> dict[str, str]:
    """client name -> the rest of its line."""
    return dict(re.findall(r"^  (.+?) \([0-9a-f-]{36}\): (.*)$", output, flags=re.MULTILINE))


def test_the_check_says_what_is_wrong_with_each_sharing_client(setup):
    done = setup.local.manage("stats_push", "--check", check=False)
    lines = check_lines(done.stdout)
    assert set(lines) == {
        "FO good",
        "FO no token",
        "FO wrong token",
        "FO admin there",
        "FO local there",
    }, done.stdout
    assert lines["FO good"].startswith("ok: sends as 'FO good at local' (user, remote, sharing on")
    assert lines["FO no token"].startswith("not configured: no remote token (sharing_token_set")
    assert lines["FO wrong token"].startswith("FAILED: the remote refuses the token (HTTP 403")
    assert "role 'admin' there" in lines["FO admin there"]
    assert lines["FO admin there"].startswith("FAILED")
    assert "a local client there" in lines["FO local there"]
    assert lines["FO local there"].startswith("FAILED")
    assert done.returncode == 1
    assert "Check: 1 ok, 1 not configured, 3 failed." in done.stderr


def test_the_check_reports_a_remote_that_does_not_answer(setup):
    down = f"http://127.0.0.1:{free_port()}"
    setup.local.manage(
        "sharing_token_set", "--client", setup.uuids["FO good"], "--token", "y" * 40,
        "--target", down,
    )  # fmt: skip
    try:
        done = setup.local.manage("stats_push", "--check", "--target", down, check=False)
        lines = check_lines(done.stdout)
        assert lines["FO good"].startswith("FAILED: the remote does not answer"), done.stdout
        assert lines["FO no token"].startswith("not configured")
        assert done.returncode == 1
        # Without --target: REMOTE_STATS_SERVER and every target with a stored token.
        every = setup.local.manage("stats_push", "--check", check=False).stdout
        assert f"{setup.remote.url}: 5 client(s)" in every
        assert f"{down}: 5 client(s)" in every
    finally:
        setup.local.manage(
            "sharing_token_set", "--client", setup.uuids["FO good"], "--unset", "--target", down
        )


def test_a_client_without_a_token_does_not_fail_the_push(setup):
    done = setup.local.manage(
        "stats_push", "--client", setup.uuids["FO good"], "--client", setup.uuids["FO no token"]
    )
    assert "Pushed 5 records" in done.stdout
    assert "for 1 clients" in done.stdout
    assert "Not configured (sharing on, no remote token" in done.stdout
    assert "'FO no token'" in done.stdout


def test_a_push_exits_1_only_when_a_send_failed(setup):
    done = setup.local.manage("stats_push", check=False)
    assert done.returncode == 1
    assert "FO wrong token" in done.stderr
    assert "FO no token" not in done.stderr
    assert "ops admin" not in done.stdout + done.stderr


def test_an_admin_client_is_never_pushed_on_request(setup):
    admin_uuid = next(
        line.split()[0]
        for line in setup.local.manage("client_list").stdout.splitlines()
        if "ops admin" in line
    )
    done = setup.local.manage("stats_push", "--client", admin_uuid, check=False)
    assert done.returncode == 1
    assert "is an admin client" in done.stderr


def test_a_target_without_tokens_is_a_clear_error(setup):
    elsewhere = "https://stats.example.org"
    for command in ("stats_push", "stats_withdraw"):
        args = [command, "--target", elsewhere]
        if command == "stats_withdraw":
            args += ["--client", setup.uuids["FO good"]]
            setup.local.manage("client_sharing_deactivate", "--uuid", setup.uuids["FO good"])
        done = setup.local.manage(*args, check=False)
        assert done.returncode == 1
        assert f"No remote token is stored for {elsewhere}, only for {setup.remote.url}" in (
            done.stderr
        )
    setup.local.manage("client_sharing_activate", "--uuid", setup.uuids["FO good"])
