"""Validation of incoming stats records against the shapes MONARC sends (monarc-protocol.md §3).

Each check raises `Invalid` with a JSON-path-like location, so an error can name the item and the
field. Payloads are stored verbatim; these checks only make sure they can be aggregated later.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from stats.models import StatsType

ENVELOPE_KEYS = {"anr", "type", "date", "data", "uuid"}
# Fields the server owns: accepted (records read from another instance carry them) and ignored.
SERVER_OWNED_KEYS = {"created_at", "updated_at", "client", "client_id", "id"}
LABEL_KEYS = ("label1", "label2", "label3", "label4")
RISK_LEVELS_MAX = 10
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT_KEY = re.compile(r"^-?\d+$")
EARLIEST_DATE = date(2000, 1, 1)


class Invalid(ValueError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class IncomingRecord:
    anr: uuid.UUID
    type: str
    date: date
    data: Any
    uuid: uuid.UUID | None = None


def parse_uuid(value: Any, where: str) -> uuid.UUID:
    if not isinstance(value, str):
        raise Invalid(where, "must be a UUID string")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Invalid(where, f"{value[:60]!r} is not a valid UUID") from None


def parse_date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise Invalid(where, "must be a date as YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Invalid(where, f"{value!r} is not a valid date") from None
    # MONARC dates records with its local "today", which may run a day ahead of ours.
    latest = timezone.localdate() + timedelta(days=2)
    if not EARLIEST_DATE <= parsed <= latest:
        raise Invalid(where, f"{value} is outside {EARLIEST_DATE}..{latest}")
    return parsed


def _int(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(where, "must be an integer")
    if value < minimum:
        raise Invalid(where, f"must be at least {minimum}")
    return value


def _number(value: Any, where: str) -> float:
    """A number or a numeric string (MONARC sends averageRate and compliance values as strings)."""
    if isinstance(value, bool):
        raise Invalid(where, "must be a number or a numeric string")
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(Decimal(value.strip()))
        except (InvalidOperation, ValueError):
            raise Invalid(where, f"{value[:30]!r} is not a number") from None
    else:
        raise Invalid(where, "must be a number or a numeric string")
    if not math.isfinite(result):
        raise Invalid(where, "must be finite")
    return result


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(where, "must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(where, "must be a list")
    return value


def _labels(item: dict[str, Any], where: str) -> None:
    for key in LABEL_KEYS:
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise Invalid(f"{where}.{key}", "must be a string or null")


def _string(value: Any, where: str) -> None:
    if not isinstance(value, str):
        raise Invalid(where, "must be a string")


def validate_risk(data: Any, where: str = "data") -> None:
    risks = _obj(_obj(data, where).get("risks"), f"{where}.risks")
    for state in ("current", "residual"):
        branch = _obj(risks.get(state), f"{where}.risks.{state}")
        for kind in ("informational", "operational"):
            path = f"{where}.risks.{state}.{kind}"
            levels = _list(branch.get(kind), path)
            if len(levels) > RISK_LEVELS_MAX:
                raise Invalid(path, f"has more than {RISK_LEVELS_MAX} levels")
            for i, level in enumerate(levels):
                _obj(level, f"{path}[{i}]")
                _string(level.get("level"), f"{path}[{i}].level")
                _int(level.get("value"), f"{path}[{i}].value")
    if "total" in data:
        _obj(data["total"], f"{where}.total")


def validate_objects(data: Any, where: str = "data") -> None:
    """threat and vulnerability: a list of per-object summaries."""
    for i, item in enumerate(_list(data, where)):
        path = f"{where}[{i}]"
        _obj(item, path)
        parse_uuid(item.get("uuid"), f"{path}.uuid")
        _labels(item, path)
        _int(item.get("count"), f"{path}.count")
        _int(item.get("maxRisk"), f"{path}.maxRisk")
        _number(item.get("averageRate"), f"{path}.averageRate")


def _each_keyed(container: Any, where: str, check: Callable[[Any, str], Any]) -> None:
    """Check every value of a PHP integer-keyed array: a JSON list, or an object whose keys are
    integers written as strings."""
    if isinstance(container, list):
        for i, value in enumerate(container):
            check(value, f"{where}[{i}]")
    elif isinstance(container, dict):
        for key, value in container.items():
            if not _INT_KEY.match(key):
                raise Invalid(where, f"key {key[:20]!r} is not an integer")
            check(value, f"{where}.{key}")
    else:
        raise Invalid(where, "must be a list or an object")


def validate_matrix(matrix: Any, where: str) -> None:
    """impact → (likelihood → count), each level as a list or an integer-keyed object."""
    _each_keyed(matrix, where, lambda row, path: _each_keyed(row, path, _int))


def validate_cartography(data: Any, where: str = "data") -> None:
    _obj(data, where)
    scales = _obj(data.get("scales"), f"{where}.scales")
    for name in ("impact", "probability", "likelihood"):
        if name in scales:
            for i, value in enumerate(_list(scales[name], f"{where}.scales.{name}")):
                _number(value, f"{where}.scales.{name}[{i}]")
    risks = _obj(data.get("risks"), f"{where}.risks")
    for state in ("current", "residual"):
        branch = _obj(risks.get(state), f"{where}.risks.{state}")
        for kind in ("informational", "operational"):
            validate_matrix(branch.get(kind, []), f"{where}.risks.{state}.{kind}")


def _category(category: Any, where: str) -> None:
    _obj(category, where)
    _labels(category, where)
    _number(category.get("value"), f"{where}.value")
    for k, control in enumerate(_list(category.get("controls", []), f"{where}.controls")):
        cpath = f"{where}.controls[{k}]"
        _obj(control, cpath)
        code = control.get("code")
        if not isinstance(code, str | int | float) or isinstance(code, bool):
            raise Invalid(f"{cpath}.code", "must be a string")
        parse_uuid(control.get("measure"), f"{cpath}.measure")
        _number(control.get("value"), f"{cpath}.value")


def validate_compliance(data: Any, where: str = "data") -> None:
    for i, referential in enumerate(_list(data, where)):
        path = f"{where}[{i}]"
        _obj(referential, path)
        parse_uuid(referential.get("referential"), f"{path}.referential")
        _labels(referential, path)
        current = _list(referential.get("current"), f"{path}.current")
        target = _list(referential.get("target"), f"{path}.target")
        for j, category in enumerate(current):
            _category(category, f"{path}.current[{j}]")
        for j, category in enumerate(target):
            _category(category, f"{path}.target[{j}]")


VALIDATORS = {
    StatsType.RISK: validate_risk,
    StatsType.THREAT: validate_objects,
    StatsType.VULNERABILITY: validate_objects,
    StatsType.CARTOGRAPHY: validate_cartography,
    StatsType.COMPLIANCE: validate_compliance,
}


def validate_record(item: Any) -> IncomingRecord:
    if not isinstance(item, dict):
        raise Invalid("", "must be an object with anr, type, date and data")
    unknown = set(item) - ENVELOPE_KEYS - SERVER_OWNED_KEYS
    if unknown:
        raise Invalid("", f"unknown key(s): {', '.join(sorted(unknown))}")
    missing = [key for key in ("anr", "type", "date", "data") if key not in item]
    if missing:
        raise Invalid("", f"missing key(s): {', '.join(missing)}")
    stats_type = item["type"]
    if stats_type not in StatsType.values:
        raise Invalid("type", f"must be one of {', '.join(StatsType.values)}")
    anr = parse_uuid(item["anr"], "anr")
    record_date = parse_date(item["date"], "date")
    record_uuid = parse_uuid(item["uuid"], "uuid") if item.get("uuid") is not None else None
    data = item["data"]
    if not isinstance(data, dict | list):
        raise Invalid("data", "must be an object or a list")
    VALIDATORS[StatsType(stats_type)](data)
    return IncomingRecord(anr=anr, type=stats_type, date=record_date, data=data, uuid=record_uuid)


class BatchInvalid(ValueError):
    def __init__(self, index: int, error: Invalid) -> None:
        super().__init__(f"Item {index}: {error}")
        self.index = index
        self.error = error


def validate_batch(items: Any, *, max_records: int) -> list[IncomingRecord]:
    """All records of a batch, or BatchInvalid naming the first bad one."""
    if not isinstance(items, list):
        raise ValueError("The body must be a JSON list of stats records.")
    if len(items) > max_records:
        raise ValueError(f"At most {max_records} records per request; got {len(items)}.")
    records = []
    for index, item in enumerate(items):
        try:
            records.append(validate_record(item))
        except Invalid as exc:
            raise BatchInvalid(index, exc) from None
    return records
