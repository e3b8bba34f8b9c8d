"""Narrow fact tables: each stats record normalised at ingest, so processors aggregate in SQL.

The raw JSON (`Stats.data_json`) stays the source of truth for the raw API; these rows are derived
from it and rebuilt whenever a record is stored again (`stats.normalise`). Every fact carries
`client`, `analysis`, `stats` and `date` so scoping filters need no join. `state` and `kind` are
small integers (0 = current / informational, 1 = residual / operational) to keep rows narrow.

Labels are not repeated on every fact: they live in `Label`, one row per (client, kind, key),
so a client's custom labels only ever show in views that include that client.
"""

from __future__ import annotations

from django.db import models

from clients.models import Client
from stats.models import Analysis, Stats

STATES = ("current", "residual")
KINDS = ("informational", "operational")


# Facts and rollups are derived rows, written and deleted only by stats.normalise together with
# the records they come from, so their foreign keys have no database constraint: Django makes
# them DEFERRABLE INITIALLY DEFERRED, and checking ~900 keys per analysis-day at COMMIT was a
# quarter of a MONARC batch's time on PostgreSQL. Django's own on_delete still cascades.
FACT_KEY = {"on_delete": models.CASCADE, "related_name": "+", "db_constraint": False}


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


class Rollup(models.Model):
    """Facts summed per client and day: what every query without an analysis filter reads.

    A mean over facts equals sum(sum_x) / sum(n_x) over the rollups of the same groups, so a
    client with many analyses costs one row per object and day instead of one per analysis.
    Rebuilt from the facts for each (client, day) an ingest or delete touches.
    """

    client = models.ForeignKey(Client, db_index=False, **FACT_KEY)
    date = models.DateField()
    n = models.IntegerField(help_text="Number of facts summed.")

    class Meta:
        abstract = True


class RiskDaily(Rollup):
    state = models.PositiveSmallIntegerField()
    kind = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    level = models.TextField()
    sum_value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["client", "date"], name="riskdaily_client_date")]

    def __str__(self) -> str:
        return f"risk {self.client_id} {self.date} {self.level}"


class ObjectDaily(Rollup):
    type = models.CharField(max_length=13)
    object = models.UUIDField()
    sum_count = models.BigIntegerField()
    sum_max_risk = models.BigIntegerField()
    sum_average_rate = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["type", "client", "date"], name="objectdaily_type_client_date"),
            models.Index(fields=["type", "date"], name="objectdaily_type_date"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object} {self.client_id} {self.date}"


class ComplianceCategoryDaily(Rollup):
    referential = models.UUIDField()
    position = models.PositiveSmallIntegerField()
    n_current = models.IntegerField()
    sum_current = models.FloatField(null=True)
    n_target = models.IntegerField()
    sum_target = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["client", "date"], name="compcatdaily_client_date")]

    def __str__(self) -> str:
        return f"compliance {self.referential}[{self.position}] {self.client_id} {self.date}"


class ComplianceControlDaily(Rollup):
    referential = models.UUIDField()
    position = models.PositiveSmallIntegerField()
    measure = models.UUIDField()
    code = models.CharField(max_length=50)
    n_current = models.IntegerField()
    sum_current = models.FloatField(null=True)
    n_target = models.IntegerField()
    sum_target = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["client", "date"], name="compctldaily_client_date")]

    def __str__(self) -> str:
        return f"control {self.code} {self.client_id} {self.date}"


class CartographyDaily(Rollup):
    state = models.PositiveSmallIntegerField()
    kind = models.PositiveSmallIntegerField()
    impact = models.IntegerField()
    likelihood = models.IntegerField()
    sum_count = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["client", "date"], name="cartodaily_client_date")]

    def __str__(self) -> str:
        return f"cell {self.impact}x{self.likelihood} {self.client_id} {self.date}"


class ObjectDailyTotal(models.Model):
    """ObjectDaily summed over every client: what the by-day threat and vulnerability means
    read for a scope of every client (an admin), one row per object and day instead of one per
    client and object and day (a national instance: 10x to 100x fewer rows to aggregate).

    Kept by deltas (stats.rollups.refresh_rollups adds a client's new sums and subtracts its
    old ones in one upsert), so concurrent ingests of different clients never overwrite each
    other's share. Rebuilt from ObjectDaily by stats_rebuild_facts.
    """

    type = models.CharField(max_length=13)
    object = models.UUIDField()
    date = models.DateField()
    n = models.BigIntegerField(help_text="Number of facts summed; 0 once all are deleted.")
    sum_count = models.BigIntegerField()
    sum_max_risk = models.BigIntegerField()
    sum_average_rate = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["type", "date", "object"], name="objectdailytotal_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.object} {self.date} (all clients)"


FACT_MODELS: tuple[type[Fact], ...] = (
    RiskFact,
    ObjectFact,
    ComplianceCategoryFact,
    ComplianceControlFact,
    CartographyFact,
)
FACTS_BY_TYPE: dict[str, tuple[type[Fact], ...]] = {
    "risk": (RiskFact,),
    "threat": (ObjectFact,),
    "vulnerability": (ObjectFact,),
    "compliance": (ComplianceCategoryFact, ComplianceControlFact),
    "cartography": (CartographyFact,),
}


# Fact table -> (rollup table, group columns, {rollup column: (SQL aggregate, fact column)}).
ROLLUPS: dict[
    type[Fact], tuple[type[Rollup], tuple[str, ...], dict[str, tuple[str, str | None]]]
] = {
    RiskFact: (
        RiskDaily,
        ("state", "kind", "position", "level"),
        {"n": ("COUNT", None), "sum_value": ("SUM", "value")},
    ),
    ObjectFact: (
        ObjectDaily,
        ("type", "object"),
        {
            "n": ("COUNT", None),
            "sum_count": ("SUM", "count"),
            "sum_max_risk": ("SUM", "max_risk"),
            "sum_average_rate": ("SUM", "average_rate"),
        },
    ),
    ComplianceCategoryFact: (
        ComplianceCategoryDaily,
        ("referential", "position"),
        {
            "n": ("COUNT", None),
            "n_current": ("COUNT", "current"),
            "sum_current": ("SUM", "current"),
            "n_target": ("COUNT", "target"),
            "sum_target": ("SUM", "target"),
        },
    ),
    ComplianceControlFact: (
        ComplianceControlDaily,
        ("referential", "position", "measure"),
        {
            "code": ("MAX", "code"),
            "n": ("COUNT", None),
            "n_current": ("COUNT", "current"),
            "sum_current": ("SUM", "current"),
            "n_target": ("COUNT", "target"),
            "sum_target": ("SUM", "target"),
        },
    ),
    CartographyFact: (
        CartographyDaily,
        ("state", "kind", "impact", "likelihood"),
        {"n": ("COUNT", None), "sum_count": ("SUM", "count")},
    ),
}
ROLLUP_MODELS = tuple(rollup for rollup, _, _ in ROLLUPS.values())

# Fact table -> its rollup summed over every client (stats.processors.base.source(totals=True)).
TOTALS: dict[type[Fact], type[models.Model]] = {ObjectFact: ObjectDailyTotal}
