"""The service under gunicorn on 127.0.0.1, on a database of its own (tests and benchmarks).

`ServiceDatabase` makes a fresh database: a uniquely named PostgreSQL database on the server of
`DATABASE_URL` when that is PostgreSQL, else a SQLite file in a temporary directory; it migrates
it and creates a client. `Gunicorn` starts the server in its own process group, so that `kill()`
can SIGKILL the master and every worker at once, like a crash.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


class ServiceDatabase:
    def __init__(self, base_url: str | None = None) -> None:
        base_url = base_url if base_url is not None else os.environ.get("DATABASE_URL", "")
        self.is_postgres = base_url.startswith(("postgres://", "postgresql://"))
        self.secret_key = secrets.token_urlsafe(50)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if self.is_postgres:
            self.admin_url = _postgres_admin_url(base_url)
            self.name = f"statsservice_live_{uuid.uuid4().hex[:12]}"
            self.url = urlunsplit(urlsplit(base_url)._replace(path=f"/{self.name}"))
            self._admin_sql(f"CREATE DATABASE {self.name}")
        else:
            self._tmp = tempfile.TemporaryDirectory(prefix="statsservice-live-")
            self.url = f"sqlite:///{self._tmp.name}/db.sqlite3"

    def _admin_sql(self, sql: str) -> None:
        import psycopg2

        connection = psycopg2.connect(self.admin_url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "SECURE_"))}
        env.update(
            DATABASE_URL=self.url,
            DEBUG="0",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            LOG_LEVEL="WARNING",
            AUTH_FAILURE_RATE="",
        )
        env.update(extra)
        return env

    def manage(self, *args: str, **env: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def prepare(self, clients: int = 1) -> list[str]:
        """Migrate and create `clients` clients; returns their tokens."""
        self.manage("migrate", "--noinput")
        tokens = [secrets.token_urlsafe(32) for _ in range(clients)]
        script = (
            "import os\n"
            "from clients.services import create_client\n"
            "for i, token in enumerate(os.environ['LIVE_TOKENS'].split(',')):\n"
            "    create_client(name=f'live-{i}', token=token)\n"
        )
        self.manage("shell", "-c", script, LIVE_TOKENS=",".join(tokens))
        return tokens

    def drop(self) -> None:
        if self.is_postgres:
            self._admin_sql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        elif self._tmp is not None:
            self._tmp.cleanup()


class Gunicorn:
    def __init__(self, database: ServiceDatabase, *, workers: int = 1, **env: str) -> None:
        self.database = database
        self.port = free_port()
        self.workers = workers
        self.extra_env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> Gunicorn:
        env = self.database.env(
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(self.workers),
            **self.extra_env,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                try:
                    # Any answer means it serves (outside SCRIPT_NAME it is not even JSON).
                    connection.request("GET", "/api/v1/stats/processed/list")
                    connection.getresponse().read()
                    return self
                finally:
                    connection.close()
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer in time")

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers) and reap the master."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.process = None

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        timeout: float = 60,
    ) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"User-Agent": "MONARC/2.14.1"}
            payload = None
            if token:
                headers["X-API-KEY"] = token
            if body is not None:
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            connection.close()
