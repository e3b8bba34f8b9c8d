"""Query parameters for stats reads, shared by the API and the pages.

MONARC sends them as a JSON body on GET, with loose types (digit strings for offsets, "true" or 1
for booleans, PHP's `[]` for empty objects); browsers and scripts use the query string. Both are
normalised here into one validated dict.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from stats.models import StatsQuerySet, StatsType

_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T].*)?$")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}
# Parameters that may repeat in a query string (?anrs=a&anrs=b).
LIST_PARAMS = {"anrs"}


@extend_schema_field({"type": "string", "format": "date", "nullable": True})
class LenientDateField(serializers.Field):
    """`YYYY-MM-DD`, with any time part dropped; null means unset."""

    default_error_messages = {"invalid": "Must be a date as YYYY-MM-DD."}

    def to_internal_value(self, data: Any) -> date | None:
        if data is None or data == "":
            return None
        match = _DATE_PREFIX.match(data) if isinstance(data, str) else None
        if not match:
            self.fail("invalid")
        try:
            return date.fromisoformat(match.group(1))
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value: date) -> str:
        return value.isoformat()


@extend_schema_field(OpenApiTypes.BOOL)
class LenientBooleanField(serializers.Field):
    default_error_messages = {"invalid": "Must be a boolean (true/false, 1/0)."}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        if isinstance(data, int) and data in (0, 1):
            return bool(data)
        if isinstance(data, str) and data.strip().lower() in _TRUE | _FALSE:
            return data.strip().lower() in _TRUE
        if data is None:
            return False
        self.fail("invalid")

    def to_representation(self, value: bool) -> bool:
        return value


@extend_schema_field(OpenApiTypes.INT)
class LenientIntegerField(serializers.Field):
    """An integer or a digit string (MONARC sends `"10"`); null means 0."""

    default_error_messages = {"invalid": "Must be a non-negative integer."}

    def __init__(self, *, maximum: int = 10**9, **kwargs: Any) -> None:
        self.maximum = maximum
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if data is None or data == "":
            return 0
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, str) and data.strip().isdigit():
            data = int(data.strip())
        if not isinstance(data, int) or data < 0 or data > self.maximum:
            self.fail("invalid")
        return data

    def to_representation(self, value: int) -> int:
        return value


@extend_schema_field({"type": "array", "items": {"type": "string", "format": "uuid"}})
class UUIDListField(serializers.Field):
    """A list of UUIDs, or one comma-separated string of them."""

    default_error_messages = {"invalid": "Must be a list of UUIDs."}

    def to_internal_value(self, data: Any) -> list[uuid.UUID]:
        if data is None:
            return []
        if isinstance(data, str):
            data = [part for part in data.split(",") if part.strip()]
        if not isinstance(data, list) or len(data) > 10_000:
            self.fail("invalid")
        try:
            return [uuid.UUID(item.strip()) for item in data]
        except (AttributeError, ValueError):
            self.fail("invalid")

    def to_representation(self, value: list[uuid.UUID]) -> list[str]:
        return [str(v) for v in value]


class StrictParamsSerializer(serializers.Serializer):
    """Refuses parameters it does not know, so typos don't silently widen a query."""

    ignored: frozenset[str] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["Parameters must be a JSON object."]})
        unknown = set(data) - set(self.fields) - self.ignored
        if unknown:
            message = f"Unknown parameter(s): {', '.join(sorted(unknown))}."
            raise ValidationError({"non_field_errors": [message]})
        return super().to_internal_value({k: v for k, v in data.items() if k not in self.ignored})

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # JSON null means "not given": fall back to each field's default.
        for name, field in self.fields.items():
            if attrs.get(name) is None and field.default is not serializers.empty:
                attrs[name] = field.get_default()
        date_from, date_to = attrs.get("date_from"), attrs.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError("date_from must not be after date_to.")
        return attrs


class RawStatsParams(StrictParamsSerializer):
    ignored = frozenset({"group_by_anr"})

    type = serializers.ChoiceField(choices=StatsType.choices)
    anrs = UUIDListField(required=False, allow_null=True, default=list)
    date_from = LenientDateField(required=False, allow_null=True, default=None)
    date_to = LenientDateField(required=False, allow_null=True, default=None)
    get_last = LenientBooleanField(required=False, allow_null=True, default=False)
    offset = LenientIntegerField(required=False, allow_null=True, default=0)
    limit = LenientIntegerField(required=False, allow_null=True, default=0, maximum=100_000)


class ProcessorParamsField(serializers.Field):
    """`processor_params`: an object, PHP's empty array `[]`, null, or (query string) JSON text."""

    default_error_messages = {"invalid": "Must be an object, [] or null."}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else None
            except ValueError:
                self.fail("invalid")
        if data is None or data == []:
            return {}
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value: dict[str, Any]) -> dict[str, Any]:
        return value


class ProcessedParams(StrictParamsSerializer):
    """Parameters of `GET stats/processed/`; dates unbounded when absent (no default window)."""

    ignored = frozenset({"group_by_anr"})

    type = serializers.ChoiceField(choices=StatsType.choices)
    processor = serializers.CharField(max_length=100)
    processor_params = ProcessorParamsField(required=False, allow_null=True, default=dict)
    anrs = UUIDListField(required=False, allow_null=True, default=list)
    date_from = LenientDateField(required=False, allow_null=True, default=None)
    date_to = LenientDateField(required=False, allow_null=True, default=None)
    local_stats_only = LenientBooleanField(required=False, allow_null=True, default=False)
    get_last = LenientBooleanField(
        required=False,
        allow_null=True,
        default=False,
        help_text="Only each analysis's latest record.",
    )


def request_params(request: Request) -> dict[str, Any]:
    """Parameters from a GET's JSON body (as MONARC sends them) merged over the query string."""
    params: dict[str, Any] = {}
    query: QueryDict = request.query_params
    for key in query:
        values = query.getlist(key)
        params[key] = values if key in LIST_PARAMS and len(values) > 1 else values[-1]
    body = request.data
    if isinstance(body, dict):
        params.update(body)
    elif body not in (None, "") and not (isinstance(body, QueryDict) and not body):
        raise ValidationError("Parameters must be a JSON object.")
    return params


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the month's end (May 31 - 3 months = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def default_window(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The original's raw-read window: date_to defaults to today, date_from to 3 months before."""
    date_to = date_to or timezone.localdate()
    date_from = date_from or months_before(date_to, settings.STATS_DEFAULT_WINDOW_MONTHS)
    return date_from, date_to


def filter_raw(qs: StatsQuerySet, params: dict[str, Any]) -> StatsQuerySet:
    """Apply validated RawStatsParams (scoping is the caller's job)."""
    qs = qs.of_type(params["type"])
    if params["anrs"]:
        qs = qs.for_anrs(params["anrs"])
    if params["get_last"]:
        return qs.latest_per_analysis()
    date_from, date_to = default_window(params["date_from"], params["date_to"])
    if date_from > date_to:
        raise ValidationError("date_from must not be after date_to.")
    return qs.in_period(date_from, date_to)
