"""Helpers shared by the stats maintenance commands."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from stats.filtersets import months_before


def months_ago(months: int, today: date | None = None) -> date:
    """The same day `months` calendar months before `today` (clamped to the month's end)."""
    return months_before(today or timezone.localdate(), months)
