from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from clients.models import Client
from sharing import push as pushing
from sharing.management.commands._common import (
    Throttle,
    add_window_arguments,
    client_by_uuid,
    date_window,
)
from sharing.models import PushCursor, SharingRun
from statsservice.locks import acquire, process_is_gone


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


class Command(BaseCommand):
    help = (
        "Push the stats of local clients with sharing on to REMOTE_STATS_SERVER: only what was "
        "created or changed since the last successful push, in bounded chunks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--client", action="append", dest="clients", metavar="UUID", help="only this client"
        )
        add_window_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")
        parser.add_argument("--full", action="store_true", help="ignore the cursor: send all")
        parser.add_argument("--target", help="base URL (default: REMOTE_STATS_SERVER)")
        parser.add_argument("--status", action="store_true", help="show recent runs and cursors")
        parser.add_argument("--limit", type=int, default=10, help="runs shown by --status")

    def handle(self, *args, **options):
        from django.conf import settings

        target = pushing.normalise_target(options["target"] or settings.REMOTE_STATS_SERVER)
        if options["status"]:
            return self.show_status(options["limit"])
        if not target.startswith(("http://", "https://")):
            raise CommandError(f"The target {target!r} is not an http(s) URL.")
        date_from, date_to = date_window(options)
        uuids = None
        if options["clients"]:
            uuids = [self.check_client(client_by_uuid(value)).uuid for value in options["clients"]]
        opts = pushing.PushOptions(
            target=target,
            client_uuids=uuids,
            date_from=date_from,
            date_to=date_to,
            dry_run=options["dry_run"],
            full=options["full"],
        )
        if not opts.dry_run and not pushing.is_configured(target):
            # A fresh install has the cron job but no token: say so, and do not fail daily.
            self.stdout.write(
                f"Sharing with {target} is not configured (no REMOTE_STATS_TOKEN and no "
                "per-client token): nothing sent."
            )
            return
        throttle = Throttle(self.stdout, options["verbosity"])

        def progress(client: Client, sent: int, total: int, size: int) -> None:
            throttle(f"  {client.name}: {sent}/{total} records, {human_bytes(size)} so far")

        lock = None if opts.dry_run else acquire(f"push:{target}")
        try:
            result = pushing.push(opts, lock=lock, progress=progress)
        finally:
            if lock is not None:
                lock.release()
        verb = "Would push" if opts.dry_run else "Pushed"
        self.stdout.write(
            f"{verb} {result.records} records ({human_bytes(result.bytes)}) in {result.chunks} "
            f"chunks for {result.clients} clients to {target} in {result.seconds:.1f} s; "
            f"run #{result.run.pk} {result.run.outcome}."
        )
        if result.failures:
            raise CommandError(
                f"{len(result.failures)} client(s) failed:\n  " + "\n  ".join(result.failures)
            )

    def check_client(self, client: Client) -> Client:
        if not client.local:
            raise CommandError(
                f"Client {client.name!r} is not local: stats received from another instance "
                "are never pushed on."
            )
        if not client.is_sharing_enabled:
            raise CommandError(f"Client {client.name!r} has sharing disabled: nothing to send.")
        if not client.is_active:
            raise CommandError(f"Client {client.name!r} is inactive: nothing to send.")
        return client

    def show_status(self, limit: int) -> None:
        shown = SharingRun.objects.prefetch_related("per_client")[: max(limit, 1)]
        self.stdout.write("Recent sharing runs:" if shown else "No sharing run recorded yet.")
        for run in shown:
            took = (
                f"{(run.finished_at - run.started_at).total_seconds():.1f} s"
                if run.finished_at
                else "unfinished"
            )
            outcome = run.outcome
            if outcome == SharingRun.Outcome.RUNNING and process_is_gone(f"{run.host}:-"):
                outcome = "interrupted (its process is gone)"
            self.stdout.write(
                f"#{run.pk} {run.started_at:%Y-%m-%d %H:%M:%S} {run.kind}"
                f"{' (dry run)' if run.dry_run else ''} -> {run.target}: {outcome}, "
                f"{run.clients} clients, {run.records} records, {human_bytes(run.bytes)}, "
                f"{run.chunks} chunks, {took}"
            )
            for entry in run.per_client.all():
                error = f" ({entry.error})" if entry.error else ""
                self.stdout.write(
                    f"    {entry.client_name} {entry.client_uuid}: {entry.records} records, "
                    f"{entry.outcome}{error}"
                )
        cursors = PushCursor.objects.select_related("client")
        if cursors:
            self.stdout.write("Push cursors:")
        for cursor in cursors:
            self.stdout.write(
                f"    {cursor.client.name} -> {cursor.target}: pushed until "
                f"{cursor.pushed_until or 'never'}, last success {cursor.last_success_at or '-'}"
            )
