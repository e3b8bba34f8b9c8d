from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from clients import services
from clients.management.commands._base import client_by_uuid


class Command(BaseCommand):
    help = "Activate or deactivate (revoke) a client's API access."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uuid", required=True)
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--active", dest="active", action="store_true")
        group.add_argument("--inactive", dest="active", action="store_false")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["uuid"])
        services.set_active(client=client, active=options["active"])
        state = "activated" if options["active"] else "deactivated"
        self.stdout.write(f"Client {client.name!r} {state}.")
