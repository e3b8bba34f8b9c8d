"""A throwaway PostgreSQL primary and a streaming replica of it on 127.0.0.1, made with the
server's own tools (initdb, pg_basebackup -R, pg_ctl), for the scale-out test.

    with ReplicatedPair() as pair:        # both running, the replica following the primary
        pair.primary.url("app")           # postgres://postgres@127.0.0.1:<port>/app
        pair.wait_replayed()              # the replica has replayed all the primary wrote

PostgreSQL refuses to run as root: when this process is root, every server tool runs as the
`postgres` system user, which owns the temporary directory. Like live.py, nothing here imports
Django.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Self

from statsservice.testing.live import HOST, free_port

TOOLS = ("initdb", "pg_basebackup", "pg_ctl", "postgres")
SUPERUSER = "postgres"
WAIT_TIMEOUT = 60.0


def find_bindir() -> Path | None:
    """The directory holding the server tools: PG_BINDIR, PATH, or the newest Debian install."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(debian)
    for directory in candidates:
        if all((directory / tool).is_file() for tool in TOOLS):
            return directory
    return None


def missing_reason() -> str | None:
    """Why no cluster can be made here, or None."""
    if find_bindir() is None:
        return "PostgreSQL server tools (initdb, pg_basebackup, pg_ctl) not found; set PG_BINDIR"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            return "running as root and there is no 'postgres' system user to run the server as"
    return None


def _scalar(url: str, sql: str, params: tuple[Any, ...] = ()) -> Any:
    import psycopg2

    connection = psycopg2.connect(url, connect_timeout=10)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if cursor.description is None:
                return None
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        connection.close()


class Cluster:
    """One data directory and the server running on it."""

    def __init__(self, bindir: Path, root: Path, name: str) -> None:
        self.bindir = bindir
        self.root = root
        self.name = name
        self.datadir = root / name
        self.logfile = root / f"{name}.log"
        self.port = free_port()
        self.running = False

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(  # noqa: S603 - the server's own tools
            command, cwd=self.root, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{tool} {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
                f"\n{self.log_text()[-3000:]}"
            )

    def log_text(self) -> str:
        return self.logfile.read_text(errors="replace") if self.logfile.exists() else ""

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def scalar(self, sql: str, *params: Any) -> Any:
        return _scalar(self.url(), sql, params)

    def init(self) -> None:
        # Trust on 127.0.0.1 only (the default pg_hba.conf also lets replication connect).
        self.run("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8")

    def start(self) -> None:
        # Durability is not the point of a scratch cluster: fsync off keeps it quick.
        options = (
            f"-p {self.port} -c listen_addresses={HOST} -c unix_socket_directories={self.root} "
            "-c fsync=off -c full_page_writes=off -c shared_buffers=32MB"
        )
        self.run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            str(int(WAIT_TIMEOUT)),
            "-D",
            str(self.datadir),
            "-l",
            str(self.logfile),
            "-o",
            options,
        )
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.datadir))
            self.running = False

    def clone_of(self, primary: Cluster) -> None:
        """This data directory as a standby of `primary` (standby.signal, primary_conninfo)."""
        self.run(
            "pg_basebackup",
            "-D",
            str(self.datadir),
            "-h",
            HOST,
            "-p",
            str(primary.port),
            "-U",
            SUPERUSER,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )


class ReplicatedPair:
    """A primary and one streaming replica in a temporary directory, removed on exit."""

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(missing_reason())
        self.root = Path(tempfile.mkdtemp(prefix="statsservice-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.primary = Cluster(bindir, self.root, "primary")
        self.replica = Cluster(bindir, self.root, "replica")

    def __enter__(self) -> Self:
        try:
            self.primary.init()
            self.primary.start()
            self.replica.clone_of(self.primary)
            self.replica.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for cluster in (self.replica, self.primary):
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def lag(self) -> tuple[str, str]:
        """(the primary's current WAL position, the replica's last replayed one)."""
        return (
            self.primary.scalar("SELECT pg_current_wal_lsn()::text"),
            self.replica.scalar("SELECT pg_last_wal_replay_lsn()::text"),
        )

    def wait_replayed(self, timeout: float = WAIT_TIMEOUT) -> None:
        """Until the replica has replayed everything the primary had written when called."""
        target = self.primary.scalar("SELECT pg_current_wal_lsn()::text")
        self._wait(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
            target,
            timeout=timeout,
            what=f"replay up to {target}",
        )

    def pause_replay(self, timeout: float = WAIT_TIMEOUT) -> None:
        self.replica.scalar("SELECT pg_wal_replay_pause()")
        self._wait(
            "SELECT pg_get_wal_replay_pause_state() = 'paused'", timeout=timeout, what="pause"
        )

    def resume_replay(self) -> None:
        self.replica.scalar("SELECT pg_wal_replay_resume()")

    def _wait(self, sql: str, *params: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not self.replica.scalar(sql, *params):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica did not {what} in {timeout} s: {self.lag()}")
            time.sleep(0.05)
