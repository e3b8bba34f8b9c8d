"""Recording sharing runs (visible in the admin and through `stats_push --status`)."""

from __future__ import annotations

import os
import socket
from typing import Any

from django.db.models import F
from django.utils import timezone

from clients.models import Client
from sharing.models import SharingRun, SharingRunClient

Outcome = SharingRun.Outcome


def start_run(
    kind: str, *, target: str, dry_run: bool = False, options: dict[str, Any] | None = None
) -> SharingRun:
    return SharingRun.objects.create(
        kind=kind,
        target=target,
        dry_run=dry_run,
        options=options or {},
        host=f"{socket.gethostname()}:{os.getpid()}",
    )


def start_client(run: SharingRun, client: Client) -> SharingRunClient:
    SharingRun.objects.filter(pk=run.pk).update(clients=F("clients") + 1)
    return SharingRunClient.objects.create(
        run=run, client=client, client_uuid=client.uuid, client_name=client.name
    )


def add_progress(
    run: SharingRun, entry: SharingRunClient | None, *, records: int, size: int, chunks: int
) -> None:
    """Count what was just done, at once, so an interrupted run still shows its progress."""
    increments = {"records": F("records") + records, "bytes": F("bytes") + size}
    increments["chunks"] = F("chunks") + chunks
    SharingRun.objects.filter(pk=run.pk).update(**increments)
    if entry is not None:
        SharingRunClient.objects.filter(pk=entry.pk).update(**increments)


def finish_client(entry: SharingRunClient, outcome: str, error: str = "") -> None:
    SharingRunClient.objects.filter(pk=entry.pk).update(outcome=outcome, error=error[:2000])


def finish_run(run: SharingRun, outcome: str, error: str = "") -> SharingRun:
    SharingRun.objects.filter(pk=run.pk).update(
        outcome=outcome, error=error[:5000], finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def overall_outcome(succeeded: int, failed: int) -> str:
    if not failed:
        return Outcome.SUCCESS
    return Outcome.PARTIAL if succeeded else Outcome.FAILED
