"""Exports of a View (graph/views.py) as node-link JSON, GraphML, GEXF (for Gephi) and a CSV edge list.

Every format carries the same attributes; where a format has no lists (GraphML, GEXF, CSV) a list becomes its items
joined by "; ", and missing values are left out. Pure functions of a View: nothing here reads the store.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from chainkg.graph.views import View

LIST_SEPARATOR = "; "
CSV_COLUMNS = (
    "source", "target", "relation", "relations", "label_zh", "label_en",
    "source_label_zh", "source_label_en", "source_kind", "target_label_zh", "target_label_en", "target_kind",
)


def node_link(view: View, id_base: str | None = None) -> dict:
    """The view as networkx node-link data (`nx.node_link_graph` reads it back), with the view's title, focus and
    omitted count beside it and in `graph`. With `id_base`, nodes under it get `local_id` (the IRI less the base).

    >>> import networkx as nx
    >>> view = View("甲", "A", nx.DiGraph([("http://x/id/a", "http://x/id/b")]), omitted=2, focus="http://x/id/a")
    >>> data = node_link(view, "http://x/id/")
    >>> data["omitted"], data["nodes"][0], data["edges"][0]
    (2, {'local_id': 'a', 'id': 'http://x/id/a'}, {'source': 'http://x/id/a', 'target': 'http://x/id/b'})
    """
    graph = _with_metadata(view, id_base)
    data = nx.node_link_data(graph, edges="edges")
    return {"title_zh": view.title_zh, "title_en": view.title_en, "focus": view.focus, "omitted": view.omitted,
            "max_nodes": view.max_nodes, **data}


def node_link_json(view: View, id_base: str | None = None) -> bytes:
    return json.dumps(node_link(view, id_base), ensure_ascii=False).encode()


def graphml(view: View, id_base: str | None = None) -> bytes:
    """GraphML (yEd, Cytoscape, networkx), UTF-8."""
    return "\n".join(nx.generate_graphml(_flat(view, id_base))).encode()


def gexf(view: View, id_base: str | None = None) -> bytes:
    """GEXF 1.2 for Gephi; each node's Gephi label is its Chinese name (label_en is an attribute)."""
    graph = _flat(view, id_base)
    for _, attributes in graph.nodes(data=True):
        if "label_zh" in attributes:
            attributes["label"] = attributes["label_zh"]
    return "\n".join(nx.generate_gexf(graph)).encode()


def csv_edges(view: View, id_base: str | None = None) -> bytes:
    """One row per edge with both ends' names and kinds (nodes without an edge are not in an edge list)."""
    graph = _flat(view, id_base)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for source, target, attributes in graph.edges(data=True):
        row = {"source": source, "target": target, **attributes}
        for end, node in (("source", source), ("target", target)):
            for key in ("label_zh", "label_en", "kind"):
                row[f"{end}_{key}"] = graph.nodes[node].get(key, "")
        writer.writerow({key: defused(value) for key, value in row.items()})
    return out.getvalue().encode()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(value: object) -> object:
    """A CSV cell that a spreadsheet would not run as a formula (CSV injection, OWASP): text beginning with
    `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Labels come from uploads and articles, so
    a label like `=HYPERLINK(…)` must stay text when an analyst opens the edge list; numbers are left alone.

    >>> defused("=HYPERLINK(1)"), defused("@SUM(A1)"), defused("-1.5"), defused(-3), defused("中元汇吉")
    ("'=HYPERLINK(1)", "'@SUM(A1)", '-1.5', -3, '中元汇吉')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS) or _is_number(value):
        return value
    return "'" + value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in ("inf", "infinity", "nan")


@dataclass(frozen=True)
class Format:
    """An export format: its media type, file extension and writer."""

    media_type: str
    extension: str
    write: Callable[[View, str | None], bytes]


FORMATS: dict[str, Format] = {
    "node-link": Format("application/json", "json", node_link_json),
    "graphml": Format("application/graphml+xml", "graphml", graphml),
    "gexf": Format("application/gexf+xml", "gexf", gexf),
    "csv": Format("text/csv", "csv", csv_edges),
}


def _with_metadata(view: View, id_base: str | None) -> nx.DiGraph:
    """A copy with nodes and edges in IRI order (query results come in no fixed order; exports should diff cleanly)
    and the view's title, focus, omitted count and cap as graph attributes."""
    graph = nx.DiGraph()
    graph.add_nodes_from((n, dict(view.graph.nodes[n])) for n in sorted(view.graph.nodes))
    graph.add_edges_from((s, t, dict(view.graph.edges[s, t])) for s, t in sorted(view.graph.edges))
    graph.graph.update(title_zh=view.title_zh, title_en=view.title_en, omitted=view.omitted)
    if view.focus is not None:
        graph.graph["focus"] = view.focus
    if view.max_nodes is not None:
        graph.graph["max_nodes"] = view.max_nodes
    if id_base:
        for node, attributes in graph.nodes(data=True):
            if node.startswith(id_base):
                attributes["local_id"] = node[len(id_base):]
    return graph


def _flat(view: View, id_base: str | None) -> nx.DiGraph:
    """A copy whose attribute values are all strings, numbers or booleans."""
    graph = _with_metadata(view, id_base)
    for attributes in [graph.graph, *(a for _, a in graph.nodes(data=True)), *(a for _, _, a in graph.edges(data=True))]:
        for key, value in list(attributes.items()):
            if value is None:
                del attributes[key]
            elif isinstance(value, (list, tuple, set)):
                attributes[key] = LIST_SEPARATOR.join(str(v) for v in value)
    return graph
