"""The aggregation engine: processors over the fact tables, scoped by `Scope`.

Each processor is a function of stats/processors/<type>.py; the kind of its type (stats.kinds)
lists it, and the registry of kinds is what makes it available here.

Public interface (used by the processed API and the public dashboard pages); other apps import
only these names, never stats.processors.base or a processor module:

- running processors: `Scope`, `ProcessorError`, `ProcessorInfo`, `PROCESSORS`, `PERIODS` (the
  buckets of time series), `processors_for`, `run_processor`;
- counting contributors: `object_contributors`, `contributor_count`;
- reading in a processor's scope, for checks over its answers (the public pages' contributor
  threshold): `scoped_stats` and `latest_stats` (the `Stats` records in scope), `source` (fact
  rows or daily rollups in scope, as a `Source`), `bucket` (the expression giving a row's period
  bucket) and `iso` (a bucket as YYYY-MM-DD, as the answers write it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stats import kinds
from stats.processors.base import (
    PERIODS,
    ProcessorError,
    ProcessorInfo,
    Scope,
    Source,
    bucket,
    iso,
    latest_stats,
    scoped_stats,
    source,
    without_needless_anrs,
)
from stats.processors.objects import object_contributors as _object_contributors

__all__ = [
    "PERIODS",
    "PROCESSORS",
    "ProcessorError",
    "ProcessorInfo",
    "Scope",
    "Source",
    "bucket",
    "contributor_count",
    "iso",
    "latest_stats",
    "object_contributors",
    "processors_for",
    "run_processor",
    "scoped_stats",
    "source",
]


class _Processors(Mapping[str, ProcessorInfo]):
    """Name -> ProcessorInfo of every processor the registered kinds list (stats.kinds).

    In the order the processor list has always been served: by the module defining them, then
    as defined there (the API lists them so, and clients may show them in that order).
    """

    def _table(self) -> dict[str, ProcessorInfo]:
        infos = [p.info for kind in kinds.all_kinds() for p in kind.processors]
        infos.sort(key=lambda info: info.func.__module__ if info.func else "")
        return {info.name: info for info in infos}

    def __getitem__(self, name: str) -> ProcessorInfo:
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


PROCESSORS: Mapping[str, ProcessorInfo] = _Processors()


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
    object_types = [kind.name for kind in kinds.all_kinds() if kind.per_object]
    if stats_type not in object_types:
        raise ProcessorError(f"object_contributors needs type {' or '.join(object_types)}.")
    return _object_contributors(stats_type=stats_type, scope=scope)


def contributor_count(*, stats_type: str, scope: Scope) -> int:
    """Number of distinct clients having records of `stats_type` in scope."""
    return scoped_stats(scope, stats_type).values("analysis__client_id").distinct().count()
