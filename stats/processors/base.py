"""Scope, the processor decorator and shared helpers of the processors.

Every processor aggregates fact rows (stats.models.facts) with the ORM, so the work happens in the
database and a request holds only the aggregated result, never the matching records.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db import connections
from django.db.models import (
    Avg,
    Count,
    DateField,
    F,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, NullIf, Trunc

from stats.models import Stats, StatsQuerySet
from statsservice.jsontext import is_ascii_digits

if TYPE_CHECKING:
    from clients.models import Client

# Means are rounded so SQLite and PostgreSQL (float vs numeric AVG) give identical JSON.
DECIMALS = 4
PERIODS = ("day", "week", "month", "quarter", "year")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Scope:
    """Which records a processor reads."""

    clients: QuerySet[Client] | None  # None = every client; otherwise only these clients' stats
    anrs: list[uuid.UUID] | None = None  # None or [] = every analysis
    date_from: date | None = None  # inclusive; None = unbounded
    date_to: date | None = None
    local_only: bool = False  # only clients with local=True
    # Only each analysis's latest-dated record of the type within the date bounds.
    latest_only: bool = False


class ProcessorError(ValueError):
    """Unknown or mismatched processor, or bad parameters; the message lists what is valid."""


@dataclass(frozen=True)
class ProcessorInfo:
    name: str
    type: str
    description: str
    params: dict[str, str] = field(default_factory=dict)
    func: Callable[..., Any] | None = field(default=None, compare=False, repr=False)


class Processor(Protocol):
    """A processor function, described by `processor` below (a kind lists it)."""

    info: ProcessorInfo

    def __call__(self, scope: Any, params: dict[str, Any]) -> Any: ...


def processor(
    name: str, stats_type: str, params: dict[str, str] | None = None
) -> Callable[[Callable[..., Any]], Processor]:
    """Describe `func(facts_scope: Scope, params: dict) -> data` as processor `name`; the kind
    of `stats_type` (stats.kinds) lists it, which is what makes it available."""

    def describe(func: Callable[..., Any]) -> Processor:
        doc = (func.__doc__ or "").strip().split("\n\n")[0]
        func.info = ProcessorInfo(  # type: ignore[attr-defined]
            name=name,
            type=stats_type,
            description=" ".join(doc.split()),
            params=dict(params or {}),
            func=func,
        )
        return cast("Processor", func)

    return describe


def avg(field: str) -> Cast:
    """AVG as a float in SQL: PostgreSQL's numeric AVG is slower to compute and to fetch."""
    return Cast(Avg(field), FloatField())


def mean(value: Any) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def iso(value: Any) -> str:
    """A bucket's date as YYYY-MM-DD, from a date, a string (SQLite) or the timestamp
    PostgreSQL's DATE_TRUNC returns when read without the ORM's converters."""
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


def client_filter(scope: Scope, client: str) -> Q:
    """The clients `scope` selects, for rows whose client is reached through `client`."""
    q = Q()
    if scope.clients is not None:
        q &= Q(**{f"{client}__in": scope.clients.values("pk")})
    if scope.local_only:
        q &= Q(**{f"{client}__local": True})
    return q


def scope_filter(scope: Scope, client: str) -> Q:
    """What `scope` selects (without `latest_only`), for rows whose client is reached through
    `client` and that carry `analysis` and `date`: stats records and fact rows alike."""
    q = client_filter(scope, client)
    if scope.anrs:
        q &= Q(analysis__uuid__in=scope.anrs)
    if scope.date_from is not None:
        q &= Q(date__gte=scope.date_from)
    if scope.date_to is not None:
        q &= Q(date__lte=scope.date_to)
    return q


def scoped_stats(scope: Scope, stats_type: str) -> StatsQuerySet:
    """The `Stats` records of `stats_type` that `scope` selects (without `latest_only`)."""
    return Stats.objects.of_type(stats_type).filter(scope_filter(scope, "analysis__client"))


def latest_stats(scope: Scope, stats_type: str) -> QuerySet[Stats]:
    """Each selected analysis's latest record of `stats_type` within the date bounds."""
    return scoped_stats(scope, stats_type).latest_per_analysis()


def scoped_facts(qs: QuerySet[Any], scope: Scope, stats_type: str) -> QuerySet[Any]:
    """Fact rows of `qs` that `scope` selects; facts carry client, analysis and date."""
    qs = qs.filter(scope_filter(scope, "client"))
    if scope.latest_only:
        qs = qs.filter(stats_id__in=latest_stats(scope, stats_type).values("pk"))
    return qs


@dataclass(frozen=True)
class Source:
    """Where a processor reads: the per-record facts, or the per-client daily rollups.

    Rollups hold sums and counts per client, day and group, so a mean is sum(sums) / sum(n);
    they serve every scope that does not pick analyses (`anrs`, `latest_only`).
    """

    qs: QuerySet[Any]
    rollup: bool

    def mean(self, field: str, n: str = "n") -> Any:
        """The mean of a fact column over the rows of each group."""
        if not self.rollup:
            return avg(field)
        return self.float_sum(f"sum_{field}") / NullIf(self.float_sum(n), Value(0.0))

    def total(self, field: str) -> Any:
        return Sum(f"sum_{field}" if self.rollup else field)

    @staticmethod
    def float_sum(column: str) -> Any:
        """SUM of a column as floats: PostgreSQL sums bigints as numeric, five times slower
        (the rollups' sums are bigints). Exact for whole numbers below 2**53."""
        return Sum(Cast(column, FloatField()))

    def float_total(self, field: str) -> Any:
        return self.float_sum(f"sum_{field}" if self.rollup else field)

    def float_count(self) -> Any:
        """How many fact rows each group sums, as a float."""
        return self.float_sum("n") if self.rollup else Cast(Count("*"), FloatField())


def source(
    fact: type[Any], scope: Scope, stats_type: str, *, totals: bool = False, **filters: Any
) -> Source:
    """The facts of `fact`'s table in scope, or their rollups when the scope allows it.

    With `totals`, a scope of every client reads the rollups summed over all clients, where
    `fact` has them (stats.models.TOTALS): one row per group and day instead of one per client.
    Callers that count clients must not ask for them.
    """
    from stats.models import ROLLUPS, TOTALS

    if scope.anrs or scope.latest_only:
        return Source(scoped_facts(fact.objects.filter(**filters), scope, stats_type), False)
    if totals and fact in TOTALS and scope.clients is None and not scope.local_only:
        # A group's total reaches n = 0 when its last fact is deleted.
        qs = TOTALS[fact]._default_manager.filter(n__gt=0, **filters)
    else:
        qs = (
            ROLLUPS[fact][0]
            ._default_manager.filter(**filters)
            .filter(client_filter(scope, "client"))
        )
    if scope.date_from is not None:
        qs = qs.filter(date__gte=scope.date_from)
    if scope.date_to is not None:
        qs = qs.filter(date__lte=scope.date_to)
    return Source(qs, True)


def without_needless_anrs(scope: Scope) -> Scope:
    """`scope` without `anrs` when they list every analysis that may have records in scope.

    MONARC's dashboard sends the analyses its user may see, for most users all of them: the
    filter then selects nothing less, and the rollups can answer (one row per client and day
    instead of one per analysis). One query; an analysis without dates counts as in range.
    """
    from stats.models import Analysis

    if not scope.anrs or scope.latest_only:
        return scope

    others = Analysis.objects.exclude(uuid__in=scope.anrs).filter(client_filter(scope, "client"))
    if scope.date_from is not None:
        others = others.filter(Q(last_date__gte=scope.date_from) | Q(last_date__isnull=True))
    if scope.date_to is not None:
        others = others.filter(Q(first_date__lte=scope.date_to) | Q(first_date__isnull=True))
    return scope if others.exists() else replace(scope, anrs=None)


def fetch_rows(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Every row of a values_list() queryset, fetched at once through a plain cursor.

    For answers of ~20k rows: no per-row converters, and uuids as text on PostgreSQL, where
    the driver would otherwise build a UUID object per row (a quarter of the request). SQLite
    stores them as 32 hex digits.
    """
    sql, params = qs.query.sql_with_params()
    connection = connections[qs.db]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import psycopg2.extensions

            psycopg2.extensions.register_type(_uuid_as_text(), cursor.cursor)
        cursor.execute(sql, params)
        return cursor.fetchall()


@lru_cache(maxsize=1)
def _uuid_as_text() -> Any:
    import psycopg2.extensions

    uuid_oid = 2950  # PostgreSQL's uuid type
    return psycopg2.extensions.new_type((uuid_oid,), "UUID_AS_TEXT", lambda value, cursor: value)


def bucket(period: str) -> Any:
    """The expression giving a fact's period bucket: the period's first day (weeks: Monday)."""
    if period == "day":
        return F("date")
    return Trunc("date", period, output_field=DateField())


# --- parameter parsing ------------------------------------------------------------------------


def check_params(name: str, params: dict[str, Any], allowed: dict[str, str]) -> None:
    unknown = set(params) - set(allowed)
    if unknown:
        valid = ", ".join(sorted(allowed)) or "none"
        raise ProcessorError(
            f"Unknown parameter(s) for '{name}': {', '.join(sorted(unknown))}. Valid: {valid}."
        )


def period_param(params: dict[str, Any]) -> str:
    period = params.get("period") or "day"
    if period not in PERIODS:
        raise ProcessorError(f"period must be one of {', '.join(PERIODS)}.")
    return period


def limit_param(params: dict[str, Any]) -> int | None:
    value = params.get("limit")
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, str) and is_ascii_digits(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_LIMIT:
        raise ProcessorError(f"limit must be an integer between 1 and {MAX_LIMIT}.")
    return value


def choice_param(params: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
    value = params.get(key)
    if value is None or value == "":
        return default
    if value not in choices:
        raise ProcessorError(f"{key} must be one of {', '.join(choices)}.")
    return value


def uuid_param(params: dict[str, Any], key: str) -> uuid.UUID | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ProcessorError(f"{key} must be a UUID.") from None
