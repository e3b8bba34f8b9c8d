from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stats.models import Stats


class Command(BaseCommand):
    help = "Print the most recently received stats records (newest first), without payloads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10, help="how many (default 10)")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["count"]
        if count < 1:
            raise CommandError("--count must be at least 1.")
        rows = Stats.objects.order_by("-updated_at", "-pk").values_list(
            "uuid",
            "analysis__client__name",
            "analysis__uuid",
            "type",
            "date",
            "updated_at",
        )[:count]
        shown = 0
        for record_uuid, client_name, anr, stats_type, day, updated_at in rows:
            self.stdout.write(
                f"{record_uuid}  {client_name:<30}  anr={anr}  {stats_type:<13}  "
                f"date={day.isoformat()}  received={updated_at.isoformat(timespec='seconds')}"
            )
            shown += 1
        total = Stats.objects.count()
        self.stdout.write(f"{shown} of {total} stats record(s) shown.")
