"""The data behind the public pages: consent, the contributor threshold and the cache.

Consent: only active clients with sharing enabled are read, and a figure is published only when
at least PUBLIC_MIN_CONTRIBUTORS distinct clients contribute to it (see dashboard.consent), so
that no organisation's numbers can be read off a public chart.

Cache: each result is stored under (endpoint, parameters, generation). The generation is a hash of
a few cheap aggregates read from the database on every request (latest stats write, analyses,
clients), so a new ingest, a deletion or a consent change anywhere is seen by every gunicorn
worker at once, even with a per-process cache; PUBLIC_CACHE_TTL is only the backstop.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.http import QueryDict
from django.utils import timezone

from clients.models import Client
from dashboard.consent import publishable
from stats import kinds
from stats.models import Analysis, Stats
from stats.processors import (
    PERIODS,
    PROCESSORS,
    ProcessorError,
    Scope,
    contributor_count,
    object_contributors,
    run_processor,
)

__all__ = ["PROCESSORS", "ProcessorError"]

DEFAULT_DAYS = 365
_FLAGS = {"0": False, "1": True, "false": False, "true": True, "": False}
# Bumped when the shape of cached values changes, so an upgrade never serves stale shapes.
CACHE_VERSION = "1"


class BadQuery(ValueError):
    """A public query parameter is invalid; the message says which and why (answered with 400)."""


@dataclass(frozen=True)
class PublicQuery:
    endpoint: str
    stats_type: str
    processor: str
    days: int
    last_stats: bool
    local_only: bool
    period: str | None

    def cache_part(self) -> str:
        return (
            f"{self.endpoint}|{self.processor}|{self.days}|{int(self.last_stats)}|"
            f"{int(self.local_only)}|{self.period or ''}"
        )


def _flag(params: QueryDict, name: str) -> bool:
    raw = params.get(name, "0").strip().lower()
    if raw not in _FLAGS:
        raise BadQuery(f"'{name}' must be 0 or 1.")
    return _FLAGS[raw]


def endpoint_defaults(endpoint: str) -> tuple[str, str]:
    """(stats type, default processor) of public endpoint /stats/<endpoint>.json, as its kind
    (stats.kinds) declares them; KeyError for an endpoint no kind has."""
    for kind in kinds.all_kinds():
        if kind.public_endpoint == endpoint and kind.public_processor is not None:
            return kind.name, kind.public_processor
    raise KeyError(endpoint)


def parse_query(endpoint: str, params: QueryDict) -> PublicQuery:
    """Validate the query string of a public stats endpoint (processor, days, last_stats, ...)."""
    stats_type, default_processor = endpoint_defaults(endpoint)
    processor = params.get("processor", "").strip() or default_processor
    info = PROCESSORS.get(processor)
    if info is None or info.type != stats_type:
        raise BadQuery(f"Processor {processor[:60]!r} can not be used with type {stats_type!r}.")
    raw_days = params.get("days", "").strip()
    if raw_days:
        # ASCII digits only ('²'.isdigit() is true but int() refuses it), and no huge strings.
        if not (raw_days.isascii() and raw_days.isdigit()) or len(raw_days) > 9:
            raise BadQuery("'days' must be a positive integer.")
        days = int(raw_days)
        if not 1 <= days <= settings.PUBLIC_MAX_DAYS:
            raise BadQuery(f"'days' must be between 1 and {settings.PUBLIC_MAX_DAYS}.")
    else:
        days = DEFAULT_DAYS
    period = params.get("period", "").strip() or None
    if period is not None and period not in PERIODS:
        raise BadQuery(f"'period' must be one of {', '.join(PERIODS)}.")
    return PublicQuery(
        endpoint=endpoint,
        stats_type=stats_type,
        processor=processor,
        days=days,
        last_stats=_flag(params, "last_stats"),
        local_only=_flag(params, "local_stats_only"),
        period=period,
    )


def public_clients() -> QuerySet[Client]:
    """The clients whose stats may appear publicly (ClientQuerySet.shareable)."""
    return Client.objects.shareable()


def today() -> date:
    return timezone.localdate()


def scope_for(query: PublicQuery, clients: QuerySet[Client] | None = None) -> Scope:
    return Scope(
        clients=public_clients() if clients is None else clients,
        date_from=today() - timedelta(days=query.days - 1),
        date_to=None,
        local_only=query.local_only,
        latest_only=query.last_stats,
    )


def compute(query: PublicQuery) -> Any:
    scope = scope_for(query)
    params = {"period": query.period} if query.period else None
    data = run_processor(query.processor, stats_type=query.stats_type, scope=scope, params=params)
    # Time series are checked point by point, in the processor's buckets (days by default).
    series = query.processor.endswith("_on_date")
    period = (query.period or "day") if series else None
    return publishable(stats_type=query.stats_type, scope=scope, data=data, period=period)


# --- Cache ---------------------------------------------------------------------------------


def generation() -> str:
    """A fingerprint of everything public results depend on, from three cheap queries.

    Stats: the newest `updated_at` (indexed), so any ingest or re-send changes it. Analyses: count,
    id sum and date bounds, so deleting an analysis, a client's stats or old days changes it.
    Clients (a small table): every field that decides consent or placement on the map.
    """
    newest = Stats.objects.aggregate(m=Max("updated_at"))["m"]
    analyses = Analysis.objects.aggregate(
        n=Count("pk"), s=Sum("pk"), first=Min("first_date"), last=Max("last_date")
    )
    clients = list(
        Client.objects.order_by("pk").values_list(
            "pk", "is_active", "is_sharing_enabled", "local", "latitude", "longitude", "updated_at"
        )
    )
    raw = json.dumps(
        [CACHE_VERSION, newest, analyses, clients, settings.PUBLIC_MIN_CONTRIBUTORS, str(today())],
        default=str,
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def cached_json(key: str, produce: Callable[[], Any]) -> bytes:
    """The JSON bytes for `key` at the current generation, computed at most once per worker."""
    digest = hashlib.sha256(f"{generation()}|{key}".encode()).hexdigest()
    cache_key = f"dashboard:{digest}"
    body = cache.get(cache_key)
    if body is None:
        body = json.dumps(produce(), ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(cache_key, body, settings.PUBLIC_CACHE_TTL)
    return body


# --- Map -----------------------------------------------------------------------------------

MAP_DAYS = DEFAULT_DAYS


def _top_object(
    stats_type: str, processor: str, scope: Scope, allowed: set[str]
) -> tuple[list[Any], dict[str, str]] | None:
    """([count, uuid], labels) of the object with the highest mean count among `allowed`."""
    rows = run_processor(processor, stats_type=stats_type, scope=scope, params=None)
    best = None
    for row in rows:
        uuid = str(row.get("object"))
        if uuid not in allowed:
            continue
        averages = row.get("averages") or {}
        rank = (float(averages.get("count") or 0), float(averages.get("maxRisk") or 0), uuid)
        if best is None or rank > best[0]:
            best = (rank, row)
    if best is None:
        return None
    rank, row = best
    return [rank[0], rank[2]], dict(row.get("labels") or {})


def map_clients() -> list[dict[str, Any]]:
    """Sharing clients with coordinates and stats, each with its #1 object of each per-object
    kind (its #1 threat and vulnerability).

    A client's top object is chosen only among objects that PUBLIC_MIN_CONTRIBUTORS clients
    report, and nothing is shown until that many clients contribute at all.
    """
    minimum = settings.PUBLIC_MIN_CONTRIBUTORS
    date_from = today() - timedelta(days=MAP_DAYS - 1)
    everyone = Scope(clients=public_clients(), date_from=date_from, latest_only=True)
    # ("max_threat", "threat", its default processor), and the same for vulnerabilities.
    tops = [
        (f"max_{kind.name}", kind.name, kind.public_processor)
        for kind in kinds.all_kinds()
        if kind.per_object and kind.public_processor is not None
    ]
    allowed: dict[str, set[str]] = {}
    for _, stats_type, _ in tops:
        if contributor_count(stats_type=stats_type, scope=everyone) < minimum:
            return []
        allowed[stats_type] = {
            uuid
            for uuid, count in object_contributors(stats_type=stats_type, scope=everyone).items()
            if count >= minimum
        }
    placed = public_clients().filter(latitude__isnull=False, longitude__isnull=False)
    result: list[dict[str, Any]] = []
    for client in placed.order_by("pk"):
        one = Scope(
            clients=Client.objects.filter(pk=client.pk), date_from=date_from, latest_only=True
        )
        entry: dict[str, Any] = {"latitude": client.latitude, "longitude": client.longitude}
        labels: dict[str, dict[str, str]] = {}
        for key, stats_type, processor in tops:
            top = _top_object(stats_type, processor, one, allowed[stats_type])
            entry[key] = top[0] if top else None
            if top:
                labels[top[0][1]] = top[1]
        if all(entry[key] is None for key, _, _ in tops):
            continue
        # Not in the original shape: the objects' names, so the page needs no MOSP lookup.
        entry["labels"] = labels
        result.append(entry)
    return result
