"""Exporting stats to a file and importing such a file (for an instance without network).

An export is one self-describing JSON document (optionally gzipped) holding the records as the
wire format encodes them; an import stores it into a non-local client (see inbound), all or
nothing. Both runs are recorded (kinds "export" and "import").
"""

from __future__ import annotations

import gzip
import json
import os
import stat
import tempfile
import zlib
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clients.models import Client
from sharing.inbound import TransferError, require_remote_client
from sharing.models import SharingRun
from sharing.push import shareable_clients
from sharing.runs import recorded_run
from sharing.wire import decode_records, encode_record
from stats import services
from stats.models import Stats
from stats.validation import BatchInvalid
from statsservice.jsontext import JSONRefused, parse_bounded

EXPORT_FORMAT = "statsservice-export"
EXPORT_VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"
IMPORT_SLICE = 2000
READ_SLICE = 1024 * 1024


# --- Export ---------------------------------------------------------------------------------
@dataclass
class ExportResult:
    path: Path
    clients: int
    records: int
    bytes: int


def export_clients(client: Client | None) -> list[Client]:
    """Who may be exported: the consent rule of every sharing (`ClientQuerySet.outbound`)."""
    if client is None:
        return list(shareable_clients())
    reason = client.outbound_refusal()
    if reason is not None:
        raise TransferError(f"client {client.name!r} {reason}")
    return [client]


def export_stats(
    *,
    path: Path,
    client: Client | None,
    date_from: date | None,
    date_to: date | None,
    types: list[str],
    compress: bool,
) -> ExportResult:
    """Export the clients `export_clients` allows, recording the run (OSError if unwritable)."""
    clients = export_clients(client)
    with recorded_run(
        SharingRun.Kind.EXPORT, target=str(path.resolve()), errors=(OSError,)
    ) as record:
        result = export(
            path=path,
            clients=clients,
            date_from=date_from,
            date_to=date_to,
            types=types,
            compress=compress,
        )
        record.set_totals(clients=result.clients, records=result.records, bytes=result.bytes)
    return result


def _export_header(
    clients: list[Client], date_from: date | None, date_to: date | None, types: list[str]
) -> dict[str, Any]:
    return {
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
    header = _export_header(clients, date_from, date_to, types)
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
                record = encode_record(rec_uuid, anr, stats_type, day, data_json, origin=owner)
                out.write((b"," if count else b"") + b"\n" + record)
                count += 1
            out.write(f'\n],"count":{count}}}\n'.encode())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return ExportResult(path=path, clients=len(clients), records=count, bytes=path.stat().st_size)


# --- Import ---------------------------------------------------------------------------------
@dataclass
class ImportResult:
    records: int
    stored: int
    source: str


def read_file(path: Path, limit: int) -> bytearray:
    """The content of the regular file `path` (gunzipped if it is gzip), at most `limit` bytes.

    Opened without blocking and checked before any read: a device (/dev/zero), a FIFO or a
    directory is refused rather than read forever. Inflation stops at the limit, so a small
    file that expands hugely costs no more memory than a file of the limit's size.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise TransferError(f"no such file: {path}") from None
    except OSError as exc:
        raise TransferError(f"cannot open {path}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise TransferError(f"{path} is not a regular file")
    with os.fdopen(fd, "rb") as raw:
        try:
            compressed = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            with gzip.GzipFile(fileobj=raw) if compressed else nullcontext(raw) as reader:
                return _read_within(reader, limit, path)
        except (OSError, EOFError, zlib.error) as exc:
            raise TransferError(f"{path} is not a readable (gzipped) file: {exc}") from None


def _read_within(reader: Any, limit: int, path: Path) -> bytearray:
    # In slices: one read(limit) would inflate all of it at once, then copy it.
    content = bytearray()
    while piece := reader.read(READ_SLICE):
        content += piece
        if len(content) > limit:
            raise TransferError(
                f"{path} holds more than {limit} bytes (SHARING_IMPORT_MAX_BYTES): split the "
                "export with --date-from/--date-to"
            )
    return content


def read_export(path: Path) -> dict[str, Any]:
    """An export file's document, read within SHARING_IMPORT_MAX_BYTES and parsed by the API's
    rules (depth, NaN, storable text); TransferError naming what is wrong."""
    content = read_file(path, settings.SHARING_IMPORT_MAX_BYTES)
    try:
        # The file wraps the records the API takes in one more object.
        # A bytearray reads like bytes for the parser (re, split, orjson), without a copy.
        document = parse_bounded(cast(bytes, content), max_depth=settings.API_MAX_JSON_DEPTH + 1)
    except JSONRefused as exc:
        raise TransferError(f"{path} is not an export file: {exc}") from None
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
    with recorded_run(
        SharingRun.Kind.IMPORT, target=str(path.resolve()), dry_run=dry_run, errors=(TransferError,)
    ) as record:
        require_remote_client(client)
        document = read_export(path)
        try:
            records = decode_records(
                document["records"], max_records=settings.SHARING_IMPORT_MAX_RECORDS
            )
        except BatchInvalid as exc:
            raise TransferError(f"record #{exc.index} is invalid: {exc.error}") from None
        except ValueError as exc:
            raise TransferError(str(exc)) from None
        stored = 0 if dry_run else _store_all(client, records)
        record.set_totals(clients=1, records=stored)
    return ImportResult(records=len(records), stored=stored, source=str(document.get("source")))


def _store_all(client: Client, records: list[Any]) -> int:
    # One transaction (all or nothing), stored in slices to bound the upsert's memory.
    stored = 0
    with transaction.atomic():
        for start in range(0, len(records), IMPORT_SLICE):
            chunk = records[start : start + IMPORT_SLICE]
            stored += len(services.ingest_batch(client=client, records=chunk))
    return stored
