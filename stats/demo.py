"""A seeded, deterministic, realistic demo dataset in MONARC's shapes (monarc-protocol.md §3).

Each kind (stats.kinds) generates its own payloads; this module gives them a stable profile per
analysis and one seeded random stream per analysis and day. Every analysis draws about 35
threats and 30 vulnerabilities from one shared catalogue, and reports ISO/IEC 27002:2013
compliance (14 categories, 114 controls): about 45 KB per analysis per day, like real MONARC
instances. Each analysis has a stable profile (size, maturity) and its numbers drift slowly from
day to day, so time series look plausible. The same seed, client, analysis and day always give
the same payload.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection

from clients.models import Client
from stats import kinds
from stats.kinds.base import DEMO_NAMESPACE, DemoProfile
from stats.validation import IncomingRecord

LANGS = ("fr", "en", "de", "nl")


def profile_of(seed: int, anr: uuid.UUID) -> DemoProfile:
    """What stays stable for one analysis: its size and maturity, then what each kind draws for
    it (its threats, its vulnerabilities, its excluded compliance measures), in registry order."""
    rng = random.Random(f"{seed}:{anr}:profile")  # noqa: S311 (demo data, not secrets)
    size = rng.uniform(0.5, 2.0)
    maturity = rng.uniform(0.2, 0.7)
    picks = {k.name: k.demo_profile(rng) for k in kinds.all_kinds() if k.demo_profile is not None}
    return DemoProfile(size=size, maturity=maturity, picks=picks)


def analysis_uuid(seed: int, client_index: int, analysis_index: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{seed}:anr:{client_index}:{analysis_index}")


def analysis_day(*, seed: int, anr: uuid.UUID, day: date, progress: float) -> list[dict[str, Any]]:
    """The records MONARC sends for one analysis on one day, one per kind (`progress` in 0..1
    over time)."""
    profile = profile_of(seed, anr)
    rng = random.Random(f"{seed}:{anr}:{day.isoformat()}")  # noqa: S311
    # One generator after the other from the same rng, in registry order.
    payloads = {kind.name: kind.demo(rng, profile, progress) for kind in kinds.all_kinds()}
    anr_text = str(anr)
    return [
        {"anr": anr_text, "type": t, "date": day.isoformat(), "data": data}
        for t, data in payloads.items()
    ]


def as_incoming(records: list[dict[str, Any]]) -> list[IncomingRecord]:
    """Generated records are valid by construction; skip re-validating them when storing."""
    return [
        IncomingRecord(
            anr=uuid.UUID(r["anr"]),
            type=r["type"],
            date=date.fromisoformat(r["date"]),
            data=r["data"],
        )
        for r in records
    ]


def client_day(
    *, seed: int, client_index: int, analyses: int, day: date, progress: float
) -> list[dict[str, Any]]:
    """One client's daily POST: one record per kind for each of its `analyses` analyses."""
    return [
        record
        for index in range(analyses)
        for record in analysis_day(
            seed=seed, anr=analysis_uuid(seed, client_index, index), day=day, progress=progress
        )
    ]


def days_back(end: date, days: int) -> Iterator[tuple[date, float]]:
    """The `days` days ending on `end`, oldest first, with their progress 0..1."""
    from datetime import timedelta

    for offset in range(days - 1, -1, -1):
        yield end - timedelta(days=offset), (days - 1 - offset) / max(1, days - 1)


def load(
    *, clients: list[Client], analyses: int, days: int, end: date, seed: int, days_per_batch: int
) -> int:
    """Store the demo dataset for `clients` through the normal ingest path, `days_per_batch` days
    per ingest call (MONARC sends one). Returns the number of records stored."""
    from stats import services  # ingest is the only writer; demo payloads stay importable alone

    records = 0
    window = list(days_back(end, days))
    for start in range(0, len(window), days_per_batch):
        for index, client in enumerate(clients):
            batch = [
                record
                for day, progress in window[start : start + days_per_batch]
                for record in client_day(
                    seed=seed, client_index=index, analyses=analyses, day=day, progress=progress
                )
            ]
            services.ingest_batch(client=client, records=as_incoming(batch))
            records += len(batch)
    # A bulk load changes table sizes by orders of magnitude: refresh the planner statistics.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return records
