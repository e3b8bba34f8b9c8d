"""Turn validated stats payloads into fact rows (stats.models.facts).

stats.derived runs the builder inside the ingest transaction: the facts of every (re-)stored
record are deleted and inserted again, so a re-sent day never double-counts. Payload shapes
were checked by stats.validation; each record's kind (stats.kinds) reads its payload into rows,
and this module buffers and writes them.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connections, models, router

from stats import kinds
from stats.models import (
    LABEL_KEYS,
    Fact,
    Label,
    RiskFact,
    db_column,
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
    names = ", ".join(quote(db_column(model, c.removesuffix("_id"))) for c in columns)
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
