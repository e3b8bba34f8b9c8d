"""Real service processes for tests: a fresh database, migrations, and gunicorn on 127.0.0.1."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database_url(tmp_path: Path, name: str) -> tuple[str, callable]:
    """A new empty database of the kind the suite runs on, and a function that drops it."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}", lambda: None
    db_name = f"live_{name}_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(base)
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def execute(sql: str) -> None:
        conn = psycopg2.connect(admin_url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
        conn.close()

    execute(f'CREATE DATABASE "{db_name}"')
    return urlunsplit(parts._replace(path="/" + db_name)), lambda: execute(
        f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'
    )


class LiveInstance:
    """One instance of the service, configured only through the environment, as in production."""

    def __init__(self, database_url: str, **extra_env: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            **extra_env,
        }
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def create_client(self, name: str, *extra: str) -> str:
        output = self.manage("client_create", "--name", name, *extra).stdout
        return next(
            line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("token")
        )

    def start(self) -> LiveInstance:
        self.manage("migrate", "--noinput")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "statsservice.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
