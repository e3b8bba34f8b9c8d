"""The data behind the public pages: disclosure control, fixed windows and the cache.

Disclosure control (dashboard.disclosure): only active clients with sharing on are read, and
every published number is built from elementary cells (one item on one day) that pass the
threshold (PUBLIC_MIN_CONTRIBUTORS contributors) and dominance (PUBLIC_MAX_DOMINANCE) rules on
their own; the answers are built from those cells only (dashboard.published).

Windows: `days` is rounded up to a fixed set (PUBLIC_WINDOWS, capped at PUBLIC_MAX_DAYS) ending
on the last complete day (yesterday), so that the public answers are few; any two nested ones
differ by published cells. Today's records are never read: otherwise two readings of the same
window, hours apart, would differ by what one organisation sent in between.

Cache: each result is stored under (endpoint, parameters, generation). The generation is a hash of
a few cheap aggregates read from the database on every request (latest stats write, analyses,
clients), so a new ingest, a deletion or a consent change anywhere is seen by every gunicorn
worker at once, even with a per-process cache; PUBLIC_CACHE_TTL is only the backstop.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.http import QueryDict
from django.utils import timezone

from clients.models import Client
from dashboard import disclosure, published
from dashboard.disclosure import CellTable, Contributors, cell_table, contributors, publish
from stats import kinds
from stats.models import Analysis, Stats
from stats.processors import PERIODS, PROCESSORS, ProcessorError

__all__ = ["PROCESSORS", "ProcessorError"]

DEFAULT_DAYS = 365
_FLAGS = {"0": False, "1": True, "false": False, "true": True, "": False}
# Bumped when the shape of cached values changes, so an upgrade never serves stale shapes.
CACHE_VERSION = "2"
# The public windows, in days; `days` is rounded up to the next one (PUBLIC_MAX_DAYS is last).
PUBLIC_WINDOWS = (7, 30, 90, 180, 365, 730, 1095, 1830)


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
    days = public_window(days)
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


def windows() -> list[int]:
    """The public windows, in days, shortest first."""
    longest = settings.PUBLIC_MAX_DAYS
    return sorted({w for w in PUBLIC_WINDOWS if w < longest} | {longest})


def public_window(days: int) -> int:
    """The shortest public window of at least `days` days."""
    return next(w for w in windows() if w >= days)


def public_clients() -> QuerySet[Client]:
    """The clients whose stats may appear publicly (ClientQuerySet.shareable)."""
    return disclosure.public_clients()


def last_complete_day() -> date:
    """The last day of every public window: yesterday in the server's local date, a day no
    more records arrive for in the ordinary course (records are dated the day they are sent)."""
    return timezone.localdate() - timedelta(days=1)


def window_start(days: int) -> date:
    """The first day of the public window of `days` days."""
    return last_complete_day() - timedelta(days=days - 1)


def compute(query: PublicQuery) -> Any:
    return answer(query, contributors())


@dataclass
class Workspace:
    """Cell tables and published cells kept across answers (the audit computes each once, over
    the longest window: a window's answer is its cells from its first day on, and a latest-only
    table does not depend on the window either). `facts`: read the facts, not the rollups."""

    who: Contributors
    facts: bool = False
    tables: dict[tuple[str, bool], CellTable] = field(default_factory=dict)
    cells: dict[tuple[str, bool, bool], published.Cells] = field(default_factory=dict)
    names: dict[tuple[str, ...], published.Labels] = field(default_factory=dict)

    def labels(self, kinds: tuple[str, ...]) -> published.Labels:
        if kinds not in self.names:
            self.names[kinds] = disclosure.consensus_labels(self.who, kinds)
        return self.names[kinds]

    def table(self, name: str, latest_only: bool) -> CellTable:
        key = (name, latest_only)
        if key not in self.tables:
            self.tables[key] = _new_table(
                name,
                self.who,
                date_from=window_start(windows()[-1]),
                latest_only=latest_only,
                facts=self.facts,
            )
        return self.tables[key]

    def published(self, name: str, latest_only: bool, local_only: bool) -> published.Cells:
        key = (name, latest_only, local_only)
        if key not in self.cells:
            self.cells[key] = publish(self.table(name, latest_only), local_only=local_only)
        return self.cells[key]


def _new_table(
    name: str, who: Contributors, *, date_from: date, latest_only: bool, facts: bool = False
) -> CellTable:
    """The cells from `date_from` to the last complete day (latest records: up to that day)."""
    end = last_complete_day()
    if name == "records":
        return disclosure.record_table(
            who, date_from=date_from, date_to=end, latest_only=latest_only
        )
    return cell_table(
        name, who, date_from=date_from, date_to=end, latest_only=latest_only, facts=facts
    )


def _cells(
    name: str, query: PublicQuery, who: Contributors, space: Workspace | None, date_from: date
) -> tuple[CellTable, published.Cells]:
    """The cells of `name` in the query's scope, and those it publishes from `date_from`."""
    if space is None:
        table = _new_table(name, who, date_from=date_from, latest_only=query.last_stats)
        return table, publish(table, local_only=query.local_only)
    table = space.table(name, query.last_stats)
    cells = space.published(name, query.last_stats, query.local_only)
    return table, {key: value for key, value in cells.items() if key[-1] >= date_from}


def _labels(who: Contributors, space: Workspace | None, kinds: tuple[str, ...]) -> published.Labels:
    return disclosure.consensus_labels(who, kinds) if space is None else space.labels(kinds)


def answer(query: PublicQuery, who: Contributors, space: Workspace | None = None) -> Any:
    """The public answer to `query`, from published cells only (dashboard.disclosure)."""
    info = PROCESSORS[query.processor]
    if query.period and "period" not in info.params:
        raise ProcessorError(
            f"Unknown parameter(s) for '{query.processor}': period. "
            f"Valid: {', '.join(sorted(info.params)) or 'none'}."
        )
    date_from = window_start(query.days)
    return published.build(
        query.processor,
        query.stats_type,
        period=query.period or "day",
        cells=lambda name: _cells(name, query, who, space, date_from),
        labels=lambda kinds: _labels(who, space, kinds),
    )


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
        [
            CACHE_VERSION,
            newest,
            analyses,
            clients,
            settings.PUBLIC_MIN_CONTRIBUTORS,
            settings.PUBLIC_MAX_DOMINANCE,
            # The window end: every answer moves on at midnight, whatever the data.
            str(last_complete_day()),
        ],
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
# Positions are shown rounded to a tenth of a degree (about 11 km north-south, less east-west).
MAP_DECIMALS = 1
# ("max_threat", "threat"), ("max_vulnerability", "vulnerability"): each per-object kind's.
MAP_TOPS = tuple(
    (f"max_{kind.name}", kind.name)
    for kind in kinds.all_kinds()
    if kind.per_object and kind.public_processor is not None
)


def _area_top(cells: published.Cells) -> list[Any] | None:
    """[mean count, uuid] of the object with the highest mean count (then maxRisk, uuid)."""
    totals: dict[Any, list[float]] = {}
    for (obj, _), vector in cells.items():
        have = totals.setdefault(obj, [0.0] * len(vector))
        for index, value in enumerate(vector):
            have[index] += value
    if not totals:
        return None
    ranked = max(totals.items(), key=lambda t: (t[1][1] / t[1][0], t[1][3] / t[1][0], str(t[0])))
    obj, vector = ranked
    return [round(vector[1] / vector[0], 4), str(obj)]


def map_clients() -> list[dict[str, Any]]:
    """Areas (positions rounded to MAP_DECIMALS) where at least PUBLIC_MIN_CONTRIBUTORS
    contributors are placed, each with its #1 threat and vulnerability over those contributors'
    latest records, from published cells only: never one organisation at its own position."""
    who = contributors()
    date_from, date_to = window_start(MAP_DAYS), last_complete_day()
    areas: dict[tuple[float, float], list[int]] = {}
    placed = Client.objects.filter(
        pk__in=list(who.of_client), latitude__isnull=False, longitude__isnull=False
    )
    for pk, latitude, longitude in placed.order_by("pk").values_list("pk", "latitude", "longitude"):
        if latitude is not None and longitude is not None:
            at = (round(latitude, MAP_DECIMALS), round(longitude, MAP_DECIMALS))
            areas.setdefault(at, []).append(pk)
    labels = disclosure.consensus_labels(who, [kind for _, kind in MAP_TOPS])
    result: list[dict[str, Any]] = []
    for (latitude, longitude), clients in sorted(areas.items()):
        local = Contributors(
            of_client={pk: who.of_client[pk] for pk in clients},
            local={pk: who.local[pk] for pk in clients},
            names={},
        )
        if local.count() < settings.PUBLIC_MIN_CONTRIBUTORS:
            continue
        entry: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        names: dict[str, dict[str, dict[str, str]]] = {}
        for key, kind in MAP_TOPS:
            table = cell_table(kind, local, date_from=date_from, date_to=date_to, latest_only=True)
            top = _area_top(publish(table, local_only=False))
            entry[key] = top
            if top:
                names[kind] = {top[1]: labels.get((kind, top[1]), published.EMPTY_LABELS)}
        if all(entry[key] is None for key, _ in MAP_TOPS):
            continue
        entry["contributors"] = local.count()
        # Not in the original shape: the objects' names by kind and uuid (a threat and a
        # vulnerability may share a uuid), so the page needs no MOSP lookup.
        entry["labels"] = names
        result.append(entry)
    return result
