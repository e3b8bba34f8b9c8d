from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients import services
from clients.management.commands._base import client_by_uuid


class Command(BaseCommand):
    help = "Give a client a new token (printed once); the old one stops working at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uuid", required=True)
        parser.add_argument("--token", help="a caller-chosen token (default: a random one)")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["uuid"])
        try:
            token = services.rotate_token(client=client, token=options["token"])
        except services.ClientError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"token: {token}")
        self.stdout.write(f"Rotated the token of {client.name!r}; the old token no longer works.")
