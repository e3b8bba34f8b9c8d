"""Processors of `threat` and `vulnerability` records (monarc-protocol.md §5.3)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connections
from django.db.models import Count, Max

from stats.facts import Label, ObjectFact
from stats.normalise import LABEL_KEYS
from stats.processors.base import (
    Scope,
    bucket,
    check_params,
    choice_param,
    iso,
    limit_param,
    mean,
    period_param,
    processor,
    source,
)

ORDER_FIELDS = {"count": "avg_count", "maxRisk": "avg_max_risk", "averageRate": "avg_rate"}
PARAMS = {
    "period": "day (default), week, month, quarter or year: bucket by the period's first day",
    "order_by": "count, maxRisk or averageRate: sort objects by that overall mean",
    "order": "desc (default) or asc, with order_by",
    "limit": "keep only the first N objects (1..1000), e.g. the top 10 by order_by",
}
MEAN_FIELDS = {"avg_count": "count", "avg_max_risk": "max_risk", "avg_rate": "average_rate"}


def scope_labels(
    scope: Scope, kind: str, keys: list[uuid.UUID] | None
) -> dict[uuid.UUID, dict[str, str]]:
    """Labels for `keys` from the clients in scope; a non-empty label wins over an empty one."""
    qs = Label.objects.filter(kind=kind)
    if scope.clients is not None:
        qs = qs.filter(client_id__in=scope.clients.values("pk"))
    if scope.local_only:
        qs = qs.filter(client__local=True)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    rows = qs.values("key").annotate(**{k: Max(k) for k in LABEL_KEYS}).order_by()
    return {row["key"]: {k: row[k] or "" for k in LABEL_KEYS} for row in rows}


def _values(row: dict[str, Any]) -> dict[str, float | None]:
    return {
        "count": mean(row["avg_count"]),
        "maxRisk": mean(row["avg_max_risk"]),
        "averageRate": mean(row["avg_rate"]),
    }


def average_on_date(name: str, stats_type: str, scope: Scope, params: dict[str, Any]) -> Any:
    check_params(name, params, PARAMS)
    period = period_param(params)
    order_by = choice_param(params, "order_by", tuple(ORDER_FIELDS), "")
    descending = choice_param(params, "order", ("desc", "asc"), "desc") == "desc"
    limit = limit_param(params)

    src = source(ObjectFact, scope, stats_type, type=stats_type)
    means = {name: src.mean(field) for name, field in MEAN_FIELDS.items()}
    facts = src.qs
    overall = facts.values("object").annotate(**means)
    if order_by:
        field = ORDER_FIELDS[order_by]
        overall = overall.order_by(f"-{field}" if descending else field, "object")
    else:
        overall = overall.order_by("object")
    if limit:
        overall = overall[:limit]
    totals = {row["object"]: _values(row) for row in overall}
    if not totals:
        return []
    # The one result that grows with days x objects (a year by day: ~20k rows): read it with a
    # plain cursor and convert each distinct uuid and date once, not once per row.
    per_bucket = (
        facts.values("object", day=bucket(period))
        .annotate(**means)
        .order_by("day")
        .values_list("object", "day", *means)
    )
    if limit:
        per_bucket = per_bucket.filter(object__in=list(totals))
    series: dict[uuid.UUID, list[dict[str, Any]]] = {key: [] for key in totals}
    keys: dict[Any, uuid.UUID] = {}
    days: dict[Any, str] = {}
    sql, sql_params = per_bucket.query.sql_with_params()
    with connections[per_bucket.db].cursor() as cursor:
        cursor.execute(sql, sql_params)
        for raw_key, raw_day, count, max_risk, rate in cursor:
            key = keys.get(raw_key)
            if key is None:
                key = keys[raw_key] = uuid.UUID(str(raw_key))
            day = days.get(raw_day)
            if day is None:
                day = days[raw_day] = iso(raw_day)
            series[key].append(
                {
                    "count": mean(count),
                    "maxRisk": mean(max_risk),
                    "averageRate": mean(rate),
                    "date": day,
                }
            )
    labels = scope_labels(scope, stats_type, list(totals) if limit else None)
    empty = dict.fromkeys(LABEL_KEYS, "")
    return [
        {
            "object": str(key),
            "labels": labels.get(key, empty),
            "values": series[key],
            "averages": averages,
        }
        for key, averages in totals.items()
    ]


@processor("threat_average_on_date", "threat", PARAMS)
def threat_average_on_date(scope: Scope, params: dict[str, Any]) -> Any:
    """Per threat: mean count, maxRisk and averageRate per date (or period), and overall.

    `values[i]` is, for one bucket, the mean over the selected records (one analysis on one day)
    of that bucket that contain the threat; `averages` is the mean over every selected record
    containing it (not a mean of the per-date means). `averageRate` is read from its string.
    """
    return average_on_date("threat_average_on_date", "threat", scope, params)


@processor("vulnerability_average_on_date", "vulnerability", PARAMS)
def vulnerability_average_on_date(scope: Scope, params: dict[str, Any]) -> Any:
    """Per vulnerability: mean count, maxRisk and averageRate per date (or period), and overall.

    Same definitions as threat_average_on_date, over vulnerability records (averageRate is the
    mean qualification).
    """
    return average_on_date("vulnerability_average_on_date", "vulnerability", scope, params)


def object_contributors(*, stats_type: str, scope: Scope) -> dict[str, int]:
    """threat/vulnerability: object uuid -> number of distinct clients reporting it in scope."""
    facts = source(ObjectFact, scope, stats_type, type=stats_type).qs
    rows = facts.values("object").annotate(n=Count("client_id", distinct=True)).order_by()
    return {str(row["object"]): row["n"] for row in rows}
