"""Query parameters of the stats reads, as django-filter FilterSets.

MONARC sends them as a JSON body on GET, with loose types (digit strings for offsets, "true" or 1
for booleans, PHP's `[]` for empty objects); browsers and scripts use the query string.
`request_params` merges both into one dict, which is the FilterSet's data: its form fields parse
each value as JSON gave it, and its filters narrow the stats queryset.

The answers to bad parameters are the API's: `{"Error": "<field>: <message>", "details":
{"<field>": [...]}}`, in the fields' declared order, with the messages of DRF's fields (translated
the same way) and `non_field_errors` for whole-form errors; `api_errors` translates a form's
errors into that shape.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any, ClassVar, cast

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as FormError
from django.db.models import QuerySet
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings

from clients.models import Client
from stats import kinds
from stats.models import Stats, StatsQuerySet
from stats.processors import Scope
from statsservice.jsontext import is_ascii_digits, json_depth_exceeds, parse_json

# re.ASCII: `\d` would also match other scripts' digits (Arabic-Indic, superscripts).
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T].*)?$", re.ASCII)
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}
# Parameters that may repeat in a query string (?anrs=a&anrs=b).
LIST_PARAMS = {"anrs"}
# MONARC sends it; it changes nothing here.
IGNORED_PARAMS = frozenset({"group_by_anr"})


class _Missing:
    """A parameter absent from the data (JSON null is a value: None)."""


MISSING = _Missing()


class JSONValueInput(forms.Widget):
    """Hands a parameter over as the JSON body (or the query string) gave it."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name, MISSING)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data


class ParamField(forms.Field):
    """A parameter: absent or null means its default; other values go through `parse`."""

    widget = JSONValueInput
    # DRF's messages (msgids included, so they are translated alike).
    default_error_messages = {
        "required": _("This field is required."),
        "null": _("This field may not be null."),
    }
    # The parameter's OpenAPI schema.
    schema: dict[str, Any] = {}

    def __init__(self, *, default: Any = None, nullable: bool = True, **kwargs: Any) -> None:
        self.default = default
        self.nullable = nullable
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        if value is MISSING:
            if self.required:
                raise self.error("required")
            return self.get_default()
        if value is None:
            if not self.nullable:
                raise self.error("null")
            return self.get_default()
        return self.parse(value)

    def parse(self, value: Any) -> Any:
        return value

    def get_default(self) -> Any:
        return self.default() if callable(self.default) else self.default

    def error(self, code: str, **values: Any) -> FormError:
        return FormError(str(self.error_messages[code]).format(**values), code=code)

    def openapi(self) -> dict[str, Any]:
        schema = dict(self.schema)
        if self.nullable:
            schema["nullable"] = True
        if self.default is not None and not callable(self.default):
            schema["default"] = self.default
        return schema


class ChoiceParamField(ParamField):
    default_error_messages = {"invalid_choice": _('"{input}" is not a valid choice.')}

    def __init__(self, *, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(nullable=False, **kwargs)

    def parse(self, value: Any) -> str:
        # As DRF: the value's text form must be one of the choices (so 1 is "1").
        for choice, _label in self.choices:
            if str(value) == str(choice):
                return choice
        raise self.error("invalid_choice", input=value)

    def openapi(self) -> dict[str, Any]:
        return {
            "enum": [choice for choice, _label in self.choices],
            "type": "string",
            "minLength": 1,
        }


class TextParamField(ParamField):
    """Text, trimmed; numbers are taken as their text (as DRF's CharField)."""

    default_error_messages = {
        "blank": _("This field may not be blank."),
        "invalid": _("Not a valid string."),
        "max_length": _("Ensure this field has no more than {max_length} characters."),
        "null_characters": _("Null characters are not allowed."),
        "surrogate": _("Surrogate characters are not allowed: U+{code_point:X}."),
    }

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(nullable=False, **kwargs)

    def parse(self, value: Any) -> str:
        if value == "" or str(value).strip() == "":
            raise self.error("blank")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error("invalid")
        text = str(value).strip()
        errors = []
        if len(text) > self.max_length:
            errors.append(self.error("max_length", max_length=self.max_length))
        if "\x00" in text:
            errors.append(self.error("null_characters"))
        surrogate = next((ch for ch in text if 0xD800 <= ord(ch) <= 0xDFFF), None)
        if surrogate is not None:
            errors.append(self.error("surrogate", code_point=ord(surrogate)))
        if errors:
            raise FormError(errors)
        return text

    def openapi(self) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length}


class LenientDateField(ParamField):
    """`YYYY-MM-DD`, with any time part dropped; "" means unset."""

    default_error_messages = {"invalid": "Must be a date as YYYY-MM-DD."}
    schema = {"type": "string", "format": "date"}

    def parse(self, value: Any) -> date | None:
        if value == "":
            return None
        match = _DATE_PREFIX.match(value) if isinstance(value, str) else None
        if not match:
            raise self.error("invalid")
        try:
            return date.fromisoformat(match.group(1))
        except ValueError:
            raise self.error("invalid") from None


class LenientBooleanField(ParamField):
    """true/false, 1/0, or their text forms (also yes/no, on/off)."""

    default_error_messages = {"invalid": "Must be a boolean (true/false, 1/0)."}
    schema = {"type": "boolean"}

    def parse(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise self.error("invalid")


class LenientIntegerField(ParamField):
    """An integer or a digit string (MONARC sends `"10"`); "" means 0."""

    default_error_messages = {"invalid": "Must be a non-negative integer."}
    schema = {"type": "integer"}

    def __init__(self, *, maximum: int = 10**9, **kwargs: Any) -> None:
        self.maximum = maximum
        super().__init__(**kwargs)

    def parse(self, value: Any) -> int:
        if value == "":
            return 0
        if isinstance(value, bool):
            raise self.error("invalid")
        if isinstance(value, str) and is_ascii_digits(value.strip()):
            value = int(value.strip())
        if not isinstance(value, int) or value < 0 or value > self.maximum:
            raise self.error("invalid")
        return value


class UUIDListField(ParamField):
    """A list of UUIDs, or one comma-separated string of them."""

    default_error_messages = {"invalid": "Must be a list of UUIDs."}
    schema = {"type": "array", "items": {"type": "string", "format": "uuid"}}

    def parse(self, value: Any) -> list[uuid.UUID]:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or len(value) > 10_000:
            raise self.error("invalid")
        try:
            return [uuid.UUID(item.strip()) for item in value]
        except (AttributeError, ValueError):
            raise self.error("invalid") from None


class ProcessorParamsField(ParamField):
    """`processor_params`: an object, PHP's empty array `[]`, or (query string) JSON text."""

    default_error_messages = {
        "invalid": "Must be an object, [] or null.",
        "too_deep": "JSON nested deeper than {depth} levels.",
    }
    schema = {"oneOf": [{"type": "object"}, {"type": "array", "maxItems": 0}]}

    def parse(self, value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            value = self.parse_text(value)
        if value is None or value == []:
            return {}
        if not isinstance(value, dict):
            raise self.error("invalid")
        return value

    def parse_text(self, text: str) -> Any:
        """JSON text from the query string, held to the body parser's rules (depth, no NaN)."""
        if not text.strip():
            return None
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.error("invalid") from None
        # Checked before parsing: deep nesting would exhaust the parser's stack.
        depth = settings.API_MAX_JSON_DEPTH
        if json_depth_exceeds(raw, depth):
            raise self.error("too_deep", depth=depth)
        try:
            return parse_json(raw)
        except (ValueError, RecursionError):
            raise self.error("invalid") from None

    def openapi(self) -> dict[str, Any]:
        # No default: an empty object is what absence means, not a value to send.
        return {**self.schema, "nullable": True}


class ParamsForm(forms.Form):
    """Refuses parameters it does not know, so typos don't silently widen a query."""

    def full_clean(self) -> None:
        unknown = set(self.data) - set(self.fields) - IGNORED_PARAMS
        if not unknown:
            super().full_clean()
            return
        self._errors = ErrorDict(renderer=self.renderer)
        self.cleaned_data = {}
        self.add_error(None, f"Unknown parameter(s): {', '.join(sorted(unknown))}.")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # Whole-form checks only once every parameter parsed, as DRF's validate().
        if self._errors:
            return data
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise FormError("date_from must not be after date_to.")
        return data


class Param(django_filters.Filter):
    """One parameter, parsed by `field_class`. With a `field_name` it filters like any
    django-filter Filter (values in EMPTY_VALUES filter nothing); without, it filters nothing
    itself and its FilterSet or the view reads it."""

    def __init__(
        self, field_class: type[ParamField], field_name: str | None = None, **kwargs: Any
    ) -> None:
        self.field_class = field_class
        # Kept apart: the FilterSet names every nameless filter after its parameter.
        self.narrows = field_name is not None
        super().__init__(field_name, **kwargs)

    def filter(self, qs: Any, value: Any) -> Any:
        return super().filter(qs, value) if self.narrows else qs


def api_errors(errors: ErrorDict) -> ValidationError:
    """A form's errors as the API's 400: per field in declared order, or `non_field_errors`."""
    detail = {
        (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): [
            message for error in error_list for message in error
        ]
        for name, error_list in errors.as_data().items()
    }
    return ValidationError(detail)


class ParamsFilterSet(django_filters.FilterSet):
    class Meta:
        model = Stats
        fields: list[str] = []
        form = ParamsForm

    # Each subclass's own form class, built once (get_form_class).
    _form_class: ClassVar[type[forms.Form] | None] = None

    def get_form_class(self) -> type[forms.Form]:
        # django-filter builds a new form class per instance (filters may vary per instance);
        # these filters never do, and building it (field labels, lookups) was most of a read's
        # parameter parsing. Django's Form copies its base fields per instance, so sharing the
        # class between requests and threads is safe.
        cached = type(self).__dict__.get("_form_class")
        if cached is None:
            cached = super().get_form_class()
            type(self)._form_class = cached
        return cast(type[forms.Form], cached)

    def params(self) -> dict[str, Any]:
        """The parsed parameters, or the API's 400."""
        if not self.is_valid():
            raise api_errors(self.form.errors)
        return self.form.cleaned_data

    @classmethod
    def openapi_parameters(cls) -> list[OpenApiParameter]:
        """The parameters as drf-spectacular documents them (in the query string)."""
        parameters = []
        for name, param in cls.base_filters.items():
            # Declared Params only (Meta.fields is empty), so their fields are ParamFields.
            field = cast(ParamField, param.field)
            description = field.help_text or ""
            if isinstance(field, ChoiceParamField):
                description = build_choice_description_list(field.choices)
            parameters.append(
                OpenApiParameter(
                    name,
                    type=field.openapi(),
                    location=OpenApiParameter.QUERY,
                    required=field.required,
                    description=description,
                )
            )
        return parameters


class RawStatsFilterSet(ParamsFilterSet):
    """`GET stats/`: the records of a type, by analyses, in a date window, paged."""

    type = Param(ChoiceParamField, "type", choices=kinds.choices(), required=True)
    anrs = Param(UUIDListField, "analysis__uuid", lookup_expr="in", default=list)
    # The window and the paging: read by filter_queryset and the view.
    date_from = Param(LenientDateField)
    date_to = Param(LenientDateField)
    get_last = Param(LenientBooleanField, default=False)
    offset = Param(LenientIntegerField, default=0)
    limit = Param(LenientIntegerField, default=0, maximum=100_000)
    shared_only = Param(
        LenientBooleanField,
        default=False,
        help_text="Only the records that may leave this instance: of local, active clients with "
        "sharing enabled (what another instance's stats_pull reads).",
    )

    @property
    def qs(self) -> StatsQuerySet:
        # Filtering keeps the class of the StatsQuerySet the view hands over.
        return cast(StatsQuerySet, super().qs)

    def filter_queryset(self, queryset: QuerySet[Any]) -> StatsQuerySet:
        qs = cast(StatsQuerySet, super().filter_queryset(queryset))
        params = self.form.cleaned_data
        if params["shared_only"]:
            qs = qs.outbound()
        if params["get_last"]:
            return qs.latest_per_analysis()
        date_from, date_to = default_window(params["date_from"], params["date_to"])
        if date_from > date_to:
            raise ValidationError("date_from must not be after date_to.")
        return qs.in_period(date_from, date_to)


class ProcessedFilterSet(ParamsFilterSet):
    """`GET stats/processed/`: a processor, its parameters, and the scope it reads.

    Processors read fact tables, not the stats queryset: these parameters filter nothing
    themselves; `scope` turns them into the processors' Scope. Dates are unbounded when absent.
    """

    type = Param(ChoiceParamField, choices=kinds.choices(), required=True)
    processor = Param(TextParamField, max_length=100, required=True)
    processor_params = Param(ProcessorParamsField, default=dict)
    anrs = Param(UUIDListField, default=list)
    date_from = Param(LenientDateField)
    date_to = Param(LenientDateField)
    local_stats_only = Param(LenientBooleanField, default=False)
    get_last = Param(
        LenientBooleanField, default=False, help_text="Only each analysis's latest record."
    )

    def scope(self, reader: Client) -> Scope:
        """What `reader` asked for, within what it may read."""
        params = self.params()
        return Scope(
            clients=reader.visible_clients(),
            anrs=params["anrs"] or None,
            date_from=params["date_from"],
            date_to=params["date_to"],
            local_only=params["local_stats_only"],
            latest_only=params["get_last"],
        )


def request_params(request: Request) -> dict[str, Any]:
    """Parameters from a GET's JSON body (as MONARC sends them) merged over the query string."""
    params: dict[str, Any] = {}
    query: QueryDict = request.query_params
    for key in query:
        values = query.getlist(key)
        params[key] = values if key in LIST_PARAMS and len(values) > 1 else values[-1]
    # Whatever the parser made of the body: a dict, a list, a QueryDict, a scalar or nothing.
    body: Any = request.data
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
