import random
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from clients.models import Client
from clients.services import create_client
from stats import demo, services


class Command(BaseCommand):
    help = (
        "Fill the database with a seeded, deterministic, realistic demo dataset (about 45 KB per "
        "analysis per day), stored through the normal ingest path. Re-running replaces the same "
        "days (same seed: same data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=3, help="number of clients (3)")
        parser.add_argument("--analyses", type=int, default=4, help="analyses per client (4)")
        parser.add_argument("--days", type=int, default=90, help="days of history (90)")
        parser.add_argument("--end-date", help="last day, YYYY-MM-DD (today)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="demo", help="client names: <prefix>-1, … (demo)")
        parser.add_argument(
            "--days-per-batch",
            type=int,
            default=1,
            help="days stored per ingest call (1, like MONARC; more loads faster)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("clients", "analyses", "days", "days_per_batch"):
            if not 1 <= options[key] <= 100_000:
                raise CommandError(f"--{key.replace('_', '-')} must be between 1 and 100000.")
        try:
            end = date.fromisoformat(options["end_date"]) if options["end_date"] else None
        except ValueError:
            raise CommandError("--end-date must be a date as YYYY-MM-DD.") from None
        end = end or timezone.localdate()
        seed = options["seed"]
        clients = [
            self.demo_client(f"{options['prefix']}-{i + 1}", seed, i)
            for i in range(options["clients"])
        ]
        started = time.monotonic()
        records = 0
        days = list(demo.days_back(end, options["days"]))
        step = options["days_per_batch"]
        for start in range(0, len(days), step):
            for index, client in enumerate(clients):
                batch = [
                    record
                    for day, progress in days[start : start + step]
                    for record in demo.client_day(
                        seed=seed,
                        client_index=index,
                        analyses=options["analyses"],
                        day=day,
                        progress=progress,
                    )
                ]
                services.ingest_batch(client=client, records=demo.as_incoming(batch))
                records += len(batch)
        # A bulk load changes table sizes by orders of magnitude: refresh the planner statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Stored {records} records ({len(clients)} clients x {options['analyses']} analyses x "
            f"{options['days']} days up to {end}) in {elapsed:.1f} s."
        )

    def demo_client(self, name: str, seed: int, index: int) -> Client:
        client = Client.objects.filter(name=name).first()
        if client is not None:
            return client
        # In and around Luxembourg City, for the map: within one of its areas (positions are
        # shown rounded to 0.1 degree, and only where enough organisations are).
        rng = random.Random(f"{seed}:client:{index}")
        client, _ = create_client(
            name=name,
            latitude=round(49.6 + rng.uniform(-0.04, 0.04), 4),
            longitude=round(6.1 + rng.uniform(-0.04, 0.04), 4),
        )
        return client
