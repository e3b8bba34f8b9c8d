"""The aggregation engine: processors over the fact tables, scoped by `Scope`.

Public interface (used by the processed API and the public dashboard pages):
`Scope`, `ProcessorError`, `PROCESSORS`, `run_processor`, `object_contributors`,
`contributor_count`.
"""

from __future__ import annotations

from typing import Any

from stats.processors import cartography, compliance, objects, risk  # noqa: F401 (registers)
from stats.processors.base import (
    PROCESSORS,
    ProcessorError,
    ProcessorInfo,
    Scope,
    scoped_stats,
    without_needless_anrs,
)
from stats.processors.objects import object_contributors as _object_contributors

__all__ = [
    "PROCESSORS",
    "ProcessorError",
    "ProcessorInfo",
    "Scope",
    "contributor_count",
    "object_contributors",
    "processors_for",
    "run_processor",
]

OBJECT_TYPES = ("threat", "vulnerability")


def processors_for(stats_type: str) -> list[str]:
    return [name for name, info in PROCESSORS.items() if info.type == stats_type]


def run_processor(
    name: str, *, stats_type: str, scope: Scope, params: dict[str, Any] | list[Any] | None = None
) -> Any:
    """Run processor `name` over the `stats_type` records in `scope`; the API's `data`.

    `params` may be an object, `[]` (PHP's empty array) or None. Raises ProcessorError for an
    unknown processor, one of another type, or bad parameters.
    """
    info = PROCESSORS.get(name)
    if info is None or info.type != stats_type:
        valid = ", ".join(processors_for(stats_type)) or "none"
        raise ProcessorError(
            f"Processor '{name}' can not be used with type '{stats_type}'. "
            f"Valid processors for '{stats_type}': {valid}."
        )
    if params is None or params == []:
        params = {}
    if not isinstance(params, dict):
        raise ProcessorError("processor_params must be an object, [] or null.")
    assert info.func is not None
    return info.func(without_needless_anrs(scope), params)


def object_contributors(*, stats_type: str, scope: Scope) -> dict[str, int]:
    """threat/vulnerability: object uuid -> number of distinct clients reporting it in scope."""
    if stats_type not in OBJECT_TYPES:
        raise ProcessorError(f"object_contributors needs type {' or '.join(OBJECT_TYPES)}.")
    return _object_contributors(stats_type=stats_type, scope=scope)


def contributor_count(*, stats_type: str, scope: Scope) -> int:
    """Number of distinct clients having records of `stats_type` in scope."""
    return scoped_stats(scope, stats_type).values("analysis__client_id").distinct().count()
