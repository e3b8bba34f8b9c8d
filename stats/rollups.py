"""Per-client daily rollups and all-clients totals, derived from the facts in SQL.

A rollup row sums the facts of one client, day and group (stats.models.ROLLUPS); a total sums
the rollups of every client (stats.models.TOTALS). Both are rebuilt or moved inside the
transaction that changes the facts, so readers never see them out of step.

Private to stats.derived, the one writer of derived data: call that, not these.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connections, models, router

from stats import kinds
from stats.models import FACT_MODELS, ROLLUPS, TOTALS, Fact, db_column

DELETE_CHUNK = 500


def _rollup_sql(fact: type[Fact], where: str) -> str:
    """INSERT INTO <rollup> SELECT <groups>, <aggregates> FROM <fact> WHERE … GROUP BY …"""
    rollup, groups, aggregates = ROLLUPS[fact]
    connection = connections[router.db_for_write(fact)]
    quote = connection.ops.quote_name

    def column(model: type[models.Model], name: str) -> str:
        return quote(db_column(model, name))

    keys = ("client", "date", *groups)
    targets = ", ".join([*(column(rollup, k) for k in keys), *(quote(a) for a in aggregates)])
    selected = ", ".join(column(fact, k) for k in keys)
    computed = ", ".join(
        f"{func}({column(fact, source) if source else '*'})" for func, source in aggregates.values()
    )
    return (
        f"INSERT INTO {quote(rollup._meta.db_table)} ({targets}) "  # noqa: S608 (metadata only)
        f"SELECT {selected}, {computed} FROM {quote(fact._meta.db_table)} "
        f"WHERE {where} GROUP BY {selected}"
    )


def _total_parts(fact: type[Fact]) -> tuple[str, str, list[str]]:
    """`fact`'s all-clients total: its quoted table, group keys (with the date) and sums."""
    _, groups, aggregates = ROLLUPS[fact]
    quote = connections[router.db_for_write(fact)].ops.quote_name
    keys = ", ".join(quote(k) for k in (*groups, "date"))
    return quote(TOTALS[fact]._meta.db_table), keys, [quote(name) for name in aggregates]


def _total_delta_sql(fact: type[Fact], where: str, *, with_facts: bool = True) -> str:
    """Upsert into `fact`'s all-clients total the difference between the client rollups that
    `where` selects (about to be replaced) and the same groups summed from the facts now.

    One statement, rows in key order: concurrent ingests lock the shared total rows in the same
    order (no deadlock), and each adds only its own difference (no lost update).
    """
    rollup, _, aggregates = ROLLUPS[fact]
    quote = connections[router.db_for_write(fact)].ops.quote_name
    table, keys, columns = _total_parts(fact)
    old = ", ".join(f"-{c} AS {c}" for c in columns)
    rollups = quote(rollup._meta.db_table)
    parts = [f"SELECT {keys}, {old} FROM {rollups} WHERE {where}"]  # noqa: S608 (metadata)
    if with_facts:
        computed = ", ".join(
            f"{func}({quote(source) if source else '*'}) AS {quote(name)}"
            for name, (func, source) in aggregates.items()
        )
        facts = quote(fact._meta.db_table)
        parts.append(f"SELECT {keys}, {computed} FROM {facts} WHERE {where} GROUP BY {keys}")  # noqa: S608
    summed = ", ".join(f"SUM({c})" for c in columns)
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    # (WHERE 1 = 1: SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT.)
    return (
        f"INSERT INTO {table} ({keys}, {', '.join(columns)}) "  # noqa: S608 (metadata only)
        f"SELECT {keys}, {summed} FROM ({' UNION ALL '.join(parts)}) AS delta WHERE 1 = 1 "
        f"GROUP BY {keys} ORDER BY {keys} ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )


def refresh_rollups(*, client_id: int, days: Iterable[date], stats_type: str) -> None:
    """Recompute one client's rollups of these days for `stats_type` from its facts (inside the
    caller's transaction, so readers never see a half-refreshed day), and move the all-clients
    totals by the difference."""
    ordered = sorted(days)
    for fact in kinds.get(stats_type).fact_models:
        rollup = ROLLUPS[fact][0]
        connection = connections[router.db_for_write(fact)]
        quote = connection.ops.quote_name
        # Threat and vulnerability facts share a table whose indexes lead with the type: without
        # it, every refresh scanned the whole table (a cost growing with the stored data).
        typed = {"type": stats_type} if any(f.name == "type" for f in fact._meta.fields) else {}
        for start in range(0, len(ordered), DELETE_CHUNK):
            chunk = ordered[start : start + DELETE_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            where = f"{quote('client_id')} = %s AND {quote('date')} IN ({marks})"
            params: list[int | str] = [client_id, *(d.isoformat() for d in chunk)]
            if typed:
                where += f" AND {quote('type')} = %s"
                params.append(stats_type)
            with connection.cursor() as cursor:
                if fact in TOTALS:
                    cursor.execute(_total_delta_sql(fact, where), params * 2)
                rollup._default_manager.filter(
                    client_id=client_id, date__in=chunk, **typed
                ).delete()
                cursor.execute(_rollup_sql(fact, where), params)


def rebuild_rollups() -> None:
    """Recompute every rollup from the facts, then the all-clients totals from the rollups."""
    for fact in FACT_MODELS:
        rollup = ROLLUPS[fact][0]
        rollup._default_manager.all().delete()
        connection = connections[router.db_for_write(fact)]
        with connection.cursor() as cursor:
            cursor.execute(_rollup_sql(fact, "1 = 1"))
        if fact in TOTALS:
            TOTALS[fact]._default_manager.all().delete()
            table, keys, columns = _total_parts(fact)
            rollups = connection.ops.quote_name(rollup._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} ({keys}, {', '.join(columns)}) "  # noqa: S608
                    f"SELECT {keys}, {', '.join(f'SUM({c})' for c in columns)} "
                    f"FROM {rollups} GROUP BY {keys}"
                )


def subtract_client_totals(*, client_id: int) -> None:
    """Take a client's whole share out of the totals (before its rollups are deleted)."""
    for fact in TOTALS:
        connection = connections[router.db_for_write(fact)]
        where = f"{connection.ops.quote_name('client_id')} = %s"
        with connection.cursor() as cursor:
            cursor.execute(_total_delta_sql(fact, where, with_facts=False), [client_id])
