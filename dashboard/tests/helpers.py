"""Test data for the public pages: sharing clients with stats stored through the real ingest."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from clients.models import Client
from clients.services import create_client
from stats.tests.aggregation import item, levels, rec, store

COMMON = "7f0497ed-1e3d-54bb-938e-a43e6022ac2f"  # reported by every contributor
RARE = "da516cd8-3d70-4517-b693-956196d2da05"  # reported by the first contributor only
VULN = "64e42037-442f-5f73-a0c2-f3796266252e"
REFERENTIAL = "f31925a6-e55b-5cd2-a20f-a16cfe8e0be0"


def day(offset: int = 0) -> str:
    return (timezone.localdate() - timedelta(days=offset)).isoformat()


def risk_payload(low: int, medium: int, high: int) -> dict[str, Any]:
    return {
        "total": {},
        "risks": {
            "current": {"informational": levels(low, medium, high), "operational": levels(1, 2, 3)},
            "residual": {"informational": levels(low, 0, 0), "operational": levels(1, 1, 1)},
        },
    }


def compliance_payload(current: str, referential: str = REFERENTIAL) -> list[dict[str, Any]]:
    labels = {"label1": "Politiques", "label2": "Policies", "label3": "", "label4": ""}
    control = {"code": "5.1.1", "measure": "2dc336a9-9610-545d-9328-5be377a2110a"}
    return [
        {
            "referential": referential,
            "label1": "ISO/IEC 27002",
            "label2": "ISO/IEC 27002",
            "label3": "",
            "label4": "",
            "current": [{**labels, "controls": [{**control, "value": current}], "value": current}],
            "target": [{**labels, "controls": [{**control, "value": "1"}], "value": "1.00"}],
        }
    ]


CARTOGRAPHY = {
    "scales": {"impact": [1, 2], "probability": [1, 2], "likelihood": [1, 2, 4]},
    "risks": {
        "current": {"informational": {"1": {"1": 2, "4": 1}, "2": {"2": 3}}, "operational": []},
        "residual": {"informational": {"1": {"1": 1}}, "operational": []},
    },
}


def contribute(
    client: Client, *, index: int, offset: int = 0, anr: str | None = None, rare: bool = False
) -> str:
    """One analysis of `client` with the five record types dated today - offset."""
    anr = anr or str(uuid.uuid4())
    when = day(offset)
    threats = [
        item(
            COMMON,
            2 + index,
            10 + index,
            f"{1 + index * 0.5:.2f}",
            label1="Écoute",
            label2="Eavesdropping",
        )
    ]
    if rare:
        threats.append(item(RARE, 9, 20, "4", label2="Only one organisation"))
    store(
        client,
        rec("risk", when, anr, risk_payload(10 * (index + 1), 5, index)),
        rec("threat", when, anr, threats),
        rec("vulnerability", when, anr, [item(VULN, 1, 5, "2", label2="Single point of failure")]),
        rec("cartography", when, anr, CARTOGRAPHY),
        rec("compliance", when, anr, compliance_payload(f"{0.2 * (index + 1):.2f}")),
    )
    return anr


def contributors(count: int, *, start: int = 0, **client_kwargs: Any) -> list[Client]:
    """`count` sharing clients with one analysis each; the first also reports RARE."""
    made = []
    for index in range(start, start + count):
        client, _ = create_client(
            name=f"org-{index}",
            latitude=49.5 + index / 10,
            longitude=6.0 + index / 10,
            **client_kwargs,
        )
        contribute(client, index=index, rare=index == start)
        made.append(client)
    return made


def as_date(value: str) -> date:
    return date.fromisoformat(value)
