import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients import services
from clients.models import Client


class Command(BaseCommand):
    help = "Create an API client and print its token (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--role", default="user", help="user (default) or admin")
        parser.add_argument("--token", help="a caller-chosen token (default: a random one)")
        parser.add_argument("--uuid", dest="client_uuid", help="a given uuid (default: random)")
        parser.add_argument(
            "--remote",
            action="store_true",
            help="the client is another Stats Service sending for its clients (local=False)",
        )
        parser.add_argument("--no-sharing", action="store_true", help="create with sharing off")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["role"] not in Client.Role.values:
            raise CommandError(f"Unknown role {options['role']!r}: use 'user' or 'admin'.")
        client_uuid = None
        if options["client_uuid"]:
            try:
                client_uuid = uuid.UUID(options["client_uuid"])
            except ValueError:
                raise CommandError(f"{options['client_uuid']!r} is not a valid UUID.") from None
        try:
            client, token = services.create_client(
                name=options["name"],
                role=options["role"],
                token=options["token"],
                client_uuid=client_uuid,
                is_sharing_enabled=not options["no_sharing"],
                local=not options["remote"],
            )
        except services.ClientError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"uuid:  {client.uuid}")
        self.stdout.write(f"token: {token}")
        self.stdout.write(
            f"Created {client.role} client {client.name!r} "
            f"({'local' if client.local else 'remote'}); the token is not shown again."
        )
