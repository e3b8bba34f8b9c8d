"""Statistical disclosure control of the public answers: contributors, elementary cells, rules.

A contributor is an organisation: an active client with sharing on. Clients holding analyses
with the same uuid (one export imported under two clients) are one contributor, counted as the
oldest of them. Every public figure is built from *elementary cells*: one item (an object, a
risk level of a kind and state, a heat-map cell, a compliance category or control) on one day,
over the records in scope. A cell is published only when it passes the rules on its own:
at least PUBLIC_MIN_CONTRIBUTORS contributors (threshold) and none above PUBLIC_MAX_DOMINANCE of
any of its sums (dominance). Public figures are sums of published cells, so two nested answers
(two windows, two buckets) differ by published cells, which pass the rules too.

`local_stats_only`: each cell is split into its local part (MONARC instances) and its remote
part (other Stats Services). The local-only answer publishes the local part when it passes; the
answer over all clients adds the remote part only when that part passes on its own, so the two
answers differ by nothing or by a part that passes the rules.

The per-cell figures come from one grouped query per answer: sums per item, day and client over
the daily rollups (or the latest records' facts), the rules applied to those few rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Max, Min, Sum, UUIDField
from django.db.models.functions import Cast

from clients.models import Client, ClientQuerySet
from stats.models import (
    Analysis,
    CartographyFact,
    ComplianceCategoryFact,
    ComplianceControlFact,
    Label,
    ObjectFact,
    RiskFact,
)
from stats.processors import Scope, latest_stats, scoped_stats, source

Vector = list[float]
# A part of a cell: (contributor, whether it is local) -> [n_1, sum_1, n_2, sum_2, ...].
Parts = dict[tuple[int, bool], Vector]


@dataclass(frozen=True)
class Contributors:
    """Who contributes: each public client's contributor (its group's oldest client)."""

    of_client: dict[int, int]
    local: dict[int, bool]
    names: dict[int, str]
    # Groups of several clients counted as one contributor, oldest first (for the operator).
    merged: list[list[int]] = field(default_factory=list)

    def count(self) -> int:
        return len(set(self.of_client.values()))


def public_clients() -> ClientQuerySet:
    """The clients whose stats may appear publicly (ClientQuerySet.shareable)."""
    return Client.objects.shareable()


def contributors() -> Contributors:
    """Public clients grouped into contributors: clients sharing an analysis uuid are one."""
    rows = list(public_clients().order_by("created_at", "pk").values_list("pk", "local", "name"))
    rank = {pk: index for index, (pk, _, _) in enumerate(rows)}
    parent = {pk: pk for pk in rank}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    shared = (
        Analysis.objects.filter(client__in=list(rank))
        .values("uuid")
        .annotate(n=Count("client", distinct=True))
        .filter(n__gt=1)
        .values("uuid")
    )
    holders: dict[Any, list[int]] = defaultdict(list)
    for anr, client in Analysis.objects.filter(uuid__in=shared, client__in=list(rank)).values_list(
        "uuid", "client_id"
    ):
        holders[anr].append(client)
    for clients in holders.values():
        first = root(min(clients, key=rank.__getitem__))
        for client in clients:
            other = root(client)
            if other != first:
                # The oldest client stays the group's root.
                first, other = sorted((first, other), key=rank.__getitem__)
                parent[other] = first
    of_client = {pk: root(pk) for pk in rank}
    groups: dict[int, list[int]] = defaultdict(list)
    for pk in sorted(rank, key=rank.__getitem__):
        groups[of_client[pk]].append(pk)
    return Contributors(
        of_client=of_client,
        local={pk: local for pk, local, _ in rows},
        names={pk: name for pk, _, name in rows},
        merged=[group for group in groups.values() if len(group) > 1],
    )


# --- Cells ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """How one kind of figure splits into cells: its fact table, the item's columns, and the
    summed measures as (value column, count column) pairs (rollups: sum_<value>, the count)."""

    fact: type[Any]
    groups: tuple[str, ...]
    measures: tuple[tuple[str, str], ...]
    extra: tuple[str, ...] = ()  # columns carried along (a level's position, a control's code)
    filters: tuple[tuple[str, Any], ...] = ()


SPECS: dict[str, Spec] = {
    "risk": Spec(RiskFact, ("state", "kind", "level"), (("value", "n"),), ("position",)),
    "threat": Spec(
        ObjectFact,
        ("object",),
        (("count", "n"), ("max_risk", "n"), ("average_rate", "n")),
        filters=(("type", "threat"),),
    ),
    "vulnerability": Spec(
        ObjectFact,
        ("object",),
        (("count", "n"), ("max_risk", "n"), ("average_rate", "n")),
        filters=(("type", "vulnerability"),),
    ),
    "cartography": Spec(
        CartographyFact, ("state", "kind", "impact", "likelihood"), (("count", "n"),)
    ),
    "compliance": Spec(
        ComplianceCategoryFact,
        ("referential", "position"),
        (("current", "n_current"), ("target", "n_target")),
    ),
    "control": Spec(
        ComplianceControlFact,
        ("referential", "position", "measure"),
        (("current", "n_current"), ("target", "n_target")),
        ("code",),
    ),
}


# The records behind a mean per record (cartography_average): one item, the count as its sum.
RECORDS = Spec(Analysis, (), (("records", "n"),))


@dataclass
class CellTable:
    """Per cell (item columns..., day): the parts of each contributor, local or remote."""

    spec: Spec
    cells: dict[tuple[Any, ...], Parts]
    extra: dict[tuple[Any, ...], tuple[Any, ...]]  # per item: the extra columns


def _aggregates(spec: Spec, rollup: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for index, (value, count) in enumerate(spec.measures):
        if rollup:
            out[f"s{index}"] = Sum(f"sum_{value}")
            out[f"n{index}"] = Sum(count)
        else:
            out[f"s{index}"] = Sum(value)
            out[f"n{index}"] = Count("*") if count == "n" else Count(value)
    for column in spec.extra:
        out[f"x_{column}"] = Min(column) if column == "position" else Max(column)
    return out


class _Canonical(dict[Any, str]):
    """uuid text as the database gives it (32 hex digits on SQLite) -> its canonical form,
    converted once per distinct value."""

    def __missing__(self, raw: Any) -> str:
        text = self[raw] = str(uuid.UUID(str(raw)))
        return text


def _columns(spec: Spec) -> tuple[list[str], dict[str, Any]]:
    """The group columns to read, uuids cast to text (no UUID object built per row)."""
    names: list[str] = []
    casts: dict[str, Any] = {}
    for column in spec.groups:
        if isinstance(spec.fact._meta.get_field(column), UUIDField):
            casts[f"t_{column}"] = Cast(column, output_field=CharField())
            names.append(f"t_{column}")
        else:
            names.append(column)
    return names, casts


def cell_table(
    name: str,
    who: Contributors,
    *,
    date_from: date | None,
    date_to: date | None = None,
    latest_only: bool,
    facts: bool = False,
) -> CellTable:
    """The cells of `name` (a SPECS key) over public clients' records from `date_from` to
    `date_to` (with `latest_only`: each analysis's latest record up to `date_to`).

    Read from the daily rollups where the scope allows; `facts` reads the fact rows instead
    (naming the analyses makes stats.processors.source read them), for the audit to check the
    answers against a second reading of the data."""
    spec = SPECS[name]
    stats_type = "compliance" if name == "control" else name
    clients = Client.objects.filter(pk__in=list(who.of_client))
    anrs = None
    if facts and not latest_only:
        anrs = list(Analysis.objects.filter(client__in=clients).values_list("uuid", flat=True))
    scope = Scope(
        clients=clients,
        anrs=anrs,
        date_from=date_from,
        date_to=date_to,
        latest_only=latest_only,
    )
    src = source(spec.fact, scope, stats_type, **dict(spec.filters))
    columns, casts = _columns(spec)
    aggregates = _aggregates(spec, src.rollup)
    rows = (
        src.qs.annotate(**casts)
        .values(*columns, "client_id", "date")
        .annotate(**aggregates)
        .values_list(*columns, "client_id", "date", *aggregates)
        .order_by()
    )
    canonical = _Canonical()
    texts = [name.startswith("t_") for name in columns]
    width, groups, measures = len(spec.measures), len(columns), 2 * len(spec.measures)
    cells: dict[tuple[Any, ...], Parts] = {}
    extra: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in rows:
        item = tuple(
            canonical[value] if text else value
            for value, text in zip(row[:groups], texts, strict=True)
        )
        client = row[groups]
        part = (who.of_client[client], who.local[client])
        # aggregates are s0, n0, s1, n1...: the vector is n0, s0, n1, s1...
        sums = row[groups + 2 : groups + 2 + measures]
        vector = [float(sums[i + k] or 0) for i in range(0, 2 * width, 2) for k in (1, 0)]
        parts = cells.setdefault((*item, row[groups + 1]), {})
        have = parts.get(part)
        parts[part] = vector if have is None else [a + b for a, b in zip(have, vector, strict=True)]
        if spec.extra:
            found = tuple(row[groups + 2 + measures :])
            extra[item] = min(extra.get(item, found), found)
    return CellTable(spec=spec, cells=cells, extra=extra)


def record_table(
    who: Contributors,
    *,
    date_from: date | None,
    date_to: date | None = None,
    latest_only: bool,
    stats_type: str = "cartography",
) -> CellTable:
    """The number of `stats_type` records per day and contributor, as cells (one item): what a
    mean per record divides by, published by the same rules as the figures it divides."""
    scope = Scope(
        clients=Client.objects.filter(pk__in=list(who.of_client)),
        date_from=date_from,
        date_to=date_to,
        latest_only=latest_only,
    )
    stats = latest_stats(scope, stats_type) if latest_only else scoped_stats(scope, stats_type)
    rows = stats.values_list("analysis__client_id", "date").annotate(n=Count("pk")).order_by()
    cells: dict[tuple[Any, ...], Parts] = {}
    for client, day, n in rows:
        part = (who.of_client[client], who.local[client])
        parts = cells.setdefault((day,), {})
        have = parts.get(part, [0.0, 0.0])
        parts[part] = [have[0] + n, have[1] + n]
    return CellTable(spec=RECORDS, cells=cells, extra={})


# --- Rules ---------------------------------------------------------------------------------


def passes(parts: dict[int, Vector]) -> bool:
    """Threshold and dominance for contributor -> [n_1, sum_1, ...]."""
    if len(parts) < settings.PUBLIC_MIN_CONTRIBUTORS:
        return False
    dominance = settings.PUBLIC_MAX_DOMINANCE
    if dominance >= 1:
        return True  # the rule is off
    vectors = list(parts.values())
    for index in range(1, len(vectors[0]), 2):
        shares = [abs(v[index]) for v in vectors]
        total = sum(shares)
        if total > 0 and max(shares) > dominance * total:
            return False
    return True


def by_contributor(parts: Parts, local: bool | None = None) -> dict[int, Vector]:
    """Parts summed per contributor: the local ones, the remote ones (local=False), or all."""
    out: dict[int, Vector] = {}
    for (who, is_local), vector in parts.items():
        if local is not None and is_local != local:
            continue
        have = out.get(who)
        out[who] = vector if have is None else [a + b for a, b in zip(have, vector, strict=True)]
    return out


def total(parts: dict[int, Vector]) -> Vector:
    return [sum(column) for column in zip(*parts.values(), strict=True)]


def published_parts(parts: Parts, local_only: bool) -> dict[int, Vector] | None:
    """What a cell publishes (per contributor), or None when it is withheld."""
    local = by_contributor(parts, True)
    if local_only:
        return local if local and passes(local) else None
    remote = by_contributor(parts, False)
    if local and passes(local):
        if not remote:
            return local
        return by_contributor(parts) if passes(remote) else local
    merged = by_contributor(parts)
    return merged if passes(merged) else None


def publish(
    table: CellTable, *, local_only: bool, date_from: date | None = None
) -> dict[tuple[Any, ...], Vector]:
    """The published cells of `table` (from `date_from`), each summed over its contributors."""
    out: dict[tuple[Any, ...], Vector] = {}
    for key, parts in table.cells.items():
        if date_from is not None and key[-1] < date_from:
            continue
        chosen = published_parts(parts, local_only)
        if chosen is not None:
            out[key] = total(chosen)
    return out


def known_items(table: CellTable) -> set[tuple[Any, ...]]:
    """Items at least PUBLIC_MIN_CONTRIBUTORS contributors report at all: those a page may name
    as withheld (an item only one reports, like a risk level name of its own, is not named)."""
    who: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    for key, parts in table.cells.items():
        who[key[:-1]].update(contributor for contributor, _ in parts)
    return {item for item, found in who.items() if len(found) >= settings.PUBLIC_MIN_CONTRIBUTORS}


# --- Labels --------------------------------------------------------------------------------

LABEL_KEYS = ("label1", "label2", "label3", "label4")


def consensus_labels(
    who: Contributors, kinds: Iterable[str]
) -> dict[tuple[str, str], dict[str, str]]:
    """(kind, key) -> labels: for each language, the text most contributors send (ties: the
    smallest text), and only when at least PUBLIC_MIN_CONTRIBUTORS send it, so that no single
    sender writes the public page. Otherwise "" (the page falls back to another language)."""
    minimum = settings.PUBLIC_MIN_CONTRIBUTORS
    votes: dict[tuple[str, str], dict[str, dict[str, set[int]]]] = {}
    rows = Label.objects.filter(kind__in=list(kinds), client_id__in=list(who.of_client))
    for kind, key, client, *texts in rows.values_list("kind", "key", "client_id", *LABEL_KEYS):
        entry = votes.setdefault((kind, str(key)), {k: {} for k in LABEL_KEYS})
        for label_key, text in zip(LABEL_KEYS, texts, strict=True):
            if text:
                entry[label_key].setdefault(text, set()).add(who.of_client[client])
    out: dict[tuple[str, str], dict[str, str]] = {}
    for item, entry in votes.items():
        labels = {}
        for label_key, texts in entry.items():
            ranked = sorted(texts.items(), key=lambda pair: (-len(pair[1]), pair[0]))
            labels[label_key] = ranked[0][0] if ranked and len(ranked[0][1]) >= minimum else ""
        out[item] = labels
    return out
