"""Per-client daily rollups of the fact tables, and their sums over every client.

Derived rows like the facts: written and deleted only by stats.derived (its SQL lives in
stats.rollups), in the transaction that changes the facts they sum.
"""

from __future__ import annotations

from django.db import models

from clients.models import Client
from stats.models.facts import (
    FACT_KEY,
    CartographyFact,
    ComplianceCategoryFact,
    ComplianceControlFact,
    Fact,
    ObjectFact,
    RiskFact,
)


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
