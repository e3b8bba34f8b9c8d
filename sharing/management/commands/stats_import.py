from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sharing import transfer
from sharing.management.commands._common import client_by_uuid
from sharing.runs import Outcome, finish_run, start_run
from statsservice.locks import acquire


class Command(BaseCommand):
    help = (
        "Load a stats_export file into a non-local client (client_create --remote): validated "
        "like the API, all or nothing, and importing it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--client", required=True, metavar="UUID")
        parser.add_argument("--dry-run", action="store_true", help="validate only")

    def handle(self, *args, **options):
        client = client_by_uuid(options["client"])
        path = Path(options["file"])
        lock = None if options["dry_run"] else acquire(f"import:{client.uuid}")
        run = start_run("import", target=str(path.resolve()), dry_run=options["dry_run"])
        try:
            result = transfer.import_file(path=path, client=client, dry_run=options["dry_run"])
        except transfer.TransferError as exc:
            finish_run(run, Outcome.FAILED, str(exc))
            raise CommandError(f"Nothing imported: {exc}.") from None
        finally:
            if lock is not None:
                lock.release()
        run.clients, run.records = 1, result.stored
        run.save(update_fields=["clients", "records"])
        finish_run(run, Outcome.SUCCESS)
        if options["dry_run"]:
            self.stdout.write(f"{path}: {result.records} valid records; nothing stored (dry run).")
            return
        self.stdout.write(
            f"Imported {result.records} records from {path} (source {result.source or '-'}) "
            f"into {client.name!r}: {result.stored} stored."
        )
