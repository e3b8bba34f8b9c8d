"""The client admin tells the operator which clients the public pages count as one
contributor (they hold analyses with the same uuid: dashboard.disclosure)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse

from clients.admin import ClientAdmin
from clients.models import Client
from dashboard.disclosure import contributors


class ClientAdminWithContributors(ClientAdmin):
    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        who = contributors()
        for group in who.merged:
            names = [who.names[pk] for pk in group]
            messages.warning(
                request,
                f"{', '.join(names)} hold analyses with the same uuids: the public pages count "
                f"them as one contributor ({names[0]}, the oldest).",
            )
        return super().changelist_view(request, extra_context)


admin.site.unregister(Client)
admin.site.register(Client, ClientAdminWithContributors)
