"""Processors of `threat` and `vulnerability` records (monarc-protocol.md §5.3)."""

from __future__ import annotations

import uuid
from operator import itemgetter
from typing import Any, cast

import orjson
from django.db import connections
from django.db.models import Count, Max, QuerySet

from stats.models import LABEL_KEYS, Label, ObjectFact
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
    scope: Scope, kind: str, keys: list[str] | None
) -> dict[uuid.UUID, dict[str, str]]:
    """Labels for `keys` from the clients in scope; a non-empty label wins over an empty one."""
    qs = Label.objects.filter(kind=kind)
    if scope.clients is not None:
        qs = qs.filter(client_id__in=scope.clients.values("pk"))
    if scope.local_only:
        qs = qs.filter(client__local=True)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    # The stubs type rows by their literal names only; these are annotated from LABEL_KEYS.
    rows = cast(
        "QuerySet[Label, dict[str, Any]]",
        qs.values("key").annotate(**{k: Max(k) for k in LABEL_KEYS}).order_by(),
    )
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
    # Float operations only, in this order: PostgreSQL repeats them bit for bit (grouped_in_sql).
    return {
        "count": round(count * SCALE / n) / SCALE,
        "maxRisk": round(max_risk * SCALE / n) / SCALE,
        "averageRate": round(float(round(rate * NANO)) * SCALE / NANO / n) / SCALE,
    }


def _grouped(src: Source, period: str) -> tuple[Series, dict[str, list[float]]]:
    """Per object: its buckets' means in date order, and its overall [n, sums...].

    One grouped query gives, per object and bucket, the row count and the sums; the overall
    means are sums of those sums. A year by day is ~20k points: on PostgreSQL the database
    writes each object's points as JSON text (grouped_in_sql); elsewhere Python does.
    """
    grouped = grouped_query(src, period)
    if connections[grouped.db].vendor == "postgresql":
        return grouped_in_sql(grouped)
    return grouped_in_python(grouped)


def grouped_query(src: Source, period: str) -> QuerySet[Any]:
    """Per object and bucket: the row count `n` and the sums `s_<field>` of SUMMED."""
    return (
        src.qs.values("object", day=bucket(period))
        .annotate(n=src.float_count(), **{f"s_{f}": src.float_total(f) for f in SUMMED})
        .order_by()
    )


def grouped_in_python(grouped: QuerySet[Any]) -> tuple[Series, dict[str, list[float]]]:
    """The loop is kept tight: rows fetched at once (fetch_rows), no ORDER BY (the database
    may hash), each distinct object and day converted once."""
    rows = fetch_rows(grouped.values_list("object", "day", "n", *(f"s_{f}" for f in SUMMED)))
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
    by_date = itemgetter("date")
    for points in series.values():
        points.sort(key=by_date)
    return series, totals


def _sql_mean(expr: str) -> str:
    """round(expr) / 10^4 as JSON text, as Python writes the float: same IEEE operations
    (round() is half-even in both), "+ 0" turns -0 into 0 (Python's round() returns an int), and
    integral values get Python's ".0". Means stay far below 1e15, where the two would differ."""
    value = f"((round({expr}) + 0) / {SCALE})"
    return f"{value}::text || CASE WHEN {value} = trunc({value}) THEN '.0' ELSE '' END"


# Each point as _means() and grouped_in_python() build it, key order included. Dates print as
# YYYY-MM-DD because psycopg2 sets DateStyle to ISO on connect (to_char() cost 7 ms more a year).
_POINT_SQL = (
    "'{\"count\":' || "
    + _sql_mean(f"g.s_count * {SCALE} / g.n")
    + " || ',\"maxRisk\":' || "
    + _sql_mean(f"g.s_max_risk * {SCALE} / g.n")
    + " || ',\"averageRate\":' || "
    + _sql_mean(f"round(g.s_average_rate * {NANO}) * {SCALE} / {NANO} / g.n")
    + " || ',\"date\":\"' || g.day::date::text || '\"}'"
)


def grouped_in_sql(grouped: QuerySet[Any]) -> tuple[Series, dict[str, list[float]]]:
    """PostgreSQL only: one row per object, its points as a JSON array's text.

    Fetching ~20k rows and looping over them in Python was over half of a by-day answer's time
    (a year of threats for one client: 150 ms in process, 95 ms this way). Parsed back, the
    points equal grouped_in_python()'s, to the byte of their JSON (tested).
    """
    inner, params = grouped.query.sql_with_params()
    sums = ", ".join(f"SUM(g.{c})" for c in ("n", *(f"s_{f}" for f in SUMMED)))
    sql = (
        f"SELECT g.object::text, string_agg({_POINT_SQL}, ',' ORDER BY g.day), {sums} "  # noqa: S608
        f"FROM ({inner}) AS g GROUP BY g.object"
    )
    series: Series = {}
    totals: dict[str, list[float]] = {}
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        for key, points, *total in cursor.fetchall():
            series[key] = orjson.loads(f"[{points}]")
            totals[key] = total
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
    return [
        {
            "object": key,
            "labels": labels.get(uuid.UUID(key), empty),
            "values": series[key],
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
