"""`threat` and `vulnerability`: one shape, a list of per-object summaries (uuid, count, maxRisk,
averageRate and four labels), so one module defines both kinds."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from stats.kinds.base import (
    COMMON,
    DEMO_NAMESPACE,
    DemoProfile,
    FactSink,
    FactTable,
    StatsKind,
    as_float,
    cached_uuid,
    demo_labels,
)
from stats.kinds.checks import (
    MAX_OBJECTS,
    Invalid,
    as_list,
    check,
    check_labels,
    check_size,
    int_reason,
    number_reason,
    uuid_reason,
)
from stats.models import ObjectDaily, ObjectDailyTotal, ObjectFact
from stats.processors import objects as processors
from stats.processors.base import Processor


def validate(data: Any, where: str) -> None:
    """A list of per-object summaries."""
    check_size(as_list(data, where), MAX_OBJECTS, where, "objects")
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise Invalid(f"{where}[{i}]", "must be an object")
        for field, reason in (
            ("uuid", uuid_reason(item.get("uuid"))),
            ("count", int_reason(item.get("count"))),
            ("maxRisk", int_reason(item.get("maxRisk"))),
            ("averageRate", number_reason(item.get("averageRate"))),
        ):
            check(reason, f"{where}[{i}].{field}")
        check_labels(item, f"{where}[{i}]")


def extract(
    stats_type: str, out: FactSink, common: tuple[Any, ...], client_id: int, data: Any
) -> None:
    """One ObjectFact per object; its labels under (client, `stats_type`, uuid)."""
    rows = out.rows[ObjectFact]
    for item in data:
        rows.append(
            (
                *common,
                stats_type,
                out.db_uuid(item["uuid"]),
                int(item["count"]),
                int(item["maxRisk"]),
                as_float(item["averageRate"]) or 0.0,
            )
        )
        out.label(client_id, stats_type, cached_uuid(item["uuid"]), item)


# --- Demo: every analysis draws its objects from one shared catalogue per kind ----------------

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


@dataclass(frozen=True)
class CatalogueItem:
    uuid: str
    labels: dict[str, str]


def catalogue(stats_type: str, names: list[str]) -> list[CatalogueItem]:
    return [
        CatalogueItem(str(uuid.uuid5(DEMO_NAMESPACE, f"{stats_type}:{name}")), demo_labels(name))
        for name in names
    ]


THREAT_CATALOGUE = catalogue("threat", THREATS)
VULNERABILITY_CATALOGUE = catalogue("vulnerability", VULNERABILITIES)


def demo_profile(items: list[CatalogueItem], size: int, rng: random.Random) -> list[CatalogueItem]:
    """The `size` objects one analysis reports every day."""
    return sorted(rng.sample(items, size), key=lambda i: i.uuid)


def demo(
    stats_type: str, scale: int, rng: random.Random, profile: DemoProfile, progress: float
) -> list[dict[str, Any]]:
    """The analysis's objects, each with 1..6 risks rated 1..`scale`."""
    result = []
    for item in profile.picks[stats_type]:
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


FACTS = (
    FactTable(
        model=ObjectFact,
        columns=(*COMMON, "type", "object", "count", "max_risk", "average_rate"),
        rollups=(ObjectDaily, ObjectDailyTotal),
    ),
)


def _kind(
    name: str,
    *,
    endpoint: str,
    processor: Processor,
    items: list[CatalogueItem],
    picked: int,
    scale: int,
) -> StatsKind:
    return StatsKind(
        name=name,
        validate=validate,
        extract=partial(extract, name),
        facts=FACTS,
        processors=(processor,),
        public_endpoint=endpoint,
        public_processor=processor.info.name,
        demo=partial(demo, name, scale),
        demo_profile=partial(demo_profile, items, picked),
        per_object=True,
    )


THREAT = _kind(
    "threat",
    endpoint="threats",
    processor=processors.threat_average_on_date,
    items=THREAT_CATALOGUE,
    picked=35,
    scale=4,
)
VULNERABILITY = _kind(
    "vulnerability",
    endpoint="vulnerabilities",
    processor=processors.vulnerability_average_on_date,
    items=VULNERABILITY_CATALOGUE,
    picked=30,
    scale=5,
)
