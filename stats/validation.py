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
from functools import lru_cache
from typing import Any

from django.utils import timezone

from stats.models import StatsType
from statsservice.api import DetailedError
from statsservice.jsontext import text_reason

ENVELOPE_KEYS = {"anr", "type", "date", "data", "uuid"}
# Fields the server owns: accepted (records read from another instance carry them) and ignored.
SERVER_OWNED_KEYS = {"created_at", "updated_at", "client", "client_id", "id"}
LABEL_KEYS = ("label1", "label2", "label3", "label4")
RISK_LEVELS_MAX = 10
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Up to 10 digits: the value is then checked against the 32-bit fact columns.
_INT_KEY = re.compile(r"^-?\d{1,10}$")
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


# Fact columns are 32-bit integers: a larger count could not be stored.
INT_MAX = 2**31 - 1
# Rates and compliance levels are small numbers (MONARC's scales run to a few hundred). Beyond
# this bound, sums over many records could overflow a double: PostgreSQL refuses such a SUM and
# the means turn infinite, so one absurd record would break ingest and reads for everyone.
MAX_NUMBER = 1e9


@lru_cache(maxsize=65_536)
def _is_uuid(text: str) -> bool:
    """Catalogue UUIDs repeat in every record and every batch: check each once."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _uuid_reason(value: Any) -> str | None:
    """Why `value` is not a UUID string, or None. (Reasons first, locations only on failure:
    building a path for each of the ~10,000 values of a MONARC batch cost more than checking.)"""
    if not isinstance(value, str):
        return "must be a UUID string"
    if _is_uuid(value):
        return None
    return f"{value[:60]!r} is not a valid UUID"


def _int_reason(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be an integer"
    if value < 0:
        return "must be at least 0"
    if value > INT_MAX:
        return f"must be at most {INT_MAX}"
    return None


def _number_reason(value: Any) -> str | None:
    """A number or a numeric string (MONARC sends averageRate and compliance values as strings).
    float() accepts what Decimal() does here (surrounding spaces, underscores), with the same
    correctly rounded result."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return "must be a number or a numeric string"
    try:
        result = float(value)
    except ValueError:
        return f"{value[:30]!r} is not a number"
    except OverflowError:
        return "is out of range"
    if not math.isfinite(result):
        return "must be finite"
    if abs(result) > MAX_NUMBER:
        return f"must be at most {MAX_NUMBER:.0e} in absolute value"
    return None


# Strings kept in text columns (labels, risk levels, control codes) must be storable; the same
# labels recur in every record: each is checked once.
_text_reason = lru_cache(maxsize=65_536)(text_reason)


def _label_reason(item: dict[str, Any]) -> tuple[str, str] | None:
    for key in LABEL_KEYS:
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            return key, "must be a string or null"
        if (reason := _text_reason(value)) is not None:
            return key, reason
    return None


def _check(reason: str | None, where: str) -> None:
    if reason is not None:
        raise Invalid(where, reason)


def parse_uuid(value: Any, where: str) -> uuid.UUID:
    _check(_uuid_reason(value), where)
    return uuid.UUID(value)


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


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(where, "must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(where, "must be a list")
    return value


def _labels(item: dict[str, Any], where: str) -> None:
    if (bad := _label_reason(item)) is not None:
        raise Invalid(f"{where}.{bad[0]}", bad[1])


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
                name = level.get("level")
                if not isinstance(name, str):
                    raise Invalid(f"{path}[{i}].level", "must be a string")
                _check(_text_reason(name), f"{path}[{i}].level")
                _check(_int_reason(level.get("value")), f"{path}[{i}].value")
    if "total" in data:
        _obj(data["total"], f"{where}.total")


def validate_objects(data: Any, where: str = "data") -> None:
    """threat and vulnerability: a list of per-object summaries."""
    for i, item in enumerate(_list(data, where)):
        if not isinstance(item, dict):
            raise Invalid(f"{where}[{i}]", "must be an object")
        for field, reason in (
            ("uuid", _uuid_reason(item.get("uuid"))),
            ("count", _int_reason(item.get("count"))),
            ("maxRisk", _int_reason(item.get("maxRisk"))),
            ("averageRate", _number_reason(item.get("averageRate"))),
        ):
            _check(reason, f"{where}[{i}].{field}")
        _labels(item, f"{where}[{i}]")


def _each_keyed(container: Any, where: str, check: Callable[[Any, str], Any]) -> None:
    """Check every value of a PHP integer-keyed array: a JSON list, or an object whose keys are
    integers written as strings."""
    if isinstance(container, list):
        for i, value in enumerate(container):
            check(value, f"{where}[{i}]")
    elif isinstance(container, dict):
        for key, value in container.items():
            if not _INT_KEY.match(key):
                raise Invalid(where, f"key {key[:20]!r} is not an integer of at most 10 digits")
            if not -INT_MAX - 1 <= int(key) <= INT_MAX:
                raise Invalid(where, f"key {key!r} is beyond a 32-bit integer")
            check(value, f"{where}.{key}")
    else:
        raise Invalid(where, "must be a list or an object")


def _cell(value: Any, where: str) -> None:
    _check(_int_reason(value), where)


def validate_matrix(matrix: Any, where: str) -> None:
    """impact → (likelihood → count), each level as a list or an integer-keyed object."""
    _each_keyed(matrix, where, lambda row, path: _each_keyed(row, path, _cell))


def validate_cartography(data: Any, where: str = "data") -> None:
    _obj(data, where)
    scales = _obj(data.get("scales"), f"{where}.scales")
    for name in ("impact", "probability", "likelihood"):
        if name in scales:
            for i, value in enumerate(_list(scales[name], f"{where}.scales.{name}")):
                _check(_number_reason(value), f"{where}.scales.{name}[{i}]")
    risks = _obj(data.get("risks"), f"{where}.risks")
    for state in ("current", "residual"):
        branch = _obj(risks.get(state), f"{where}.risks.{state}")
        for kind in ("informational", "operational"):
            validate_matrix(branch.get(kind, []), f"{where}.risks.{state}.{kind}")


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
    if isinstance(code, str) and (reason := _text_reason(code)) is not None:
        return ".code", reason
    if (reason := _uuid_reason(measure)) is not None:
        return ".measure", reason
    if (reason := _number_reason(value)) is not None:
        return ".value", reason
    return None


def _category(category: Any, where: str) -> None:
    _obj(category, where)
    _labels(category, where)
    _check(_number_reason(category.get("value")), f"{where}.value")
    for k, control in enumerate(_list(category.get("controls", []), f"{where}.controls")):
        if (bad := _control_reason(control)) is not None:
            raise Invalid(f"{where}.controls[{k}]{bad[0]}", bad[1])


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


class BatchInvalid(DetailedError):
    """The first invalid record of a batch; the API answers it as a 400 naming the record."""

    def __init__(self, index: int, error: Invalid) -> None:
        details = {"index": index, "field": error.where, "reason": error.reason}
        super().__init__(f"Item {index}: {error}", details)
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
