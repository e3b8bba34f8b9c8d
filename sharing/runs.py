"""Recording sharing runs (visible in the admin and through `stats_push --status`).

Every command that records a run does it the same way:

    with recorded_run(SharingRun.Kind.PULL, target=server, errors=(RemoteError,)) as run:
        with run.client(client) as entry:
            ...
            entry.progress(records=n, size=0, chunks=1)

Counts are written at once, so an interrupted run still shows its progress. Leaving the block
finishes the run: success, partial or failed from its clients' outcomes and `run.fail()`
messages. An exception finishes it failed and propagates: an expected error (`errors`) is
recorded by its message, anything else (a database error, Ctrl-C) as "interrupted: ...".
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from clients.models import Client
from sharing.models import PushCursor, SharingRun, SharingRunClient
from statsservice.http import Deadline
from statsservice.locks import process_is_gone

Outcome = SharingRun.Outcome


def run_deadline() -> Deadline:
    """When a push, pull or withdrawal starting now must stop (SHARING_RUN_DEADLINE)."""
    seconds = settings.SHARING_RUN_DEADLINE
    return Deadline.after(seconds, f"the run's deadline (SHARING_RUN_DEADLINE, {seconds} s)")


class ClientRecord:
    """One client's line of a run."""

    def __init__(self, run: SharingRun, entry: SharingRunClient) -> None:
        self.run = run
        self.entry = entry

    def progress(self, *, records: int, size: int, chunks: int) -> None:
        increments = {
            "records": F("records") + records,
            "bytes": F("bytes") + size,
            "chunks": F("chunks") + chunks,
        }
        SharingRun.objects.filter(pk=self.run.pk).update(**increments)
        SharingRunClient.objects.filter(pk=self.entry.pk).update(**increments)


class RunRecord:
    """A run being recorded: its row, the clients that succeeded, the failures met."""

    def __init__(self, run: SharingRun) -> None:
        self.run = run
        self.succeeded = 0
        self.failures: list[str] = []
        self.stopped = ""

    def fail(self, message: str) -> None:
        """A failure the run goes on after (it makes the outcome partial or failed)."""
        self.failures.append(message)

    def stop(self, message: str) -> None:
        """Why the run ended early; recorded after the failures, not counted as one."""
        self.stopped = message

    def set_totals(self, **totals: int) -> None:
        """Totals known only at the end (an export's records and bytes)."""
        SharingRun.objects.filter(pk=self.run.pk).update(**totals)

    @contextmanager
    def client(self, client: Client) -> Iterator[ClientRecord]:
        """One client's part: failed with the exception's message if the block raises."""
        SharingRun.objects.filter(pk=self.run.pk).update(clients=F("clients") + 1)
        entry = SharingRunClient.objects.create(
            run=self.run, client=client, client_uuid=client.uuid, client_name=client.name
        )
        try:
            yield ClientRecord(self.run, entry)
        except BaseException as exc:
            _finish_client(entry, Outcome.FAILED, str(exc))
            raise
        _finish_client(entry, Outcome.SUCCESS)
        self.succeeded += 1

    def finish(self, outcome: str, error: str = "") -> None:
        SharingRun.objects.filter(pk=self.run.pk).update(
            outcome=outcome, error=error[:5000], finished_at=timezone.now()
        )
        self.run.refresh_from_db()


@contextmanager
def recorded_run(
    kind: str,
    *,
    target: str,
    dry_run: bool = False,
    options: dict[str, Any] | None = None,
    errors: tuple[type[BaseException], ...] = (),
) -> Iterator[RunRecord]:
    record = RunRecord(
        SharingRun.objects.create(
            kind=kind,
            target=target,
            dry_run=dry_run,
            options=options or {},
            host=f"{socket.gethostname()}:{os.getpid()}",
        )
    )
    try:
        yield record
    except errors as exc:
        record.finish(Outcome.FAILED, str(exc))
        raise
    except BaseException as exc:
        # Whatever stops the run unexpectedly is recorded, then raised again.
        record.finish(Outcome.FAILED, f"interrupted: {type(exc).__name__}: {exc}")
        raise
    lines = [*record.failures, record.stopped] if record.stopped else record.failures
    record.finish(overall_outcome(record.succeeded, len(record.failures)), "\n".join(lines))


def _finish_client(entry: SharingRunClient, outcome: str, error: str = "") -> None:
    SharingRunClient.objects.filter(pk=entry.pk).update(outcome=outcome, error=error[:2000])


def overall_outcome(succeeded: int, failed: int) -> str:
    if not failed:
        return Outcome.SUCCESS
    return Outcome.PARTIAL if succeeded else Outcome.FAILED


# --- Reporting ------------------------------------------------------------------------------
def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def status_lines(limit: int) -> Iterator[str]:
    """The last `limit` runs with their clients, then the push cursors (`stats_push --status`)."""
    shown = SharingRun.objects.prefetch_related("per_client")[: max(limit, 1)]
    yield "Recent sharing runs:" if shown else "No sharing run recorded yet."
    for run in shown:
        took = (
            f"{(run.finished_at - run.started_at).total_seconds():.1f} s"
            if run.finished_at
            else "unfinished"
        )
        outcome = run.outcome
        if outcome == Outcome.RUNNING and process_is_gone(f"{run.host}:-"):
            outcome = "interrupted (its process is gone)"
        yield (
            f"#{run.pk} {run.started_at:%Y-%m-%d %H:%M:%S} {run.kind}"
            f"{' (dry run)' if run.dry_run else ''} -> {run.target}: {outcome}, "
            f"{run.clients} clients, {run.records} records, {human_bytes(run.bytes)}, "
            f"{run.chunks} chunks, {took}"
        )
        for entry in run.per_client.all():
            error = f" ({entry.error})" if entry.error else ""
            yield (
                f"    {entry.client_name} {entry.client_uuid}: {entry.records} records, "
                f"{entry.outcome}{error}"
            )
    cursors = PushCursor.objects.select_related("client")
    if cursors:
        yield "Push cursors:"
    for cursor in cursors:
        yield (
            f"    {cursor.client.name} -> {cursor.target}: pushed until "
            f"{cursor.pushed_until or 'never'}, last success {cursor.last_success_at or '-'}"
        )
