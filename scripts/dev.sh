#!/usr/bin/env bash
# Development entry points. Needs only Python 3.11 (python3.11 or python3 on PATH).
#   scripts/dev.sh run    create .venv, install, migrate, bootstrap, serve on 127.0.0.1:8000
#                         (DEMO=1: first load the demo dataset, generate_demo_stats)
#   scripts/dev.sh test   create .venv if needed, run the whole test suite (extra args go to pytest)
#   scripts/dev.sh lint   ruff check and format check, mypy (types), lint-imports (import
#                         contracts between the apps); settings in pyproject.toml
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV=.venv

venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when the pinned requirements changed.
    local stamp="$VENV/.requirements.sha"
    local want
    want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        "$VENV/bin/python" -m pip install --quiet -r requirements-dev.txt
        echo "$want" > "$stamp"
    fi
}

case "${1:-}" in
    run)
        venv
        export DEBUG="${DEBUG:-1}"
        "$VENV/bin/python" manage.py migrate --noinput
        "$VENV/bin/python" manage.py bootstrap_dev
        # DEMO=1 fills the database with the seeded demo dataset (3 clients x 4 analyses x 90 days).
        if [ "${DEMO:-0}" = "1" ]; then
            "$VENV/bin/python" manage.py generate_demo_stats --days-per-batch 7
        fi
        exec "$VENV/bin/python" manage.py runserver "${ADDRESS:-127.0.0.1:8000}"
        ;;
    test)
        venv
        shift
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    lint)
        venv
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        # mypy's Django plugin loads the settings: with DEBUG on they make up their own SECRET_KEY.
        DEBUG=1 "$VENV/bin/mypy"
        "$VENV/bin/lint-imports"
        ;;
    *)
        echo "usage: $0 run|test|lint" >&2
        exit 2
        ;;
esac
