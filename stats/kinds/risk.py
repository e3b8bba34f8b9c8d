"""`risk`: the number of risks per level, current and residual, informational and operational."""

from __future__ import annotations

import random
from typing import Any

from stats.kinds.base import COMMON, DemoProfile, FactSink, FactTable, StatsKind
from stats.kinds.checks import (
    MAX_LABEL_LENGTH,
    Invalid,
    as_list,
    as_object,
    check,
    int_reason,
    text_reason,
)
from stats.models import KINDS, STATES, RiskDaily, RiskFact
from stats.processors import risk as processors

RISK_LEVELS_MAX = 10
DEMO_LEVELS = ("Low risks", "Medium risks", "High risks")


def validate(data: Any, where: str) -> None:
    risks = as_object(as_object(data, where).get("risks"), f"{where}.risks")
    for state in ("current", "residual"):
        branch = as_object(risks.get(state), f"{where}.risks.{state}")
        for kind in ("informational", "operational"):
            path = f"{where}.risks.{state}.{kind}"
            levels = as_list(branch.get(kind), path)
            if len(levels) > RISK_LEVELS_MAX:
                raise Invalid(path, f"has more than {RISK_LEVELS_MAX} levels")
            for i, level in enumerate(levels):
                as_object(level, f"{path}[{i}]")
                name = level.get("level")
                if not isinstance(name, str):
                    raise Invalid(f"{path}[{i}].level", "must be a string")
                check(text_reason(name), f"{path}[{i}].level")
                if len(name) > MAX_LABEL_LENGTH:
                    raise Invalid(
                        f"{path}[{i}].level", f"is longer than {MAX_LABEL_LENGTH} characters"
                    )
                check(int_reason(level.get("value")), f"{path}[{i}].value")
    if "total" in data:
        as_object(data["total"], f"{where}.total")


def extract(out: FactSink, common: tuple[Any, ...], client_id: int, data: Any) -> None:
    """One RiskFact per level: (state, kind, position) as small integers, the level's name."""
    rows = out.rows[RiskFact]
    risks = data.get("risks") or {}
    for state_index, state in enumerate(STATES):
        branch = risks.get(state) or {}
        for kind_index, kind in enumerate(KINDS):
            for position, level in enumerate(branch.get(kind) or []):
                rows.append(
                    (
                        *common,
                        state_index,
                        kind_index,
                        position,
                        str(level.get("level")),
                        int(level.get("value")),
                    )
                )


def demo(rng: random.Random, profile: DemoProfile, progress: float) -> dict[str, Any]:
    """Fewer high risks as `progress` goes on; residual risks a share of the current ones."""

    def branch(total: float, residual: bool) -> list[dict[str, Any]]:
        high_share = max(0.02, 0.15 - 0.1 * progress) * (0.4 if residual else 1.0)
        medium_share = 0.25 * (0.6 if residual else 1.0)
        high = round(total * high_share * rng.uniform(0.9, 1.1))
        medium = round(total * medium_share * rng.uniform(0.9, 1.1))
        low = max(0, round(total) - high - medium)
        return [
            {"level": lv, "value": v}
            for lv, v in zip(DEMO_LEVELS, (low, medium, high), strict=True)
        ]

    informational = 110 * profile.size
    operational = 32 * profile.size
    risks = {
        "current": {
            "informational": branch(informational, False),
            "operational": branch(operational, False),
        },
        "residual": {
            "informational": branch(informational, True),
            "operational": branch(operational, True),
        },
    }
    total = {
        state: {kind: sum(level["value"] for level in levels) for kind, levels in kinds.items()}
        for state, kinds in risks.items()
    }
    return {"total": total, "risks": risks}


RISK = StatsKind(
    name="risk",
    validate=validate,
    extract=extract,
    facts=(
        FactTable(
            model=RiskFact,
            columns=(*COMMON, "state", "kind", "position", "level", "value"),
            rollups=(RiskDaily,),
        ),
    ),
    processors=(processors.risk_averages, processors.risk_averages_on_date),
    public_endpoint="risks",
    public_processor="risk_averages",
    demo=demo,
)
