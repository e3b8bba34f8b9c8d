"""Narrow fact tables: each stats record normalised at ingest, so processors aggregate in SQL.

The raw JSON (`Stats.data_json`) stays the source of truth for the raw API; these rows are derived
from it (`stats.normalise`) and replaced whenever a record is stored again (`stats.derived`).
Every fact carries `client`, `analysis`, `stats` and `date` so scoping filters need no join.
`state` and `kind` are small integers (0 = current / informational, 1 = residual / operational)
to keep rows narrow.

Labels are not repeated on every fact: they live in `Label`, one row per (client, kind, key),
so a client's custom labels only ever show in views that include that client.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from django.db import models

from clients.models import Client
from stats.models.records import Analysis, Stats

STATES = ("current", "residual")
KINDS = ("informational", "operational")
# Label columns of every labelled item (threats, vulnerabilities, referentials, categories): the
# payloads' keys and the columns of `Label` alike.
LABEL_KEYS = ("label1", "label2", "label3", "label4")


# Facts and rollups are derived rows, written and deleted only by stats.derived together with
# the records they come from, so their foreign keys have no database constraint: Django makes
# them DEFERRABLE INITIALLY DEFERRED, and checking ~900 keys per analysis-day at COMMIT was a
# quarter of a MONARC batch's time on PostgreSQL. Django's own on_delete still cascades.
FACT_KEY: dict[str, Any] = {
    "on_delete": models.CASCADE,
    "related_name": "+",
    "db_constraint": False,
}


class Fact(models.Model):
    stats = models.ForeignKey(Stats, **FACT_KEY)
    # Unindexed: analysis filters join through Analysis and the (client, date) index, and
    # deletes go through `stats` (each index costs ingest time on ~300 rows per record).
    analysis = models.ForeignKey(Analysis, db_index=False, **FACT_KEY)
    # Indexed together with the date below; no separate index.
    client = models.ForeignKey(Client, db_index=False, **FACT_KEY)
    date = models.DateField()

    class Meta:
        abstract = True


class RiskFact(Fact):
    """One risk level of a `risk` record: risks.<state>.<kind>[position] = {level, value}."""

    state = models.PositiveSmallIntegerField()
    kind = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    level = models.TextField()
    value = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["client", "date"], name="riskfact_client_date"),
        ]

    def __str__(self) -> str:
        return f"risk {self.date} {self.level}={self.value}"


class ObjectFact(Fact):
    """One item of a `threat` or `vulnerability` record."""

    type = models.CharField(max_length=13)
    object = models.UUIDField()
    count = models.IntegerField()
    max_risk = models.IntegerField()
    average_rate = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["type", "client", "date"], name="objectfact_type_client_date"),
            models.Index(fields=["type", "date"], name="objectfact_type_date"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object} {self.date}"


class ComplianceCategoryFact(Fact):
    """One category of one referential of a `compliance` record (current[i] with target[i])."""

    referential = models.UUIDField()
    position = models.PositiveSmallIntegerField()
    current = models.FloatField(null=True)
    target = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "date"], name="compcatfact_client_date"),
        ]

    def __str__(self) -> str:
        return f"compliance {self.referential}[{self.position}] {self.date}"


class ComplianceControlFact(Fact):
    """One control (measure) of a `compliance` record, its current and target values joined."""

    referential = models.UUIDField()
    position = models.PositiveSmallIntegerField(help_text="Index of the control's category.")
    measure = models.UUIDField()
    code = models.CharField(max_length=50)
    current = models.FloatField(null=True)
    target = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["client", "date"], name="compctlfact_client_date"),
        ]

    def __str__(self) -> str:
        return f"control {self.code} {self.date}"


class CartographyFact(Fact):
    """One non-zero cell of a `cartography` matrix: risks.<state>.<kind>[impact][likelihood]."""

    state = models.PositiveSmallIntegerField()
    kind = models.PositiveSmallIntegerField()
    impact = models.IntegerField()
    likelihood = models.IntegerField()
    count = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["client", "date"], name="cartofact_client_date"),
        ]

    def __str__(self) -> str:
        return f"cell {self.impact}x{self.likelihood}={self.count} {self.date}"


class Label(models.Model):
    """The latest non-empty labels a client sent for a threat, vulnerability, referential or
    compliance category (categories have no uuid: their key is uuid5(referential, position))."""

    class Kind(models.TextChoices):
        THREAT = "threat"
        VULNERABILITY = "vulnerability"
        REFERENTIAL = "referential"
        CATEGORY = "category"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=13, choices=Kind.choices)
    key = models.UUIDField()
    label1 = models.TextField(null=True)
    label2 = models.TextField(null=True)
    label3 = models.TextField(null=True)
    label4 = models.TextField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "key"], name="label_unique")
        ]
        indexes = [models.Index(fields=["kind", "key"], name="label_kind_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


@lru_cache(maxsize=65_536)
def category_key(referential: uuid.UUID, position: int) -> uuid.UUID:
    """The `Label.key` of a compliance category: categories have no uuid in the payload, so they
    are identified by referential and index."""
    return uuid.uuid5(referential, str(position))


FACT_MODELS: tuple[type[Fact], ...] = (
    RiskFact,
    ObjectFact,
    ComplianceCategoryFact,
    ComplianceControlFact,
    CartographyFact,
)


def db_column(model: type[models.Model], name: str) -> str:
    """The database column of `model`'s concrete field `name`, for hand-written SQL."""
    field = model._meta.get_field(name)
    # Only concrete fields are named here; a relation's reverse side or a many-to-many has none.
    assert isinstance(field, models.Field) and field.column is not None, name
    return field.column
