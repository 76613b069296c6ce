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


PYTHON = sorted(p for floor in ("graph", "api", "viz", "chainkg") for p in (ROOT / floor).rglob("*.py"))
RUNNER = ROOT / "graph" / "queries" / "__init__.py"


def attributes(path: Path) -> set[str]:
    """Every `module.attribute` a file reads, and every function it defines (as `def name`)."""
    tree = ast.parse(path.read_text(), str(path))
    found = {f"{n.value.id}.{n.attr}" for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
    return found | {f"def {n.name}" for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


@pytest.mark.parametrize("path", [p for p in PYTHON if p != RUNNER], ids=lambda p: str(p.relative_to(ROOT)))
def test_named_queries_run_only_through_the_runner(path):
    """Nothing reads a named query's text to run it on its own, or binds parameters itself: graph.queries does."""
    assert not {"queries.text", "queries.bind", "queries.run", "def bind_parameters", "def select_values",
                "def select_for"} & attributes(path)


@pytest.mark.parametrize("path", [p for p in PYTHON if p != ROOT / "graph" / "namespaces.py"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_one_local_name(path):
    assert "def local_name" not in attributes(path)


FORMATS = ROOT / "graph" / "formats.py"
# RDF and SPARQL-results media types (not text/csv: the views' edge lists are CSV too).
SYNTAX_MEDIA_TYPES = ("text/turtle", "application/n-triples", "application/n-quads", "application/trig",
                      "application/ld+json", "application/rdf+xml", "application/sparql-results", "text/n3",
                      "text/tab-separated-values")


def code_strings(path: Path) -> set[str]:
    """The string constants of a file's code: docstrings (and so doctests) left out."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {id(body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and (body := n.body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docstrings}


@pytest.mark.parametrize("path", [p for p in PYTHON if p != FORMATS], ids=lambda p: str(p.relative_to(ROOT)))
def test_syntaxes_and_insert_data_come_from_graph_formats(path):
    """No module keeps its own table of RDF or results media types, or writes INSERT DATA text: graph/formats.py's
    tables (each row with pyoxigraph's format) and its insert_data do."""
    own = {s for s in code_strings(path) if s.lower().startswith(SYNTAX_MEDIA_TYPES) or "INSERT DATA" in s}
    assert not own, f"{path.name} names {sorted(own)}: use graph/formats.py"
