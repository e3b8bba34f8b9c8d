"""Admin of the project package: the job locks, and the read-only base the apps' admins share."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from statsservice.models import JobLock

# The lists (clients: uuids and dates) need the width; the index page lists every model anyway.
admin.site.enable_nav_sidebar = False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: viewable, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(JobLock)
class JobLockAdmin(ReadOnlyAdmin):
    """Deleting a lock row frees it (for a run stuck on another host)."""

    list_display = ["name", "holder", "acquired_at", "expires_at"]
