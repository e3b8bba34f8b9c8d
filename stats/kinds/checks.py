"""The value checks every kind's payload validation is built from.

Each check raises `Invalid` with a JSON-path-like location, so an error can name the item and the
field. The `*_reason` functions return why a value is wrong (or None) without building a
location: building a path for each of the ~10,000 values of a MONARC batch cost more than
checking them, so locations are formatted only on failure.
"""

from __future__ import annotations

import math
import uuid
from functools import lru_cache
from typing import Any

from stats.models import LABEL_KEYS
from statsservice.jsontext import text_reason as _storable_text_reason

# Fact columns are 32-bit integers: a larger count could not be stored.
INT_MAX = 2**31 - 1
# Rates and compliance levels are small numbers (MONARC's scales run to a few hundred). Beyond
# this bound, sums over many records could overflow a double: PostgreSQL refuses such a SUM and
# the means turn infinite, so one absurd record would break ingest and reads for everyone.
MAX_NUMBER = 1e9
# MONARC's own label columns are VARCHAR(255): a longer label never came from MONARC, and one
# sender must not be able to put pages of text on the public dashboard.
MAX_LABEL_LENGTH = 255
# Per-record shapes, far above MONARC's largest real analyses (monarc-protocol.md §3: about 40
# threats or vulnerabilities, a few referentials of at most a few hundred controls, heat maps
# of a few dozen cells), so that one record cannot make every public query slow and huge.
MAX_OBJECTS = 5_000  # threats or vulnerabilities in one record
MAX_SCALE_VALUES = 1_000  # values of one cartography scale
MAX_MATRIX_CELLS = 10_000  # cells of the four cartography matrices of one record
MAX_REFERENTIALS = 100  # referentials in one compliance record
MAX_CATEGORIES = 1_000  # categories of one referential (each side, current and target)
MAX_CONTROLS = 20_000  # controls in one compliance record


class Invalid(ValueError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.where = where
        self.reason = reason


@lru_cache(maxsize=65_536)
def _is_uuid(text: str) -> bool:
    """Catalogue UUIDs repeat in every record and every batch: check each once."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def uuid_reason(value: Any) -> str | None:
    """Why `value` is not a UUID string, or None."""
    if not isinstance(value, str):
        return "must be a UUID string"
    if _is_uuid(value):
        return None
    return f"{value[:60]!r} is not a valid UUID"


def int_reason(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "must be an integer"
    if value < 0:
        return "must be at least 0"
    if value > INT_MAX:
        return f"must be at most {INT_MAX}"
    return None


def number_reason(value: Any) -> str | None:
    """A number or a numeric string (MONARC sends averageRate and compliance values as strings).
    float() accepts what Decimal() does here (surrounding spaces, underscores), with the same
    correctly rounded result."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return "must be a number or a numeric string"
    # float() also reads other scripts' digits ("٣" is 3.0): numeric strings are ASCII only.
    if isinstance(value, str) and not value.isascii():
        return f"{value[:30]!r} is not a number"
    try:
        result = float(value)
    except ValueError:
        return f"{str(value)[:30]!r} is not a number"  # (only a string can be unreadable)
    except OverflowError:
        return "is out of range"
    if not math.isfinite(result):
        return "must be finite"
    if abs(result) > MAX_NUMBER:
        return f"must be at most {MAX_NUMBER:.0e} in absolute value"
    return None


# Strings kept in text columns (labels, risk levels, control codes) must be storable; the same
# labels recur in every record: each is checked once.
text_reason = lru_cache(maxsize=65_536)(_storable_text_reason)


def _label_reason(item: dict[str, Any]) -> tuple[str, str] | None:
    for key in LABEL_KEYS:
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            return key, "must be a string or null"
        if (reason := text_reason(value)) is not None:
            return key, reason
        if len(value) > MAX_LABEL_LENGTH:
            return key, f"is longer than {MAX_LABEL_LENGTH} characters"
    return None


def check(reason: str | None, where: str) -> None:
    if reason is not None:
        raise Invalid(where, reason)


def parse_uuid(value: Any, where: str) -> uuid.UUID:
    check(uuid_reason(value), where)
    return uuid.UUID(value)


def as_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(where, "must be an object")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(where, "must be a list")
    return value


def check_labels(item: dict[str, Any], where: str) -> None:
    if (bad := _label_reason(item)) is not None:
        raise Invalid(f"{where}.{bad[0]}", bad[1])


def check_size(items: Any, limit: int, where: str, what: str) -> None:
    """Refuse a container with more than `limit` entries (`what` names them in the message)."""
    if len(items) > limit:
        raise Invalid(where, f"has more than {limit} {what}")
