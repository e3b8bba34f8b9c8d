"""Helpers for the aggregation tests: store records through the real ingest path."""

from __future__ import annotations

from typing import Any

from clients.models import Client
from stats import services
from stats.processors import Scope, run_processor
from stats.tests.samples import record
from stats.validation import validate_batch

ANR_A = "11111111-1111-4111-8111-111111111111"
ANR_B = "22222222-2222-4222-8222-222222222222"
ANR_C = "33333333-3333-4333-8333-333333333333"
T1 = "7f0497ed-1e3d-54bb-938e-a43e6022ac2f"
T2 = "da516cd8-3d70-4517-b693-956196d2da05"


def store(client: Client, *records: dict[str, Any]) -> None:
    services.ingest_batch(client=client, records=validate_batch(list(records), max_records=10_000))


def rec(stats_type: str, day: str, anr: str, data: Any) -> dict[str, Any]:
    return record(stats_type, day, anr, data)


def levels(low: int, medium: int, high: int) -> list[dict[str, Any]]:
    return [
        {"level": "Low risks", "value": low},
        {"level": "Medium risks", "value": medium},
        {"level": "High risks", "value": high},
    ]


def risk(ci: tuple[int, int, int], offset: int = 0) -> dict[str, Any]:
    """A risk payload: current informational `ci`; the other branches shifted by 100/200/300
    plus `offset`, so each branch is told apart."""

    def shifted(k: int) -> list[dict[str, Any]]:
        return levels(*(v + k + offset for v in ci))

    return {
        "total": {},
        "risks": {
            "current": {"informational": levels(*ci), "operational": shifted(100)},
            "residual": {"informational": shifted(200), "operational": shifted(300)},
        },
    }


def item(uuid: str, count: int, max_risk: int, rate: str, **labels: Any) -> dict[str, Any]:
    base = {"label1": "", "label2": "", "label3": "", "label4": ""}
    base.update(labels)
    return {"uuid": uuid, **base, "count": count, "maxRisk": max_risk, "averageRate": rate}


def run(name: str, stats_type: str, params: Any = None, **scope: Any) -> Any:
    scope.setdefault("clients", None)
    return run_processor(name, stats_type=stats_type, scope=Scope(**scope), params=params)
