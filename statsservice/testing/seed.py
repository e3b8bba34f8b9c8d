"""Records for the tests and benchmarks to send or store: the contract's example payloads
(monarc-protocol.md §3) as MONARC sends them, and builders of small hand-checked ones.

Plain data: the fixtures that store it are in the root conftest.py.
"""

from __future__ import annotations

import copy
import random
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

ANR = "eb2d701d-1edb-421f-8aff-82d544196d68"
ANR_A = "11111111-1111-4111-8111-111111111111"
ANR_B = "22222222-2222-4222-8222-222222222222"
ANR_C = "33333333-3333-4333-8333-333333333333"
T1 = "7f0497ed-1e3d-54bb-938e-a43e6022ac2f"
T2 = "da516cd8-3d70-4517-b693-956196d2da05"
COMMON = T1  # the `contribute` fixture's threat, reported by every contributor
RARE = T2  # reported by the first of the `contributors` only
VULN = "64e42037-442f-5f73-a0c2-f3796266252e"
REFERENTIAL = "f31925a6-e55b-5cd2-a20f-a16cfe8e0be0"


def levels(low: int, medium: int, high: int) -> list[dict[str, Any]]:
    return [
        {"level": "Low risks", "value": low},
        {"level": "Medium risks", "value": medium},
        {"level": "High risks", "value": high},
    ]


RISK = {
    "total": {
        "current": {"informational": 109, "operational": 32},
        "residual": {"informational": 109, "operational": 32},
    },
    "risks": {
        "current": {"informational": levels(83, 21, 5), "operational": levels(10, 14, 8)},
        "residual": {"informational": levels(97, 11, 1), "operational": levels(15, 11, 6)},
    },
}

THREAT = [
    {
        "uuid": "7f0497ed-1e3d-54bb-938e-a43e6022ac2f",
        "label1": "Phénomène climatique",
        "label2": "Climatic phenomenon",
        "label3": "Klimatisches Phänomen",
        "label4": "Klimatologisch fenomeen",
        "maxRisk": 9,
        "count": 2,
        "averageRate": "1.00",
    },
    {
        "uuid": "da516cd8-3d70-4517-b693-956196d2da05",
        "label1": "",
        "label2": "",
        "label3": "Supplier bankruptcy (IT)",
        "label4": None,
        "maxRisk": 12,
        "count": 1,
        "averageRate": "1",
    },
]

VULNERABILITY = [
    {
        "uuid": "64e42037-442f-5f73-a0c2-f3796266252e",
        "label1": "Point de défaillance unique",
        "label2": "Single point of failure",
        "label3": "Single Point of Failure",
        "label4": "Single point of failure",
        "count": 4,
        "maxRisk": 32,
        "averageRate": "3.49",
    },
    {
        "uuid": "ba1689cb-7a1e-5329-91ed-e7e90444308d",
        "label1": "Absence de contrôle d'accès physique",
        "label2": "Lack of physical access control",
        "label3": "Fehlende physische Zugangskontrolle",
        "label4": "Geen fysieke toegangscontrole",
        "count": 5,
        "maxRisk": 12,
        "averageRate": "2.59",
    },
]

CARTOGRAPHY = {
    "scales": {
        "impact": [0, 1, 2, 3, 4],
        "probability": [0, 1, 2, 3, 4],
        "likelihood": [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20],
    },
    "risks": {
        "current": {
            "informational": [
                [7],
                {"0": 2, "2": 1, "3": 1, "4": 1, "5": 1, "9": 3, "10": 1},
                {"0": 4, "1": 1, "2": 7, "3": 4, "4": 7, "5": 1, "6": 7, "8": 2, "12": 2},
                {"0": 7, "1": 2, "2": 5, "3": 5, "4": 8, "6": 8, "8": 6, "9": 2, "12": 3},
                {"0": 1, "2": 2, "3": 2, "4": 1, "6": 1, "8": 2, "9": 2},
            ],
            "operational": {
                "2": {"0": 1, "2": 1},
                "3": {"1": 4, "2": 5, "3": 8, "4": 1},
                "4": {"1": 4, "2": 1, "3": 7},
            },
        },
        "residual": {
            "informational": [
                [7],
                {"0": 5, "2": 1, "5": 1, "6": 1, "9": 1, "10": 1},
                {"0": 8, "1": 5, "2": 9, "3": 4, "4": 2, "6": 6, "8": 1},
                {"0": 11, "1": 4, "2": 11, "3": 3, "4": 7, "6": 5, "8": 3, "9": 1, "12": 1},
                {"0": 4, "2": 2, "3": 1, "4": 2, "6": 1, "8": 1},
            ],
            "operational": {"2": [1, 3, 1], "3": [4, 2, 5, 6, 1], "4": {"1": 4, "3": 5}},
        },
    },
}

_CATEGORY_LABELS = {
    "label1": "Politiques de sécurité de l'information",
    "label2": "Information security policies",
    "label3": "Informationssicherheitsrichtlinien",
    "label4": "Informatiebeveiligingsbeleid",
}

COMPLIANCE = [
    {
        "referential": "f31925a6-e55b-5cd2-a20f-a16cfe8e0be0",
        "label1": "ISO/IEC 27002 [2013]",
        "label2": "ISO/IEC 27002 [2013]",
        "label3": "ISO/IEC 27002 [2013]",
        "label4": "ISO/IEC 27002 [2013]",
        "current": [
            {
                **_CATEGORY_LABELS,
                "controls": [
                    {
                        "code": "5.1.1",
                        "measure": "2dc336a9-9610-545d-9328-5be377a2110a",
                        "value": "0.80",
                    },
                    {
                        "code": "5.1.2",
                        "measure": "5552c1f1-4b9f-5d4e-a33c-d6679ec2f5ee",
                        "value": "0.60",
                    },
                ],
                "value": "0.70",
            }
        ],
        "target": [
            {
                **_CATEGORY_LABELS,
                "controls": [
                    {
                        "code": "5.1.1",
                        "measure": "2dc336a9-9610-545d-9328-5be377a2110a",
                        "value": "1",
                    },
                    {
                        "code": "5.1.2",
                        "measure": "5552c1f1-4b9f-5d4e-a33c-d6679ec2f5ee",
                        "value": "1",
                    },
                ],
                "value": "1.00",
            }
        ],
    }
]

PAYLOADS: dict[str, Any] = {
    "risk": RISK,
    "threat": THREAT,
    "vulnerability": VULNERABILITY,
    "cartography": CARTOGRAPHY,
    "compliance": COMPLIANCE,
}


def record(stats_type: str, day: str, anr: str = ANR, data: Any = None) -> dict[str, Any]:
    payload = copy.deepcopy(PAYLOADS[stats_type]) if data is None else data
    return {"anr": anr, "type": stats_type, "date": day, "data": payload}


def daily_batch(day: str, anrs: list[str]) -> list[dict[str, Any]]:
    """What MONARC's collect-stats sends: 5 records per analysis, all dated `day`."""
    return [record(t, day, anr) for anr in anrs for t in PAYLOADS]


def _labels(text: str) -> dict[str, str]:
    return {"label1": f"{text} (fr)", "label2": text, "label3": f"{text} (de)", "label4": ""}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def sized_batch(day: str, anrs: list[str], seed: int = 1) -> list[dict[str, Any]]:
    """A daily batch of MONARC's real size: ~35 threats, ~30 vulnerabilities, ISO 27002 (14
    categories, 114 controls) per analysis, about 45 KB per analysis (monarc-protocol.md §3.6)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    threats = [(_uuid(rng), f"Threat number {i} of the catalogue") for i in range(40)]
    vulnerabilities = [
        (_uuid(rng), f"Vulnerability number {i} of the catalogue") for i in range(36)
    ]
    measures = [
        (_uuid(rng), f"{5 + c}.{k // 3 + 1}.{k % 3 + 1}") for c in range(14) for k in range(8)
    ]
    measures += [(_uuid(rng), "18.2.9"), (_uuid(rng), "18.2.10")]

    def objects(catalogue: list[tuple[str, str]], count: int) -> list[dict[str, Any]]:
        return [
            {
                "uuid": obj_uuid,
                **_labels(label),
                "count": rng.randint(1, 9),
                "maxRisk": rng.randint(0, 60),
                "averageRate": f"{rng.uniform(0, 4):.2f}",
            }
            for obj_uuid, label in rng.sample(catalogue, count)
        ]

    def categories(target: bool) -> list[dict[str, Any]]:
        result = []
        for c in range(14):
            controls = [
                {
                    "code": code,
                    "measure": measure,
                    "value": "1" if target else f"{rng.randint(0, 5) * 0.2:.2f}",
                }
                for measure, code in measures[c * 8 : c * 8 + 8]
            ]
            result.append(
                {
                    **_labels(f"Security category {c} with a fairly long name"),
                    "controls": controls,
                    "value": "1.00" if target else f"{rng.uniform(0, 1):.2f}",
                }
            )
        return result

    batch = []
    for anr in anrs:
        compliance = [
            {
                "referential": "f31925a6-e55b-5cd2-a20f-a16cfe8e0be0",
                **_labels("ISO/IEC 27002 [2013]"),
                "current": categories(False),
                "target": categories(True),
            }
        ]
        payloads = {
            **PAYLOADS,
            "threat": objects(threats, 35),
            "vulnerability": objects(vulnerabilities, 30),
            "compliance": compliance,
        }
        batch += [record(t, day, anr, copy.deepcopy(payloads[t])) for t in PAYLOADS]
    return batch


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
    """A threat or vulnerability of an object payload, labels empty unless given."""
    base = {"label1": "", "label2": "", "label3": "", "label4": ""}
    base.update(labels)
    return {"uuid": uuid, **base, "count": count, "maxRisk": max_risk, "averageRate": rate}


def day(offset: int = 0) -> str:
    """The date `offset` days before today, as MONARC sends it."""
    return (timezone.localdate() - timedelta(days=offset)).isoformat()


def compliance_payload(current: str, referential: str = REFERENTIAL) -> list[dict[str, Any]]:
    """One referential with one category of one control, whose current value is `current`."""
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


def risk_payload(low: int, medium: int, high: int) -> dict[str, Any]:
    """A risk payload whose current informational levels are the given ones."""
    return {
        "total": {},
        "risks": {
            "current": {"informational": levels(low, medium, high), "operational": levels(1, 2, 3)},
            "residual": {"informational": levels(low, 0, 0), "operational": levels(1, 1, 1)},
        },
    }


SMALL_CARTOGRAPHY = {
    "scales": {"impact": [1, 2], "probability": [1, 2], "likelihood": [1, 2, 4]},
    "risks": {
        "current": {"informational": {"1": {"1": 2, "4": 1}, "2": {"2": 3}}, "operational": []},
        "residual": {"informational": {"1": {"1": 1}}, "operational": []},
    },
}
