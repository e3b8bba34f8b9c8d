"""Helpers shared by the stats maintenance commands."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def months_ago(months: int, today: date | None = None) -> date:
    """The same day `months` calendar months before `today` (clamped to the month's end)."""
    today = today or timezone.localdate()
    index = today.year * 12 + (today.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    # Clamp 31 March minus one month to 28/29 February, and so on.
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
