"""The public JSON files (no key needed) in the OpenAPI schema.

They are plain Django views, not DRF ones, so drf-spectacular does not see them; this
post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds them. It lives in the
dashboard because it reads the dashboard's routes and the registry of kinds; the project's own
schema module (statsservice.schema) may import no app.
"""

from __future__ import annotations

from typing import Any

from django.urls import get_script_prefix, reverse

from dashboard import rising
from stats import kinds
from stats.processors import PERIODS, PROCESSORS

TAG = "public"
JSON_ANY = {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}
JSON_LIST = {
    "application/json": {"schema": {"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]}}
}
JSON_ARRAY = {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}
FLAG = {"type": "string", "enum": ["", "0", "1", "false", "true"]}
BAD = {
    "description": "Invalid parameter.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _stats_operation(kind: kinds.StatsKind) -> dict[str, Any]:
    processors = sorted(name for name, info in PROCESSORS.items() if info.type == kind.name)
    return {
        "operationId": f"public_{kind.public_endpoint}",
        "summary": f"Public {kind.name} figures of the sharing organisations",
        "description": (
            "No key needed. Figures combine the organisations that share their statistics and "
            "are published only when enough of them contribute (PUBLIC_MIN_CONTRIBUTORS). "
            "Compatible with the original service's file of the same name."
        ),
        "tags": [TAG],
        "security": [],
        "parameters": [
            _query(
                "processor",
                f"Aggregation (default {kind.public_processor}).",
                {"type": "string", "enum": ["", *processors]},
            ),
            _query(
                "days",
                "Days back from the last complete day, yesterday (default 365; rounded up to a "
                "public window).",
                {"type": "integer", "minimum": 1},
            ),
            _query("last_stats", "Only each analysis's latest record (0/1, false/true).", FLAG),
            _query("local_stats_only", "Only local clients (0/1, false/true).", FLAG),
            _query("period", "Bucket of time series.", {"type": "string", "enum": ["", *PERIODS]}),
        ],
        "responses": {"200": {"description": "The figures.", "content": JSON_LIST}, "400": BAD},
    }


def _simple(
    operation_id: str,
    summary: str,
    parameters: list[dict[str, Any]],
    content: dict[str, Any] = JSON_ANY,
) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "summary": summary,
        "tags": [TAG],
        "security": [],
        "parameters": parameters,
        "responses": {"200": {"description": summary, "content": content}, "400": BAD},
    }


def _path(name: str, *args: str) -> str:
    """The route as the schema's other paths are written: without the URL prefix, if any."""
    return "/" + reverse(name, args=args).removeprefix(get_script_prefix())


def public_paths() -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for kind in kinds.all_kinds():
        if kind.public_endpoint and kind.public_processor:
            url = _path("dashboard:stats-json", kind.public_endpoint)
            paths[url] = {"get": _stats_operation(kind)}
    period = _query(
        "period",
        f"Periods compared (default {rising.DEFAULT_PERIOD}).",
        {"type": "string", "enum": ["", *rising.PERIODS]},
    )
    paths[_path("dashboard:rising-json")] = {
        "get": _simple(
            "public_rising",
            "Threats and vulnerabilities whose average moved most between the last two "
            "complete periods, up and down",
            [period],
        )
    }
    paths[_path("dashboard:map-clients")] = {
        "get": _simple(
            "public_map_clients",
            "Contributors placed on the map, with their #1 objects",
            [],
            JSON_ARRAY,
        )
    }
    paths[_path("dashboard:about-json")] = {
        "get": _simple("public_about", "Version, API root and contact of this instance", [])
    }
    return paths


def add_public_endpoints(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    result.setdefault("paths", {}).update(public_paths())
    tags = result.setdefault("tags", [])
    if not any(tag.get("name") == TAG for tag in tags):
        tags.append({"name": TAG, "description": "Public JSON files read by the dashboard pages."})
    return result
