"""`compliance`: per referential, the current and target level of each category and control."""

from __future__ import annotations

import random
import uuid
from functools import lru_cache
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
    MAX_CATEGORIES,
    MAX_CONTROLS,
    MAX_REFERENTIALS,
    Invalid,
    as_list,
    as_object,
    check,
    check_labels,
    check_size,
    number_reason,
    parse_uuid,
    text_reason,
    uuid_reason,
)
from stats.models import (
    LABEL_KEYS,
    ComplianceCategoryDaily,
    ComplianceCategoryFact,
    ComplianceControlDaily,
    ComplianceControlFact,
    Label,
    category_key,
)
from stats.processors import compliance as processors


def _control_reason(control: Any) -> tuple[str, str] | None:
    """(field, reason) of the first bad field of a compliance control, or None.

    A MONARC batch has ~2,300 controls, and the same (code, measure, value) triples recur in
    every analysis and day: each distinct triple is checked once (typed, so that True is not
    taken for 1; unhashable values, always wrong, are checked uncached).
    """
    if not isinstance(control, dict):
        return "", "must be an object"
    fields = (control.get("code"), control.get("measure"), control.get("value"))
    try:
        return _control_fields_reason(*fields)
    except TypeError:
        return _control_fields_reason.__wrapped__(*fields)


@lru_cache(maxsize=65_536, typed=True)
def _control_fields_reason(code: Any, measure: Any, value: Any) -> tuple[str, str] | None:
    if not isinstance(code, str | int | float) or isinstance(code, bool):
        return ".code", "must be a string"
    if isinstance(code, str) and (reason := text_reason(code)) is not None:
        return ".code", reason
    if (reason := uuid_reason(measure)) is not None:
        return ".measure", reason
    if (reason := number_reason(value)) is not None:
        return ".value", reason
    return None


def _category(category: Any, where: str) -> int:
    """Check one category; its number of controls."""
    as_object(category, where)
    check_labels(category, where)
    check(number_reason(category.get("value")), f"{where}.value")
    controls = as_list(category.get("controls", []), f"{where}.controls")
    check_size(controls, MAX_CONTROLS, f"{where}.controls", "controls")
    for k, control in enumerate(controls):
        if (bad := _control_reason(control)) is not None:
            raise Invalid(f"{where}.controls[{k}]{bad[0]}", bad[1])
    return len(controls)


def validate(data: Any, where: str) -> None:
    check_size(as_list(data, where), MAX_REFERENTIALS, where, "referentials")
    controls = 0
    for i, referential in enumerate(data):
        path = f"{where}[{i}]"
        as_object(referential, path)
        parse_uuid(referential.get("referential"), f"{path}.referential")
        check_labels(referential, path)
        for side in ("current", "target"):
            categories = as_list(referential.get(side), f"{path}.{side}")
            check_size(categories, MAX_CATEGORIES, f"{path}.{side}", "categories")
            for j, category in enumerate(categories):
                controls += _category(category, f"{path}.{side}[{j}]")
                # Current and target list the same controls: the record holds half the sum.
                if controls > 2 * MAX_CONTROLS:
                    raise Invalid(path, f"has more than {MAX_CONTROLS} controls")


def extract(out: FactSink, common: tuple[Any, ...], client_id: int, data: Any) -> None:
    """Per referential: one ComplianceCategoryFact per category position (current and target
    side by side), one ComplianceControlFact per measure; labels of referentials and categories."""
    for referential in data:
        ref = cached_uuid(referential["referential"])
        ref_value = out.db_uuid(referential["referential"])
        out.label(client_id, Label.Kind.REFERENTIAL, ref, referential)
        current = referential.get("current") or []
        target = referential.get("target") or []
        # measure -> [code, category position, current, target]
        controls: dict[str, list[Any]] = {}
        for position in range(max(len(current), len(target))):
            cur = current[position] if position < len(current) else {}
            tgt = target[position] if position < len(target) else {}
            out.rows[ComplianceCategoryFact].append(
                (
                    *common,
                    ref_value,
                    position,
                    as_float(cur.get("value")),
                    as_float(tgt.get("value")),
                )
            )
            labels = cur if any(cur.get(k) for k in LABEL_KEYS) else tgt
            out.label(client_id, Label.Kind.CATEGORY, category_key(ref, position), labels)
            for side, category in ((2, cur), (3, tgt)):
                for control in category.get("controls") or []:
                    measure = control["measure"]
                    entry = controls.setdefault(
                        measure, [str(control.get("code"))[:50], position, None, None]
                    )
                    entry[side] = as_float(control.get("value"))
        out.rows[ComplianceControlFact].extend(
            (*common, ref_value, position, out.db_uuid(measure), code, cur_value, tgt_value)
            for measure, (code, position, cur_value, tgt_value) in controls.items()
        )


# --- Demo: ISO/IEC 27002:2013, clauses 5..18 and their number of controls (114 in all) --------

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
ISO_REFERENTIAL = uuid.uuid5(DEMO_NAMESPACE, "iso27002-2013")
ISO_LABEL = "ISO/IEC 27002 [2013]"


def _controls() -> list[list[tuple[str, str]]]:
    """(code, measure uuid) per category, sorted by code as strings like MONARC does."""
    result = []
    for index, (_, count) in enumerate(ISO_CATEGORIES):
        clause = index + 5
        codes = [f"{clause}.{k // 3 + 1}.{k % 3 + 1}" for k in range(count)]
        result.append(
            sorted((code, str(uuid.uuid5(DEMO_NAMESPACE, f"27002:{code}"))) for code in codes)
        )
    return result


ISO_CONTROLS = _controls()


def demo_profile(rng: random.Random) -> frozenset[str]:
    """The measures one analysis excludes (not applicable) every day."""
    measures = [m for category in ISO_CONTROLS for _, m in category]
    return frozenset(rng.sample(measures, rng.randint(0, 8)))


def demo(rng: random.Random, profile: DemoProfile, progress: float) -> list[dict[str, Any]]:
    """Control levels around the analysis's maturity, rising with `progress`."""
    excluded = profile.picks["compliance"]
    current, target = [], []
    for (name, _), controls in zip(ISO_CATEGORIES, ISO_CONTROLS, strict=True):
        labels = demo_labels(name)
        cur_controls, tgt_controls, levels, applicable = [], [], [], 0
        for code, measure in controls:
            if measure in excluded:
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
            **dict.fromkeys(LABEL_KEYS, ISO_LABEL),
            "current": current,
            "target": target,
        }
    ]


COMPLIANCE = StatsKind(
    name="compliance",
    validate=validate,
    extract=extract,
    facts=(
        FactTable(
            model=ComplianceCategoryFact,
            columns=(*COMMON, "referential", "position", "current", "target"),
            rollups=(ComplianceCategoryDaily,),
        ),
        FactTable(
            model=ComplianceControlFact,
            columns=(*COMMON, "referential", "position", "measure", "code", "current", "target"),
            rollups=(ComplianceControlDaily,),
        ),
    ),
    processors=(processors.compliance_averages, processors.compliance_average_on_date),
    public_endpoint="compliance",
    public_processor="compliance_averages",
    demo=demo,
    demo_profile=demo_profile,
)
