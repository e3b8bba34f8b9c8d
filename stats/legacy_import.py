"""Import from the original (Flask) Stats Service's PostgreSQL database.

The original has two tables (SQLAlchemy models `Client` and `Stats`):

    client(id serial, uuid uuid, name varchar(100), token varchar(100) in clear, role int
           (1 user, 2 admin), latitude float, longitude float, last_seen timestamp,
           local bool, is_sharing_enabled bool, created_at, updated_at, is_active bool)
    stats(uuid uuid primary key, anr uuid, type varchar, date date, data jsonb,
          created_at timestamp, client_id int references client(id))

Clients keep their uuid, role, flags, position and token (re-hashed: MONARC instances keep their
configured key). Stats keep their uuid; the original allowed several rows per analysis, type and
day, so only the latest-created one is kept. Records our validation refuses are skipped and
counted. Everything is written in one transaction through the normal services, and an import can
be re-run: existing clients (same uuid) are left as they are and records are upserted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg2
from django.db import transaction

from clients import services as client_services
from clients.models import Client
from stats import services
from stats.kinds.checks import Invalid
from stats.validation import validate_record

BATCH = 1000

CLIENTS_SQL = """
    SELECT id, uuid::text, name, token, role, latitude, longitude, last_seen, local,
           is_sharing_enabled, is_active
    FROM client ORDER BY id
"""
# One row per client, analysis, type and day: the latest created (ties: the highest uuid).
STATS_SQL = """
    SELECT DISTINCT ON (client_id, anr, type, date)
           client_id, uuid::text, anr::text, type, date, data
    FROM stats WHERE client_id IS NOT NULL
    ORDER BY client_id, anr, type, date, created_at DESC NULLS LAST, uuid DESC
"""
COUNT_SQL = "SELECT count(*), count(*) FILTER (WHERE client_id IS NULL) FROM stats"


@dataclass
class ImportSummary:
    clients_created: int = 0
    clients_existing: int = 0
    clients_skipped: list[str] = field(default_factory=list)
    source_rows: int = 0
    records_stored: int = 0
    duplicates_dropped: int = 0
    invalid_skipped: int = 0
    orphans_skipped: int = 0

    def line(self) -> str:
        return (
            f"Clients: {self.clients_created} imported, {self.clients_existing} already present, "
            f"{len(self.clients_skipped)} skipped. Stats: {self.records_stored} record(s) stored "
            f"from {self.source_rows} source row(s) ({self.duplicates_dropped} duplicate(s) "
            f"dropped, {self.invalid_skipped} invalid, {self.orphans_skipped} without client)."
        )


def _aware(value: datetime | None) -> datetime | None:
    # The original stores naive UTC (datetime.utcnow).
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _import_clients(cursor: Any, summary: ImportSummary, warn: Callable[[str], None]) -> dict:
    mapping: dict[int, Client] = {}
    cursor.execute(CLIENTS_SQL)
    for row in cursor.fetchall():
        (source_id, client_uuid, name, token, role, lat, lon, last_seen, local, sharing, active) = (
            row
        )
        name = (name or "").strip() or f"client {client_uuid}"
        try:
            client, created = client_services.import_client(
                client_uuid=uuid.UUID(client_uuid),
                name=name[:200],
                token=token or None,
                role=Client.Role.ADMIN if role == 2 else Client.Role.USER,
                is_active=active is not False,
                is_sharing_enabled=sharing is not False,
                local=local is not False,
                latitude=lat,
                longitude=lon,
                last_seen=_aware(last_seen),
            )
        except client_services.ClientError as exc:
            summary.clients_skipped.append(name)
            warn(f"Skipped client {name!r} ({client_uuid}) and its stats: {exc}")
            continue
        mapping[source_id] = client
        if created:
            summary.clients_created += 1
        else:
            summary.clients_existing += 1
    return mapping


def _source_records(connection: Any) -> Iterator[tuple]:
    # A named (server-side) cursor streams the rows instead of loading the whole table.
    with connection.cursor(name="stats_import") as cursor:
        cursor.itersize = BATCH
        cursor.execute(STATS_SQL)
        yield from cursor


def _flush(client: Client, batch: list, summary: ImportSummary) -> None:
    if batch:
        summary.records_stored += len(services.ingest_batch(client=client, records=batch))
        batch.clear()


def import_original(
    *, database_url: str, warn: Callable[[str], None] = lambda message: None
) -> ImportSummary:
    """Import every client and stats record of the original service at `database_url`."""
    summary = ImportSummary()
    connection = psycopg2.connect(database_url, connect_timeout=10)
    try:
        connection.set_session(readonly=True)
        with transaction.atomic():
            with connection.cursor() as cursor:
                clients = _import_clients(cursor, summary, warn)
                cursor.execute(COUNT_SQL)
                # An aggregate query always answers one row.
                summary.source_rows, summary.orphans_skipped = cursor.fetchone() or (0, 0)
            distinct = 0
            current: Client | None = None
            batch: list = []
            for source_client, rec_uuid, anr, stats_type, day, data in _source_records(connection):
                distinct += 1
                client = clients.get(source_client)
                if client is None:
                    continue  # its client was skipped (and reported) above
                if client is not current:
                    if current is not None:
                        _flush(current, batch, summary)
                    current = client
                item = {"anr": anr, "type": stats_type, "date": day.isoformat(), "data": data}
                item["uuid"] = rec_uuid
                try:
                    batch.append(validate_record(item))
                except Invalid as exc:
                    summary.invalid_skipped += 1
                    warn(f"Skipped invalid record {rec_uuid} ({stats_type}, {day}): {exc}")
                    continue
                if len(batch) >= BATCH:
                    _flush(current, batch, summary)
            if current is not None:
                _flush(current, batch, summary)
            summary.duplicates_dropped = summary.source_rows - summary.orphans_skipped - distinct
    finally:
        connection.close()
    return summary
