"""Pushing local clients' stats to another Stats Service, and withdrawing them.

What is sent: the stats of local, active clients with sharing on, created or changed since the
client's cursor on that target (minus SHARING_PUSH_OVERLAP), oldest change first, in chunks
bounded by SHARING_PUSH_CHUNK_RECORDS and SHARING_PUSH_CHUNK_BYTES, each record with its uuid.
The receiver upserts on (analysis, type, date), so re-sending is harmless: after each accepted
chunk the cursor moves to that chunk's last change, so an interrupted run (remote down, process
killed) resumes where it stopped and loses nothing.
"""

from __future__ import annotations

import json
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
from sharing import runs
from sharing.client import RemoteClient, RemoteError
from sharing.crypto import TokenUnreadable, decrypt_token, encrypt_token
from sharing.locks import Lock, LockLost
from sharing.models import PushCursor, RemoteCredential, SharedAnalysis, SharingRun
from stats.models import Analysis, Stats

STATS_PATH = "api/v1/stats/"
Row = tuple[int, datetime, uuid_lib.UUID, uuid_lib.UUID, str, date, str]
Progress = Callable[[Client, int, int, int], None]


class PushError(Exception):
    """A push cannot start (bad configuration or arguments)."""


def normalise_target(url: str) -> str:
    return url.strip().rstrip("/")


def default_target() -> str:
    return normalise_target(settings.REMOTE_STATS_SERVER)


# --- Credentials ----------------------------------------------------------------------------
def set_remote_token(*, client: Client, target: str, token: str) -> RemoteCredential:
    credential, _ = RemoteCredential.objects.update_or_create(
        client=client,
        target=normalise_target(target),
        defaults={"token_encrypted": encrypt_token(token)},
    )
    return credential


def unset_remote_token(*, client: Client, target: str) -> int:
    deleted, _ = RemoteCredential.objects.filter(
        client=client, target=normalise_target(target)
    ).delete()
    return deleted


def remote_token(client: Client, target: str) -> tuple[str | None, str]:
    """(token, where it comes from): the client's own remote token, else REMOTE_STATS_TOKEN."""
    credential = RemoteCredential.objects.filter(client=client, target=target).first()
    if credential is not None:
        return decrypt_token(credential.token_encrypted), "per-client token"
    if settings.REMOTE_STATS_TOKEN:
        return settings.REMOTE_STATS_TOKEN, "REMOTE_STATS_TOKEN"
    return None, "none"


def is_configured(target: str) -> bool:
    return (
        bool(settings.REMOTE_STATS_TOKEN) or RemoteCredential.objects.filter(target=target).exists()
    )


# --- Selection and encoding -----------------------------------------------------------------
def shareable_clients() -> Any:
    """Clients whose stats may leave: local (never re-export received data) and shareable."""
    return Client.objects.local().shareable().order_by("name")


def encode_record(rec_uuid: Any, anr: Any, stats_type: str, day: date, data_json: str) -> bytes:
    """One record as the API takes it; the stored payload is spliced in verbatim."""
    head = json.dumps({"uuid": str(rec_uuid), "anr": str(anr), "type": stats_type})
    return (head[:-1] + f',"date":"{day.isoformat()}","data":' + data_json + "}").encode()


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
def sync_consent(options: PushOptions, result: PushResult) -> None:
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
            with RemoteClient(options.target, token=token) as remote:
                remote.request("PATCH", "api/v1/client/me", json={"is_sharing_enabled": wanted})
        except (RemoteError, TokenUnreadable) as exc:
            message = f"{client.name} ({client.uuid}): sharing flag not mirrored: {exc}"
            result.failures.append(message)
            continue
        RemoteCredential.objects.filter(pk=credential.pk).update(remote_sharing_enabled=wanted)


# --- Push -----------------------------------------------------------------------------------
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


@dataclass
class PushResult:
    run: SharingRun
    clients: int = 0
    records: int = 0
    bytes: int = 0
    chunks: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def _push_client(
    run: SharingRun,
    client: Client,
    options: PushOptions,
    lock: Lock | None,
    result: PushResult,
    progress: Progress | None,
) -> None:
    entry = runs.start_client(run, client)
    remote: RemoteClient | None = None
    if not options.dry_run:
        token, _ = remote_token(client, options.target)
        if token is None:
            raise PushError("no remote token: set REMOTE_STATS_TOKEN or use sharing_token_set")
        remote = RemoteClient(options.target, token=token)
    if remote is not None:
        cursor, _ = PushCursor.objects.get_or_create(client=client, target=options.target)
    else:
        cursor = PushCursor.objects.filter(client=client, target=options.target).first()
    pushed_until = cursor.pushed_until if cursor is not None else None
    # Rows changed after this instant are left to the next run (whose overlap covers them).
    run_start = timezone.now()
    qs = Stats.objects.filter(analysis__client=client, updated_at__lte=run_start)
    qs = qs.in_period(options.date_from, options.date_to)
    if not options.full and pushed_until is not None:
        overlap = timedelta(seconds=settings.SHARING_PUSH_OVERLAP)
        qs = qs.filter(updated_at__gte=pushed_until - overlap)
    total = qs.count()
    sent = 0
    max_records = settings.SHARING_PUSH_CHUNK_RECORDS
    try:
        for page in _pages(qs, max_records):
            for chunk in _chunks(page, max_records, settings.SHARING_PUSH_CHUNK_BYTES):
                body = b"[" + b",".join(encoded for _, encoded in chunk) + b"]"
                if remote is not None:
                    # Consent is re-read before every chunk: turning sharing off stops a run.
                    if not Client.objects.filter(pk=client.pk, is_sharing_enabled=True).exists():
                        raise PushError("sharing was turned off during the run")
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
                    if lock is not None:
                        lock.renew()
                sent += len(chunk)
                result.records += len(chunk)
                result.bytes += len(body)
                result.chunks += 1
                runs.add_progress(run, entry, records=len(chunk), size=len(body), chunks=1)
                if progress is not None:
                    progress(client, sent, total, result.bytes)
    finally:
        if remote is not None:
            remote.close()
    if remote is not None and not options.windowed:
        _advance_cursor(client, options.target, run_start, done=True)
    runs.finish_client(entry, runs.Outcome.SUCCESS)


def push(
    options: PushOptions, *, lock: Lock | None, progress: Progress | None = None
) -> PushResult:
    """Push every selected client; a failing client does not stop the others."""
    started = time.monotonic()
    clients = shareable_clients()
    if options.client_uuids:
        clients = clients.filter(uuid__in=options.client_uuids)
    run = runs.start_run(
        SharingRun.Kind.PUSH,
        target=options.target,
        dry_run=options.dry_run,
        options={
            "clients": [str(u) for u in options.client_uuids or []],
            "date_from": options.date_from.isoformat() if options.date_from else None,
            "date_to": options.date_to.isoformat() if options.date_to else None,
            "full": options.full,
        },
    )
    result = PushResult(run=run)
    if not options.dry_run:
        sync_consent(options, result)
    succeeded = 0
    fatal = ""
    try:
        for client in clients:
            result.clients += 1
            try:
                _push_client(run, client, options, lock, result, progress)
                succeeded += 1
            except (RemoteError, PushError, TokenUnreadable) as exc:
                message = f"{client.name} ({client.uuid}): {exc}"
                result.failures.append(message)
                entry = run.per_client.filter(client=client).last()
                if entry is not None:
                    runs.finish_client(entry, runs.Outcome.FAILED, str(exc))
                if isinstance(exc, RemoteError) and exc.unreachable:
                    # Every other client would fail the same way after its retries: stop.
                    fatal = f"stopped: remote unreachable ({exc})"
                    break
    except LockLost as exc:
        result.failures.append(f"stopped: {exc} (another run took over after SHARING_LOCK_TTL)")
    except BaseException as exc:
        # Whatever stops the run (a database error, Ctrl-C) is recorded, then raised again.
        runs.finish_run(run, runs.Outcome.FAILED, f"interrupted: {type(exc).__name__}: {exc}")
        raise
    errors = "\n".join([*result.failures, fatal] if fatal else result.failures)
    result.run = runs.finish_run(run, runs.overall_outcome(succeeded, len(result.failures)), errors)
    result.seconds = time.monotonic() - started
    return result


# --- Withdraw -------------------------------------------------------------------------------
@dataclass
class WithdrawResult:
    run: SharingRun
    analyses: list[uuid_lib.UUID]
    deleted: int = 0


def analyses_to_withdraw(client: Client, target: str) -> list[uuid_lib.UUID]:
    """What was recorded as shared, plus every local analysis (a DELETE of nothing is a 204)."""
    shared = set(
        SharedAnalysis.objects.filter(client=client, target=target).values_list("anr", flat=True)
    )
    local = set(Analysis.objects.filter(client=client).values_list("uuid", flat=True))
    return sorted(shared | local, key=str)


def withdraw(*, client: Client, target: str, dry_run: bool, lock: Lock | None) -> WithdrawResult:
    """DELETE each analysis of `client` on `target`, forgetting it once the remote confirmed."""
    anrs = analyses_to_withdraw(client, target)
    run = runs.start_run(SharingRun.Kind.WITHDRAW, target=target, dry_run=dry_run)
    entry = runs.start_client(run, client)
    result = WithdrawResult(run=run, analyses=anrs)
    if dry_run:
        runs.finish_client(entry, runs.Outcome.SUCCESS)
        result.run = runs.finish_run(run, runs.Outcome.SUCCESS)
        return result
    try:
        token, _ = remote_token(client, target)
        if token is None:
            raise PushError("no remote token: set REMOTE_STATS_TOKEN or use sharing_token_set")
        with RemoteClient(target, token=token) as remote:
            for anr in anrs:
                remote.request("DELETE", f"api/v1/stats/{anr}")
                SharedAnalysis.objects.filter(client=client, target=target, anr=anr).delete()
                result.deleted += 1
                runs.add_progress(run, entry, records=0, size=0, chunks=1)
                if lock is not None:
                    lock.renew()
    except (RemoteError, PushError, TokenUnreadable) as exc:
        runs.finish_client(entry, runs.Outcome.FAILED, str(exc))
        result.run = runs.finish_run(run, runs.Outcome.FAILED, str(exc))
        raise
    # Nothing of this client is left there: a later re-enable must send everything again.
    PushCursor.objects.filter(client=client, target=target).delete()
    runs.finish_client(entry, runs.Outcome.SUCCESS)
    result.run = runs.finish_run(run, runs.Outcome.SUCCESS)
    return result
