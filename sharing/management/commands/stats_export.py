from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sharing import transfer
from sharing.management.commands._common import add_window_arguments, client_by_uuid, date_window
from sharing.runs import Outcome, finish_run, start_run


class Command(BaseCommand):
    help = (
        "Write the stats of local clients that share (or of --client) to a self-describing JSON "
        "file, for an instance without network; load it there with stats_import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="file to write (replaced atomically)")
        parser.add_argument("--client", metavar="UUID", help="only this local client")
        parser.add_argument("--type", help="one stats type (default: all five)")
        parser.add_argument("--gzip", action="store_true", help="gzip-compress the file")
        add_window_arguments(parser)

    def handle(self, *args, **options):
        date_from, date_to = date_window(options)
        client = client_by_uuid(options["client"]) if options["client"] else None
        path = Path(options["out"])
        if path.is_dir():
            raise CommandError(f"{path} is a directory.")
        try:
            types = transfer.parse_types(options["type"])
            clients = transfer.export_clients(client)
        except transfer.TransferError as exc:
            raise CommandError(f"{exc}.") from None
        run = start_run("export", target=str(path.resolve()))
        try:
            result = transfer.export(
                path=path,
                clients=clients,
                date_from=date_from,
                date_to=date_to,
                types=types,
                compress=options["gzip"],
            )
        except OSError as exc:
            finish_run(run, Outcome.FAILED, str(exc))
            raise CommandError(f"Cannot write {path}: {exc}") from None
        run.clients, run.records, run.bytes = result.clients, result.records, result.bytes
        run.save(update_fields=["clients", "records", "bytes"])
        finish_run(run, Outcome.SUCCESS)
        self.stdout.write(
            f"Exported {result.records} records of {result.clients} clients to {path} "
            f"({result.bytes} bytes{', gzip' if options['gzip'] else ''})."
        )
