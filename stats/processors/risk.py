"""Processors of `risk` records (monarc-protocol.md §5.1, §5.2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Min

from stats.models import KINDS, STATES, RiskFact
from stats.processors.base import (
    ProcessorError,
    Scope,
    bucket,
    check_params,
    iso,
    mean,
    period_param,
    processor,
    source,
)

ON_DATE_PARAMS = {
    "risks_type": "informational and/or operational (matched as substrings; default both)",
    "risks_state": "current and/or residual (matched as substrings; default both)",
    "period": "day (default), week, month, quarter or year: bucket by the period's first day",
}


@processor("risk_averages", "risk")
def risk_averages(scope: Scope, params: dict[str, Any]) -> Any:
    """Mean number of risks per level: current/residual, informational/operational.

    Each value is the mean of the level's `value` over every selected record (one record = one
    analysis on one day) that has that level. Keys keep MONARC's order: current before residual,
    informational before operational, levels in the order they are sent (Low, Medium, High).
    """
    check_params("risk_averages", params, {})
    src = source(RiskFact, scope, "risk")
    rows = (
        src.qs.values("state", "kind", "level")
        .annotate(avg=src.mean("value"), pos=Min("position"))
        .order_by("state", "kind", "pos", "level")
    )
    data: dict[str, dict[str, dict[str, float | None]]] = {}
    for row in rows:
        branch = data.setdefault(STATES[row["state"]], {})
        branch.setdefault(KINDS[row["kind"]], {})[row["level"]] = mean(row["avg"])
    return _ordered(data) if data else []


def _ordered(data: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        state: {kind: data[state][kind] for kind in KINDS if kind in data[state]}
        for state in STATES
        if state in data
    }


def _matching(value: Any, choices: tuple[str, ...], key: str) -> tuple[str, ...]:
    if value is None or value == "":
        return choices
    if not isinstance(value, str):
        raise ProcessorError(f"{key} must be a string containing {' and/or '.join(choices)}.")
    found = tuple(choice for choice in choices if choice in value)
    if not found:
        raise ProcessorError(f"{key} must contain {' and/or '.join(choices)}.")
    return found


@processor("risk_averages_on_date", "risk", ON_DATE_PARAMS)
def risk_averages_on_date(scope: Scope, params: dict[str, Any]) -> Any:
    """Mean number of risks per level and per date (or period), sorted by date.

    For each level and each period bucket (the day itself by default), `value` is the mean of the
    level's `value` over the selected records dated in that bucket. `risks_type`/`risks_state`
    keep only the requested branches.
    """
    check_params("risk_averages_on_date", params, ON_DATE_PARAMS)
    kinds = _matching(params.get("risks_type"), KINDS, "risks_type")
    states = _matching(params.get("risks_state"), STATES, "risks_state")
    period = period_param(params)
    src = source(RiskFact, scope, "risk")
    rows = (
        src.qs.filter(
            state__in=[STATES.index(s) for s in states], kind__in=[KINDS.index(k) for k in kinds]
        )
        .values("state", "kind", "level", day=bucket(period))
        .annotate(avg=src.mean("value"), pos=Min("position"))
        .order_by("day")
    )
    # (state, kind) -> level -> [min position, series]
    series: dict[tuple[int, int], dict[str, list[Any]]] = {}
    for row in rows:
        levels = series.setdefault((row["state"], row["kind"]), {})
        entry = levels.setdefault(row["level"], [row["pos"], []])
        entry[0] = min(entry[0], row["pos"])
        entry[1].append({"date": iso(row["day"]), "value": mean(row["avg"])})
    data: dict[str, dict[str, Any]] = {}
    for (state, kind), levels in sorted(series.items()):
        ordered = sorted(levels.items(), key=lambda item: (item[1][0], item[0]))
        data.setdefault(STATES[state], {})[KINDS[kind]] = {
            level: points for level, (_, points) in ordered
        }
    return _ordered(data) if data else []
