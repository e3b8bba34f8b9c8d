"""The one writer of derived data: facts, labels, daily rollups and all-client totals.

Everything in stats.models.facts and stats.models.rollups is derived from the stored records
(`Stats`). This module keeps it in step with them, through three entry points only:

- `replace_facts`: after records were stored (ingest), replace their facts;
- `remove_records`: remove records (or whole analyses, or all of a client's records) with
  everything derived from them;
- `rebuild`: rebuild every fact, rollup and total from the stored records.

Record querysets route their `delete()` here (stats.models.records), so nothing else deletes
records or analyses. Deletes are explicit, chunked statements: the ORM's cascade would first
load every record (with its JSON) and look for facts by record, a query per fact table.
The rollup and total SQL is stats.rollups, private to this module.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

from django.db import transaction
from django.db.models import Max, Min, OuterRef, QuerySet, Subquery

from clients.models import Client
from stats import kinds
from stats.models import (
    FACT_MODELS,
    ROLLUP_MODELS,
    Analysis,
    Fact,
    Label,
    Stats,
)
from stats.normalise import FactBuilder
from stats.rollups import (
    DELETE_CHUNK,
    rebuild_rollups,
    refresh_rollups,
    subtract_client_totals,
)

# What `remove_records` removes: records (and the analyses they leave empty), whole analyses
# (with all their records), or every record and analysis of one client.
Removal = QuerySet[Stats] | QuerySet[Analysis] | Client


@transaction.atomic(savepoint=False)
def replace_facts(
    *,
    client_id: int,
    analysis_ids: dict[uuid.UUID, int],
    records: dict[tuple[Any, str, date], Any],
    stats_ids: dict[tuple[Any, str, date], int],
) -> int:
    """Rebuild the facts of just-stored `records` ((anr, type, date) -> IncomingRecord), given
    the ids of their analyses by ANR and of their stored rows by the same key, and refresh the
    rollups of their days. Returns the number of fact rows written."""
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
        _delete_facts_of(ids, tables=kinds.get(stats_type).fact_models)
    for _, stats_type, day in records:
        touched.setdefault(stats_type, set()).add(day)
    rows = builder.save()
    for stats_type, days in touched.items():
        refresh_rollups(client_id=client_id, days=days, stats_type=stats_type)
    return rows


@transaction.atomic
def remove_records(*, records: Removal) -> int:
    """Delete `records` with everything derived from them. Returns the number of records.

    - a queryset of `Stats`: those records; the analyses they leave empty go too, and the
      others' first and last dates are recomputed;
    - a queryset of `Analysis`: those analyses with all their records;
    - a `Client`: all its records and analyses, with its labels (the client itself stays):
      its rows go by client, and its share of the all-client totals is subtracted at once.
    """
    if isinstance(records, Client):
        return _remove_client(records)
    if records.model is Analysis:
        return _remove_analyses(records)
    return _remove_stats(cast("QuerySet[Stats]", records))


def rebuild(*, batch_size: int = 500) -> tuple[int, int]:
    """Rebuild every record's facts from its stored JSON, one transaction per batch, then the
    rollups and totals from the facts.

    For stats stored before the fact tables existed, or after a change of the normalisation.
    Returns (records, fact rows). Memory stays bounded by `batch_size`.
    """
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
            _delete_facts_of([row[0] for row in batch])
            rows += builder.save()
        records += len(batch)
        last_pk = batch[-1][0]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    """Slices short enough for every database's limit on query parameters."""
    for start in range(0, len(ids), DELETE_CHUNK):
        yield ids[start : start + DELETE_CHUNK]


def _delete_facts_of(
    stats_ids: Iterable[int], tables: tuple[type[Fact], ...] = FACT_MODELS
) -> None:
    """Delete the facts of these records (explicit DELETEs, no ORM cascade collection)."""
    for chunk in _chunks(sorted(stats_ids)):
        for model in tables:
            # No dependents and no signals: Django runs this as one DELETE statement.
            model._default_manager.filter(stats_id__in=chunk).delete()


def _touched_days(records: QuerySet[Stats]) -> dict[tuple[int, str], set[date]]:
    """The (client, type) -> days whose rollups deleting `records` changes."""
    touched: dict[tuple[int, str], set[date]] = {}
    # Unordered: the default ordering's columns would make DISTINCT one row per record.
    for client_id, stats_type, day in (
        records.order_by().values_list("analysis__client_id", "type", "date").distinct()
    ):
        touched.setdefault((client_id, stats_type), set()).add(day)
    return touched


def _refresh(touched: dict[tuple[int, str], set[date]]) -> None:
    for (client_id, stats_type), days in touched.items():
        refresh_rollups(client_id=client_id, days=days, stats_type=stats_type)


def _remove_stats(records: QuerySet[Stats]) -> int:
    # The same records by primary key, whatever joins or annotations `records` was built with.
    records = Stats.objects.filter(pk__in=records.values("pk")).order_by()
    analysis_ids = set(records.values_list("analysis_id", flat=True).distinct())
    touched = _touched_days(records)
    ids = list(records.values_list("pk", flat=True))
    if not ids:
        return 0
    _delete_facts_of(ids)
    for chunk in _chunks(ids):
        # The facts are gone and nothing else refers to a record.
        rows = Stats.objects.filter(pk__in=chunk)
        rows._raw_delete(rows.db)
    _refresh(touched)
    emptied = Analysis.objects.filter(pk__in=analysis_ids, stats__isnull=True)
    emptied._raw_delete(emptied.db)
    _refresh_analysis_dates(analysis_ids)
    return len(ids)


def _remove_analyses(analyses: QuerySet[Analysis]) -> int:
    count = 0
    for chunk in _chunks(list(analyses.values_list("pk", flat=True))):
        records = Stats.objects.filter(analysis_id__in=chunk)
        touched = _touched_days(records)
        count += records.count()
        for model in FACT_MODELS:
            # Through the indexed stats key: facts have no index on analysis_id.
            model._default_manager.filter(stats__analysis_id__in=chunk).delete()
        records._raw_delete(records.db)
        rows = Analysis.objects.filter(pk__in=chunk)
        rows._raw_delete(rows.db)
        _refresh(touched)
    return count


def _remove_client(client: Client) -> int:
    analyses = Analysis.objects.filter(client=client)
    records = Stats.objects.filter(analysis_id__in=analyses.values("pk"))
    count = records.count()
    subtract_client_totals(client_id=client.pk)
    for model in (*FACT_MODELS, *ROLLUP_MODELS):
        model._default_manager.filter(client=client).delete()
    Label.objects.filter(client=client).delete()
    records._raw_delete(records.db)
    analyses._raw_delete(analyses.db)
    return count


def _refresh_analysis_dates(analysis_ids: set[int]) -> None:
    """Recompute first/last stats dates of the given analyses from their stats."""
    per_analysis = Stats.objects.filter(analysis=OuterRef("pk")).values("analysis")
    Analysis.objects.filter(pk__in=analysis_ids).update(
        first_date=Subquery(per_analysis.annotate(d=Min("date")).values("d")),
        last_date=Subquery(per_analysis.annotate(d=Max("date")).values("d")),
    )
