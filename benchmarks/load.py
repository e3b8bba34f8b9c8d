"""Load test: N MONARC instances push their daily batch within one minute, while dashboards read.

    .venv/bin/python -m benchmarks.load [--instances 200] [--analyses 10] [--window 60]
        [--readers 10] [--workers 4] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

It creates a fresh database (PostgreSQL by default; `sqlite` for a SQLite file), migrates it,
creates one client per instance, and starts gunicorn on 127.0.0.1 (`GUNICORN_WORKERS` =
--workers). Each instance then sends ONE `POST /api/v1/stats/` with 5 records per analysis
(full-size payloads from statsservice.testing.seed.sized_batch, ~45 KB per analysis) at a
random moment of the window, as MONARC's cron does; --readers threads meanwhile play MONARC
global dashboards (raw reads of risk, threat and vulnerability over 3 months, and cartography
with get_last) for random instances. At the end it counts the stored records and prints
throughput, p50/p99 latencies and errors; the exit status is 1 on any error or lost record.
Standard library HTTP client only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import secrets
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from statsservice.testing.live import Instance
from statsservice.testing.seed import sized_batch

DAY = "2026-11-27"
RAW = "/api/v1/stats/"
PROCESSED = "/api/v1/stats/processed/"
WINDOW = {"date_from": "2026-08-27", "date_to": DAY}
# (path, JSON body) of one read
Call = tuple[str, dict[str, Any]]
DASHBOARD_CALLS: list[Call] = [
    (RAW, {"type": "risk", **WINDOW, "get_last": False}),
    (RAW, {"type": "threat", **WINDOW, "get_last": False}),
    (RAW, {"type": "vulnerability", **WINDOW, "get_last": False}),
    (RAW, {"type": "cartography", "get_last": True}),
]
# What MONARC's global dashboard also asks, where this build has the processed endpoint.
PROCESSED_CALLS: list[Call] = [
    (
        PROCESSED,
        {
            "processor": "risk_averages_on_date",
            "processor_params": {"risks_type": "informational", "risks_state": "current"},
            "type": "risk",
            **WINDOW,
        },
    ),
    (
        PROCESSED,
        {"processor": "threat_average_on_date", "processor_params": [], "type": "threat", **WINDOW},
    ),
    (
        PROCESSED,
        {
            "processor": "vulnerability_average_on_date",
            "processor_params": [],
            "type": "vulnerability",
            **WINDOW,
        },
    ),
]


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    push_latencies: list[float] = field(default_factory=list)
    read_latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    push_bytes: int = 0
    last_push_done: float = 0.0

    def add(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            (self.push_latencies if kind == "push" else self.read_latencies).append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def call(
    port: int, method: str, body: bytes | None, token: str, timeout: float, path: str = RAW
) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"X-API-KEY": token, "User-Agent": "MONARC/2.14.1"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def push(port: int, token: str, body: bytes, at: float, results: Results) -> None:
    time.sleep(max(0.0, at - time.monotonic()))
    start = time.monotonic()
    error = None
    try:
        status = call(port, "POST", body, token, timeout=120)
        if status != 201:
            error = f"HTTP {status}"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    done = time.monotonic()
    results.add("push", done - start, error)
    with results.lock:
        results.last_push_done = max(results.last_push_done, done)


def read(
    port: int,
    tokens: list[str],
    calls: list[Call],
    stop: threading.Event,
    results: Results,
) -> None:
    rng = random.Random()  # noqa: S311 - load pattern, not security
    while not stop.is_set():
        token = rng.choice(tokens)
        for path, params in calls:
            start = time.monotonic()
            error = None
            try:
                body = json.dumps(params).encode()
                status = call(port, "GET", body, token, timeout=60, path=path)
                if status != 200:
                    error = f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
            results.add("read", time.monotonic() - start, error)
        stop.wait(rng.uniform(0.5, 2.0))  # a person looking at the charts


def create_clients(live: Instance, count: int) -> list[str]:
    """Tokens of `count` new clients, made in one process (one client_create each is slow)."""
    tokens = [secrets.token_urlsafe(32) for _ in range(count)]
    script = (
        "import os\n"
        "from clients.services import create_client\n"
        "for i, token in enumerate(os.environ['LIVE_TOKENS'].split(',')):\n"
        "    create_client(name=f'live-{i}', token=token)\n"
    )
    live.manage("shell", "-c", script, LIVE_TOKENS=",".join(tokens))
    return tokens


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--analyses", type=int, default=10)
    parser.add_argument("--window", type=float, default=60.0, help="seconds to spread pushes")
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to create the database on, or 'sqlite'",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)  # noqa: S311
    live = Instance(
        "load",
        base_url="" if args.database_url == "sqlite" else args.database_url,
        workers=args.workers,
        DB_CONN_MAX_AGE="60",
    )
    server = live.server
    try:
        print(f"database: {'PostgreSQL' if live.is_postgres else 'SQLite'}; preparing...")
        live.create()
        tokens = create_clients(live, args.instances)
        bodies = []
        for index in range(args.instances):
            anrs = [
                str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(args.analyses)
            ]
            bodies.append(json.dumps(sized_batch(DAY, anrs, seed=args.seed + index)).encode())
        server.start()
        results = Results(push_bytes=sum(len(b) for b in bodies))
        calls = list(DASHBOARD_CALLS)
        probe = json.dumps(PROCESSED_CALLS[0][1]).encode()
        if call(server.port, "GET", probe, tokens[0], timeout=60, path=PROCESSED) == 200:
            calls += PROCESSED_CALLS
        processed = "with" if len(calls) > len(DASHBOARD_CALLS) else "no"
        print(f"dashboard calls: {len(calls)} per view ({processed} processed)")
        stop = threading.Event()
        readers = [
            threading.Thread(
                target=read, args=(server.port, tokens, calls, stop, results), daemon=True
            )
            for _ in range(args.readers)
        ]
        t0 = time.monotonic() + 1.0
        pushers = [
            threading.Thread(
                target=push,
                args=(server.port, token, body, t0 + rng.uniform(0, args.window), results),
                daemon=True,
            )
            for token, body in zip(tokens, bodies, strict=True)
        ]
        for thread in readers + pushers:
            thread.start()
        for thread in pushers:
            thread.join(timeout=args.window + 300)
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
        elapsed = results.last_push_done - t0
        output = live.manage(
            "shell",
            "--no-imports",
            "-c",
            "from stats.models import Stats; print(Stats.objects.count())",
        ).stdout
        count = int(output.strip().splitlines()[-1])
    finally:
        live.drop()

    expected = args.instances * args.analyses * 5
    pushes = results.push_latencies
    reads = results.read_latencies
    print(
        f"instances={args.instances} analyses/instance={args.analyses} "
        f"records/instance={args.analyses * 5} window={args.window:.0f}s "
        f"gunicorn_workers={args.workers} readers={args.readers}"
    )
    print(
        f"pushes: {len(pushes)} in {elapsed:.1f}s (first scheduled to last answered), "
        f"{results.push_bytes / 1e6:.1f} MB, {len(pushes) / elapsed:.2f} req/s, "
        f"{expected / elapsed:.0f} records/s"
    )
    print(
        f"push latency: p50={percentile(pushes, 0.5) * 1000:.0f} ms "
        f"p99={percentile(pushes, 0.99) * 1000:.0f} ms max={max(pushes) * 1000:.0f} ms "
        f"mean={statistics.fmean(pushes) * 1000:.0f} ms"
    )
    if reads:
        print(
            f"dashboard reads: {len(reads)}, p50={percentile(reads, 0.5) * 1000:.0f} ms "
            f"p99={percentile(reads, 0.99) * 1000:.0f} ms max={max(reads) * 1000:.0f} ms"
        )
    print(
        f"errors: {len(results.errors)}"
        + (f" (first: {results.errors[:3]})" if results.errors else "")
    )
    verdict = "none lost" if count == expected else "LOST"
    print(f"stored records: {count} of {expected} expected ({verdict})")
    ok = count == expected and not results.errors
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
