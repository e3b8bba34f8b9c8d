"""gunicorn.conf.py takes workers, address and timeout from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def resolved_config(env: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pairs = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def test_it_has_safe_defaults():
    config = resolved_config({})
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["workers"] == "2"
    assert config["timeout"] == "120"
    assert config["wsgi_app"] == "statsservice.wsgi:application"
    # Threads: a client trickling its request holds one thread, not a whole worker.
    assert config["worker_class"] == "gthread"
    assert config["threads"] == "8"


def test_it_reads_the_environment():
    config = resolved_config(
        {
            "GUNICORN_WORKERS": "5",
            "GUNICORN_BIND": "0.0.0.0:9000",
            "GUNICORN_TIMEOUT": "30",
            "GUNICORN_THREADS": "3",
        }
    )
    assert config["threads"] == "3"
    assert config["bind"] == "['0.0.0.0:9000']"
    assert config["workers"] == "5"
    assert config["timeout"] == "30"


def test_workers_freeze_the_loaded_application_out_of_the_garbage_collector():
    # In a child interpreter: the hook changes process-wide collector settings.
    script = (
        "import gc, runpy; hooks = runpy.run_path('gunicorn.conf.py'); "
        "hooks['post_worker_init'](None); "
        "print(gc.get_freeze_count() > 0, gc.get_threshold())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split(None, 1) == ["True", "(10000, 10, 10)\n"]


def test_the_sample_deployments_listen_on_the_hosts_loopback_only():
    compose = (BASE_DIR / "docker-compose.yml").read_text()
    published = [line.split('"')[1] for line in compose.splitlines() if ':8000:8000"' in line]
    assert published == ["127.0.0.1:8000:8000"]
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "-p 127.0.0.1:8000:8000" in dockerfile
    assert "-p 8000:8000" not in dockerfile
    # The systemd unit leaves the address to gunicorn.conf.py, whose default is the loopback.
    unit = (BASE_DIR / "contrib" / "statsservice.service").read_text().splitlines()
    settings = [line for line in unit if line.startswith(("Exec", "Environment="))]
    assert not any("GUNICORN_BIND" in line or "--bind" in line for line in settings)
    assert resolved_config({})["bind"] == "['127.0.0.1:8000']"
