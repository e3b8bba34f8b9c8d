"""Processors of `threat` and `vulnerability` records (monarc-protocol.md §5.3)."""

from __future__ import annotations

import uuid
from operator import itemgetter
from typing import Any

from django.db.models import Count, Max

from stats.facts import Label, ObjectFact
from stats.normalise import LABEL_KEYS
from stats.processors.base import (
    DECIMALS,
    Scope,
    Source,
    bucket,
    check_params,
    choice_param,
    fetch_rows,
    iso,
    limit_param,
    period_param,
    processor,
    source,
)

ORDER_FIELDS = ("count", "maxRisk", "averageRate")
PARAMS = {
    "period": "day (default), week, month, quarter or year: bucket by the period's first day",
    "order_by": "count, maxRisk or averageRate: sort objects by that overall mean",
    "order": "desc (default) or asc, with order_by",
    "limit": "keep only the first N objects (1..1000), e.g. the top 10 by order_by",
}


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


SUMMED = ("count", "max_risk", "average_rate")
Series = dict[str, list[dict[str, Any]]]
# Means keep 4 decimals, as every processor's. round(x * 10**4) / 10**4 is round(x, 4) except
# on exact binary ties, and four times faster: a year by day is ~20k points of 3 means each.
SCALE = 10**DECIMALS
# Sums of decimal strings (averageRate "2.51") carry float error that depends on the order of
# addition; rounded to 9 decimals first (as nano-units), the same records give the same mean
# whichever table summed them (a mean of 2-decimal values over 8 analyses often ends on a 5).
NANO = 10**9


def _means(n: float, count: float, max_risk: float, rate: float) -> dict[str, Any]:
    return {
        "count": round(count * SCALE / n) / SCALE,
        "maxRisk": round(max_risk * SCALE / n) / SCALE,
        "averageRate": round(round(rate * NANO) * SCALE / NANO / n) / SCALE,
    }


def _grouped(src: Source, period: str) -> tuple[Series, dict[str, list[float]]]:
    """Per object: its buckets' means (unordered), and its overall [n, sums...].

    One grouped query gives, per object and bucket, the row count and the sums; the overall
    means are sums of those sums. A year by day is ~20k rows, so the loop is kept tight: rows
    fetched at once (fetch_rows: uuids as text), no ORDER BY (the database may hash), each
    distinct object and day converted once.
    """
    rows = fetch_rows(
        src.qs.values("object", day=bucket(period))
        .annotate(n=src.float_count(), **{f"s_{f}": src.float_total(f) for f in SUMMED})
        .order_by()
        .values_list("object", "day", "n", *(f"s_{f}" for f in SUMMED))
    )
    series: Series = {}
    totals: dict[str, list[float]] = {}
    keys: dict[Any, str] = {}
    days: dict[Any, str] = {}
    for raw_key, raw_day, n, count, max_risk, rate in rows:
        key = keys.get(raw_key)
        if key is None:
            # Canonical text from PostgreSQL, 32 hex digits from SQLite.
            key = keys[raw_key] = str(uuid.UUID(raw_key))
            series[key], totals[key] = [], [0, 0.0, 0.0, 0.0]
        day = days.get(raw_day)
        if day is None:
            day = days[raw_day] = iso(raw_day)
        values = _means(n, count, max_risk, rate)
        values["date"] = day
        series[key].append(values)
        total = totals[key]
        total[0] += n
        total[1] += count
        total[2] += max_risk
        total[3] += rate
    return series, totals


def average_on_date(name: str, stats_type: str, scope: Scope, params: dict[str, Any]) -> Any:
    check_params(name, params, PARAMS)
    period = period_param(params)
    order_by = choice_param(params, "order_by", ORDER_FIELDS, "")
    descending = choice_param(params, "order", ("desc", "asc"), "desc") == "desc"
    limit = limit_param(params)

    src = source(ObjectFact, scope, stats_type, totals=True, type=stats_type)
    series, totals = _grouped(src, period)
    averages = {key: _means(*total) for key, total in totals.items()}
    ordered = sorted(averages)
    if order_by:
        # Objects with equal means keep the uuid order, whichever the direction.
        ordered.sort(key=lambda k: averages[k][order_by], reverse=descending)
    if limit:
        ordered = ordered[:limit]
    if not ordered:
        return []
    labels = scope_labels(scope, stats_type, ordered if limit else None)
    empty = dict.fromkeys(LABEL_KEYS, "")
    by_date = itemgetter("date")
    return [
        {
            "object": key,
            "labels": labels.get(uuid.UUID(key), empty),
            "values": sorted(series[key], key=by_date),
            "averages": averages[key],
        }
        for key in ordered
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
