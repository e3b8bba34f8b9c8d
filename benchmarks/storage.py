"""Bytes on disk per analysis-day, by kind of table, beside the JSON MONARC sent for them.

Tables fall in four groups: the records as received (`Stats`, `Analysis`), the facts extracted
from them (`stats.models.Fact`), the rollups summed from the facts (`stats.models.Rollup` and
the all-clients totals) and everything else (clients, labels, Django's own tables). Each group
is measured as data (heap and TOAST on PostgreSQL, table pages on SQLite) and indexes:

- PostgreSQL: `pg_total_relation_size` and `pg_indexes_size` of each table;
- SQLite: the pages of each table and index from the `dbstat` virtual table (the file size,
  which also counts free pages, is reported too).

The JSON size is what MONARC would have posted for the same dataset (compact JSON, as the
benchmark's ingest sends it), measured on a sample of its analysis-days: the demo generator is
deterministic, so it is regenerated rather than stored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import date
from typing import Any

from statsservice.testing.live import ScratchDatabase

GROUPS = ("records", "facts", "rollups", "other")
# Analysis-days regenerated to measure the JSON size (about 4 ms each).
JSON_SAMPLE = 1500


def table_groups() -> dict[str, str]:
    """{table: group} for every model's table (needs Django set up)."""
    from django.apps import apps

    from stats.models import Analysis, Fact, ObjectDailyTotal, Rollup, Stats

    groups: dict[str, str] = {}
    for model in apps.get_models():
        if model in (Stats, Analysis):
            group = "records"
        elif issubclass(model, Fact):
            group = "facts"
        elif issubclass(model, (Rollup, ObjectDailyTotal)):
            group = "rollups"
        else:
            group = "other"
        groups[model._meta.db_table] = group
    return groups


def postgres_sizes(db: ScratchDatabase) -> dict[str, tuple[int, int]]:
    """{table: (data bytes, index bytes)} for every table of the public schema."""
    import psycopg2

    conn = psycopg2.connect(db.url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                """SELECT c.relname, pg_total_relation_size(c.oid) - pg_indexes_size(c.oid),
                          pg_indexes_size(c.oid)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relkind = 'r' AND n.nspname = 'public'"""
            )
            return {name: (int(data), int(index)) for name, data, index in cur.fetchall()}
    finally:
        conn.close()


def sqlite_sizes(db: ScratchDatabase) -> dict[str, tuple[int, int]]:
    """{table: (data bytes, index bytes)} from dbstat; an index counts for its table."""
    import sqlite3

    assert db.path is not None
    lite = sqlite3.connect(db.path)
    try:
        owner = dict(lite.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"))
        sizes: dict[str, tuple[int, int]] = {}
        for name, pages in lite.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            data, index = sizes.get(table, (0, 0))
            if name in owner:
                index += int(pages)
            else:
                data += int(pages)
            sizes[table] = (data, index)
        return sizes
    finally:
        lite.close()


def json_bytes_per_analysis_day(
    *, seed: int, clients: int, analyses: int, days: Iterable[tuple[date, float]]
) -> float:
    """Mean compact JSON bytes of one analysis-day of the demo dataset, over a sample of days
    (every client and analysis on each sampled day)."""
    from stats import demo

    every = list(days)
    step = max(1, math.ceil(len(every) * clients * analyses / JSON_SAMPLE))
    total = counted = 0
    for day, progress in every[::step]:
        for client_index in range(clients):
            records = demo.client_day(
                seed=seed, client_index=client_index, analyses=analyses, day=day, progress=progress
            )
            total += len(json.dumps(records, separators=(",", ":")).encode())
            counted += analyses
    return total / counted


def measure(db: ScratchDatabase, *, analysis_days: int, json_per_day: float) -> dict[str, Any]:
    """Bytes per analysis-day of each group (data, indexes) and in all, and the ratio of
    records + facts + rollups to the JSON received."""
    sizes = postgres_sizes(db) if db.is_postgres else sqlite_sizes(db)
    groups = table_groups()
    totals = {group: [0, 0] for group in GROUPS}
    for table, (data, index) in sizes.items():
        pair = totals[groups.get(table, "other")]
        pair[0] += data
        pair[1] += index
    per_day = {
        group: {
            "data": round(data / analysis_days),
            "indexes": round(index / analysis_days),
            "total": round((data + index) / analysis_days),
        }
        for group, (data, index) in totals.items()
    }
    stored = sum(per_day[g]["total"] for g in ("records", "facts", "rollups"))
    result: dict[str, Any] = {
        "analysis_days": analysis_days,
        "json_bytes_per_analysis_day": round(json_per_day),
        "per_analysis_day": per_day,
        "stored_bytes_per_analysis_day": stored,
        "stored_to_json": round(stored / json_per_day, 2),
        "tables": {table: {"data": d, "indexes": i} for table, (d, i) in sorted(sizes.items())},
    }
    if db.path is not None:
        result["file_bytes"] = db.path.stat().st_size
    return result


def markdown_rows() -> list[tuple[str, Any]]:
    """(label, cell of a size's result) rows for run.py's table."""

    def cell(group: str) -> Any:
        def show(size: dict[str, Any]) -> str:
            if "storage" not in size:
                return "?"
            one = size["storage"]["per_analysis_day"][group]
            return f"{one['total'] / 1000:.1f} ({one['indexes'] / 1000:.1f} in indexes)"

        return show

    def get(key: str, scale: float = 1.0) -> Any:
        def show(size: dict[str, Any]) -> Any:
            value = size.get("storage", {}).get(key)
            return "?" if value is None else round(value / scale, 2)

        return show

    return [
        ("JSON received KB per analysis-day", get("json_bytes_per_analysis_day", 1000)),
        *((f"on disk KB per analysis-day: {g}", cell(g)) for g in GROUPS),
        ("on disk KB per analysis-day: records + facts + rollups",
            get("stored_bytes_per_analysis_day", 1000)),
        ("on disk / JSON received", get("stored_to_json")),
    ]  # fmt: skip
