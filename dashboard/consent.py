"""The contributor threshold: a public figure needs PUBLIC_MIN_CONTRIBUTORS distinct clients.

Applied to every figure a page can show, so that no organisation's own numbers can be read off a
chart: the stats type as a whole, each threat or vulnerability, each compliance referential, and
each point of a time series (an object, a referential or the risks in one day or period).

The per-group counts are single grouped queries over the aggregation engine's facts or daily
rollups (stats.models, through stats.processors.source), in the same scope as the figures.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Count

from stats import kinds
from stats.models import ComplianceCategoryFact, ObjectFact
from stats.processors import (
    Scope,
    bucket,
    contributor_count,
    iso,
    latest_stats,
    object_contributors,
    scoped_stats,
    source,
)


def empty_like(data: Any) -> Any:
    return {} if isinstance(data, dict) else []


def _per_bucket(qs: Any, key: str | None, period: str, client: str) -> dict[tuple[str, str], int]:
    """(group key or '', bucket date) -> distinct clients, from one grouped query."""
    fields = [key] if key else []
    rows = (
        qs.annotate(day=bucket(period))
        .values(*fields, "day")
        .annotate(n=Count(client, distinct=True))
        .order_by()
    )
    return {(str(row[key]) if key else "", iso(row["day"])): row["n"] for row in rows}


def _stats_per_bucket(stats_type: str, scope: Scope, period: str) -> dict[tuple[str, str], int]:
    stats = latest_stats if scope.latest_only else scoped_stats
    return _per_bucket(stats(scope, stats_type), None, period, "analysis__client")


def _keep_points(points: Any, allowed: Any) -> Any:
    """Only the `{"date": …}` points whose date `allowed` accepts."""
    if not isinstance(points, list):
        return points
    return [p for p in points if isinstance(p, dict) and allowed(str(p.get("date")))]


def _objects(data: list[Any], stats_type: str, scope: Scope, period: str | None) -> list[Any]:
    minimum = settings.PUBLIC_MIN_CONTRIBUTORS
    overall = object_contributors(stats_type=stats_type, scope=scope)
    kept = [
        row
        for row in data
        if isinstance(row, dict) and overall.get(str(row.get("object")), 0) >= minimum
    ]
    if period is None:
        return kept
    facts = source(ObjectFact, scope, stats_type, type=stats_type).qs
    counts = _per_bucket(facts, "object", period, "client")
    for row in kept:
        uuid = str(row.get("object"))
        row["values"] = _keep_points(
            row.get("values"), lambda day, u=uuid: counts.get((u, day), 0) >= minimum
        )
    return kept


def _risks_on_date(data: dict[str, Any], scope: Scope, period: str) -> dict[str, Any]:
    minimum = settings.PUBLIC_MIN_CONTRIBUTORS
    counts = _stats_per_bucket("risk", scope, period)
    for branch in data.values():
        for levels in (branch or {}).values():
            for level, points in (levels or {}).items():
                levels[level] = _keep_points(
                    points, lambda day: counts.get(("", day), 0) >= minimum
                )
    return data


def _referentials(data: list[Any], scope: Scope, period: str | None) -> list[Any]:
    minimum = settings.PUBLIC_MIN_CONTRIBUTORS
    facts = source(ComplianceCategoryFact, scope, "compliance").qs
    overall: dict[str, int] = defaultdict(int)
    for row in facts.values("referential").annotate(n=Count("client", distinct=True)).order_by():
        overall[str(row["referential"])] = row["n"]
    kept = [
        ref
        for ref in data
        if isinstance(ref, dict) and overall[str(ref.get("referential"))] >= minimum
    ]
    if period is None:
        return kept
    counts = _per_bucket(facts, "referential", period, "client")
    for ref in kept:
        key = str(ref.get("referential"))
        for category in ref.get("categories") or []:
            category["values"] = _keep_points(
                category.get("values"), lambda day, k=key: counts.get((k, day), 0) >= minimum
            )
    return kept


def publishable(*, stats_type: str, scope: Scope, data: Any, period: str | None) -> Any:
    """`data` without the figures fewer than PUBLIC_MIN_CONTRIBUTORS clients contribute to.

    `period` is the bucket of a time series (day for `*_on_date` without one), None otherwise.
    """
    if contributor_count(stats_type=stats_type, scope=scope) < settings.PUBLIC_MIN_CONTRIBUTORS:
        return empty_like(data)
    if kinds.get(stats_type).per_object and isinstance(data, list):
        return _objects(data, stats_type, scope, period)
    if stats_type == "compliance" and isinstance(data, list):
        return _referentials(data, scope, period)
    if stats_type == "risk" and period is not None and isinstance(data, dict):
        return _risks_on_date(data, scope, period)
    return data
