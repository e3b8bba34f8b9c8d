"""The interface every stats type implements (`StatsKind`), and what its parts share.

A kind is the one home of a record `type`: how its payload is checked, which fact rows it
yields, which tables hold them, which processors read them, what the public pages show by
default and how the demo generator invents it. The registry (stats.kinds) lists the kinds;
validation, normalisation, the processors, the public pages and the demo read it.

This module imports no kind and no processor (only their types): the kinds and the code that
dispatches through the registry build on it. What the processors share with the kinds' extractors
(the label columns and keys) lives lower, in stats.models, so the processors need none of this.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from django.db import models

from stats.kinds.demo_fr import FRENCH

if TYPE_CHECKING:
    from stats.models import Fact
    from stats.processors.base import Processor

# Every fact row starts with these columns, in this order (FactBuilder supplies their values).
COMMON = ("stats_id", "analysis_id", "client_id", "date")


@dataclass(frozen=True)
class FactTable:
    """A fact table a kind fills: `columns` is the order of the tuples its extractor appends
    (COMMON first), `rollup` the derived table(s) kept from it by stats.rollups."""

    model: type[Fact]
    columns: tuple[str, ...]
    rollups: tuple[type[models.Model], ...]


class FactSink(Protocol):
    """What an extractor writes to (stats.normalise.FactBuilder)."""

    @property
    def rows(self) -> Mapping[type[Fact], list[tuple[Any, ...]]]:
        """Fact table -> rows as tuples in FactTable.columns order."""
        ...

    def db_uuid(self, text: str) -> str:
        """A payload uuid as the database backend reads it."""
        ...

    def label(self, client_id: int, kind: str, key: uuid.UUID, item: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class DemoProfile:
    """What stays stable for one demo analysis: its size, maturity, and what each kind drew for
    it once (kind name -> the value of its `demo_profile`)."""

    size: float
    maturity: float
    picks: Mapping[str, Any]


# (data, where): raises stats.kinds.checks.Invalid naming the first bad field.
Validate = Callable[[Any, str], None]
# (sink, common values, client id, data): appends the record's fact rows and labels.
Extract = Callable[[FactSink, tuple[Any, ...], int, Any], None]
# (rng, analysis profile, progress 0..1 over the demo period): one day's payload.
DemoDay = Callable[[random.Random, DemoProfile, float], Any]


@dataclass(frozen=True)
class StatsKind:
    """One stats type. See docs/architecture.md, "Adding a stats type"."""

    name: str  # the records' `type`; registering the kind makes it a valid one
    validate: Validate
    extract: Extract
    facts: tuple[FactTable, ...]
    processors: tuple[Processor, ...]
    # Public JSON endpoint (/stats/<endpoint>.json) and the processor it runs by default.
    public_endpoint: str | None
    public_processor: str | None
    demo: DemoDay
    # Drawn once per demo analysis, in registry order, before any payload.
    demo_profile: Callable[[random.Random], Any] | None = None
    # A list of per-object summaries (threats, vulnerabilities): the map shows each client's top
    # object of such kinds, and stats.processors.object_contributors counts their clients.
    per_object: bool = False

    def __post_init__(self) -> None:
        names = [p.info.name for p in self.processors if p.info.type == self.name]
        if len(names) != len(self.processors):
            raise ValueError(f"{self.name}: a listed processor is registered for another type")
        if self.public_processor is not None and self.public_processor not in names:
            raise ValueError(f"{self.name}: {self.public_processor!r} is not one of its processors")

    @property
    def fact_models(self) -> tuple[type[Fact], ...]:
        return tuple(table.model for table in self.facts)

    @property
    def rollup_models(self) -> tuple[type[models.Model], ...]:
        return tuple(rollup for table in self.facts for rollup in table.rollups)


# --- Helpers shared by the kinds' extractors ---------------------------------------------------


def as_float(value: Any) -> float | None:
    """A validated number or numeric string as a float (None when absent)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (ValueError, OverflowError):
        return None


@lru_cache(maxsize=65_536)
def cached_uuid(text: str) -> uuid.UUID:
    """Catalogue UUIDs repeat in every record: parse each once."""
    return uuid.UUID(text)


# --- Demo helpers ------------------------------------------------------------------------------

DEMO_NAMESPACE = uuid.UUID("0b5e6c4e-2f7a-5d0e-9d7c-3f1f6a1c0de0")


def demo_labels(name: str) -> dict[str, str]:
    """Four labels: real French (label1) and English (label2); German and Dutch are marked so
    that a translation's use is visibly distinct."""
    return {
        "label1": FRENCH[name],
        "label2": name,
        "label3": f"{name} (DE)",
        "label4": f"{name} (NL)",
    }
