"""Analyses (ANRs) and the daily stats records MONARC sends about them."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Max, OuterRef, Subquery

from clients.models import Client


class StatsType(models.TextChoices):
    RISK = "risk", "risk"
    THREAT = "threat", "threat"
    VULNERABILITY = "vulnerability", "vulnerability"
    CARTOGRAPHY = "cartography", "cartography"
    COMPLIANCE = "compliance", "compliance"


class AnalysisQuerySet(models.QuerySet["Analysis"]):
    def for_client(self, client: Client) -> AnalysisQuerySet:
        """The analyses `client` may read (Client.visible_clients)."""
        visible = client.visible_clients()
        return self if visible is None else self.filter(client__in=visible)


class Analysis(models.Model):
    """One risk analysis (ANR) of one client; created on its first ingest."""

    uuid = models.UUIDField(help_text="The ANR's UUID in MONARC.")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="analyses")
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnalysisQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "analyses"
        ordering = ["client_id", "uuid"]
        constraints = [
            models.UniqueConstraint(fields=["client", "uuid"], name="analysis_unique_per_client")
        ]
        indexes = [models.Index(fields=["uuid"])]

    def __str__(self) -> str:
        return str(self.uuid)


class StatsQuerySet(models.QuerySet["Stats"]):
    def for_client(self, client: Client) -> StatsQuerySet:
        """The stats `client` may read (Client.visible_clients)."""
        visible = client.visible_clients()
        return self if visible is None else self.filter(analysis__client__in=visible)

    def of_type(self, stats_type: str) -> StatsQuerySet:
        return self.filter(type=stats_type)

    def for_anrs(self, anrs: list[uuid.UUID]) -> StatsQuerySet:
        return self.filter(analysis__uuid__in=anrs)

    def in_period(self, date_from: date | None, date_to: date | None) -> StatsQuerySet:
        qs = self
        if date_from is not None:
            qs = qs.filter(date__gte=date_from)
        if date_to is not None:
            qs = qs.filter(date__lte=date_to)
        return qs

    def latest_per_analysis(self) -> StatsQuerySet:
        """Only each analysis's latest-dated record of the record's type among this queryset's
        records (so within its date bounds, if it has any)."""
        latest = (
            self.filter(analysis=OuterRef("analysis"), type=OuterRef("type"))
            .order_by()
            .values("analysis", "type")
            .annotate(last=Max("date"))
            .values("last")
        )
        return self.filter(date=Subquery(latest))

    def local_only(self) -> StatsQuerySet:
        return self.filter(analysis__client__local=True)

    def in_api_order(self) -> StatsQuerySet:
        # MONARC keys results by ANR and keeps the last one: ascending dates are load-bearing.
        return self.order_by("date", "analysis__uuid", "type", "pk")


class Stats(models.Model):
    """One day's snapshot of one type for one analysis; re-sending the day replaces it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="stats")
    type = models.CharField(max_length=20, choices=StatsType.choices)
    date = models.DateField()
    # The payload as received, as JSON text: PostgreSQL's jsonb would reorder keys.
    data_json = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = StatsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "stats"
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "type", "date"], name="stats_unique_analysis_type_date"
            )
        ]
        indexes = [models.Index(fields=["type", "date"])]

    def __str__(self) -> str:
        return f"{self.type} {self.date} ({self.analysis_id})"

    @property
    def data(self) -> Any:
        return json.loads(self.data_json)


# The fact tables live in their own module; importing it here registers them with the app.
from stats import facts as _facts  # noqa: E402, F401
