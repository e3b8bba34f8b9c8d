"""Turn validated stats payloads into fact rows (stats.facts) and keep them in step with `Stats`.

Called inside the ingest transaction: the facts of every (re-)stored record are deleted and
inserted again, so a re-sent day never double-counts. Payload shapes were checked by
stats.validation; each record's kind (stats.kinds) reads its payload into rows, and this module
buffers and writes them.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connections, models, router

from clients.models import Client
from stats import kinds
from stats.facts import (
    FACT_MODELS,
    FACTS_BY_TYPE,
    ROLLUP_MODELS,
    Fact,
    Label,
    RiskFact,
)
from stats.kinds.base import LABEL_KEYS
from stats.models import Stats
from stats.rollups import (
    DELETE_CHUNK,
    rebuild_rollups,
    refresh_rollups,
    subtract_client_totals,
)

INSERT_BATCH = 2000

# (client id, kind, key) -> labels
Labels = dict[tuple[int, str, uuid.UUID], dict[str, str | None]]


@lru_cache(maxsize=65_536)
def _hex(text: str) -> str:
    return uuid.UUID(text).hex


@lru_cache(maxsize=65_536)
def _canonical(text: str) -> str:
    """PostgreSQL reads uuids from COPY's text; it does not take every form uuid.UUID does."""
    return str(uuid.UUID(text))


# Rows per INSERT statement (also bounded by the backend's parameter limit).
INSERT_ROWS = 1000


def bulk_insert(
    model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Multi-row INSERTs of ready-made tuples: the ORM's per-instance work (model __init__,
    per-value preparation) cost more than the database itself at ~300 facts per record."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c.removesuffix("_id")).column) for c in columns)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    if connection.vendor == "postgresql":
        _copy_rows(connection, table, names, _copy_lines(model, columns, rows))
        return
    max_params = connection.features.max_query_params or 65_535
    per_statement = max(1, min(INSERT_ROWS, max_params // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            # Only quoted model metadata is interpolated; every value is a query parameter.
            values = ", ".join([placeholders] * len(chunk))
            sql = f"INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, [value for row in chunk for value in row])


def _copy_field(value: Any) -> str:
    """One value in COPY's text format (NULL as \\N; backslash, tab and newlines escaped)."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (
                value.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )
        return value
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    return str(value)


def _copy_lines(
    model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> list[str]:
    """Rows as lines of COPY's text format.

    Numbers, dates and uuids (as canonical strings) print as they are, so one %-format per row
    does them; only nullable and free-text columns go through _copy_field. That halved the
    formatting time of a MONARC batch's ~5,000 fact rows.
    """
    line = "\t".join(["%s"] * len(columns)) + "\n"
    fields = [model._meta.get_field(c.removesuffix("_id")) for c in columns]
    escaped = [
        i
        for i, field in enumerate(fields)
        if field.null or isinstance(field, models.CharField | models.TextField)
    ]
    if not escaped:
        return [line % row for row in rows]
    lines = []
    for row in rows:
        values = list(row)
        for i in escaped:
            values[i] = _copy_field(values[i])
        lines.append(line % tuple(values))
    return lines


def _copy_rows(connection: Any, table: str, names: str, lines: list[str]) -> None:
    """PostgreSQL's COPY: nothing is quoted or parsed as SQL parameters. Measured on 7 POSTs of
    20 analyses: the facts' database time fell from 1.06 s to 0.43 s (a POST: 0.39 to 0.33 s)."""
    buffer = io.StringIO()
    buffer.writelines(lines)
    buffer.seek(0)
    with connection.cursor() as cursor:
        # Only quoted model metadata is interpolated; the values travel in the COPY stream.
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)


class FactBuilder:
    """Collects the fact rows and labels of many records, then writes them in bulk.

    Each record's kind (stats.kinds) extracts its rows, as tuples in the column order its
    FactTable names, into `rows`; this class owns only the buffers and the writing.
    """

    def __init__(self) -> None:
        self.columns: dict[type[Fact], tuple[str, ...]] = {
            table.model: table.columns for kind in kinds.all_kinds() for table in kind.facts
        }
        self.rows: dict[type[Fact], list[tuple[Any, ...]]] = {model: [] for model in self.columns}
        self.labels: Labels = {}
        connection = connections[router.db_for_write(RiskFact)]
        # UUIDs as the backend reads them: canonical text on PostgreSQL, 32 hex digits elsewhere.
        self.db_uuid = _canonical if connection.features.has_native_uuid_field else _hex

    def add(
        self,
        *,
        stats_id: int,
        analysis_id: int,
        client_id: int,
        stats_type: str,
        day: date,
        data: Any,
    ) -> None:
        common = (stats_id, analysis_id, client_id, day.isoformat())
        kinds.get(stats_type).extract(self, common, client_id, data)

    def label(self, client_id: int, kind: str, key: uuid.UUID, item: Mapping[str, Any]) -> None:
        """Keep the latest non-empty value of each label seen for this key in the batch."""
        labels = self.labels.get((client_id, kind, key))
        if labels is None:
            self.labels[(client_id, kind, key)] = {k: item.get(k) for k in LABEL_KEYS}
            return
        for name in LABEL_KEYS:
            value = item.get(name)
            if value:
                labels[name] = value

    def save(self) -> int:
        """Insert the collected rows and upsert the labels. Returns the number of fact rows."""
        total = 0
        for model, rows in self.rows.items():
            if rows:
                bulk_insert(model, self.columns[model], rows)
                total += len(rows)
        save_labels(self.labels)
        return total


def save_labels(labels: Labels) -> None:
    """Upsert labels, keeping a stored non-empty label where the new one is empty or null."""
    if not labels:
        return
    stored = Label.objects.filter(
        client_id__in={k[0] for k in labels},
        kind__in={k[1] for k in labels},
        key__in={k[2] for k in labels},
    ).values_list("client_id", "kind", "key", *LABEL_KEYS)
    existing = {row[:3]: dict(zip(LABEL_KEYS, row[3:], strict=True)) for row in stored}
    rows = []
    for (client_id, kind, key), new in labels.items():
        old = existing.get((client_id, kind, key))
        values = {k: new[k] or (old[k] if old else None) or new[k] for k in LABEL_KEYS}
        # Labels rarely change: most batches write none.
        if values != old:
            rows.append(Label(client_id=client_id, kind=kind, key=key, **values))
    if not rows:
        return
    Label.objects.bulk_create(
        rows,
        batch_size=INSERT_BATCH,
        update_conflicts=True,
        unique_fields=["client", "kind", "key"],
        update_fields=list(LABEL_KEYS),
    )


def delete_facts_of_stats(
    stats_ids: Iterable[int], tables: tuple[type[Fact], ...] = FACT_MODELS
) -> None:
    """Delete the facts of these records (explicit DELETEs, no ORM cascade collection)."""
    ids = sorted(stats_ids)
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = ids[start : start + DELETE_CHUNK]
        for model in tables:
            # No dependents and no signals: Django runs this as one DELETE statement.
            model.objects.filter(stats_id__in=chunk).delete()


def replace_facts(
    *,
    client_id: int,
    analysis_ids: dict[uuid.UUID, int],
    records: dict[tuple[Any, str, date], Any],
    stats_ids: dict[tuple[Any, str, date], int],
) -> int:
    """Rebuild the facts of just-stored `records` ((anr, type, date) -> IncomingRecord), given
    the ids of their analyses by ANR and of their stored rows by the same key."""
    builder = FactBuilder()
    replaced: dict[str, list[int]] = {}
    for (anr, stats_type, day), record in records.items():
        pk = stats_ids[(anr, stats_type, day)]
        # New and re-sent records alike: an indexed DELETE that finds nothing is cheap.
        replaced.setdefault(stats_type, []).append(pk)
        builder.add(
            stats_id=pk,
            analysis_id=analysis_ids[anr],
            client_id=client_id,
            stats_type=stats_type,
            day=day,
            data=record.data,
        )
    touched: dict[str, set[date]] = {}
    for stats_type, ids in replaced.items():
        delete_facts_of_stats(ids, tables=FACTS_BY_TYPE[stats_type])
    for _, stats_type, day in records:
        touched.setdefault(stats_type, set()).add(day)
    rows = builder.save()
    for stats_type, days in touched.items():
        refresh_rollups(client_id=client_id, days=days, stats_type=stats_type)
    return rows


def delete_facts(*, analysis_ids: Any = None, client: Client | None = None) -> None:
    """Delete facts of whole analyses (and refresh the rollups of their days), or of a whole
    client (with its rollups and labels). Call before deleting the stats themselves."""
    if client is not None and analysis_ids is None:
        subtract_client_totals(client_id=client.pk)
        for model in (*FACT_MODELS, *ROLLUP_MODELS):
            model.objects.filter(client=client).delete()
        Label.objects.filter(client=client).delete()
        return
    touched: dict[tuple[int, str], set[date]] = {}
    stats = Stats.objects.filter(analysis_id__in=analysis_ids)
    for client_id, stats_type, day in stats.values_list(
        "analysis__client_id", "type", "date"
    ).distinct():
        touched.setdefault((client_id, stats_type), set()).add(day)
    for model in FACT_MODELS:
        # Through the indexed stats key: facts have no index on analysis_id.
        model.objects.filter(stats__analysis_id__in=analysis_ids).delete()
    for (client_id, stats_type), days in touched.items():
        refresh_rollups(client_id=client_id, days=days, stats_type=stats_type)


def delete_stats(stats: Any) -> int:
    """Delete a queryset of Stats keeping facts and rollups consistent (for purges and other
    bulk deletes outside stats.services). Returns the number of records deleted."""
    touched: dict[tuple[int, str], set[date]] = {}
    for client_id, stats_type, day in stats.values_list(
        "analysis__client_id", "type", "date"
    ).distinct():
        touched.setdefault((client_id, stats_type), set()).add(day)
    ids = list(stats.values_list("pk", flat=True))
    delete_facts_of_stats(ids)
    for start in range(0, len(ids), DELETE_CHUNK):
        Stats.objects.filter(pk__in=ids[start : start + DELETE_CHUNK]).delete()
    for (client_id, stats_type), days in touched.items():
        refresh_rollups(client_id=client_id, days=days, stats_type=stats_type)
    return len(ids)


def rebuild_facts(*, batch_size: int = 500) -> tuple[int, int]:
    """Rebuild every record's facts from its stored JSON, one transaction per batch.

    For stats stored before the fact tables existed, or after a change of the normalisation.
    Returns (records, fact rows). Memory stays bounded by `batch_size`.
    """
    from django.db import transaction

    records = rows = 0
    last_pk = 0
    while True:
        batch = list(
            Stats.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "analysis_id", "analysis__client_id", "type", "date", "data_json")[
                :batch_size
            ]
        )
        if not batch:
            with transaction.atomic():
                rebuild_rollups()
            return records, rows
        builder = FactBuilder()
        for pk, analysis_id, client_id, stats_type, day, data_json in batch:
            builder.add(
                stats_id=pk,
                analysis_id=analysis_id,
                client_id=client_id,
                stats_type=stats_type,
                day=day,
                data=json.loads(data_json),
            )
        with transaction.atomic():
            delete_facts_of_stats([row[0] for row in batch])
            rows += builder.save()
        records += len(batch)
        last_pk = batch[-1][0]
