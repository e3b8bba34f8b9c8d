#!/usr/bin/env python3
"""Benchmark the public dashboard's JSON as deployed: gunicorn (2 sync workers) on 127.0.0.1.

A fresh database is filled by `manage.py generate_demo_stats` (--clients x --analyses x --days);
then, for every public endpoint the pages call, it measures the first request after new data
arrived (cold: the aggregation runs) and the median of the following ones (warm: served from the
cache after the generation check; each worker computes once, so the second worker's first request
is cold too and shows in p95). Prints a Markdown table; asserts nothing.

    .venv/bin/python benchmarks/public_pages.py --clients 4 --analyses 3 --days 90
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python \
        benchmarks/public_pages.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from statsservice.testing.live import Instance  # noqa: E402

ENDPOINTS = [
    "/stats/threats.json?processor=threat_average_on_date&last_stats=1",
    "/stats/vulnerabilities.json?processor=vulnerability_average_on_date&last_stats=1",
    "/stats/risks.json?processor=risk_averages&last_stats=1",
    "/stats/threats.json?processor=threat_average_on_date&days=180&period=month",
    "/stats/threats.json?processor=threat_average_on_date&days=180&period=week",
    "/stats/risks.json?processor=risk_averages_on_date&days=180&period=month",
    "/stats/compliance.json?processor=compliance_averages&last_stats=1",
    "/stats/compliance.json?processor=compliance_average_on_date&days=365&period=month",
    "/stats/cartography.json?last_stats=1",
    "/map/clients.json",
]


def timed(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = requests.get(url, timeout=120)
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--analyses", type=int, default=3)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--warm", type=int, default=20, help="warm requests per endpoint")
    args = parser.parse_args()

    with Instance("pages") as live:
        started = time.perf_counter()
        live.manage(
            "generate_demo_stats",
            *("--clients", str(args.clients), "--analyses", str(args.analyses)),
            *("--days", str(args.days)),
        )
        fill = time.perf_counter() - started
        live.start()
        base = live.url
        kind = "PostgreSQL" if live.is_postgres else "SQLite"
        print(
            f"{kind}, {args.clients} clients x {args.analyses} analyses x {args.days} days "
            f"({args.clients * args.analyses * args.days * 5} records, filled in {fill:.0f} s)\n"
        )
        print("| endpoint | cold ms | warm median ms | warm p95 ms | bytes |")
        print("|---|---:|---:|---:|---:|")
        for endpoint in ENDPOINTS:
            cold, size = timed(base + endpoint)
            warm = sorted(timed(base + endpoint)[0] for _ in range(args.warm))
            p95 = warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))]
            print(
                f"| `{endpoint}` | {cold:.0f} | {statistics.median(warm):.1f} | {p95:.1f} "
                f"| {size} |"
            )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statsservice.settings")
    main()
