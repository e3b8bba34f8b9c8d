"""Whole instances of the service on 127.0.0.1, for the tests, benchmarks and scripts that drive
it from outside, configured only through the environment as in production.

- `ScratchDatabase`: a database of its own, a SQLite file or a PostgreSQL database created (and
  dropped) on the server of the configured DATABASE_URL.
- `manage()` / `manage_async()`: manage.py commands as separate processes, as cron runs them.
- `Gunicorn`: the server on a free port, in its own process group (so that `kill()` is a crash
  of the master and every worker at once), its output captured in a log file.
- `Instance`: one of each, with the operator's commands and a few API calls.

Nothing here imports Django or the apps: benchmarks use it before any settings exist.
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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
MONARC_AGENT = "MONARC/2.14.1"
START_TIMEOUT = 60.0
COMMAND_TIMEOUT = 300.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


class ScratchDatabase:
    """A database named `<configured name>_<label>` next to the one of `base_url` (default: the
    DATABASE_URL of the environment) when that is PostgreSQL, else the SQLite file
    `<directory>/<label>.sqlite3` (default directory: a new temporary one)."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        label: str | None = None,
        directory: Path | None = None,
    ) -> None:
        base_url = os.environ.get("DATABASE_URL", "") if base_url is None else base_url
        label = label or f"live_{secrets.token_hex(6)}"
        self.is_postgres = _is_postgres(base_url)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if self.is_postgres:
            parts = urlsplit(base_url)
            self.name = f"{parts.path.lstrip('/')}_{label}"
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self._admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.path: Path | None = None
        else:
            if directory is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="statsservice-live-")
                directory = Path(self._tmp.name)
            self.name = label
            self.path = directory / f"{label}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin_sql(self, sql: str) -> None:
        import psycopg2

        connection = psycopg2.connect(self._admin_url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def create(self) -> Self:
        """An empty database, whatever a previous run left under the same name."""
        self._remove()
        if self.is_postgres:
            self._admin_sql(f'CREATE DATABASE "{self.name}"')
        else:
            assert self.path is not None
            self.path.parent.mkdir(parents=True, exist_ok=True)
        return self

    def _remove(self) -> None:
        if self.is_postgres:
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def drop(self) -> None:
        self._remove()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        return self.create()

    def __exit__(self, *exc: object) -> None:
        self.drop()


def service_env(database_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    """A production environment (DEBUG off) on `database_url`, and nothing of this process's
    own environment but PATH and HOME (nor of a local .env file)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "ENV_FILE": "",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": f"{HOST},localhost",
    }
    env.update(extra)
    return env


class ManageFailed(RuntimeError):
    pass


def manage(
    env: Mapping[str, str],
    *args: str,
    check: bool = True,
    timeout: float | None = COMMAND_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run `manage.py *args` in `env`; ManageFailed with its output if it fails and `check`."""
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise ManageFailed(
            f"manage.py {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done


def manage_async(env: Mapping[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# Runs argv[2:] in a child forked from this small interpreter and writes the child's peak RSS
# to argv[1]. Measuring from the test process itself would not do: a child spawned by a large
# process starts its high-water mark at its parent's size.
_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def manage_measured(
    env: Mapping[str, str], *args: str, timeout: float = COMMAND_TIMEOUT
) -> tuple[subprocess.CompletedProcess[str], int, float]:
    """Run `manage.py *args` in `env` (whatever its exit status): its outcome, its peak resident
    memory in bytes as the kernel counted it for that process alone, and its seconds."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "-c", _MEASURE, rss.name, "manage.py", *args],
            cwd=ROOT,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
        seconds = time.monotonic() - started
        # Linux counts ru_maxrss in kibibytes.
        peak = int(rss.read() or 0) * 1024
    done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done, peak, seconds


def token_of(output: str) -> str:
    """The token that client_create or client_rotate_token printed."""
    return next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("token"))


class Gunicorn:
    """gunicorn (gunicorn.conf.py, plus the given arguments) serving `env` on 127.0.0.1.

    `env` is read at each start, so a caller may still change it between starts.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        workers: int = 1,
        args: Sequence[str] = (),
        log: Path | None = None,
    ) -> None:
        self.env = env
        self.workers = workers
        self.args = list(args)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if log is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="statsservice-gunicorn-")
            log = Path(self._tmp.name) / "gunicorn.log"
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self, timeout: float = START_TIMEOUT, attempts: int = 3) -> Self:
        """Serve, once gunicorn answers; on a port another process took meanwhile, another."""
        for _ in range(attempts):
            if self._serve(timeout):
                return self
            self.port = free_port()
        raise RuntimeError(f"gunicorn could not bind a port in {attempts} attempts")

    def _serve(self, timeout: float) -> bool:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own server
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    *("--bind", f"{HOST}:{self.port}", "--workers", str(self.workers)),
                    *self.args,
                ],
                cwd=ROOT,
                env=dict(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = self.log_text()
                self.process = None
                if "Address already in use" in text:
                    return False
                raise RuntimeError(f"gunicorn exited:\n{text[-3000:]}")
            # Only an answer after gunicorn says it holds the port is ours, not another server's.
            if f"Listening at: {self.url}" in self.log_text() and self._answers():
                return True
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log_text()[-3000:]}")

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            # Any answer will do: outside a SCRIPT_NAME prefix it is not even JSON.
            connection.request("GET", "/api/v1/stats/processed/list")
            connection.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers), like a crash."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self, timeout: float = 30) -> None:
        """Stop gracefully (SIGTERM to the master), or kill after `timeout` seconds."""
        if self.process is None:
            return
        try:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        timeout: float = 60,
    ) -> tuple[int, Any]:
        """(status, parsed JSON or None), as MONARC calls: JSON bodies, on GET too."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            headers = {"User-Agent": MONARC_AGENT}
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


class Instance:
    """A scratch database, the environment of a production run on it, and gunicorn serving it.

        with Instance() as live:      # database created and migrated
            live.start()               # gunicorn answers
            _, token = live.create_client("FO 1")

    `env` may be changed (e.g. to point at another instance) until `start()`.
    """

    def __init__(
        self,
        name: str = "live",
        *,
        workdir: Path | None = None,
        base_url: str | None = None,
        workers: int = 2,
        threads: int = 1,
        **env: str,
    ) -> None:
        self.name = name
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix=f"statsservice-{name}-")
            workdir = Path(self._tmp.name)
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.database = ScratchDatabase(
            base_url, label=f"{name}_{secrets.token_hex(4)}", directory=workdir
        )
        defaults = {
            "VAR_DIR": str(workdir),
            "LOG_LEVEL": "WARNING",
            # Tests send bad keys on purpose, all from 127.0.0.1.
            "AUTH_FAILURE_RATE": "",
        }
        self.env = service_env(self.database.url, secrets.token_urlsafe(50), **defaults | env)
        args = ["--threads", str(threads)] if threads > 1 else []
        self.server = Gunicorn(self.env, workers=workers, args=args, log=workdir / "gunicorn.log")

    @property
    def is_postgres(self) -> bool:
        return self.database.is_postgres

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        return self.server.url

    def create(self, *, migrate: bool = True) -> Self:
        self.database.create()
        if migrate:
            self.manage("migrate", "--noinput")
        return self

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def drop(self) -> None:
        """Stop the server, remove the database and the working directory."""
        self.server.close()
        self.database.drop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Self:
        try:
            return self.create()
        except BaseException:
            self.drop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.drop()

    def manage(
        self, *args: str, check: bool = True, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return manage({**self.env, **env}, *args, check=check)

    def manage_async(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return manage_async({**self.env, **env}, *args)

    def manage_measured(
        self, *args: str, **env: str
    ) -> tuple[subprocess.CompletedProcess[str], int, float]:
        return manage_measured({**self.env, **env}, *args)

    def create_client(self, name: str, *flags: str) -> tuple[str, str]:
        """(uuid, token) of a new client made by `client_create`, as an operator would."""
        token = secrets.token_urlsafe(32)
        out = self.manage("client_create", "--name", name, f"--token={token}", *flags).stdout
        client_uuid = next(line.split()[1] for line in out.splitlines() if line.startswith("uuid:"))
        return client_uuid, token

    def call(self, method: str, path: str, body: Any = None, *, token: str) -> Any:
        """The JSON answer of a call that must succeed."""
        status, reply = self.server.request(method, path, body, token=token)
        if not 200 <= status < 300:
            raise RuntimeError(f"{self.name}: {method} {path} answered {status}: {reply}")
        return reply

    def post_stats(self, token: str, records: list[dict[str, Any]]) -> None:
        self.call("POST", "/api/v1/stats/", records, token=token)

    def me(self, token: str) -> dict[str, Any]:
        return self.call("GET", "/api/v1/client/me", token=token)
