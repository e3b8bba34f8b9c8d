"""Processors of `cartography` records: the risk heat map (impact x likelihood) over analyses."""

from __future__ import annotations

from typing import Any

from stats.models import KINDS, STATES, CartographyFact
from stats.processors.base import (
    Scope,
    check_params,
    latest_stats,
    mean,
    processor,
    scoped_stats,
    source,
)

# state -> kind -> impact -> likelihood -> a count summed from the facts, then its mean
Matrices = dict[str, dict[str, dict[str, dict[str, Any]]]]


def _matrices(scope: Scope) -> Matrices | None:
    src = source(CartographyFact, scope, "cartography")
    rows = (
        src.qs.values("state", "kind", "impact", "likelihood")
        .annotate(total=src.total("count"))
        .order_by("state", "kind", "impact", "likelihood")
    )
    data: Matrices = {state: {kind: {} for kind in KINDS} for state in STATES}
    found = False
    for row in rows:
        found = True
        matrix = data[STATES[row["state"]]][KINDS[row["kind"]]]
        matrix.setdefault(str(row["impact"]), {})[str(row["likelihood"])] = row["total"]
    return data if found else None


@processor("cartography_sum", "cartography")
def cartography_sum(scope: Scope, params: dict[str, Any]) -> Any:
    """Number of risks per heat-map cell, summed over the selected records.

    Shape: {current|residual: {informational|operational: {impact: {likelihood: n}}}}, keys as
    strings in numeric order, zero cells left out. Use with latest_only (MONARC's get_last) for
    "the current map of all my analyses"; over a date range each day counts again.
    """
    check_params("cartography_sum", params, {})
    return _matrices(scope) or []


@processor("cartography_average", "cartography")
def cartography_average(scope: Scope, params: dict[str, Any]) -> Any:
    """Mean number of risks per heat-map cell per selected record (analysis-day).

    Each cell is its sum divided by the number of selected cartography records, so a record
    without risks in the cell counts as zero. Same shape as cartography_sum.
    """
    check_params("cartography_average", params, {})
    data = _matrices(scope)
    if data is None:
        return []
    stats = latest_stats if scope.latest_only else scoped_stats
    records = stats(scope, "cartography").count()
    for branch in data.values():
        for matrix in branch.values():
            for row in matrix.values():
                for key, total in row.items():
                    row[key] = mean(total / records)
    return data
