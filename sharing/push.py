"""Pushing local clients' stats to another Stats Service.

What is sent: the stats of local, active clients with sharing on, created or changed since the
client's cursor on that target (minus SHARING_PUSH_OVERLAP), oldest change first, in chunks
bounded by SHARING_PUSH_CHUNK_RECORDS and SHARING_PUSH_CHUNK_BYTES, each record with its uuid.
The receiver upserts on (analysis, type, date), so re-sending is harmless: after each accepted
chunk the cursor moves to that chunk's last change, so an interrupted run (remote down, process
killed) resumes where it stopped and loses nothing.
"""

from __future__ import annotations

import time
import uuid as uuid_lib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from clients.models import Client
from sharing.credentials import MissingToken, default_target, remote_token, required_token
from sharing.crypto import TokenUnreadable, decrypt_token
from sharing.models import PushCursor, RemoteCredential, SharedAnalysis, SharingRun
from sharing.runs import ClientRecord, RunRecord, recorded_run, run_deadline
from sharing.wire import CLIENT_ME_PATH, STATS_PATH, encode_chunk, encode_record
from stats.models import Stats
from statsservice.http import Deadline, RemoteClient, RemoteError
from statsservice.locks import Lock, LockLost

Row = tuple[int, datetime, uuid_lib.UUID, uuid_lib.UUID, str, date, str]
Progress = Callable[[Client, int, int, int], None]


class PushError(Exception):
    """A client's push cannot go on (sharing turned off midway)."""


# What fails one client's push without stopping the others.
CLIENT_ERRORS = (RemoteError, PushError, MissingToken, TokenUnreadable)


@dataclass
class PushOptions:
    target: str
    client_uuids: list[uuid_lib.UUID] | None = None
    date_from: date | None = None
    date_to: date | None = None
    dry_run: bool = False
    full: bool = False

    @property
    def windowed(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def as_recorded(self) -> dict[str, Any]:
        return {
            "clients": [str(u) for u in self.client_uuids or []],
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "full": self.full,
        }


@dataclass
class PushResult:
    run: SharingRun
    clients: int = 0
    records: int = 0
    bytes: int = 0
    chunks: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    # Sharing on but no remote token: skipped, reported, not a failure.
    not_configured: list[Client] = field(default_factory=list)


# --- Selection and chunking -----------------------------------------------------------------
def shareable_clients() -> Any:
    """Clients whose stats may leave (the one consent rule, `ClientQuerySet.outbound`)."""
    return Client.objects.outbound().order_by("name")


def forwarding_targets() -> list[str]:
    """Where pushes send stats: each target a shared client has a token for, and
    REMOTE_STATS_SERVER when REMOTE_STATS_TOKEN is set (for the clients without one)."""
    targets = set(
        RemoteCredential.objects.filter(client__in=shareable_clients()).values_list(
            "target", flat=True
        )
    )
    if settings.REMOTE_STATS_TOKEN:
        targets.add(default_target())
    return sorted(targets)


def why_not_pushed(client: Client) -> str | None:
    """Why `client`'s stats are not pushed (completing "Client <name> ..."), or None."""
    return client.outbound_refusal()


def _pages(qs: Any, page_size: int) -> Iterator[list[Row]]:
    """Rows by (updated_at, pk), fetched by keyset so memory stays bounded."""
    last: tuple[datetime, int] | None = None
    fields = ("pk", "updated_at", "uuid", "analysis__uuid", "type", "date", "data_json")
    while True:
        page_qs = qs
        if last is not None:
            page_qs = qs.filter(Q(updated_at__gt=last[0]) | Q(updated_at=last[0], pk__gt=last[1]))
        rows = list(page_qs.order_by("updated_at", "pk").values_list(*fields)[:page_size])
        if not rows:
            return
        yield rows
        last = (rows[-1][1], rows[-1][0])


def _chunks(rows: list[Row], max_records: int, max_bytes: int) -> Iterator[list[tuple[Row, bytes]]]:
    chunk: list[tuple[Row, bytes]] = []
    size = 2
    for row in rows:
        encoded = encode_record(row[2], row[3], row[4], row[5], row[6])
        if chunk and (len(chunk) >= max_records or size + len(encoded) + 1 > max_bytes):
            yield chunk
            chunk, size = [], 2
        chunk.append((row, encoded))
        size += len(encoded) + 1
    if chunk:
        yield chunk


def _advance_cursor(client: Client, target: str, until: datetime, *, done: bool) -> None:
    """Move the cursor forward only (a --full or resumed run never moves it back)."""
    cursor = PushCursor.objects.filter(client=client, target=target)
    cursor.filter(Q(pushed_until__isnull=True) | Q(pushed_until__lt=until)).update(
        pushed_until=until
    )
    if done:
        cursor.update(last_success_at=timezone.now())


# --- Consent --------------------------------------------------------------------------------
def sync_consent(options: PushOptions, record: RunRecord, deadline: Deadline | None = None) -> None:
    """Mirror each local client's sharing flag on the remote client it has a token for.

    The receiving instance applies its consent rules to what it received (its `shared()` views
    honour the remote client's flag), so turning sharing off here hides what was already sent
    there at the next push, before any `stats_withdraw`. Clients pushed under the instance-wide
    REMOTE_STATS_TOKEN share one remote client, whose flag is left to the remote's admin.
    """
    credentials = RemoteCredential.objects.filter(
        target=options.target, client__local=True
    ).select_related("client")
    if options.client_uuids:
        credentials = credentials.filter(client__uuid__in=options.client_uuids)
    for credential in credentials:
        client = credential.client
        wanted = client.is_sharing_enabled
        mirrored_off = credential.remote_sharing_enabled is False
        # Turn it off once; turn it back on only if a push turned it off (else the remote
        # admin's choice stands).
        if (wanted and not mirrored_off) or (not wanted and mirrored_off):
            continue
        try:
            token = decrypt_token(credential.token_encrypted)
            with RemoteClient(options.target, token=token, deadline=deadline) as remote:
                remote.request("PATCH", CLIENT_ME_PATH, json={"is_sharing_enabled": wanted})
        except (RemoteError, TokenUnreadable) as exc:
            record.fail(f"{client.name} ({client.uuid}): sharing flag not mirrored: {exc}")
            continue
        RemoteCredential.objects.filter(pk=credential.pk).update(remote_sharing_enabled=wanted)


# --- Push -----------------------------------------------------------------------------------
def _selected_stats(client: Client, options: PushOptions, run_start: datetime) -> Any:
    cursor = PushCursor.objects.filter(client=client, target=options.target).first()
    pushed_until = cursor.pushed_until if cursor is not None else None
    qs = Stats.objects.filter(analysis__client=client, updated_at__lte=run_start)
    qs = qs.in_period(options.date_from, options.date_to)
    if not options.full and pushed_until is not None:
        overlap = timedelta(seconds=settings.SHARING_PUSH_OVERLAP)
        qs = qs.filter(updated_at__gte=pushed_until - overlap)
    return qs


def _send(
    remote: RemoteClient,
    client: Client,
    options: PushOptions,
    chunk: list[tuple[Row, bytes]],
    body: bytes,
) -> None:
    # Consent is re-read before every chunk: turning sharing off stops a run.
    if not Client.objects.outbound().filter(pk=client.pk).exists():
        raise PushError("sharing was turned off (or the client deactivated) during the run")
    remote.request("POST", STATS_PATH, data=body)
    SharedAnalysis.objects.bulk_create(
        [
            SharedAnalysis(client=client, target=options.target, anr=anr)
            for anr in {row[3] for row, _ in chunk}
        ],
        ignore_conflicts=True,
    )
    if not options.windowed:
        _advance_cursor(client, options.target, chunk[-1][0][1], done=False)


def _push_client(
    client: Client,
    options: PushOptions,
    entry: ClientRecord,
    lock: Lock | None,
    result: PushResult,
    progress: Progress | None,
    deadline: Deadline | None = None,
) -> None:
    remote: RemoteClient | None = None
    if not options.dry_run:
        token = required_token(client, options.target)
        remote = RemoteClient(options.target, token=token, deadline=deadline)
        PushCursor.objects.get_or_create(client=client, target=options.target)
    # Rows changed after this instant are left to the next run (whose overlap covers them).
    run_start = timezone.now()
    qs = _selected_stats(client, options, run_start)
    total = qs.count()
    sent = 0
    max_records = settings.SHARING_PUSH_CHUNK_RECORDS
    try:
        for page in _pages(qs, max_records):
            for chunk in _chunks(page, max_records, settings.SHARING_PUSH_CHUNK_BYTES):
                body = encode_chunk([encoded for _, encoded in chunk])
                if remote is not None:
                    _send(remote, client, options, chunk, body)
                    if lock is not None:
                        lock.renew()
                sent += len(chunk)
                result.records += len(chunk)
                result.bytes += len(body)
                result.chunks += 1
                entry.progress(records=len(chunk), size=len(body), chunks=1)
                if progress is not None:
                    progress(client, sent, total, result.bytes)
    finally:
        if remote is not None:
            remote.close()
    if remote is not None and not options.windowed:
        _advance_cursor(client, options.target, run_start, done=True)


def _has_no_token(client: Client, target: str) -> bool:
    try:
        return remote_token(client, target)[0] is None
    except TokenUnreadable:
        return False  # a token is there: the push reports it as unreadable


def push(
    options: PushOptions, *, lock: Lock | None, progress: Progress | None = None
) -> PushResult:
    """Push every selected client; a failing client does not stop the others."""
    started = time.monotonic()
    clients = shareable_clients()
    if options.client_uuids:
        clients = clients.filter(uuid__in=options.client_uuids)
    kind = SharingRun.Kind.PUSH
    deadline = run_deadline()
    with recorded_run(
        kind, target=options.target, dry_run=options.dry_run, options=options.as_recorded()
    ) as record:
        result = PushResult(run=record.run, failures=record.failures)
        if not options.dry_run:
            sync_consent(options, record, deadline)
        try:
            for client in clients:
                if not options.dry_run and _has_no_token(client, options.target):
                    result.not_configured.append(client)
                    continue
                if deadline.passed:
                    record.fail(f"stopped: {deadline.reason} passed; the next run resumes")
                    break
                result.clients += 1
                try:
                    with record.client(client) as entry:
                        _push_client(client, options, entry, lock, result, progress, deadline)
                except CLIENT_ERRORS as exc:
                    record.fail(f"{client.name} ({client.uuid}): {exc}")
                    if isinstance(exc, RemoteError) and exc.unreachable:
                        # Every other client would fail the same way after its retries: stop.
                        record.stop(f"stopped: remote unreachable ({exc})")
                        break
        except LockLost as exc:
            record.fail(f"stopped: {exc} (another run took over after SHARING_LOCK_TTL)")
    result.seconds = time.monotonic() - started
    return result
