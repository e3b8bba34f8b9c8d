#!/usr/bin/env bash
# Development entry points. Needs only Python 3.11 (python3.11 or python3 on PATH).
#   scripts/dev.sh run    create .venv, install, write .env (first run), migrate, bootstrap, load
#                         the demo dataset once, serve on ADDRESS (127.0.0.1:8000)
#                         (DEMO=1: load the demo dataset again; DEMO=0: never)
#   scripts/dev.sh pair   a local and a global instance sharing (scripts/pair.py; --help)
#   scripts/dev.sh test   create .venv if needed, run the whole test suite (extra args go to pytest)
#   scripts/dev.sh lint   ruff check and format check, mypy (types), lint-imports (import
#                         contracts between the apps); settings in pyproject.toml
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
VENV=.venv

venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating the virtualenv $VENV ..."
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when the pinned requirements changed.
    local stamp="$VENV/.requirements.sha"
    local want
    want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "Installing the pinned requirements into $VENV (a minute or so the first time) ..."
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
        # One line per package, so a slow install shows where it is (pipefail: pip's failure
        # still stops the script).
        "$VENV/bin/python" -m pip install --disable-pip-version-check -r requirements-dev.txt \
            | { grep --line-buffered -E '^(Collecting|Successfully installed)' || true; }
        echo "$want" > "$stamp"
        echo "Requirements installed."
    fi
}

case "${1:-}" in
    run)
        venv
        # The local configuration file (.env, or ENV_FILE): DEBUG=1 and a SECRET_KEY, written
        # once, so every later manage.py command in a plain shell uses the same settings.
        "$VENV/bin/python" -m statsservice.envfile init
        "$VENV/bin/python" manage.py migrate --noinput
        "$VENV/bin/python" manage.py bootstrap_dev
        # The seeded demo dataset (3 clients x 4 analyses x 90 days): on the first run only,
        # again with DEMO=1, never with DEMO=0.
        case "${DEMO:-}" in
            1) "$VENV/bin/python" manage.py generate_demo_stats --days-per-batch 7 ;;
            0) ;;
            *) "$VENV/bin/python" manage.py generate_demo_stats --days-per-batch 7 --if-empty ;;
        esac
        exec "$VENV/bin/python" manage.py runserver "${ADDRESS:-127.0.0.1:8000}"
        ;;
    pair)
        venv
        shift
        exec "$VENV/bin/python" scripts/pair.py "$@"
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
        echo "usage: $0 run|pair|test|lint" >&2
        exit 2
        ;;
esac
