from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sharing import runs, transfer
from sharing.management.commands._common import (
    Throttle,
    add_window_arguments,
    client_by_uuid,
    date_window,
)
from statsservice.http import RemoteError
from statsservice.locks import acquire

STDIN = "-"


class Command(BaseCommand):
    help = (
        "Import stats from another instance (GET /api/v1/stats/, paginated) into a non-local "
        "client of this one (client_create --remote). Idempotent: pulling twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--client", required=True, metavar="UUID", help="the local record")
        parser.add_argument(
            "--token", required=True, help="a token of the remote instance ('-': read stdin)"
        )
        parser.add_argument("--type", help="one stats type (default: all five)")
        parser.add_argument("--server", help="base URL (default: REMOTE_STATS_SERVER)")
        add_window_arguments(parser)

    def handle(self, *args, **options):
        client = client_by_uuid(options["client"])
        date_from, date_to = date_window(options)
        server = (options["server"] or settings.REMOTE_STATS_SERVER).strip()
        try:
            types = transfer.parse_types(options["type"])
            transfer.require_remote_client(client)
        except transfer.TransferError as exc:
            raise CommandError(f"{exc}.") from None
        token = options["token"]
        if token == STDIN:
            token = sys.stdin.readline().strip()
        if not token:
            raise CommandError("The token is empty.")
        throttle = Throttle(self.stdout, options["verbosity"])

        def progress(stats_type: str, done: int, total: int) -> None:
            throttle(f"  {stats_type}: {done}/{total} records")

        lock = acquire(f"pull:{client.uuid}")
        run = runs.start_run("pull", target=server, options={"types": types})
        entry = runs.start_client(run, client)
        try:
            result = transfer.pull(
                client=client,
                server=server,
                token=token,
                types=types,
                date_from=date_from,
                date_to=date_to,
                progress=progress,
            )
        except (RemoteError, transfer.TransferError) as exc:
            runs.finish_client(entry, runs.Outcome.FAILED, str(exc))
            runs.finish_run(run, runs.Outcome.FAILED, str(exc))
            if isinstance(exc, transfer.TransferError):
                raise CommandError(f"Pull from {server} failed: {exc}.") from None
            if exc.rejected:
                raise CommandError(f"{server} rejected the token: {exc.message}") from None
            if exc.unreachable:
                raise CommandError(f"{server} is unreachable: {exc}") from None
            raise CommandError(f"Pull from {server} failed: {exc}") from None
        finally:
            lock.release()
        runs.add_progress(run, entry, records=result.records, size=0, chunks=result.pages)
        runs.finish_client(entry, runs.Outcome.SUCCESS)
        runs.finish_run(run, runs.Outcome.SUCCESS)
        counts = ", ".join(f"{t} {n}" for t, n in result.per_type.items())
        self.stdout.write(
            f"Pulled {result.records} records ({counts}) in {result.pages} pages from {server} "
            f"into {client.name!r}."
        )
