"""Helpers shared by the stats maintenance commands."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from stats.filtersets import months_before

# Purge and rebuild both rewrite derived data (facts and rollups) across all clients: one lock
# keeps two of them from interleaving.
DERIVED_DATA_LOCK = "stats:derived-data"
# They cannot renew the lock midway, so it outlives any run; a killed run's lock on this host is
# taken over at once all the same.
DERIVED_DATA_LOCK_TTL = 24 * 3600


def months_ago(months: int, today: date | None = None) -> date:
    """The same day `months` calendar months before `today` (clamped to the month's end)."""
    return months_before(today or timezone.localdate(), months)
