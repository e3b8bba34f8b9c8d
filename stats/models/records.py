"""Analyses (ANRs) and the daily stats records MONARC sends about them.

Deleting either, by queryset or instance, goes through stats.derived, the writer that keeps the
facts, rollups and totals derived from the records in step (Django's own delete would leave the
rollups and the all-client totals stale). The writer imports these models, so they do not import
it back: StatsConfig.ready() hands them its `remove_records` (route_deletes_to).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any, Protocol

from django.db import models
from django.db.models import Max, OuterRef, Subquery

from clients.models import Client


class RemoveRecords(Protocol):
    """stats.derived.remove_records: deletes records or analyses with their derived rows and
    returns the number of records deleted."""

    def __call__(self, *, records: AnalysisQuerySet | StatsQuerySet) -> int: ...


_remove_records: RemoveRecords | None = None


def route_deletes_to(remove_records: RemoveRecords) -> None:
    """Make every delete of records or analyses go through `remove_records` (StatsConfig)."""
    global _remove_records
    _remove_records = remove_records


def _remover() -> RemoveRecords:
    if _remove_records is None:
        raise RuntimeError("stats.derived is not connected yet (StatsConfig.ready() does it).")
    return _remove_records


class AnalysisQuerySet(models.QuerySet["Analysis"]):
    def for_client(self, client: Client) -> AnalysisQuerySet:
        """The analyses `client` may read (Client.visible_clients)."""
        visible = client.visible_clients()
        return self if visible is None else self.filter(client__in=visible)

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete these analyses with all their records, through stats.derived."""
        _check_deletable(self)
        analyses = self.count()
        records = _remover()(records=self)
        return analyses + records, {Analysis._meta.label: analyses, Stats._meta.label: records}

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


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

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        return _delete_one(self)


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

    def outbound(self) -> StatsQuerySet:
        """The records that may leave this instance: their client's consent
        (`ClientQuerySet.outbound`)."""
        return self.filter(analysis__client__in=Client.objects.outbound())

    def in_api_order(self) -> StatsQuerySet:
        # MONARC keys results by ANR and keeps the last one: ascending dates are load-bearing.
        return self.order_by("date", "analysis__uuid", "type", "pk")

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete these records (and the analyses they leave empty), through stats.derived."""
        _check_deletable(self)
        records = _remover()(records=self)
        return records, {Stats._meta.label: records}

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class Stats(models.Model):
    """One day's snapshot of one type for one analysis; re-sending the day replaces it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="stats")
    # One of the registered kinds (stats.kinds.names()); validation checks it at ingest.
    type = models.CharField(max_length=20)
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

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        return _delete_one(self)


def _check_deletable(qs: models.QuerySet[Any]) -> None:
    """The refusals of Django's QuerySet.delete(), whose work stats.derived does instead."""
    qs._not_support_combined_queries("delete")  # type: ignore[attr-defined]
    if qs.query.is_sliced:
        raise TypeError("Cannot use 'limit' or 'offset' with delete().")
    if qs.query.distinct_fields:
        raise TypeError("Cannot call delete() after .distinct(*fields).")
    if qs._fields is not None:  # type: ignore[attr-defined]
        raise TypeError("Cannot call delete() after .values() or .values_list()")


def _delete_one(instance: Analysis | Stats) -> tuple[int, dict[str, int]]:
    """Model.delete() of an analysis or record, through its queryset's delete()."""
    model = type(instance)
    if instance.pk is None:
        raise ValueError(
            f"{model._meta.object_name} object can't be deleted because its id is None."
        )
    deleted = model.objects.filter(pk=instance.pk).delete()
    instance.pk = None
    return deleted
