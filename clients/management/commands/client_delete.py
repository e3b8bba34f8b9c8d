from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients import dependents
from clients.management.commands._base import client_by_uuid
from clients.services import delete_client


class Command(BaseCommand):
    help = "Delete a client and all its stats."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uuid", required=True)
        parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["uuid"])
        count = dependents.count_records(client=client)
        if not options["yes"]:
            answer = input(f"Delete client {client.name!r} and its {count} stats record(s)? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Aborted.")
        delete_client(client=client)
        self.stdout.write(f"Deleted client {client.name!r} and {count} stats record(s).")
