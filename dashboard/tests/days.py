"""Dates of the records the public-page tests seed, counted back from the last complete day:
public windows end there (dashboard.public.last_complete_day), so today's records never show."""

from __future__ import annotations

from statsservice.testing import seed


def day(offset: int = 0) -> str:
    """The date `offset` days before the last complete day (yesterday), as MONARC sends it."""
    return seed.day(offset + 1)
