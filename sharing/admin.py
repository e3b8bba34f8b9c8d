"""Admin for sharing: runs (read-only), cursors, what was shared, and remote tokens (write-only).

The job locks sharing runs take are in the statsservice admin."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from clients.models import Client
from sharing.credentials import normalise_target
from sharing.crypto import encrypt_token
from sharing.models import (
    PushCursor,
    RemoteCredential,
    SharedAnalysis,
    SharingRun,
    SharingRunClient,
)
from sharing.runs import human_bytes
from statsservice.admin import ReadOnlyAdmin


def _compact(moment: datetime | None) -> str:
    """A date and time on one short line, so that the run list fits beside its filters."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


class RunClientInline(admin.TabularInline):
    model = SharingRunClient
    extra = 0
    can_delete = False
    # A tuple, not a list: the stubs type `fields` as a list of names *or groups*, and a list of
    # names alone does not match that (lists are invariant; tuples are not).
    readonly_fields = (
        "client_name",
        "client_uuid",
        "records",
        "size",
        "chunks",
        "outcome",
        "error",
    )
    fields = readonly_fields

    @admin.display(description="size")
    def size(self, obj: SharingRunClient) -> str:
        return human_bytes(obj.bytes)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SharingRun)
class SharingRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started",
        "kind",
        "target",
        "outcome",
        "dry_run",
        "clients",
        "records",
        "size",
        "chunks",
        "finished",
    ]
    list_filter = ["kind", "outcome", "dry_run"]
    search_fields = ["target", "error", "per_client__client_name"]
    date_hierarchy = "started_at"
    inlines = [RunClientInline]

    @admin.display(description="started at", ordering="started_at")
    def started(self, obj: SharingRun) -> str:
        return _compact(obj.started_at)

    @admin.display(description="finished at", ordering="finished_at")
    def finished(self, obj: SharingRun) -> str:
        return _compact(obj.finished_at)

    @admin.display(description="size", ordering="bytes")
    def size(self, obj: SharingRun) -> str:
        return human_bytes(obj.bytes)


@admin.register(PushCursor)
class PushCursorAdmin(admin.ModelAdmin):
    """Deleting a cursor makes the next push send that client's stats in full."""

    list_display = ["client", "target", "pushed_until", "last_success_at"]
    list_select_related = ["client"]
    readonly_fields = ["client", "target", "pushed_until", "last_success_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SharedAnalysis)
class SharedAnalysisAdmin(ReadOnlyAdmin):
    list_display = ["anr", "client", "target", "first_shared_at"]
    list_select_related = ["client"]
    list_filter = ["target"]
    search_fields = ["anr", "client__name"]


class RemoteCredentialForm(forms.ModelForm):
    """The token can be set or replaced, never read back."""

    token = forms.CharField(
        strip=True,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="The token of the client created for this one on the remote instance. "
        "Stored encrypted; leave empty to keep the current one.",
    )

    class Meta:
        model = RemoteCredential
        fields = ["client", "target"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only local clients are ever pushed.
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = Client.objects.local()

    def clean_target(self) -> str:
        return normalise_target(self.cleaned_data["target"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("token") and not self.instance.pk:
            self.add_error("token", "A token is required.")
        return cleaned

    def save(self, commit: bool = True) -> RemoteCredential:
        if self.cleaned_data.get("token"):
            self.instance.token_encrypted = encrypt_token(self.cleaned_data["token"])
        return super().save(commit=commit)


@admin.register(RemoteCredential)
class RemoteCredentialAdmin(admin.ModelAdmin):
    form = RemoteCredentialForm
    list_display = ["client", "target", "updated_at"]
    list_select_related = ["client"]
