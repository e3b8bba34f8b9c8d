"""Full-size MONARC payloads (~45 KB per analysis, monarc-protocol.md §3.6) for load tests.

Built from the contract's sample shapes, scaled to what a real analysis sends: ~35 threats and
~35 vulnerabilities, and one ISO/IEC 27002:2013 referential (14 categories, 114 controls).
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any

from statsservice.testing.seed import PAYLOADS

LABELS = ("Phénomène climatique", "Climatic phenomenon", "Klimatisches Phänomen", "Klimaat")


def _objects(rng: random.Random, count: int) -> list[dict[str, Any]]:
    return [
        {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "label1": f"{LABELS[0]} {i}",
            "label2": f"{LABELS[1]} {i}",
            "label3": f"{LABELS[2]} {i}",
            "label4": f"{LABELS[3]} {i}",
            "count": rng.randint(1, 12),
            "maxRisk": rng.randint(0, 64),
            "averageRate": f"{rng.uniform(0, 4):.2f}",
        }
        for i in range(count)
    ]


def _compliance(rng: random.Random) -> list[dict[str, Any]]:
    template = copy.deepcopy(PAYLOADS["compliance"][0])
    category = template["current"][0]
    per_category = [114 // 14 + (1 if i < 114 % 14 else 0) for i in range(14)]
    current, target = [], []
    for index, controls in enumerate(per_category):
        codes = [f"{index + 5}.{c // 3 + 1}.{c % 3 + 1}" for c in range(controls)]
        measures = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in codes]
        labels = {k: f"{category[k]} {index}" for k in ("label1", "label2", "label3", "label4")}
        current.append(
            {
                **labels,
                "controls": [
                    {"code": c, "measure": m, "value": f"{rng.randint(0, 5) * 0.2:.2f}"}
                    for c, m in zip(codes, measures, strict=True)
                ],
                "value": f"{rng.uniform(0, 1):.2f}",
            }
        )
        target.append(
            {
                **labels,
                "controls": [
                    {"code": c, "measure": m, "value": "1"}
                    for c, m in zip(codes, measures, strict=True)
                ],
                "value": "1.00",
            }
        )
    template["current"], template["target"] = current, target
    return [template]


def analysis_records(anr: str, day: str, rng: random.Random) -> list[dict[str, Any]]:
    """The 5 records MONARC sends for one analysis."""
    data = {
        "risk": copy.deepcopy(PAYLOADS["risk"]),
        "threat": _objects(rng, 35),
        "vulnerability": _objects(rng, 35),
        "cartography": copy.deepcopy(PAYLOADS["cartography"]),
        "compliance": _compliance(rng),
    }
    return [{"anr": anr, "type": t, "date": day, "data": d} for t, d in data.items()]
