"""Pulling stats from another instance, and exporting/importing them as files (air-gapped).

Received stats always go to a non-local client (`client_create --remote`): they keep their
provenance, `local_stats_only` views exclude them, and a push never sends them on. Both paths
validate like the API (stats.validation.validate_batch) and store through
stats.services.ingest_batch, so a repeated pull or import changes nothing.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import uuid as uuid_lib
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from sharing.push import STATS_PATH, encode_record, shareable_clients
from stats import services
from stats.models import Stats, StatsType
from stats.validation import EARLIEST_DATE, BatchInvalid, validate_batch
from statsservice.http import RemoteClient

EXPORT_FORMAT = "statsservice-export"
EXPORT_VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"
IMPORT_SLICE = 2000


class TransferError(Exception):
    """Bad input or an unusable answer; the message is meant for the operator."""


def require_remote_client(client: Client) -> None:
    if client.local:
        raise TransferError(
            f"client {client.name!r} is local (a MONARC instance); received stats must go to a "
            "client standing for the other instance: create one with client_create --remote"
        )


# --- Pull -----------------------------------------------------------------------------------
@dataclass
class PullResult:
    per_type: dict[str, int] = field(default_factory=dict)
    pages: int = 0

    @property
    def records(self) -> int:
        return sum(self.per_type.values())


def pull(
    *,
    client: Client,
    server: str,
    token: str,
    types: list[str],
    date_from: date | None,
    date_to: date | None,
    page_size: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PullResult:
    """Page through the remote's `GET /api/v1/stats/` and store each page for `client`.

    Each page is stored atomically; a failure midway keeps the pages already stored, and a
    re-run stores them again without change (upsert on analysis, type and date).
    """
    require_remote_client(client)
    limit = page_size or settings.SHARING_PULL_PAGE_SIZE
    # Without dates, everything: the API's own default would be the last 3 months only.
    window = {
        "date_from": (date_from or EARLIEST_DATE).isoformat(),
        "date_to": (date_to or timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    result = PullResult()
    with RemoteClient(server, token=token) as remote:
        for stats_type in types:
            offset = 0
            result.per_type[stats_type] = 0
            while True:
                params = {"type": stats_type, **window, "offset": offset, "limit": limit}
                _, body = remote.request("GET", STATS_PATH, params=params)
                items = body.get("data") if isinstance(body, dict) else None
                if not isinstance(items, list):
                    raise TransferError("the remote answer has no 'data' list")
                try:
                    records = validate_batch(items, max_records=limit)
                except BatchInvalid as exc:
                    raise TransferError(
                        f"the remote sent an invalid record ({stats_type}, #{offset + exc.index})"
                        f": {exc.error}"
                    ) from None
                except ValueError as exc:
                    raise TransferError(f"unusable page: {exc}") from None
                services.ingest_batch(client=client, records=records)
                result.pages += 1
                result.per_type[stats_type] += len(records)
                offset += len(items)
                total = (body.get("metadata") or {}).get("count")
                if progress is not None:
                    progress(stats_type, offset, total if isinstance(total, int) else offset)
                if len(items) < limit or (isinstance(total, int) and offset >= total):
                    break
    return result


# --- Export ---------------------------------------------------------------------------------
@dataclass
class ExportResult:
    path: Path
    clients: int
    records: int
    bytes: int


def export(
    *,
    path: Path,
    clients: list[Client],
    date_from: date | None,
    date_to: date | None,
    types: list[str],
    compress: bool,
) -> ExportResult:
    """Write the stats of `clients` as one self-describing JSON document.

    Payloads are copied as stored (byte for byte), so an import recreates identical data.
    """
    qs = (
        Stats.objects.filter(analysis__client__in=clients, type__in=types)
        .in_period(date_from, date_to)
        .order_by("analysis__client__name", "date", "analysis__uuid", "type", "pk")
    )
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "description": "Stats Service records: each has the analysis uuid (anr), type, date, "
        "the payload MONARC sent (data), the record uuid and its origin client; load with "
        "`manage.py stats_import FILE --client UUID`.",
        "exported_at": timezone.now().isoformat(),
        "source": settings.INSTANCE_URL,
        "filters": {
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
            "types": types,
        },
        "clients": [{"uuid": str(c.uuid), "name": c.name} for c in clients],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a temporary file renamed over `path` only when complete: a reader (or a
    # concurrent export) never sees half a file.
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    count = 0
    try:
        with (
            os.fdopen(handle, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb") if compress else nullcontext(raw) as out,
        ):
            out.write(json.dumps(header, ensure_ascii=False)[:-1].encode() + b',"records":[')
            rows = qs.values_list(
                "uuid", "analysis__uuid", "type", "date", "data_json", "analysis__client__uuid"
            )
            for rec_uuid, anr, stats_type, day, data_json, owner in rows.iterator(chunk_size=500):
                record = encode_record(rec_uuid, anr, stats_type, day, data_json)
                # The origin client is informative; importers ignore it ("client" is server-owned).
                record = record[:-1] + f',"client":"{owner}"}}'.encode()
                out.write((b"," if count else b"") + b"\n" + record)
                count += 1
            out.write(f'\n],"count":{count}}}\n'.encode())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return ExportResult(path=path, clients=len(clients), records=count, bytes=path.stat().st_size)


def export_clients(client: Client | None) -> list[Client]:
    """Who may be exported: the same consent rules as a push."""
    if client is None:
        return list(shareable_clients())
    if not client.local:
        raise TransferError(f"client {client.name!r} is not local: its stats came from elsewhere")
    if not client.is_sharing_enabled:
        raise TransferError(f"client {client.name!r} has sharing disabled")
    return [client]


# --- Import ---------------------------------------------------------------------------------
@dataclass
class ImportResult:
    records: int
    stored: int
    source: str


def read_export(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        opener = gzip.open if compressed else open
        with opener(path, "rb") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise TransferError(f"no such file: {path}") from None
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TransferError(
            f"{path} is not a readable JSON (or gzipped JSON) file: {exc}"
        ) from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise TransferError(f"{path} is not a Stats Service export (format {EXPORT_FORMAT!r})")
    if document.get("version") != EXPORT_VERSION:
        raise TransferError(f"unsupported export version {document.get('version')!r}")
    records = document.get("records")
    if not isinstance(records, list):
        raise TransferError("the export has no 'records' list")
    if document.get("count") != len(records):
        raise TransferError(
            f"the export is truncated: it announces {document.get('count')!r} records "
            f"and holds {len(records)}"
        )
    return document


def import_file(*, path: Path, client: Client, dry_run: bool = False) -> ImportResult:
    """Validate every record like the API, then store them all in one transaction (or none)."""
    require_remote_client(client)
    document = read_export(path)
    try:
        records = validate_batch(
            document["records"], max_records=settings.SHARING_IMPORT_MAX_RECORDS
        )
    except BatchInvalid as exc:
        raise TransferError(f"record #{exc.index} is invalid: {exc.error}") from None
    except ValueError as exc:
        raise TransferError(str(exc)) from None
    stored = 0
    if not dry_run:
        # One transaction (all or nothing), stored in slices to bound the upsert's memory.
        with transaction.atomic():
            for start in range(0, len(records), IMPORT_SLICE):
                chunk = records[start : start + IMPORT_SLICE]
                stored += len(services.ingest_batch(client=client, records=chunk))
    return ImportResult(records=len(records), stored=stored, source=str(document.get("source")))


def parse_types(value: str | None) -> list[str]:
    if not value:
        return list(StatsType.values)
    if value not in StatsType.values:
        raise TransferError(f"unknown type {value!r}: use one of {', '.join(StatsType.values)}")
    return [value]


def parse_uuid_arg(value: str) -> uuid_lib.UUID:
    try:
        return uuid_lib.UUID(value)
    except ValueError:
        raise TransferError(f"{value!r} is not a valid UUID") from None
