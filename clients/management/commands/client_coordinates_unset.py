from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clients import services
from clients.management.commands._base import client_by_uuid


class Command(BaseCommand):
    help = "Remove a client's position from the public map."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uuid", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["uuid"])
        services.set_coordinates(client=client, latitude=None, longitude=None)
        self.stdout.write(f"Position of {client.name!r} removed.")
