from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sharing import archive
from sharing.inbound import TransferError
from sharing.management.commands._common import client_by_uuid
from statsservice.locks import job_lock


class Command(BaseCommand):
    help = (
        "Load a stats_export file into a non-local client (client_create --remote): validated "
        "like the API, all or nothing, and importing it twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--client", required=True, metavar="UUID")
        parser.add_argument("--dry-run", action="store_true", help="validate only")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["client"])
        path = Path(options["file"])
        dry_run = options["dry_run"]
        try:
            with job_lock(f"import:{client.uuid}", enabled=not dry_run):
                result = archive.import_file(path=path, client=client, dry_run=dry_run)
        except TransferError as exc:
            raise CommandError(f"Nothing imported: {exc}.") from None
        if dry_run:
            self.stdout.write(f"{path}: {result.records} valid records; nothing stored (dry run).")
            return
        self.stdout.write(
            f"Imported {result.records} records from {path} (source {result.source or '-'}) "
            f"into {client.name!r}: {result.stored} stored."
        )
