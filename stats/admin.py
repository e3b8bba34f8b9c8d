"""Read-only admin views of analyses and stats."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from stats import derived
from stats.models import Analysis, Stats


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    # Records are deleted through the API and the commands, not here. Were deletion granted,
    # the two methods below would route it through stats.derived, which keeps the facts,
    # rollups and totals in step (as the querysets' delete() does).
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Analysis | Stats) -> None:
        derived.remove_records(records=type(obj).objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        derived.remove_records(records=queryset)


@admin.register(Analysis)
class AnalysisAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "client", "first_date", "last_date", "created_at"]
    list_filter = ["client"]
    search_fields = ["uuid", "client__name"]
    list_select_related = ["client"]


@admin.register(Stats)
class StatsAdmin(ReadOnlyAdmin):
    list_display = ["uuid", "type", "date", "anr", "client", "updated_at"]
    # Newest first: what an operator looks for is what arrived last.
    ordering = ["-date", "-updated_at"]
    list_filter = ["type", "analysis__client", ("date", admin.DateFieldListFilter)]
    date_hierarchy = "date"
    search_fields = ["uuid", "analysis__uuid"]
    list_select_related = ["analysis__client"]
    exclude = ["data_json"]
    readonly_fields = [
        "uuid",
        "analysis",
        "type",
        "date",
        "pretty_data",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="ANR")
    def anr(self, obj: Stats) -> str:
        return str(obj.analysis.uuid)

    @admin.display(description="client")
    def client(self, obj: Stats) -> str:
        return obj.analysis.client.name

    @admin.display(description="data")
    def pretty_data(self, obj: Stats) -> str:
        return format_html(
            "<pre style='max-height:40em;overflow:auto'>{}</pre>",
            json.dumps(obj.data, indent=2, ensure_ascii=False),
        )
