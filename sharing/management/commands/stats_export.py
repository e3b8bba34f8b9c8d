from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sharing import archive
from sharing.inbound import TransferError
from sharing.management.commands._common import (
    add_window_arguments,
    client_by_uuid,
    date_window,
    parse_types,
)


class Command(BaseCommand):
    help = (
        "Write the stats of local clients that share (or of --client) to a self-describing JSON "
        "file, for an instance without network; load it there with stats_import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="file to write (replaced atomically)")
        parser.add_argument("--client", metavar="UUID", help="only this local client")
        parser.add_argument("--type", help="one stats type (default: all five)")
        parser.add_argument("--gzip", action="store_true", help="gzip-compress the file")
        add_window_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        date_from, date_to = date_window(options)
        client = client_by_uuid(options["client"]) if options["client"] else None
        path = Path(options["out"])
        if path.is_dir():
            raise CommandError(f"{path} is a directory.")
        types = parse_types(options["type"])
        try:
            result = archive.export_stats(
                path=path,
                client=client,
                date_from=date_from,
                date_to=date_to,
                types=types,
                compress=options["gzip"],
            )
        except TransferError as exc:
            raise CommandError(f"{exc}.") from None
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from None
        self.stdout.write(
            f"Exported {result.records} records of {result.clients} clients to {path} "
            f"({result.bytes} bytes{', gzip' if options['gzip'] else ''})."
        )
