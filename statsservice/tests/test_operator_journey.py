"""The README as a new operator follows it, on a fresh copy of the repository: the quick start
(`scripts/dev.sh run`), then each command of "Pointing MONARC", "Sharing between instances" (by
hand, with a second instance) and "Cron", typed in a shell with nothing exported, against the
real servers they start. And `scripts/dev.sh pair`, which does the sharing steps in one go.

Every command is first looked up, as written, in the README's section (so the two cannot drift);
only the ports (8000, 8001: free ones here) and the `<placeholders>` are replaced. The copy's
`.venv` borrows this one's packages and is marked up to date, so `dev.sh` installs nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from statsservice.testing.live import ROOT, free_port, token_of
from statsservice.testing.seed import daily_batch

pytestmark = pytest.mark.live

README = (ROOT / "README.md").read_text(encoding="utf-8")
UNTRACKED = (".git", ".venv", "var", ".env", "output", "__pycache__", "*_cache", "out")


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 3)
    return README[start : end if end != -1 else None]


def fresh_copy(tmp: Path) -> Path:
    """The repository's files as a clone has them (no .env, no var/), with a ready .venv."""
    clone = tmp / "clone"
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.split(b"\0")
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (an unpacked archive): everything but what git ignores anyway.
        ignored = shutil.ignore_patterns(*UNTRACKED)
        shutil.copytree(ROOT, clone, ignore=ignored, symlinks=True)
    else:
        for name in filter(None, (item.decode() for item in listed)):
            source = ROOT / name
            if source.is_file():
                (clone / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, clone / name)
    venv = Path(sys.prefix)
    (clone / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(venv / "pyvenv.cfg", clone / ".venv" / "pyvenv.cfg")
    (clone / ".venv" / "lib").symlink_to(venv / "lib")
    for program in ("python", "python3"):
        (clone / ".venv" / "bin" / program).symlink_to(venv / "bin" / "python")
    requirements = b"".join(
        (clone / f).read_bytes() for f in ("requirements.txt", "requirements-dev.txt")
    )
    (clone / ".venv" / ".requirements.sha").write_text(
        hashlib.sha256(requirements).hexdigest() + "\n"
    )
    return clone


class Shell:
    """A new shell in the copy for each command: PATH and HOME only, nothing exported."""

    def __init__(self, clone: Path, ports: dict[str, int], path_prefix: str = "") -> None:
        self.clone = clone
        self.ports = ports
        self.env = {
            "PATH": path_prefix + os.environ["PATH"],
            "HOME": str(clone.parent / "home"),
        }
        self.servers: list[subprocess.Popen[bytes]] = []

    def typed(self, command: str, where: str) -> str:
        """`command` as the README's section `where` writes it, with this test's ports."""
        assert command in section(where), f"not in the README's {where!r}: {command}"
        for written, port in self.ports.items():
            command = command.replace(written, str(port))
        return command

    def run(
        self,
        command: str,
        where: str,
        *,
        stdin: str | None = None,
        ok: bool = True,
        fill: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `command` as written in `where`, its `fill` (placeholder: value) replaced."""
        typed = self.typed(command, where)
        for placeholder, value in (fill or {}).items():
            typed = typed.replace(placeholder, value)
        done = subprocess.run(  # the README's own commands
            ["bash", "-c", typed],
            cwd=self.clone,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if ok:
            assert done.returncode == 0, f"{typed}\n{done.stdout}\n{done.stderr}"
        return done

    def serve(self, command: str, where: str, url: str, log: Path, *, address: str = "") -> None:
        typed = self.typed(command, where)
        if address:
            typed = f"ADDRESS=127.0.0.1:{self.ports[address]} {typed}"
        with log.open("wb") as out:
            server = subprocess.Popen(
                ["bash", "-c", typed],
                cwd=self.clone,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.servers.append(server)
        wait_for(url, server, log)

    def close(self) -> None:
        for server in self.servers:
            stop(server)


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def http(method: str, url: str, body=None, token: str | None = None) -> tuple[int, object]:
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "MONARC/2.14.1",
            **({"X-API-KEY": token} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


def fake_crontab(directory: Path) -> None:
    """A `crontab` program (cron "installed"): `-l` prints the table, `crontab FILE` sets it."""
    directory.mkdir(parents=True, exist_ok=True)
    table = directory / "table"
    program = directory / "crontab"
    program.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-l" ]; then cat "{table}" 2>/dev/null; exit 0; fi\n'
        f'cp "$1" "{table}"\n'
    )
    program.chmod(0o755)


def uuid_of(client_list: str, name: str) -> str:
    return next(line.split()[0] for line in client_list.splitlines() if f"  {name} " in line)


@pytest.fixture(scope="module")
def journey(tmp_path_factory) -> Iterator[Shell]:
    tmp = tmp_path_factory.mktemp("journey")
    clone = fresh_copy(tmp)
    ports = {"8000": free_port(), "8001": free_port()}
    shell = Shell(clone, ports)
    try:
        yield shell
    finally:
        shell.close()


def test_the_readme_from_the_quick_start_to_cron(journey):
    shell = journey
    local = f"http://127.0.0.1:{shell.ports['8000']}"
    remote = f"http://127.0.0.1:{shell.ports['8001']}"

    # Quick start, on a free port through ADDRESS (README), as port 8000 may be taken here.
    assert "ADDRESS=127.0.0.1:" in section("Quick start")
    shell.serve("scripts/dev.sh run", "Quick start", local, shell.clone / "run.log", address="8000")
    assert (shell.clone / ".env").is_file()
    first_run = (shell.clone / "run.log").read_text()
    assert "manage.py changepassword admin" in first_run
    assert "Stored 5400 records" in first_run

    # Pointing MONARC: a client made in a plain shell, used by MONARC against the server.
    out = shell.run(
        '.venv/bin/python manage.py client_create --name "MONARC FO 1"', "Pointing MONARC"
    ).stdout
    token = token_of(out)
    status, me = http("GET", f"{local}/api/v1/client/me", token=token)
    assert status == 200 and me["token"] == token
    batch = daily_batch("2026-11-30", ["0b1c2d3e-0000-4000-8000-000000000001"])
    assert http("POST", f"{local}/api/v1/stats/", batch, token=token)[0] == 201

    # Sharing, by hand: a second instance, the remote clients, the tokens, a check, a push.
    where = "Sharing between instances"
    shell.serve(
        "DEMO=0 ENV_FILE=var/global/.env ADDRESS=127.0.0.1:8001 scripts/dev.sh run",
        where,
        remote,
        shell.clone / "global.log",
    )
    shell.run('echo "REMOTE_STATS_SERVER=http://127.0.0.1:8001" >> .env', where)
    clients = shell.run(".venv/bin/python manage.py client_list", where).stdout
    create = (
        "ENV_FILE=var/global/.env .venv/bin/python manage.py client_create --remote "
        '--name "demo-1 at local"'
    )
    set_token = ".venv/bin/python manage.py sharing_token_set --client <uuid of demo-1>"
    for name in ("demo-1", "demo-2", "demo-3"):
        created = shell.run(create, where, fill={"demo-1": name}).stdout
        uuid = uuid_of(clients, name)
        shell.run(set_token, where, stdin=token_of(created) + "\n", fill={"<uuid of demo-1>": uuid})
    check = shell.run(".venv/bin/python manage.py stats_push --check", where).stdout
    assert "Check: 3 ok, 1 not configured, 0 failed." in check, check
    pushed = shell.run(".venv/bin/python manage.py stats_push", where).stdout
    assert "Pushed 5400 records" in pushed and "run #1 success" in pushed, pushed
    assert "'MONARC FO 1'" in pushed  # not configured, and no failure
    status, threats = http("GET", f"{remote}/stats/threats.json")
    assert status == 200 and threats, "the global dashboard shows the shared data"
    with urllib.request.urlopen(f"{local}/about/", timeout=30) as page:
        assert remote in page.read().decode()

    # Cron: without a crontab program the commands fail and say why; with one they work.
    where = "Cron"
    missing = shell.run(".venv/bin/python manage.py crontab show", where, ok=False)
    assert missing.returncode == 1 and "is not installed" in missing.stderr
    fake_crontab(shell.clone.parent / "cron")
    shell.env["PATH"] = f"{shell.clone.parent / 'cron'}:{shell.env['PATH']}"
    shell.run(".venv/bin/python manage.py crontab add", where)
    shown = shell.run(".venv/bin/python manage.py crontab show", where).stdout
    assert "stats_push" in shown
    shell.run(".venv/bin/python manage.py crontab remove", where)


def test_dev_sh_pair_leaves_a_global_dashboard_with_the_local_data(tmp_path):
    clone = fresh_copy(tmp_path)
    ports = [free_port(), free_port()]
    log = tmp_path / "pair.log"
    with log.open("wb") as out:
        pair = subprocess.Popen(
            [
                "scripts/dev.sh", "pair", "--local-port", str(ports[0]),
                "--global-port", str(ports[1]), "--demo-days", "7",
            ],
            cwd=clone,
            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while "Ctrl-C stops both" not in log.read_text():
            assert pair.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        assert "Check: 3 ok, 0 not configured, 0 failed." in text
        assert re.search(r"Pushed 420 records .* run #1 success", text), text
        _, threats = http("GET", f"http://127.0.0.1:{ports[1]}/stats/threats.json")
        assert threats, "the global dashboard shows the local instance's data"
    finally:
        stop(pair)
    assert pair.returncode == 0
    for port in ports:
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
