"""A seeded, deterministic, realistic demo dataset in MONARC's shapes (monarc-protocol.md §3).

Every analysis draws about 35 threats and 30 vulnerabilities from one shared catalogue, and
reports ISO/IEC 27002:2013 compliance (14 categories, 114 controls): about 45 KB per analysis
per day, like real MONARC instances. Each analysis has a stable profile (size, maturity) and its
numbers drift slowly from day to day, so time series look plausible. The same seed, client,
analysis and day always give the same payload.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from stats.validation import IncomingRecord

NAMESPACE = uuid.UUID("0b5e6c4e-2f7a-5d0e-9d7c-3f1f6a1c0de0")
LANGS = ("fr", "en", "de", "nl")

THREATS = [
    "Fire", "Water damage", "Pollution", "Major accident", "Destruction of equipment",
    "Climatic phenomenon", "Seismic phenomenon", "Volcanic phenomenon", "Meteorological phenomenon",
    "Flood", "Failure of air-conditioning", "Loss of power supply", "Failure of telecommunication",
    "Electromagnetic radiation", "Thermal radiation", "Interception of compromising signals",
    "Remote spying", "Eavesdropping", "Theft of media or documents", "Theft of equipment",
    "Retrieval of recycled or discarded media", "Disclosure", "Data from untrustworthy sources",
    "Tampering with hardware", "Tampering with software", "Position detection",
    "Equipment failure", "Equipment malfunction", "Saturation of the information system",
    "Software malfunction", "Breach of information system maintainability",
    "Unauthorised use of equipment", "Fraudulent copying or use of counterfeit software",
    "Corruption of data", "Illegal processing of data", "Error in use", "Abuse of rights",
    "Forging of rights", "Denial of actions", "Breach of personnel availability",
    "Ransomware", "Phishing", "Social engineering", "Malware infection", "Supplier bankruptcy",
    "Denial of service attack", "Identity theft", "Loss of key personnel", "Sabotage",
    "Espionage", "Data leak by an insider", "Misconfiguration", "Unpatched vulnerability exploit",
    "Credential stuffing", "Cloud provider outage", "Loss of encryption keys",
    "Unauthorised access to premises", "Vandalism", "Strike", "Pandemic",
]  # fmt: skip
VULNERABILITIES = [
    "Single point of failure", "Lack of physical access control", "No backup policy",
    "Weak passwords", "Unencrypted storage", "Outdated operating system", "No antivirus",
    "Lack of awareness training", "No incident response plan", "Shared administrator accounts",
    "Unrestricted internet access", "No logging", "No log review", "Unsupported software",
    "Lack of network segmentation", "Missing multi-factor authentication", "Open Wi-Fi",
    "No clean desk policy", "Undocumented procedures", "No change management",
    "Insufficient capacity planning", "No supplier assessment", "Unprotected removable media",
    "Lack of redundancy", "Inadequate cabling protection", "No fire detection",
    "Uncontrolled software installation", "Excessive privileges", "No access review",
    "Weak disposal process", "No data classification", "Dependence on a single supplier",
    "Lack of patch management", "No secure development practice", "Poor key management",
    "No business continuity plan", "Unclear responsibilities", "No vulnerability scanning",
    "Default configurations", "Public exposure of services", "No physical intrusion detection",
    "Insufficient power protection", "No contract clauses on security", "Unverified backups",
    "No email filtering", "Unmanaged mobile devices", "Lack of monitoring", "No asset inventory",
    "Remote access without VPN", "Untrained administrators", "No segregation of duties",
    "Insecure protocols", "No screen lock", "No visitor register", "Obsolete hardware",
]  # fmt: skip
# ISO/IEC 27002:2013 clauses 5..18 and their number of controls: 114 in all.
ISO_CATEGORIES = [
    ("Information security policies", 2),
    ("Organization of information security", 7),
    ("Human resource security", 6),
    ("Asset management", 10),
    ("Access control", 14),
    ("Cryptography", 2),
    ("Physical and environmental security", 15),
    ("Operations security", 14),
    ("Communications security", 7),
    ("System acquisition, development and maintenance", 13),
    ("Supplier relationships", 5),
    ("Information security incident management", 7),
    ("Information security aspects of business continuity management", 4),
    ("Compliance", 8),
]
ISO_REFERENTIAL = uuid.uuid5(NAMESPACE, "iso27002-2013")
ISO_LABEL = "ISO/IEC 27002 [2013]"
RISK_LEVELS = ("Low risks", "Medium risks", "High risks")


def _labels(name: str) -> dict[str, str]:
    """Four labels; the non-English ones are marked so translations are visibly distinct."""
    return {
        "label1": f"{name} (FR)",
        "label2": name,
        "label3": f"{name} (DE)",
        "label4": f"{name} (NL)",
    }


@dataclass(frozen=True)
class CatalogueItem:
    uuid: str
    labels: dict[str, str]


THREAT_CATALOGUE = [
    CatalogueItem(str(uuid.uuid5(NAMESPACE, f"threat:{name}")), _labels(name)) for name in THREATS
]
VULNERABILITY_CATALOGUE = [
    CatalogueItem(str(uuid.uuid5(NAMESPACE, f"vulnerability:{name}")), _labels(name))
    for name in VULNERABILITIES
]


def _controls() -> list[list[tuple[str, str]]]:
    """(code, measure uuid) per category, sorted by code as strings like MONARC does."""
    result = []
    for index, (_, count) in enumerate(ISO_CATEGORIES):
        clause = index + 5
        codes = [f"{clause}.{k // 3 + 1}.{k % 3 + 1}" for k in range(count)]
        result.append(sorted((code, str(uuid.uuid5(NAMESPACE, f"27002:{code}"))) for code in codes))
    return result


ISO_CONTROLS = _controls()


def _php_array(cells: dict[int, Any]) -> list[Any] | dict[str, Any]:
    """PHP's json_encode of an int-keyed array: a list when keys are exactly 0..n-1."""
    keys = sorted(cells)
    if keys == list(range(len(keys))):
        return [cells[k] for k in keys]
    return {str(k): cells[k] for k in keys}


@dataclass(frozen=True)
class Profile:
    """What stays stable for one analysis: its size, maturity and chosen objects."""

    size: float
    maturity: float
    threats: list[CatalogueItem]
    vulnerabilities: list[CatalogueItem]
    excluded: frozenset[str]

    @classmethod
    def of(cls, seed: int, anr: uuid.UUID) -> Profile:
        rng = random.Random(f"{seed}:{anr}:profile")  # noqa: S311 (demo data, not secrets)
        measures = [m for category in ISO_CONTROLS for _, m in category]
        return cls(
            size=rng.uniform(0.5, 2.0),
            maturity=rng.uniform(0.2, 0.7),
            threats=sorted(rng.sample(THREAT_CATALOGUE, 35), key=lambda i: i.uuid),
            vulnerabilities=sorted(rng.sample(VULNERABILITY_CATALOGUE, 30), key=lambda i: i.uuid),
            excluded=frozenset(rng.sample(measures, rng.randint(0, 8))),
        )


def analysis_uuid(seed: int, client_index: int, analysis_index: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{seed}:anr:{client_index}:{analysis_index}")


def _risk(rng: random.Random, profile: Profile, progress: float) -> dict[str, Any]:
    def branch(total: float, residual: bool) -> list[dict[str, Any]]:
        high_share = max(0.02, 0.15 - 0.1 * progress) * (0.4 if residual else 1.0)
        medium_share = 0.25 * (0.6 if residual else 1.0)
        high = round(total * high_share * rng.uniform(0.9, 1.1))
        medium = round(total * medium_share * rng.uniform(0.9, 1.1))
        low = max(0, round(total) - high - medium)
        return [
            {"level": lv, "value": v}
            for lv, v in zip(RISK_LEVELS, (low, medium, high), strict=True)
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


def _objects(rng: random.Random, items: list[CatalogueItem], scale: int) -> list[dict[str, Any]]:
    result = []
    for item in items:
        count = rng.randint(1, 6)
        rates = [rng.randint(1, scale) for _ in range(count)]
        mean = sum(rates) / count
        average = str(rates[0]) if count == 1 else f"{int(mean * 100) / 100:.2f}"
        result.append(
            {
                "uuid": item.uuid,
                **item.labels,
                "count": count,
                "maxRisk": max(rates) * rng.randint(2, 5),
                "averageRate": average,
            }
        )
    return result


def _cartography(rng: random.Random, profile: Profile) -> dict[str, Any]:
    likelihood = sorted({t * v for t in range(5) for v in range(6)})

    def matrix(x_axis: list[int], density: float) -> list[Any] | dict[str, Any]:
        rows = {}
        for impact in range(5):
            cells = {x: rng.randint(1, 8) for x in x_axis if rng.random() < density}
            if cells:
                rows[impact] = _php_array(cells)
        return _php_array(rows)

    def state(density: float) -> dict[str, Any]:
        return {
            "informational": matrix(likelihood, density * profile.size / 2),
            "operational": matrix(list(range(5)), density),
        }

    return {
        "scales": {
            "impact": list(range(5)),
            "probability": list(range(5)),
            "likelihood": likelihood,
        },
        "risks": {"current": state(0.5), "residual": state(0.35)},
    }


def _compliance(rng: random.Random, profile: Profile, progress: float) -> list[dict[str, Any]]:
    current, target = [], []
    for (name, _), controls in zip(ISO_CATEGORIES, ISO_CONTROLS, strict=True):
        labels = _labels(name)
        cur_controls, tgt_controls, levels, applicable = [], [], [], 0
        for code, measure in controls:
            if measure in profile.excluded:
                level, goal = 0, "0"
            else:
                mean_level = 5 * min(1.0, profile.maturity + 0.3 * progress)
                level = max(0, min(5, round(rng.gauss(mean_level, 1.0))))
                goal = "1"
                applicable += 1
            levels.append(level)
            cur_controls.append({"code": code, "measure": measure, "value": f"{level * 0.2:.2f}"})
            tgt_controls.append({"code": code, "measure": measure, "value": goal})
        value = sum(levels) / len(levels) * 0.2
        current.append({**labels, "controls": cur_controls, "value": f"{value:.2f}"})
        share = applicable / len(controls)
        target.append({**labels, "controls": tgt_controls, "value": f"{share:.2f}"})
    return [
        {
            "referential": str(ISO_REFERENTIAL),
            **dict.fromkeys(("label1", "label2", "label3", "label4"), ISO_LABEL),
            "current": current,
            "target": target,
        }
    ]


def analysis_day(*, seed: int, anr: uuid.UUID, day: date, progress: float) -> list[dict[str, Any]]:
    """The 5 records MONARC sends for one analysis on one day (`progress` in 0..1 over time)."""
    profile = Profile.of(seed, anr)
    rng = random.Random(f"{seed}:{anr}:{day.isoformat()}")  # noqa: S311
    payloads = {
        "risk": _risk(rng, profile, progress),
        "threat": _objects(rng, profile.threats, 4),
        "vulnerability": _objects(rng, profile.vulnerabilities, 5),
        "cartography": _cartography(rng, profile),
        "compliance": _compliance(rng, profile, progress),
    }
    anr_text = str(anr)
    return [
        {"anr": anr_text, "type": t, "date": day.isoformat(), "data": data}
        for t, data in payloads.items()
    ]


def as_incoming(records: list[dict[str, Any]]) -> list[IncomingRecord]:
    """Generated records are valid by construction; skip re-validating them when storing."""
    return [
        IncomingRecord(
            anr=uuid.UUID(r["anr"]),
            type=r["type"],
            date=date.fromisoformat(r["date"]),
            data=r["data"],
        )
        for r in records
    ]


def client_day(
    *, seed: int, client_index: int, analyses: int, day: date, progress: float
) -> list[dict[str, Any]]:
    """One client's daily POST: 5 records for each of its `analyses` analyses."""
    return [
        record
        for index in range(analyses)
        for record in analysis_day(
            seed=seed, anr=analysis_uuid(seed, client_index, index), day=day, progress=progress
        )
    ]


def days_back(end: date, days: int) -> Iterator[tuple[date, float]]:
    """The `days` days ending on `end`, oldest first, with their progress 0..1."""
    from datetime import timedelta

    for offset in range(days - 1, -1, -1):
        yield end - timedelta(days=offset), (days - 1 - offset) / max(1, days - 1)
