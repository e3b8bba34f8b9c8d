"""Admin for API clients: the token is shown once, at creation or rotation, and never stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from clients import services
from clients.models import Client

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups


class ClientCreationForm(forms.ModelForm):
    token = forms.CharField(
        required=False,
        strip=False,
        help_text="Leave empty to generate one. It is shown once, after saving.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 90}),
    )

    class Meta:
        model = Client
        fields = ["name", "role", "is_sharing_enabled", "local", "latitude", "longitude"]

    def clean_token(self) -> str | None:
        token = self.cleaned_data.get("token") or None
        if token is not None:
            try:
                services.check_token(token)
            except services.ClientError as exc:
                raise forms.ValidationError(str(exc)) from None
            if services.token_taken(token):
                raise forms.ValidationError("This token is already used by another client.")
        return token


def _compact(moment: datetime | None) -> str:
    """A date and time on one short line (the default format wraps and widens the list)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    # Short columns, so that the list fits beside the filter panel (statsservice/admin.css keeps
    # uuids and dates on one line).
    list_display = [
        "name",
        "uuid",
        "role",
        "local",
        "sharing",
        "active",
        "seen",
        "created",
    ]
    list_filter = ["role", "is_sharing_enabled", "local", "is_active"]
    search_fields = ["name", "uuid"]
    readonly_fields = ["uuid", "last_seen", "created_at", "updated_at"]
    fields = [
        "uuid",
        "name",
        "role",
        "is_active",
        "is_sharing_enabled",
        "local",
        "latitude",
        "longitude",
        "last_seen",
        "created_at",
        "updated_at",
    ]
    actions = [
        "rotate_token",
        "enable_sharing",
        "disable_sharing",
        "activate",
        "deactivate",
    ]

    @admin.display(description="sharing", boolean=True, ordering="is_sharing_enabled")
    def sharing(self, obj: Client) -> bool:
        return obj.is_sharing_enabled

    @admin.display(description="active", boolean=True, ordering="is_active")
    def active(self, obj: Client) -> bool:
        return obj.is_active

    @admin.display(description="last seen", ordering="last_seen")
    def seen(self, obj: Client) -> str:
        return _compact(obj.last_seen)

    @admin.display(description="created at", ordering="created_at")
    def created(self, obj: Client) -> str:
        return _compact(obj.created_at)

    def get_form(
        self, request: HttpRequest, obj: Client | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Client]]:
        if obj is None:
            kwargs["form"] = ClientCreationForm
            kwargs["fields"] = [*ClientCreationForm.Meta.fields, "token"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Client | None = None) -> _FieldGroups:
        if obj is None:
            return [*ClientCreationForm.Meta.fields, "token"]
        return list(self.fields)

    def save_model(
        self, request: HttpRequest, obj: Client, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, token = services.create_client(
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            token=form.cleaned_data.get("token"),
            is_sharing_enabled=form.cleaned_data["is_sharing_enabled"],
            local=form.cleaned_data["local"],
            latitude=form.cleaned_data.get("latitude"),
            longitude=form.cleaned_data.get("longitude"),
        )
        obj.pk = client.pk
        obj.uuid = client.uuid
        obj.token_hash = client.token_hash
        obj._state.adding = False
        obj._state.db = client._state.db
        messages.warning(
            request,
            f"Token for {client.name} (shown only now, copy it): {token}",
        )

    def delete_model(self, request: HttpRequest, obj: Client) -> None:
        services.delete_client(client=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        for client in queryset:
            services.delete_client(client=client)

    @admin.action(description="Rotate the token of selected clients (shows the new tokens once)")
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        for client in queryset:
            token = services.rotate_token(client=client)
            messages.warning(request, f"New token for {client.name} (shown only now): {token}")

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Client],
        change: Callable[[Client], object],
        done: str,
    ) -> None:
        for client in queryset:
            change(client)
        messages.success(request, f"{queryset.count()} client(s) {done}.")

    @admin.action(description="Enable sharing")
    def enable_sharing(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._apply(
            request, queryset, lambda c: services.set_sharing(client=c, enabled=True), "now share"
        )

    @admin.action(description="Disable sharing")
    def disable_sharing(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._apply(
            request,
            queryset,
            lambda c: services.set_sharing(client=c, enabled=False),
            "stopped sharing",
        )

    @admin.action(description="Activate")
    def activate(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._apply(
            request, queryset, lambda c: services.set_active(client=c, active=True), "activated"
        )

    @admin.action(description="Deactivate (revoke API access)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._apply(
            request, queryset, lambda c: services.set_active(client=c, active=False), "deactivated"
        )
