"""A whole instance for tests and benchmarks that drive it from outside: its own database
(liveserver.ServiceDatabase), gunicorn (liveserver.Gunicorn), and the manage.py commands an
operator would run, all configured only through the environment."""

from __future__ import annotations

from statsservice.tests.liveserver import BASE_DIR as ROOT
from statsservice.tests.liveserver import Gunicorn, ServiceDatabase

__all__ = ["ROOT", "LiveInstance"]


class LiveInstance:
    def __init__(self, *, workers: int = 2, **extra_env: str) -> None:
        self.database = ServiceDatabase()
        self.extra_env = extra_env
        self.server = Gunicorn(self.database, workers=workers, **extra_env)
        self.port = self.server.port
        self.base_url = f"http://127.0.0.1:{self.port}"

    @property
    def is_postgres(self) -> bool:
        return self.database.is_postgres

    def manage(self, *args: str) -> str:
        return self.database.manage(*args, **self.extra_env)

    def create_client(self, name: str, *extra: str) -> str:
        """Create a client with `client_create`, as an operator would; returns its token."""
        output = self.manage("client_create", "--name", name, *extra)
        return next(
            line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("token")
        )

    def start(self) -> LiveInstance:
        self.manage("migrate", "--noinput")
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def drop(self) -> None:
        """Stop the server and remove its database."""
        self.stop()
        self.database.drop()
