"""The local configuration file (`.env`): read by the settings, written by the first dev run.

Lines are `NAME=value` (an optional `export ` prefix; the value optionally in single or double
quotes; `#` starts a comment line), which a shell (`set -a; . .env`), systemd's EnvironmentFile
and docker's env_file read alike. Variables of the environment always win over the file.

`ENV_FILE` names the file (default: `.env` at the project root; empty: no file). Nothing here
imports Django: `python -m statsservice.envfile init` runs before any settings exist.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / ".env"
_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")


def path() -> Path | None:
    """The configuration file in use, or None when ENV_FILE is set empty."""
    configured = os.environ.get("ENV_FILE")
    if configured is None:
        return DEFAULT_PATH
    if not configured.strip():
        return None
    given = Path(configured)
    return given if given.is_absolute() else ROOT / given


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def parse(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is not None:
            values[match.group(1)] = _unquote(match.group(2))
    return values


def read(file: Path | None) -> dict[str, str]:
    """The file's variables ({} when there is no file)."""
    if file is None or not file.is_file():
        return {}
    return parse(file.read_text(encoding="utf-8"))


def _first_run_text(file: Path) -> str:
    lines = [
        "# Written by the first `scripts/dev.sh run`: the development settings of this checkout.",
        "# Every manage.py command reads it; variables exported in the shell win over it.",
        "# See .env.example for every setting. Never commit this file.",
        "DEBUG=1",
        f"SECRET_KEY={secrets.token_urlsafe(50)}",
    ]
    if file.resolve() != DEFAULT_PATH.resolve():
        # A second instance (scripts/dev.sh pair): its own database and files beside its settings.
        lines.append(f"VAR_DIR={file.resolve().parent}")
    return "\n".join(lines) + "\n"


def init(file: Path) -> str:
    """Create `file` with a generated SECRET_KEY and DEBUG=1, or give an existing one a
    SECRET_KEY if it lacks one; says what was done."""
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.touch(mode=0o600)
        file.write_text(_first_run_text(file), encoding="utf-8")
        return f"Wrote {file} (DEBUG=1 and a generated SECRET_KEY)."
    if read(file).get("SECRET_KEY"):
        return f"Using {file}."
    text = file.read_text(encoding="utf-8")
    key = f"SECRET_KEY={secrets.token_urlsafe(50)}"
    if re.search(r"^\s*(?:export\s+)?SECRET_KEY\s*=.*$", text, flags=re.MULTILINE):
        text = re.sub(r"^\s*(?:export\s+)?SECRET_KEY\s*=.*$", key, text, flags=re.MULTILINE)
    else:
        text = text + ("" if text.endswith("\n") or not text else "\n") + key + "\n"
    file.write_text(text, encoding="utf-8")
    return f"Added a generated SECRET_KEY to {file}."


def main(argv: list[str]) -> int:
    if argv != ["init"]:
        print("usage: python -m statsservice.envfile init", file=sys.stderr)
        return 2
    file = path()
    if file is None:
        print("ENV_FILE is empty: no configuration file written.")
        return 0
    print(init(file))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
