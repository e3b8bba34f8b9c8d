"""A sharing pair on this machine: a local and a global instance, wired, one push done.

    scripts/dev.sh pair [--local-port 8000] [--global-port 8001] [--dir var/pair]

Each instance has its own settings file, `<dir>/<name>/.env` (DEBUG=1, its own SECRET_KEY and
VAR_DIR, so its own SQLite database). The steps are those of the README's "Sharing between
instances" section, each printed as the command an operator would type:

1. the local instance gets the demo dataset (once) and REMOTE_STATS_SERVER = the global one;
2. on the global instance, one `client_create --remote` per local client that shares (re-runs
   rotate its token instead);
3. on the local instance, `sharing_token_set` stores each token (read from stdin);
4. both serve (runserver), `stats_push --check` then `stats_push` run on the local instance;
5. both URLs are printed; Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statsservice import envfile  # noqa: E402 - after the project is on the path

PYTHON = ".venv/bin/python"


class Node:
    """One instance: its settings file and the manage.py commands run with it."""

    def __init__(self, name: str, env_file: Path, port: int) -> None:
        self.name = name
        self.env_file = env_file
        self.port = port
        self.server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def shown_env_file(self) -> str:
        try:
            return str(self.env_file.relative_to(ROOT))
        except ValueError:
            return str(self.env_file)

    def manage(self, *args: str, stdin: str | None = None, quiet: bool = False) -> str:
        shown = " ".join(shlex.quote(a) for a in args)
        print(f"$ ENV_FILE={self.shown_env_file()} {PYTHON} manage.py {shown}", flush=True)
        env = {**os.environ, "ENV_FILE": str(self.env_file)}
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if not quiet and done.stdout.strip():
            print("  " + done.stdout.strip().replace("\n", "\n  "), flush=True)
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: manage.py {shown} failed:\n{done.stderr}")
        return done.stdout

    def serve(self, log: Path) -> None:
        env = {**os.environ, "ENV_FILE": str(self.env_file)}
        with log.open("ab") as out:
            self.server = subprocess.Popen(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SystemExit(f"{self.name}: the server exited; see {log}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise SystemExit(f"{self.name}: the server did not answer on {self.url}; see {log}")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=30)


def set_line(file: Path, name: str, value: str) -> None:
    """NAME=value in the settings file, replacing an earlier line for NAME."""
    lines = [
        line
        for line in file.read_text(encoding="utf-8").splitlines()
        if not line.startswith(f"{name}=")
    ]
    file.write_text("\n".join([*lines, f"{name}={value}"]) + "\n", encoding="utf-8")


def clients(node: Node) -> list[dict[str, str]]:
    """`client_list` parsed: uuid, name, role, sharing, kind (local/remote)."""
    found = []
    for line in node.manage("client_list", quiet=True).splitlines():
        parts = line.split("  ")
        fields = [p.strip() for p in parts if p.strip()]
        if len(fields) < 5 or not fields[2].startswith("role="):
            continue
        found.append(
            {
                "uuid": fields[0],
                "name": fields[1],
                "role": fields[2].removeprefix("role="),
                "sharing": fields[3].removeprefix("sharing="),
                "kind": fields[4],
            }
        )
    return found


def token_of(output: str) -> str:
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("token"))


def wire(local: Node, remote: Node) -> int:
    """A remote client per sharing local client, its token stored on the local instance."""
    existing = {c["name"]: c["uuid"] for c in clients(remote)}
    wired = 0
    for client in clients(local):
        if client["role"] != "user" or client["sharing"] != "on" or client["kind"] != "local":
            continue
        remote_name = f"{client['name']} at local"
        if remote_name in existing:
            out = remote.manage("client_rotate_token", "--uuid", existing[remote_name], quiet=True)
        else:
            out = remote.manage("client_create", "--remote", "--name", remote_name, quiet=True)
        token = token_of(out)
        local.manage("sharing_token_set", "--client", client["uuid"], stdin=token + "\n")
        wired += 1
    return wired


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--local-port", type=int, default=8000)
    parser.add_argument("--global-port", type=int, default=8001)
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "pair")
    parser.add_argument("--demo-days", default="90", help="days of demo data (90)")
    args = parser.parse_args()
    base = args.dir if args.dir.is_absolute() else ROOT / args.dir
    local = Node("local", base / "local" / ".env", args.local_port)
    remote = Node("global", base / "global" / ".env", args.global_port)
    for node in (local, remote):
        print(envfile.init(node.env_file))
    set_line(local.env_file, "REMOTE_STATS_SERVER", remote.url)
    print(f"Set REMOTE_STATS_SERVER={remote.url} in {local.shown_env_file()}")
    for node in (local, remote):
        node.manage("migrate", "--noinput", quiet=True)
        node.manage("bootstrap_dev")
    local.manage(
        "generate_demo_stats", "--days", args.demo_days, "--days-per-batch", "7", "--if-empty"
    )
    wired = wire(local, remote)
    try:
        for node in (remote, local):
            node.serve(node.env_file.parent / "runserver.log")
        local.manage("stats_push", "--check")
        local.manage("stats_push")
        print(
            f"\nReady: {wired} local client(s) share with the global instance.\n"
            f"  local instance:  {local.url}/  (admin: {local.url}/admin/)\n"
            f"  global instance: {remote.url}/  (its dashboard shows the local one's data)\n"
            "Ctrl-C stops both.",
            flush=True,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while all(
            node.server is not None and node.server.poll() is None for node in (local, remote)
        ):
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for node in (local, remote):
            node.stop()


if __name__ == "__main__":
    sys.exit(main())
