"""Exports of a view (graph/export.py): every format reads back with the same nodes, edges and attributes."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from chainkg.graph import export, views
from chainkg.graph.views import View

E = "https://w3id.org/chainkg/id/"
HOSTILE = '<script>alert("x")</script> & 引号"，逗号,\n换行'


def _read(name: str, data: bytes) -> nx.DiGraph:
    if name == "node-link":
        return nx.node_link_graph(json.loads(data), edges="edges")
    if name == "graphml":
        return nx.read_graphml(io.BytesIO(data))
    if name == "gexf":
        return nx.read_gexf(io.BytesIO(data))
    graph = nx.DiGraph()
    for row in csv.DictReader(io.StringIO(data.decode())):
        graph.add_edge(row["source"], row["target"], **{k: v for k, v in row.items() if k not in ("source", "target")})
        graph.nodes[row["source"]]["label_zh"] = row["source_label_zh"]
        graph.nodes[row["target"]]["label_zh"] = row["target_label_zh"]
    return graph


@pytest.fixture(scope="module")
def chain(toy_kg) -> View:
    return views.chain_view(toy_kg, E + "toy-chain")


@pytest.mark.parametrize("name", list(export.FORMATS))
def test_every_format_reads_back_with_the_same_graph(chain, name):
    back = _read(name, export.FORMATS[name].write(chain, E))
    assert set(back.edges) == set(chain.graph.edges)
    assert set(back.nodes) == set(chain.graph.nodes)
    for node in chain.graph:
        assert back.nodes[node]["label_zh"] == chain.graph.nodes[node]["label_zh"]


@pytest.mark.parametrize("name", ["node-link", "graphml", "gexf"])
def test_attributes_and_metadata_survive(chain, name):
    back = _read(name, export.FORMATS[name].write(chain, E))
    segment = back.nodes[E + "toy-seg-2"]
    assert (int(segment["order"]), segment["position"], segment["kind"], segment["local_id"]) == (2, "midstream", "ChainSegment", "toy-seg-2")
    roles = ["chain-leader"] if name == "node-link" else "chain-leader"  # formats without lists join them by "; "
    assert back.nodes[E + "toy-leader"]["roles"] == roles
    assert back.edges[E + "toy-leader", E + "toy-chain"]["relation"] == "chainLeaderOf"
    if name != "gexf":  # GEXF keeps no graph attributes
        assert back.graph["title_en"] == chain.title_en and back.graph["focus"] == E + "toy-chain"


def test_node_link_has_the_views_title_focus_and_omitted_on_top(chain):
    data = export.node_link(chain, E)
    assert (data["title_zh"], data["focus"], data["omitted"], data["directed"]) == (chain.title_zh, E + "toy-chain", 0, True)


def test_csv_has_a_header_and_one_row_per_edge(chain):
    rows = list(csv.DictReader(io.StringIO(export.csv_edges(chain).decode())))
    assert tuple(rows[0]) == export.CSV_COLUMNS
    assert len(rows) == chain.graph.number_of_edges()


@pytest.mark.parametrize("name", list(export.FORMATS))
def test_a_hostile_label_is_escaped_and_comes_back_intact(name):
    graph = nx.DiGraph()
    graph.add_edge("http://x/a", "http://x/b", relation="supplies", relations=["supplies"], label_zh=HOSTILE, label_en="x")
    for node in graph:
        graph.nodes[node].update(label_zh=HOSTILE, label_en="a", kind="Company", roles=[])
    data = export.FORMATS[name].write(View(HOSTILE, "t", graph, 0, "http://x/a"), None)
    if name in ("graphml", "gexf"):
        assert b"<script>" not in data
    back = _read(name, data)
    assert back.nodes["http://x/a"]["label_zh"] == HOSTILE


@pytest.mark.parametrize("name", ["node-link", "graphml", "csv"])
def test_exports_do_not_depend_on_the_order_query_results_came_in(chain, name):
    shuffled = nx.DiGraph()
    shuffled.add_nodes_from(reversed(list(chain.graph.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(chain.graph.edges(data=True))))
    again = View(chain.title_zh, chain.title_en, shuffled, chain.omitted, chain.focus, chain.max_nodes)
    assert export.FORMATS[name].write(again, E) == export.FORMATS[name].write(chain, E)
