"""The `chainkg` command: a thin layer of typer over chainkg.graph, and over chainkg.api's app factory for `serve`.

It sits on the top floor because it is the one part that uses both: graph/ never imports the web app. Every
failure is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import pydantic
import pyoxigraph as ox
import rich.progress
import typer
from rich.console import Console
from rich.table import Table

from chainkg.graph import formats, loader, stats as graph_stats
from chainkg.graph.settings import Settings
from chainkg.graph.store import KnowledgeGraph

app = typer.Typer(
    help="chainkg: an industry-chain knowledge graph. Load, query, validate and serve it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


class CliError(Exception):
    """An error to show as one line."""


def main() -> None:
    """Entry point of the console script: run the app, turning known errors into one-line messages."""
    try:
        app()
    except (CliError, loader.LoadError, formats.UnknownFormat) as error:
        _fail(str(error))
    except pydantic.ValidationError as error:
        _fail("bad setting: " + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    except SyntaxError as error:
        _fail(f"bad SPARQL: {error}")
    except OSError as error:
        _fail(_os_message(error))


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise SystemExit(1)


def _os_message(error: OSError) -> str:
    text = str(error)
    if "lock" in text.lower():
        return "the store is in use by another process (is `chainkg serve` running?); stop it or use --store"
    return text


# ---------------------------------------------------------------------- shared options
_settings_overrides: dict[str, object] = {}


@app.callback()
def _options(
    store: Annotated[Optional[str], typer.Option(help="Store directory, or ':memory:'. Env: CHAINKG_STORE.")] = None,
    base_iri: Annotated[Optional[str], typer.Option(help="Base of instance IRIs. Env: CHAINKG_BASE_IRI.")] = None,
) -> None:
    """Options shared by every command; everything else comes from CHAINKG_* settings (`chainkg settings`)."""
    _settings_overrides.clear()
    if store is not None:
        _settings_overrides["store"] = store
    if base_iri is not None:
        _settings_overrides["base_iri"] = base_iri


def _settings(**more: object) -> Settings:
    return Settings(**{**_settings_overrides, **more})


def _graph(**more: object) -> KnowledgeGraph:
    return KnowledgeGraph(_settings(**more))


# ---------------------------------------------------------------------- commands
@app.command()
def load(
    files: Annotated[list[Path], typer.Argument(help="RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML).")] = None,
    graph: Annotated[Optional[str], typer.Option(help="Named graph for triple formats (default: the default graph).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="Syntax, if the suffix does not tell.")] = None,
    validate: Annotated[bool, typer.Option(help="Check the SHACL shapes before committing.")] = True,
    shipped: Annotated[bool, typer.Option(help="(Re)load the shipped ontology and curated graph.")] = False,
) -> None:
    """Load files all-or-nothing: one bad file or shape violation loads nothing."""
    _say_writes()
    kg = _graph()
    if shipped:
        changed = loader.load_shipped(kg, force=True)
        out.print(f"shipped graph {'loaded' if changed else 'unchanged'}: {len(kg):,} quads in the store")
    if not files:
        if not shipped:
            raise CliError("nothing to load: name files or pass --shipped")
        return
    syntax = formats.by_name(format) if format else None
    with rich.progress.Progress(transient=True, console=err, disable=not err.is_terminal) as progress:
        def opener(path: Path):
            return progress.open(path, "rb", description=f"parsing {path.name}")

        result = loader.load_files(kg, files, syntax=syntax, graph=graph, validate_shapes=validate, opener=opener)
    total = result.total if result.total is not None else len(kg)
    out.print(f"loaded {result.quads:,} quads from {result.files} file(s); {total:,} quads in the store")


def _say_writes() -> None:
    """Print the store's 'write started / committed' lines on stderr, so a long commit shows while it runs."""
    writes = logging.getLogger("chainkg.store")
    if not writes.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        writes.addHandler(handler)
        writes.setLevel(logging.INFO)
        writes.propagate = False


@app.command()
def query(
    sparql: Annotated[Optional[str], typer.Argument(help="SPARQL text; or use --file.")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", "-i", help="Read the query from a file.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="table, json, xml, csv, tsv (results) or an RDF syntax.")] = "table",
) -> None:
    """Run a SPARQL query over the union of all graphs."""
    if (sparql is None) == (file is None):
        raise CliError("give the query as an argument or with --file, not both")
    text = file.read_text(encoding="utf-8") if file else sparql
    results = _graph().query(text)
    if not isinstance(results, (ox.QuerySolutions, ox.QueryBoolean)):  # triples (a list on an external store)
        syntax = formats.by_name("turtle" if output == "table" else output)
        sys.stdout.buffer.write(ox.serialize(list(results), format=syntax.oxigraph) or b"")
        return
    if output == "table":
        _print_table(results)
        return
    try:
        syntax = formats.result_by_name(output)
    except formats.UnknownFormat:
        raise CliError(f"unknown output {output!r} for results: use table, "
                       + ", ".join(s.name for s in formats.RESULT_SYNTAXES)) from None
    sys.stdout.buffer.write(results.serialize(format=syntax.oxigraph))


def _print_table(results: ox.QuerySolutions | ox.QueryBoolean) -> None:
    if isinstance(results, ox.QueryBoolean):
        out.print("true" if bool(results) else "false")
        return
    variables = [v.value for v in results.variables]
    table = Table(*variables, show_lines=False)
    count = 0
    for row in results:
        table.add_row(*[_cell(row[v]) for v in variables])
        count += 1
    out.print(table)
    out.print(f"{count} row(s)")


def _cell(term: object) -> str:
    if term is None:
        return ""
    return term.value if isinstance(term, (ox.Literal, ox.NamedNode)) else str(term)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Files to check against the store; none = the shipped graph.")] = None,
) -> None:
    """Check files (or the shipped graph) against the SHACL shapes and the article quotes, without loading."""
    kg = _graph(store=":memory:") if not files else _graph()
    quads = [q for f in files for q in loader.parse_file(f, base_iri=kg.settings.base_iri)] if files else None
    report = loader.check_files(kg, quads, tuple(dict.fromkeys(f.resolve().parent for f in files or ())))
    if not report.ok:
        raise CliError(f"{len(report.problems)} problem(s):\n{report}")
    out.print(str(report), highlight=False, markup=False)


@app.command()
def ingest(
    article: Annotated[Path, typer.Argument(help="The article's text (UTF-8), simplified or traditional script.")],
    date: Annotated[Optional[str], typer.Option(help="The article's date, YYYY[-MM[-DD]]: 今年/去年 resolve against it.")] = None,
    title: Annotated[Optional[str], typer.Option(help="The article's title (default: its first headline-like line).")] = None,
    draft_path: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write a draft (TriG, curated format) here.")] = None,
    min_confidence: Annotated[float, typer.Option(help="Candidates below this confidence stay out of the draft.")] = 0.5,
    as_json: Annotated[bool, typer.Option("--json", help="Print every candidate as JSON instead of a summary.")] = False,
) -> None:
    """Propose entities, relations, statistics and events of an article, each with its sentence; --out writes
    them as a draft to review and `chainkg load`. Nothing is written to the store."""
    from chainkg.graph.ingest import ArticleDate, Gazetteer, IngestError, analyse, draft

    settings = _settings()
    kg = KnowledgeGraph(settings)
    if settings.load_shipped:  # as `serve` does: the gazetteer knows the shipped graph's names
        loader.load_shipped(kg)
    try:
        when = ArticleDate.parse(date) if date else None
    except ValueError as error:
        raise CliError(str(error)) from None
    try:
        data = article.read_bytes()
    except OSError as error:
        raise CliError(f"{article}: {error.strerror or error}") from None
    try:
        analysis = analyse(data, functools.partial(Gazetteer.from_graph, kg), date=when, title=title,
                           source=article.name, max_chars=settings.ingest_max_chars)
        quads = draft.build(analysis, draft.Decisions.accept_all(analysis, min_confidence), kg) if draft_path else []
    except IngestError as error:
        raise CliError(f"{article}: {error}") from None
    if as_json:
        sys.stdout.write(json.dumps(analysis.as_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        out.print(f"{article.name}: {len(analysis.sentences)} sentences, {len(analysis.mentions)} entity mentions, "
                  f"{len(analysis.relations)} relations, {len(analysis.figures)} statistics, {len(analysis.events)} "
                  f"events (date {analysis.date.literal()[0]}{'' if date else ', guessed: give --date'})")
    if draft_path:
        draft_path.write_text(draft.to_trig(quads, kg), encoding="utf-8")
        err.print(f"draft written to {draft_path} ({len(quads):,} quads): review it, then `chainkg load {draft_path}`")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="turtle, ntriples, nquads, trig, jsonld, rdfxml.")] = "trig",
    graph: Annotated[Optional[str], typer.Option(help="Only this named graph.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default stdout).")] = None,
) -> None:
    """Write the store (or one graph) in any supported syntax; triple syntaxes get the union of all graphs."""
    data = _graph().dump(formats.by_name(format).oxigraph, graph=graph)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Entities per class, facts, and the share of facts with provenance."""
    result = graph_stats.compute(_graph())
    summary = {
        "quads": result.quads,
        "entities": result.entities,
        "entities_per_class": result.entities_per_class,
        "facts": result.facts,
        "facts_with_provenance": result.facts_with_provenance,
        "facts_with_quote": result.facts_with_quote,
        "unsourced_default_graph_triples": result.unsourced_default_graph,
        "provenance_share": round(result.provenance_share, 4),
    }
    if as_json:
        out.print_json(json.dumps(summary, ensure_ascii=False))
        return
    table = Table("class", "entities")
    for name, count in result.entities_per_class.items():
        table.add_row(name, str(count))
    out.print(table)
    out.print(
        f"{result.entities:,} entities, {result.facts:,} facts; with provenance "
        f"{result.provenance_share:.1%} ({result.facts_with_quote:,} quoted from articles)"
    )


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Interface (default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default 8000).")] = None,
    store: Annotated[Optional[str], typer.Option(help="Store directory (the same as `chainkg --store DIR serve`).")] = None,
) -> None:
    """Serve the SPARQL endpoint, REST API and explorer with uvicorn; the first start loads the shipped graph."""
    from chainkg.api import http_server

    overrides = {k: v for k, v in {"host": host, "port": port, "store": store}.items() if v is not None}
    http_server.serve(_settings(**overrides))


@app.command("settings")
def show_settings() -> None:
    """List every setting, its environment variable, current value and meaning."""
    settings = _settings()
    table = Table("environment variable", "value", "meaning")
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        shown = "(set)" if isinstance(value, pydantic.SecretStr) else str(value)
        table.add_row(f"CHAINKG_{name.upper()}", shown, info.description or "")
    out.print(table)


if __name__ == "__main__":
    main()
