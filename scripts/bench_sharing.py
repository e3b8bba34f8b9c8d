"""Benchmark of sharing between two real instances on 127.0.0.1 (prints numbers, asserts none).

    .venv/bin/python scripts/bench_sharing.py [--analyses 200] [--days 3]

Starts a local and a global instance (SQLite files in a temporary directory), posts MONARC-sized
daily batches (~45 KB per analysis: 35 threats, 30 vulnerabilities, ISO 27002 controls) to
the local one, then times stats_push, a re-push, stats_export, stats_import and stats_pull.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statsservice.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

import django

django.setup()

from django.utils import timezone  # noqa: E402

from statsservice.testing.live import Instance, manage  # noqa: E402
from statsservice.testing.seed import sized_batch  # noqa: E402


def instance(name: str, workdir: Path) -> Instance:
    """An instance on a SQLite file, as the sharing tests run them."""
    return Instance(
        name,
        workdir=workdir,
        base_url="",
        workers=1,
        threads=4,
        SHARING_HTTP_RETRIES="1",
        SHARING_HTTP_BACKOFF="0",
        SHARING_HTTP_READ_TIMEOUT="20",
    )


def timed(label: str, instance: Instance, *args: str, **env: str) -> str:
    started = time.monotonic()
    out = manage({**instance.env, **env}, *args).stdout.strip().splitlines()[-1]
    print(f"{label:<28} {time.monotonic() - started:7.2f} s  | {out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--analyses", type=int, default=200)
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        remote = instance("global", root / "g")
        local = instance("local", root / "l")
        try:
            for each in (remote, local):
                each.create()
            _, instance_token = remote.create_client("local-instance", "--remote")
            remote.start()
            local.env.update(REMOTE_STATS_SERVER=remote.url, REMOTE_STATS_TOKEN=instance_token)
            local.start()
            _, token = local.create_client("monarc")
            anrs = [str(uuid.uuid4()) for _ in range(args.analyses)]
            started = time.monotonic()
            for back in range(args.days, 0, -1):
                day = (timezone.localdate() - timedelta(days=back)).isoformat()
                local.post_stats(token, sized_batch(day, anrs))
            records = args.analyses * args.days * 5
            print(f"seeded {records} records via the API in {time.monotonic() - started:.2f} s")
            out = timed("stats_push (first)", local, "stats_push")
            size = re.search(r"\(([\d.]+ \w+)\)", out)
            took = re.search(r"in ([\d.]+) s;", out)
            assert size and took, out  # stats_push's summary line
            seconds = float(took.group(1))
            print(f"  -> {records / max(seconds, 1e-9):.0f} records/s, {size.group(1)} sent")
            # Everything above is younger than the default overlap: show the incremental case.
            timed("stats_push (nothing new)", local, "stats_push", SHARING_PUSH_OVERLAP="0")
            export = root / "export.json.gz"
            timed("stats_export --gzip", local, "stats_export", "--out", str(export), "--gzip")
            print(f"  -> {export.stat().st_size / 1e6:.1f} MB on disk")
            x_uuid, _ = remote.create_client("air-gapped", "--remote")
            timed("stats_import", remote, "stats_import", str(export), "--client", x_uuid)
            p_uuid, _ = local.create_client("pulled", "--remote")
            timed(
                "stats_pull",
                local,
                *["stats_pull", "--client", p_uuid, f"--token={instance_token}"],
                *["--server", remote.url],
            )
        finally:
            local.drop()
            remote.drop()


if __name__ == "__main__":
    main()
