import random
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clients.models import Client
from clients.services import create_client
from stats import demo
from stats.models import Stats


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
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds stats (first run of scripts/dev.sh)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Stats.objects.exists():
            self.stdout.write("The database already holds stats: demo data not loaded again.")
            return
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
        records = demo.load(
            clients=clients,
            analyses=options["analyses"],
            days=options["days"],
            end=end,
            seed=seed,
            days_per_batch=options["days_per_batch"],
        )
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
