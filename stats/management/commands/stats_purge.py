from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stats import services
from stats.management.commands._base import DERIVED_DATA_LOCK, DERIVED_DATA_LOCK_TTL, months_ago
from stats.models import Stats
from statsservice.locks import job_lock


class Command(BaseCommand):
    help = "Delete the stats records (of every client) dated more than N months ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="age in months of the records to delete (default: STATS_PURGE_MONTHS)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"]
        if months is None:
            months = settings.STATS_PURGE_MONTHS
        if months < 1:
            raise CommandError("--months must be at least 1.")
        before = months_ago(months)
        if options["dry_run"]:
            count = Stats.objects.filter(date__lt=before).count()
            self.stdout.write(f"Would delete {count} stats record(s) dated before {before}.")
            return
        with job_lock(DERIVED_DATA_LOCK, ttl_seconds=DERIVED_DATA_LOCK_TTL):
            count = services.purge_before(before=before)
        self.stdout.write(f"Deleted {count} stats record(s) dated before {before}.")
