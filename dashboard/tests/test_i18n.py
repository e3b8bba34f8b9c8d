"""The French catalogue: complete, and its committed .mo files compiled from the current .po.

The .mo files are committed because compiling needs GNU gettext's msgfmt, which a fresh machine
may lack; this test catches a .po edited without recompiling (manage.py compilemessages).
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def entries(po: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po written with --no-wrap (one line each)."""
    result: dict[str, str] = {}
    msgid = None
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            msgid = ast.literal_eval(line[6:])
        elif line.startswith("msgstr ") and msgid:
            result[msgid] = ast.literal_eval(line[7:])
            msgid = None
    return result


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_is_translated_and_compiled(domain):
    source = entries(LOCALE / f"{domain}.po")
    assert source
    with open(LOCALE / f"{domain}.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for msgid, msgstr in source.items():
        assert msgstr, f"untranslated: {msgid!r}"
        assert compiled.gettext(msgid) == msgstr, f"{domain}.mo is stale for {msgid!r}"
