from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.models import Client
from sharing import check as checking
from sharing import credentials
from sharing import push as pushing
from sharing.management.commands._common import (
    Throttle,
    add_window_arguments,
    client_by_uuid,
    date_window,
)
from sharing.runs import human_bytes, status_lines
from statsservice.locks import job_lock


class Command(BaseCommand):
    help = (
        "Push the stats of local clients with sharing on to REMOTE_STATS_SERVER: only what was "
        "created or changed since the last successful push, in bounded chunks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--client", action="append", dest="clients", metavar="UUID", help="only this client"
        )
        add_window_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="count, send nothing")
        parser.add_argument("--full", action="store_true", help="ignore the cursor: send all")
        parser.add_argument("--target", help="base URL (default: REMOTE_STATS_SERVER)")
        parser.add_argument("--status", action="store_true", help="show recent runs and cursors")
        parser.add_argument(
            "--check",
            action="store_true",
            help="send nothing: check each sharing client's token and remote client on each "
            "target (--target, else REMOTE_STATS_SERVER and every target with a stored token)",
        )
        parser.add_argument("--limit", type=int, default=10, help="runs shown by --status")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            for line in status_lines(options["limit"]):
                self.stdout.write(line)
            return
        if options["check"]:
            self.check_sharing(options)
            return
        opts = self.push_options(options)
        if not opts.dry_run:
            self.require_matching_target(opts.target)
        if not opts.dry_run and not credentials.is_configured(opts.target):
            # A fresh install has the cron job but no token: say so, and do not fail daily.
            self.stdout.write(
                f"Sharing with {opts.target} is not configured (no REMOTE_STATS_TOKEN and no "
                "per-client token): nothing sent."
            )
            return
        throttle = Throttle(self.stdout, options["verbosity"])

        def progress(client: Client, sent: int, total: int, size: int) -> None:
            throttle(f"  {client.name}: {sent}/{total} records, {human_bytes(size)} so far")

        with job_lock(f"push:{opts.target}", enabled=not opts.dry_run) as lock:
            result = pushing.push(opts, lock=lock, progress=progress)
        verb = "Would push" if opts.dry_run else "Pushed"
        self.stdout.write(
            f"{verb} {result.records} records ({human_bytes(result.bytes)}) in {result.chunks} "
            f"chunks for {result.clients} clients to {opts.target} in {result.seconds:.1f} s; "
            f"run #{result.run.pk} {result.run.outcome}."
        )
        if result.not_configured:
            names = ", ".join(repr(client.name) for client in result.not_configured)
            self.stdout.write(
                f"Not configured (sharing on, no remote token for {opts.target}; skipped): "
                f"{names}. See stats_push --check."
            )
        if result.failures:
            raise CommandError(
                f"{len(result.failures)} client(s) failed:\n  " + "\n  ".join(result.failures)
            )

    def require_matching_target(self, target: str) -> None:
        try:
            credentials.require_matching_target(target)
        except credentials.TargetMismatch as exc:
            raise CommandError(str(exc)) from None

    def check_sharing(self, options: dict[str, Any]) -> None:
        clients = list(pushing.shareable_clients())
        if options["clients"]:
            wanted = {self.pushable(client_by_uuid(value)).pk for value in options["clients"]}
            clients = [client for client in clients if client.pk in wanted]
        counts = {checking.Verdict.OK: 0, checking.Verdict.NOT_CONFIGURED: 0}
        failed = 0
        for target in credentials.targets_to_check(options["target"]):
            self.stdout.write(f"{target}: {len(clients)} client(s) with sharing on")
            for result in checking.check_target(target, clients):
                self.stdout.write(result.line())
                if result.verdict == checking.Verdict.FAILED:
                    failed += 1
                else:
                    counts[result.verdict] += 1
        summary = (
            f"Check: {counts[checking.Verdict.OK]} ok, "
            f"{counts[checking.Verdict.NOT_CONFIGURED]} not configured, {failed} failed."
        )
        if failed:
            raise CommandError(summary)
        self.stdout.write(summary)

    def push_options(self, options: dict[str, Any]) -> pushing.PushOptions:
        target = credentials.target_or_default(options["target"])
        if not target.startswith(("http://", "https://")):
            raise CommandError(f"The target {target!r} is not an http(s) URL.")
        date_from, date_to = date_window(options)
        uuids = None
        if options["clients"]:
            uuids = [self.pushable(client_by_uuid(value)).uuid for value in options["clients"]]
        return pushing.PushOptions(
            target=target,
            client_uuids=uuids,
            date_from=date_from,
            date_to=date_to,
            dry_run=options["dry_run"],
            full=options["full"],
        )

    def pushable(self, client: Client) -> Client:
        reason = pushing.why_not_pushed(client)
        if reason is not None:
            raise CommandError(f"Client {client.name!r} {reason}.")
        return client
