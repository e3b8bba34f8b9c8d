from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sharing import credentials
from sharing import pull as pulling
from sharing.inbound import TransferError, require_remote_client
from sharing.management.commands._common import (
    Throttle,
    add_window_arguments,
    client_by_uuid,
    date_window,
    parse_types,
)
from statsservice.http import RemoteError
from statsservice.locks import job_lock

STDIN = "-"


def failure(server: str, exc: RemoteError | TransferError) -> CommandError:
    """What the operator reads when a pull fails."""
    if isinstance(exc, TransferError):
        return CommandError(f"Pull from {server} failed: {exc}.")
    if exc.rejected:
        return CommandError(f"{server} rejected the token: {exc.message}")
    if exc.unreachable:
        return CommandError(f"{server} is unreachable: {exc}")
    return CommandError(f"Pull from {server} failed: {exc}")


class Command(BaseCommand):
    help = (
        "Import stats from another instance (GET /api/v1/stats/, paginated) into a non-local "
        "client of this one (client_create --remote). Idempotent: pulling twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, metavar="UUID", help="the local record")
        parser.add_argument(
            "--token", required=True, help="a token of the remote instance ('-': read stdin)"
        )
        parser.add_argument("--type", help="one stats type (default: all five)")
        parser.add_argument(
            "--target",
            "--server",
            dest="target",
            help="base URL of the other instance (default: REMOTE_STATS_SERVER)",
        )
        add_window_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["client"])
        date_from, date_to = date_window(options)
        server = credentials.target_or_default(options["target"])
        types = parse_types(options["type"])
        try:
            require_remote_client(client)
        except TransferError as exc:
            raise CommandError(f"{exc}.") from None
        token = sys.stdin.readline().strip() if options["token"] == STDIN else options["token"]
        if not token:
            raise CommandError("The token is empty.")
        throttle = Throttle(self.stdout, options["verbosity"])
        try:
            with job_lock(f"pull:{client.uuid}"):
                result = pulling.pull(
                    client=client,
                    server=server,
                    token=token,
                    types=types,
                    date_from=date_from,
                    date_to=date_to,
                    progress=lambda t, done, total: throttle(f"  {t}: {done}/{total} records"),
                )
        except pulling.ERRORS as exc:
            raise failure(server, exc) from None
        counts = ", ".join(f"{t} {n}" for t, n in result.per_type.items())
        self.stdout.write(
            f"Pulled {result.records} records ({counts}) in {result.pages} pages from {server} "
            f"into {client.name!r}."
        )
