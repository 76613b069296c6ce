"""The one door to what the running app holds (`app.state`): the graph, the settings, the SPARQL service, the
per-client query slots, the templates and the search index.

Routes take them as FastAPI dependencies (`kg: KG`); a helper that is handed the request calls the function (as
the pages do with `site(request)`). Only app.py (which fills the state when the app starts) and this module touch
`app.state`. The dependencies are async: a plain attribute read costs no trip through the thread pool on the
query path. The templates and the search index are made on first use, under a lock, by whoever asks first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from chainkg.api.limits import ClientSlots
from chainkg.graph.search import LabelIndex
from chainkg.graph.settings import Settings
from chainkg.graph.sparql import SparqlService
from chainkg.graph.store import KnowledgeGraph
from chainkg.viz.html import Site

T = TypeVar("T")
_lock = threading.Lock()


def knowledge_graph(request: Request) -> KnowledgeGraph:
    return request.app.state.kg


def settings(request: Request) -> Settings:
    return request.app.state.settings


def sparql_service(request: Request) -> SparqlService:
    return request.app.state.sparql


def client_slots(request: Request) -> ClientSlots:
    return request.app.state.client_slots


def metrics(request: Request) -> Any:
    """The app's metrics (api.observability.Metrics, which installs them)."""
    return request.app.state.metrics


def site(request: Request) -> Site:
    """The templates of this app (one per app, made on first use)."""
    return _made_once(request, "explorer_site", lambda: Site(settings(request).base_iri))


def label_index(request: Request) -> LabelIndex:
    """The search index of this app's graph (built on first use, then kept up to date by LabelIndex itself)."""
    return _made_once(request, "explorer_label_index", lambda: LabelIndex(knowledge_graph(request)))


def _made_once(request: Request, name: str, make: Callable[[], T]) -> T:
    state = request.app.state
    if getattr(state, name, None) is None:
        with _lock:
            if getattr(state, name, None) is None:
                setattr(state, name, make())
    return getattr(state, name)


def _read(door: Callable[[Request], T]) -> Any:
    """`door` as a dependency that runs on the event loop (a plain attribute read needs no thread)."""

    async def dependency(request: Request) -> T:
        return door(request)

    dependency.__name__ = door.__name__
    return Depends(dependency)


KG = Annotated[KnowledgeGraph, _read(knowledge_graph)]
SETTINGS = Annotated[Settings, _read(settings)]
SPARQL = Annotated[SparqlService, _read(sparql_service)]
