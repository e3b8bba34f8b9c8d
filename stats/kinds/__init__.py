"""The registry of stats types: the one place that lists them.

Validation (stats.validation), fact extraction (stats.normalise), the processors
(stats.processors), the public pages (dashboard) and the demo generator (stats.demo) ask the
registry for a record type's `StatsKind` instead of naming types themselves; so do the API's
`type` parameters and fields, the sharing commands' `--type` and the models (which store any
registered name). Registration order is the order in which error messages, the API schema's
type lists and demo payloads name the kinds.
"""

from __future__ import annotations

from stats.kinds import cartography, compliance, objects, risk
from stats.kinds.base import StatsKind

__all__ = ["StatsKind", "all_kinds", "choices", "get", "names", "register", "unregister"]

_KINDS: dict[str, StatsKind] = {}
_NAMES: tuple[str, ...] = ()


def register(kind: StatsKind) -> StatsKind:
    """Make `kind` known; its name must be new, and so must its public endpoint."""
    global _NAMES
    if kind.name in _KINDS:
        raise ValueError(f"stats type {kind.name!r} is already registered")
    endpoints = {k.public_endpoint for k in _KINDS.values()}
    if kind.public_endpoint is not None and kind.public_endpoint in endpoints:
        raise ValueError(f"public endpoint {kind.public_endpoint!r} is already taken")
    _KINDS[kind.name] = kind
    _NAMES = tuple(_KINDS)
    return kind


def unregister(name: str) -> StatsKind:
    """Forget a kind (tests that register a throwaway one)."""
    global _NAMES
    kind = _KINDS.pop(name)
    _NAMES = tuple(_KINDS)
    return kind


def get(name: str) -> StatsKind:
    """The kind of records of type `name`; KeyError for an unknown type."""
    return _KINDS[name]


def names() -> tuple[str, ...]:
    return _NAMES


def all_kinds() -> tuple[StatsKind, ...]:
    return tuple(_KINDS.values())


def choices() -> list[tuple[str, str]]:
    """The registered names as (value, label) choices, for the API's `type` fields."""
    return [(name, name) for name in _NAMES]


# The built-in kinds. (Their modules import the processors, whose package reads this registry
# only when called, never while being imported.)
for _kind in (
    risk.RISK,
    objects.THREAT,
    objects.VULNERABILITY,
    cartography.CARTOGRAPHY,
    compliance.COMPLIANCE,
):
    register(_kind)
