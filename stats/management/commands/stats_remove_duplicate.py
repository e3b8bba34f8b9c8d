from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stats import kinds, services
from stats.management.commands._base import months_ago


class Command(BaseCommand):
    help = (
        "Delete records repeating the previous record of their analysis and type within a "
        "month (the first record of each month is always kept). Meant for data imported from "
        "the original service; the API's upsert never creates such rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", dest="stats_type", help="one type only (default: all)")
        parser.add_argument(
            "--months",
            type=int,
            default=0,
            help="only records older than this many months (default 0: all)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        stats_type = options["stats_type"]
        if stats_type is not None and stats_type not in kinds.names():
            raise CommandError(
                f"Unknown type {stats_type!r}: use one of {', '.join(kinds.names())}."
            )
        if options["months"] < 0:
            raise CommandError("--months must not be negative.")
        before = months_ago(options["months"]) if options["months"] else None
        ids = services.repeated_records(stats_type=stats_type, before=before)
        if options["dry_run"]:
            self.stdout.write(f"Would delete {len(ids)} repeated stats record(s).")
            return
        deleted = services.delete_records(ids=ids)
        self.stdout.write(f"Deleted {deleted} repeated stats record(s).")
