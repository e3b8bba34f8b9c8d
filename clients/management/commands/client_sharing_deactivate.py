from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clients import services
from clients.management.commands._base import client_by_uuid


class Command(BaseCommand):
    help = "Stop sharing a client's stats with the global instance and public pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uuid", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["uuid"])
        services.set_sharing(client=client, enabled=False)
        self.stdout.write(f"Sharing disabled for {client.name!r}.")
