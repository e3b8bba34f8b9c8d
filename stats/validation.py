"""Validation of incoming stats records against the shapes MONARC sends (monarc-protocol.md §3).

This module checks the envelope of each record and the batch; the payload (`data`) is checked by
the record type's kind (stats.kinds), built from the checks of stats.kinds.checks. Each check
raises `Invalid` with a JSON-path-like location, so an error can name the item and the field.
Payloads are stored verbatim; these checks only make sure they can be aggregated later.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from stats import kinds
from stats.kinds.checks import Invalid, parse_uuid
from statsservice.api import DetailedError

ENVELOPE_KEYS = {"anr", "type", "date", "data", "uuid"}
# Fields the server owns: accepted (records read from another instance carry them) and ignored.
SERVER_OWNED_KEYS = {"created_at", "updated_at", "client", "client_id", "id"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
EARLIEST_DATE = date(2000, 1, 1)


@dataclass(frozen=True)
class IncomingRecord:
    anr: uuid.UUID
    type: str
    date: date
    data: Any
    uuid: uuid.UUID | None = None


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
    if not isinstance(stats_type, str) or stats_type not in kinds.names():
        raise Invalid("type", f"must be one of {', '.join(kinds.names())}")
    anr = parse_uuid(item["anr"], "anr")
    record_date = parse_date(item["date"], "date")
    record_uuid = parse_uuid(item["uuid"], "uuid") if item.get("uuid") is not None else None
    data = item["data"]
    if not isinstance(data, dict | list):
        raise Invalid("data", "must be an object or a list")
    kinds.get(stats_type).validate(data, "data")
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
