from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.management.commands._base import client_by_uuid
from stats import derived
from stats.models import Stats


class Command(BaseCommand):
    help = "Delete every stats record of one client (the client itself is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, help="the client's uuid")
        parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["client"])
        count = Stats.objects.filter(analysis__client=client).count()
        if not options["yes"]:
            answer = input(f"Delete the {count} stats record(s) of {client.name!r}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Aborted.")
        deleted = derived.remove_records(records=client)
        self.stdout.write(f"Deleted {deleted} stats record(s) of client {client.name!r}.")
