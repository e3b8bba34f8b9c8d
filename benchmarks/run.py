#!/usr/bin/env python3
"""Benchmark the service as deployed: gunicorn on 127.0.0.1 against a given database.

For each dataset size (analyses x days, from `manage.py generate_demo_stats`):
  1. a fresh database (PostgreSQL: a new database next to the given one; SQLite: a new file),
     migrated, filled with the demo dataset, then vacuumed and analysed;
  2. gunicorn (`--workers` sync workers) on a free port of 127.0.0.1, DEBUG=0;
  3. the latency (median, p95) of every processor over the dataset's last year, through
     `GET /api/v1/stats/processed/`, for one client (without `anrs`, then naming its analyses
     as MONARC's dashboard does) and for an admin;
  4. the ingest rate through `POST /api/v1/stats/` (records/s, MB/s, analysis-days/s), with
     `--concurrency` clients each sending MONARC-sized daily batches (`--ingest-analyses`
     analyses x 5 records, ~45 KB each) at the same time;
  5. the peak RSS of the gunicorn processes (master + workers), sampled every 50 ms;
  6. right after 1, the bytes on disk per analysis-day of the dataset (records, facts, rollups,
     each with its indexes) beside the JSON MONARC sent for it (benchmarks/storage.py).

Results go to a JSON file (see --out) and a Markdown table on stdout; `benchmarks/plot.py`
draws the PNG. Example:

    .venv/bin/python benchmarks/run.py --database-url postgres://postgres@127.0.0.1:5432/bench \
        --sizes 1,10,100 --out benchmarks/results-postgresql.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import secrets
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import storage  # noqa: E402
from statsservice.testing.live import (  # noqa: E402
    Gunicorn,
    ScratchDatabase,
    manage,
    service_env,
    token_of,
)

# (label, type, processor, processor_params): every processor with MONARC's empty params, plus
# the threat processor by month (the per-day series over a year is ~60 objects x 365 points).
PROCESSORS = [
    ("risk_averages", "risk", "risk_averages", []),
    ("risk_averages_on_date", "risk", "risk_averages_on_date", []),
    ("threat_average_on_date", "threat", "threat_average_on_date", []),
    ("threat_average_on_date month", "threat", "threat_average_on_date", {"period": "month"}),
    ("vulnerability_average_on_date", "vulnerability", "vulnerability_average_on_date", []),
    ("compliance_averages", "compliance", "compliance_averages", []),
    ("compliance_average_on_date", "compliance", "compliance_average_on_date", []),
    ("cartography_sum", "cartography", "cartography_sum", []),
    ("cartography_average", "cartography", "cartography_average", []),
]

# Who asks (result key, table label): one client without `anrs`; the same client as MONARC's
# dashboard asks, naming its analyses; an admin (every client).
GROUPS = [("client", "client"), ("client_anrs", "client, anrs"), ("admin", "admin")]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def vacuum(db: ScratchDatabase) -> None:
    """Settle a freshly bulk-loaded database before measuring: PostgreSQL's autovacuum
    would otherwise analyse and vacuum the new tables during the measures, on the same two
    cores; SQLite gets fresh planner statistics."""
    if db.is_postgres:
        import psycopg2

        conn = psycopg2.connect(db.url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
        conn.close()
    else:
        import sqlite3

        assert db.path is not None
        lite = sqlite3.connect(db.path)
        lite.execute("ANALYZE")
        lite.close()


def size_mb(db: ScratchDatabase) -> float:
    if db.is_postgres:
        import psycopg2

        conn = psycopg2.connect(db.url)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            row = cur.fetchone()
            assert row is not None  # an aggregate answers one row
            size = row[0]
        conn.close()
        return size / 1e6
    assert db.path is not None
    return db.path.stat().st_size / 1e6


def scratch_database(url: str, suffix: str) -> ScratchDatabase:
    """A fresh database per dataset size, of the kind `url` names: next to it on PostgreSQL,
    a file beside it for SQLite."""
    if url.startswith("postgres"):
        return ScratchDatabase(url, label=suffix)
    path = Path(url.removeprefix("sqlite:///"))
    return ScratchDatabase(url, label=f"{path.stem}_{suffix}", directory=path.parent)


class Server(Gunicorn):
    """gunicorn serving the project, with an RSS sampler over its process tree."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        super().__init__(env, workers=workers, args=["--timeout", "300"], log=log)
        self.peak_total_kb = 0
        self.peak_worker_kb = 0
        self._stop = threading.Event()

    def __enter__(self) -> Server:
        self.start()
        assert self.process is not None
        self._master = self.process.pid
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _tree(self) -> list[int]:
        pids = [self._master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self._master:
                    pids.append(int(entry.name))
        return pids

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        pids = self._tree()
        last_scan = time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - last_scan > 2:  # workers may be restarted
                pids, last_scan = self._tree(), time.monotonic()
            sizes = [self._rss_kb(pid) for pid in pids]
            self.peak_total_kb = max(self.peak_total_kb, sum(sizes))
            self.peak_worker_kb = max(self.peak_worker_kb, max(sizes[1:], default=0))
            time.sleep(0.05)

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._sampler.join()
        self.stop()


def run_manage(env: dict[str, str], *args: str) -> str:
    """Output of a manage.py command, however long it takes (large datasets take long)."""
    return manage(env, *args, timeout=None).stdout


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure_latency(
    server: Server, token: str, first: date, last: date, repeats: int, anrs: list[str] | None = None
) -> dict[str, dict[str, float]]:
    results = {}
    session = requests.Session()
    headers = {"X-API-KEY": token, "Content-Type": "application/json"}
    for label, stats_type, name, params in PROCESSORS:
        query = {
            "type": stats_type,
            "processor": name,
            "processor_params": params,
            "date_from": first.isoformat(),
            "date_to": last.isoformat(),
        }
        if anrs:
            query["anrs"] = anrs
        body = json.dumps(query)
        times, size = [], 0
        warmup = server.workers  # one call per worker warms its caches and connection
        for attempt in range(repeats + warmup):
            started = time.perf_counter()
            reply = session.request(
                "GET", f"{server.url}/api/v1/stats/processed/", data=body, headers=headers
            )
            elapsed = time.perf_counter() - started
            if reply.status_code != 200:
                raise RuntimeError(f"{name}: {reply.status_code} {reply.text[:300]}")
            size = len(reply.content)
            if attempt >= warmup:
                times.append(elapsed * 1000)
        results[label] = {
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "response_kb": round(size / 1000, 1),
        }
        log(f"  {label}: median {results[label]['median_ms']} ms")
    return results


def reference_cpu_ms() -> float:
    """A fixed pure-Python workload (best of 5), timed before each size: the VM's speed drifts
    from hour to hour, and this tells a slow run of the machine from a slow change of the code."""
    best = math.inf
    for _ in range(5):
        started = time.process_time()
        sum(i * i % 7 for i in range(1_000_000))
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def setup_django(env: dict[str, str]) -> None:
    """This process imports the demo generator (stats.demo), which needs Django's settings."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "DEBUG")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statsservice.settings")
    import django

    django.setup()


def monarc_anrs(env: dict[str, str], *, seed: int, analyses: int) -> list[str]:
    """What MONARC's dashboard sends as `anrs` for demo-1's CEO: every analysis it has, one
    of them with collection switched off (so unknown here)."""
    setup_django(env)
    from stats import demo

    known = [str(demo.analysis_uuid(seed, 0, index)) for index in range(analyses)]
    return [*known, str(uuid.uuid5(uuid.NAMESPACE_URL, "collection-off"))]


def measure_ingest(
    server: Server, env: dict[str, str], *, clients: int, analyses: int, days: list[date], seed: int
) -> dict[str, float]:
    setup_django(env)
    from stats import demo

    tokens = [
        token_of(run_manage(env, "client_create", "--name", f"bench-ingest-{secrets.token_hex(4)}"))
        for _ in range(clients)
    ]
    bodies: list[list[bytes]] = []
    for index in range(clients):
        bodies.append(
            [
                json.dumps(
                    demo.client_day(
                        seed=seed + 1000, client_index=index, analyses=analyses, day=d, progress=1
                    ),
                    separators=(",", ":"),
                ).encode()
                for d in days
            ]
        )
    total_bytes = sum(len(b) for per_client in bodies for b in per_client)
    latencies: list[float] = []

    def send(index: int) -> None:
        session = requests.Session()
        for body in bodies[index]:
            started = time.perf_counter()
            reply = session.post(
                f"{server.url}/api/v1/stats/",
                data=body,
                headers={"X-API-KEY": tokens[index], "Content-Type": "application/json"},
            )
            latencies.append(time.perf_counter() - started)
            if reply.status_code != 201:
                raise RuntimeError(f"POST: {reply.status_code} {reply.text[:300]}")

    cpu_before = machine_cpu()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, range(clients)))
    elapsed = time.perf_counter() - started
    cpu_after = machine_cpu()
    busy = (cpu_after[0] - cpu_before[0]) / max(1, cpu_after[1] - cpu_before[1])
    analysis_days = clients * analyses * len(days)
    return {
        "posts": clients * len(days),
        "post_mb": round(total_bytes / (clients * len(days)) / 1e6, 2),
        "seconds": round(elapsed, 2),
        "records_per_s": round(analysis_days * 5 / elapsed, 1),
        "mb_per_s": round(total_bytes / 1e6 / elapsed, 2),
        "analysis_days_per_s": round(analysis_days / elapsed, 1),
        "post_median_ms": round(statistics.median(latencies) * 1000, 1),
        # Share of the machine's CPU time that was busy (all processes, this client included).
        "cpu_busy": round(busy, 2),
    }


def measure_storage(
    db: ScratchDatabase,
    env: dict[str, str],
    args: argparse.Namespace,
    clients: int,
    per_client: int,
    last: date,
) -> dict[str, Any]:
    """Bytes on disk per analysis-day of the generated dataset, beside its JSON size."""
    setup_django(env)
    from stats import demo

    json_per_day = storage.json_bytes_per_analysis_day(
        seed=args.seed, clients=clients, analyses=per_client, days=demo.days_back(last, args.days)
    )
    measured = storage.measure(
        db, analysis_days=clients * per_client * args.days, json_per_day=json_per_day
    )
    log(
        f"  on disk {measured['stored_bytes_per_analysis_day'] / 1000:.1f} KB per analysis-day "
        f"(records, facts, rollups), {measured['stored_to_json']} x the JSON received"
    )
    return measured


def layout(analyses: int) -> tuple[int, int]:
    """Clients and analyses per client: up to 10 analyses per client (100 = 10 x 10)."""
    clients = max(1, math.ceil(analyses / 10))
    return clients, analyses // clients


def run_size(args: argparse.Namespace, analyses: int) -> dict[str, Any]:
    clients, per_client = layout(analyses)
    db = scratch_database(args.database_url, f"a{analyses}").create()
    env = service_env(db.url, secrets.token_urlsafe(50))
    # The dataset ends before the ingest days, which end today.
    last = date.today() - timedelta(days=args.ingest_days)
    first = last - timedelta(days=args.days - 1)
    ingest_days = [last + timedelta(days=i + 1) for i in range(args.ingest_days)]
    result: dict[str, Any] = {
        "analyses": analyses,
        "clients": clients,
        "days": args.days,
        "client_analyses": per_client,
    }
    try:
        run_manage(env, "migrate", "--noinput")
        log(f"{analyses} analyses ({clients} x {per_client}) x {args.days} days: generating")
        started = time.perf_counter()
        run_manage(
            env,
            "generate_demo_stats",
            "--clients",
            str(clients),
            "--analyses",
            str(per_client),
            "--days",
            str(args.days),
            "--end-date",
            last.isoformat(),
            "--days-per-batch",
            "7",
            "--seed",
            str(args.seed),
        )
        result["generate_s"] = round(time.perf_counter() - started, 1)
        vacuum(db)
        result["database_mb"] = round(size_mb(db), 1)
        result["storage"] = measure_storage(db, env, args, clients, per_client, last)
        log(f"  generated in {result['generate_s']} s, {result['database_mb']} MB")
        admin = token_of(
            run_manage(env, "client_create", "--name", "bench-admin", "--role", "admin")
        )
        demo_uuid = next(
            line.split()[0]
            for line in run_manage(env, "client_list").splitlines()
            if " demo-1 " in line
        )
        one = token_of(run_manage(env, "client_rotate_token", "--uuid", demo_uuid))
        # Other jobs on a shared machine skew timings: record the load around the measures.
        result["load_avg_before"] = [round(v, 2) for v in os.getloadavg()]
        result["reference_cpu_ms"] = reference_cpu_ms()
        log_path = ROOT / "output" / f"benchmark-gunicorn-a{analyses}.log"
        with Server(env, args.workers, log_path) as server:
            log("  latency, one client")
            result["client"] = measure_latency(server, one, first, last, args.repeats)
            log("  latency, one client with MONARC's anrs")
            anrs = monarc_anrs(env, seed=args.seed, analyses=per_client)
            result["client_anrs"] = measure_latency(server, one, first, last, args.repeats, anrs)
            log("  latency, admin")
            result["admin"] = measure_latency(server, admin, first, last, args.repeats)
            log("  ingest")
            result["ingest"] = measure_ingest(
                server,
                env,
                clients=args.concurrency,
                analyses=args.ingest_analyses,
                days=ingest_days,
                seed=args.seed,
            )
            log(f"  ingest: {result['ingest']}")
        result["load_avg_after"] = [round(v, 2) for v in os.getloadavg()]
        result["peak_rss_mb"] = round(server.peak_total_kb / 1024, 1)
        result["peak_worker_rss_mb"] = round(server.peak_worker_kb / 1024, 1)
    finally:
        if not args.keep:
            db.drop()
    return result


def markdown(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    head = " | ".join(f"{s['analyses']} x {s['days']}" for s in sizes)
    lines = [
        f"**{results['vendor']}** ({results['workers']} gunicorn workers)",
        "",
        f"| processor (median / p95 ms) | {head} |",
        "|---|" + "---|" * len(sizes),
    ]
    for who, label in GROUPS:
        if not all(who in s for s in sizes):
            continue
        for name, *_ in PROCESSORS:
            cells = " | ".join(
                f"{s[who][name]['median_ms']} / {s[who][name]['p95_ms']}" for s in sizes
            )
            lines.append(f"| {name} ({label}) | {cells} |")
    rows = [
        ("ingest analysis-days/s", lambda s: s["ingest"]["analysis_days_per_s"]),
        ("ingest records/s", lambda s: s["ingest"]["records_per_s"]),
        ("ingest MB/s", lambda s: s["ingest"]["mb_per_s"]),
        ("POST median ms", lambda s: s["ingest"]["post_median_ms"]),
        ("POST size MB", lambda s: s["ingest"]["post_mb"]),
        ("CPU busy during ingest, share of 2 cores", lambda s: s["ingest"].get("cpu_busy", "?")),
        ("peak RSS MB, all processes", lambda s: s["peak_rss_mb"]),
        ("peak RSS MB, largest worker", lambda s: s["peak_worker_rss_mb"]),
        ("database MB", lambda s: s["database_mb"]),
        *storage.markdown_rows(),
        ("generate_demo_stats s", lambda s: s["generate_s"]),
        ("reference CPU work ms (machine speed, lower is faster)",
            lambda s: s.get("reference_cpu_ms", "?")),
        ("load average (1 min) before / after", lambda s: "{} / {}".format(
            s.get("load_avg_before", ["?"])[0], s.get("load_avg_after", ["?"])[0])),
    ]  # fmt: skip
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(str(cell(s)) for s in sizes) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="postgres://… or sqlite:///path")
    parser.add_argument("--sizes", default="1,10,100", help="analyses per dataset (1,10,100)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=10, help="timed calls per processor")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="clients posting at once")
    parser.add_argument("--ingest-analyses", type=int, default=20, help="analyses per POST")
    parser.add_argument("--ingest-days", type=int, default=10, help="POSTs per client")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--out", help="JSON results file")
    args = parser.parse_args()

    results: dict[str, Any] = {
        "vendor": "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite",
        "workers": args.workers,
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "sizes": [],
    }
    for size in (int(s) for s in args.sizes.split(",")):
        results["sizes"].append(run_size(args, size))
        if args.out:  # keep partial results of long runs
            Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    print(markdown(results))


if __name__ == "__main__":
    main()
