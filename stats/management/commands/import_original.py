from typing import Any

import psycopg2
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stats.legacy_import import import_original


class Command(BaseCommand):
    help = (
        "Import the clients and stats of an original (Flask) Stats Service from its PostgreSQL "
        "database. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database-url",
            required=True,
            help="the original's database, e.g. postgres://user:password@host:5432/statsservice",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["database_url"]
        if not url.startswith(("postgres://", "postgresql://")):
            raise CommandError("--database-url must be a postgres:// URL.")
        try:
            summary = import_original(
                database_url=url, warn=lambda message: self.stderr.write(message)
            )
        except psycopg2.OperationalError as exc:
            raise CommandError(f"Cannot read the original database: {exc}".strip()) from None
        except psycopg2.ProgrammingError as exc:
            raise CommandError(
                f"The database does not look like the original service's: {exc}".strip()
            ) from None
        self.stdout.write(summary.line())
