from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sharing import credentials
from sharing import withdraw as withdrawing
from sharing.management.commands._common import client_by_uuid
from statsservice.locks import job_lock


class Command(BaseCommand):
    help = (
        "Delete on the remote instance every analysis of a local client that was shared "
        "(DELETE /api/v1/stats/<anr>). Turn the client's sharing off first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, metavar="UUID")
        parser.add_argument("--target", help="base URL (default: REMOTE_STATS_SERVER)")
        parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        client = client_by_uuid(options["client"])
        target = credentials.target_or_default(options["target"])
        dry_run = options["dry_run"]
        try:
            credentials.require_matching_target(target)
        except credentials.TargetMismatch as exc:
            raise CommandError(str(exc)) from None
        if client.is_sharing_enabled and not dry_run:
            raise CommandError(
                f"Client {client.name!r} still has sharing on, so the next push would send "
                "everything again: run client_sharing_deactivate first."
            )
        try:
            # The lock of the pushes to `target`: a withdrawal never races a push.
            with job_lock(f"push:{target}", enabled=not dry_run) as lock:
                result = withdrawing.withdraw(
                    client=client, target=target, dry_run=dry_run, lock=lock
                )
        except withdrawing.ERRORS as exc:
            raise CommandError(f"Withdrawal from {target} failed: {exc}") from None
        if dry_run:
            for anr in result.analyses:
                self.stdout.write(f"  would delete {anr}")
            self.stdout.write(
                f"Would delete {len(result.analyses)} analyses of {client.name!r} on {target}."
            )
            return
        self.stdout.write(
            f"Deleted {result.deleted} analyses of {client.name!r} on {target}; "
            f"run #{result.run.pk} {result.run.outcome}."
        )
