"""The house's floors, read from the imports: graph/ never reaches up into the web app or the command, and no
route module of api/ imports another (what routes share lives in api/conneg.py, deps.py, rendering.py …)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROUTE_MODULES = sorted(p.stem for p in (ROOT / "api").glob("*.py") if "router = APIRouter(" in p.read_text())


def imported(path: Path) -> set[str]:
    """Every module `path` imports, by its full name (`from chainkg.api import pages` counts as chainkg.api.pages)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "graph").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_graph_imports_neither_the_web_app_nor_the_command(path):
    upward = {n for n in imported(path) if n.startswith(("chainkg.api", "chainkg.viz", "chainkg.cli"))}
    assert not upward, f"{path.name} reaches up into {sorted(upward)}"


def test_the_route_modules_are_found():
    assert {"pages", "sparql", "store", "views", "browse", "chains", "ingest", "system"} <= set(ROUTE_MODULES)


@pytest.mark.parametrize("name", ROUTE_MODULES)
def test_route_modules_do_not_import_each_other(name):
    others = {f"chainkg.api.{m}" for m in ROUTE_MODULES if m != name}
    assert not imported(ROOT / "api" / f"{name}.py") & others
