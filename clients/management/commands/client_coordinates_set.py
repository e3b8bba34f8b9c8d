from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients import services
from clients.management.commands._base import client_by_uuid


class Command(BaseCommand):
    help = "Set a client's position on the public map."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uuid", required=True)
        parser.add_argument("--latitude", required=True, type=float)
        parser.add_argument("--longitude", required=True, type=float)

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["uuid"])
        try:
            services.set_coordinates(
                client=client, latitude=options["latitude"], longitude=options["longitude"]
            )
        except services.ClientError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Position of {client.name!r} set to {client.latitude}, {client.longitude}."
        )
