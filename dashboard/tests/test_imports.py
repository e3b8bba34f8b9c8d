"""What the dashboard may import from the aggregation engine."""

import ast
from pathlib import Path

import stats.processors

DASHBOARD = Path(__file__).resolve().parent.parent


def processor_imports() -> list[tuple[str, str, str]]:
    """(file, module, name) of every import from stats.processors in the dashboard's code."""
    found = []
    for path in DASHBOARD.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "stats.processors"
            ):
                found += [(path.name, node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [
                    (path.name, alias.name, "*")
                    for alias in node.names
                    if alias.name.startswith("stats.processors")
                ]
    return found


def test_the_dashboard_uses_only_the_public_names_of_the_processors():
    imports = processor_imports()
    assert imports, "the dashboard reads the processors"
    for file, module, name in imports:
        assert module == "stats.processors", f"{file} imports {module}"
        assert name in stats.processors.__all__, f"{file} imports {name}"


def test_the_public_periods_are_the_processors_own():
    from dashboard import public

    assert public.PERIODS is stats.processors.PERIODS
