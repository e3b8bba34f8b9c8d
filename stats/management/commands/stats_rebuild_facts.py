from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stats import derived
from stats.management.commands._base import DERIVED_DATA_LOCK, DERIVED_DATA_LOCK_TTL
from stats.models import FACT_MODELS, Stats
from statsservice.locks import job_lock


class Command(BaseCommand):
    help = (
        "Rebuild the aggregation fact tables from the stored stats records (after an upgrade "
        "that added them, or to repair them)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="only count, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["dry_run"]:
            records = Stats.objects.count()
            facts = sum(model._default_manager.count() for model in FACT_MODELS)
            self.stdout.write(f"Would rebuild the facts of {records} record(s) ({facts} now).")
            return
        with job_lock(DERIVED_DATA_LOCK, ttl_seconds=DERIVED_DATA_LOCK_TTL):
            records, rows = derived.rebuild(batch_size=options["batch_size"])
        self.stdout.write(f"Rebuilt {rows} fact row(s) from {records} stats record(s).")
