"""chainkg: an industry-chain knowledge graph (ontology, curated graph, SPARQL endpoint, views and explorer).

The Python API is `open_graph`: a chainkg store as an rdflib `Dataset`, for notebooks and scripts. The service
is the `chainkg` command (chainkg.cli); the code lives in chainkg.graph (loading, storage, queries; no HTTP),
chainkg.api (HTTP) and chainkg.viz (rendering).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import rdflib

__all__ = ["open_graph"]


def open_graph(store: str | os.PathLike[str] | None = None) -> rdflib.Dataset:
    """The store as a read-only rdflib `Dataset`: rdflib's API, with SPARQL still answered by Oxigraph.

    `store` is a store directory; by default the one `chainkg serve` uses (setting CHAINKG_STORE, else `var/store`
    in a source checkout or the user's data directory when installed). It may be open in a running server at the
    same time: the dataset reads the store as it was when opened, and every write through it is refused. The
    default graph is the merge of all graphs (each triple once), as on the endpoint, and chainkg's prefixes (ck:, e:, skos: …) are
    bound, so queries read as they do in the README::

        from chainkg import open_graph
        graph = open_graph()
        for row in graph.query("SELECT ?firm ?name WHERE { ?firm ck:chainLeaderOf ?chain ; skos:prefLabel ?name }"):
            print(row.firm, row.name)
        graph.value(graph.namespace_manager.expand_curie("e:zhongyuan-huiji"), SKOS.prefLabel)

    Each fact's evidence is the named graph it sits in: `graph.quads((s, p, o, None))` gives it with its graph (and
    once more in the default graph, `rdflib.graph.DATASET_DEFAULT_GRAPH_ID`, which is the merge, nobody's evidence).
    """
    from chainkg.graph.settings import Settings
    from chainkg.graph.store import KnowledgeGraph

    settings = Settings() if store is None else Settings(store=os.fspath(store))
    return KnowledgeGraph(settings, read_only=True).dataset
