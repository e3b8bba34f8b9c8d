"""Real instances of this service on 127.0.0.1 for the end-to-end sharing tests.

Each instance has its own database (a SQLite file, or a PostgreSQL database created and dropped
here when the suite runs on PostgreSQL), is migrated, served by gunicorn with DEBUG=0, and runs
management commands as separate processes, exactly as cron would.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils import timezone

from stats.models import StatsType
from statsservice.http import RemoteClient

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60
COMMAND_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresDatabases:
    """Create/drop scratch databases on the server of the suite's DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.config = dj_database_url.parse(url)
        self.created: list[str] = []

    def _admin(self) -> Any:
        import psycopg2

        conn = psycopg2.connect(
            dbname="postgres",
            user=self.config.get("USER") or None,
            password=self.config.get("PASSWORD") or None,
            host=self.config.get("HOST") or None,
            port=self.config.get("PORT") or None,
        )
        conn.autocommit = True
        return conn

    def create(self, name: str) -> str:
        conn = self._admin()
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        self.created.append(name)
        user = self.config.get("USER") or ""
        password = f":{self.config['PASSWORD']}" if self.config.get("PASSWORD") else ""
        host = self.config.get("HOST") or "127.0.0.1"
        port = self.config.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{name}"

    def drop_all(self) -> None:
        conn = self._admin()
        with conn.cursor() as cur:
            for name in self.created:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


class Instance:
    def __init__(self, name: str, workdir: Path, database_url: str, **env: str) -> None:
        self.name = name
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(workdir)),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "VAR_DIR": str(workdir),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "SHARING_HTTP_RETRIES": "1",
            "SHARING_HTTP_BACKOFF": "0",
            "SHARING_HTTP_READ_TIMEOUT": "20",
            **env,
        }
        self.server: subprocess.Popen | None = None

    # --- processes --------------------------------------------------------------------------
    def manage_async(self, *args: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def manage(self, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"{self.name}: manage.py {' '.join(args)} exited {done.returncode}\n"
                f"{done.stdout}\n{done.stderr}"
            )
        return done

    def start(self, attempts: int = 3) -> None:
        """Serve on a free port; if another process grabbed it meanwhile, try another one."""
        for _ in range(attempts):
            if self._serve():
                return
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        raise AssertionError(f"{self.name} could not bind a port in {attempts} attempts")

    def _serve(self) -> bool:
        log_path = self.workdir / "gunicorn.log"
        log = log_path.open("w")
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "statsservice.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "1",
                "--threads",
                "4",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                log_text = log_path.read_text()
                if "Address already in use" in log_text:
                    return False
                raise AssertionError(f"{self.name} exited: {log_text}")
            # Only trust an answer once gunicorn says it holds the port (not another server).
            if f"Listening at: {self.url}" not in log_path.read_text():
                time.sleep(0.2)
                continue
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/client/me", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # any HTTP answer (401 here) means it is serving
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start in {START_TIMEOUT} s")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    # --- helpers ----------------------------------------------------------------------------
    def create_client(self, name: str, *flags: str) -> tuple[str, str]:
        """(uuid, token) of a new client."""
        token = secrets.token_urlsafe(32)
        out = self.manage("client_create", "--name", name, f"--token={token}", *flags).stdout
        client_uuid = next(line.split()[1] for line in out.splitlines() if line.startswith("uuid:"))
        return client_uuid, token

    def api(self, token: str) -> RemoteClient:
        return RemoteClient(self.url, token=token, retries=0)

    def post_stats(self, token: str, records: list[dict]) -> None:
        with self.api(token) as api:
            api.request("POST", "api/v1/stats/", json=records)

    def me(self, token: str) -> dict:
        with self.api(token) as api:
            return api.request("GET", "api/v1/client/me")[1]

    def stats_of(self, token: str) -> list[dict]:
        """Every record the token's client sees, all types, sorted, as the API returns them."""
        found: list[dict] = []
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        with self.api(token) as api:
            for stats_type in StatsType.values:
                params = {"type": stats_type, "date_from": "2000-01-01", "date_to": tomorrow}
                _, body = api.request("GET", "api/v1/stats/", params=params)
                found.extend(body["data"])
        return sorted(found, key=lambda r: (r["anr"], r["type"], r["date"]))
