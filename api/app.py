"""The application factory: `create_app(settings)` builds the FastAPI app the CLI serves and the tests drive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from chainkg.api import browse, chains, errors, ingest, observability, pages, sparql, store, system, views
from chainkg.api.limits import ClientSlots
from chainkg.api.short_queries import ShortQueries
from chainkg.graph import loader
from chainkg.graph.engine import engine_for
from chainkg.graph.settings import Settings
from chainkg.graph.sparql import SparqlService
from chainkg.graph.store import KnowledgeGraph


def create_app(settings: Settings | None = None, kg: KnowledgeGraph | None = None) -> FastAPI:
    """Build the app around one knowledge graph (opened here unless the caller passes one)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        graph = kg or KnowledgeGraph(settings)
        if settings.load_shipped:
            loader.load_shipped(graph)
        engine = engine_for(graph)
        app.state.kg = graph
        app.state.settings = settings
        app.state.sparql = SparqlService(graph, engine)
        app.state.client_slots = ClientSlots(settings.max_queries_per_client, settings.query_workers,
                                             settings.reserved_query_workers, settings.query_timeout_s)
        try:
            yield
        finally:
            engine.close()

    app = FastAPI(
        title="chainkg",
        summary="Industry-chain knowledge graph: SPARQL endpoint, REST views and entity pages.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served below from our own copy of Swagger UI: the default page loads it from a CDN
        redoc_url=None,
    )
    app.add_middleware(ShortQueries, owner=app)  # inside CORS and the access log, before FastAPI's routing
    # Browser clients (YASGUI elsewhere, notebooks) may query from any origin; writes still need the bearer token.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
                       allow_headers=["*"], expose_headers=["*"], max_age=600)
    errors.install(app)
    observability.install(app, settings)  # outermost: the access log and the metrics see every answer
    app.include_router(system.router)
    app.include_router(sparql.router)
    app.include_router(store.router)
    app.include_router(pages.router)
    app.include_router(browse.router)
    app.include_router(chains.router)
    app.include_router(ingest.router)
    app.add_api_route("/docs", pages.api_docs, include_in_schema=False)
    app.mount("/static", pages.static_files(), name="static")
    app.include_router(views.router)
    return app
