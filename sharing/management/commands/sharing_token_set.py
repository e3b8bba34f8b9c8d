from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sharing import credentials
from sharing.management.commands._common import client_by_uuid


class Command(BaseCommand):
    help = (
        "Set (or --unset) the token a local client's stats are pushed with, i.e. the token of "
        "the client created for it on the remote instance. Stored encrypted, never printed. "
        "Without --token, it is read from standard input (keeps it out of shell history)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, metavar="UUID")
        parser.add_argument("--target", help="base URL (default: REMOTE_STATS_SERVER)")
        parser.add_argument("--token", help="the remote token (default: read from stdin)")
        parser.add_argument("--unset", action="store_true", help="fall back to REMOTE_STATS_TOKEN")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["client"])
        target = credentials.target_or_default(options["target"])
        if options["unset"]:
            removed = credentials.unset_remote_token(client=client, target=target)
            self.stdout.write(
                f"{'Removed' if removed else 'There was no'} remote token of {client.name!r} "
                f"for {target}."
            )
            return
        if not client.local:
            raise CommandError(f"Client {client.name!r} is not local: it is never pushed.")
        token = options["token"]
        if token is None:
            token = getpass.getpass("Remote token: ") if sys.stdin.isatty() else sys.stdin.read()
        if not token.strip():
            raise CommandError("The token is empty.")
        credentials.set_remote_token(client=client, target=target, token=token.strip())
        note = ""
        if target != credentials.default_target():
            note = (
                f" Sharing commands use REMOTE_STATS_SERVER ({credentials.default_target()}) "
                f"unless given --target {target}."
            )
        self.stdout.write(
            f"Set the remote token of {client.name!r} for {target} (encrypted).{note}"
        )
