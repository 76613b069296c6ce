"""The application factory: `create_app(settings)` builds the FastAPI app the CLI serves and the tests drive."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import sparql, system, views
from graph import loader
from graph.settings import Settings
from graph.store import KnowledgeGraph


def create_app(settings: Settings | None = None, kg: KnowledgeGraph | None = None) -> FastAPI:
    """Build the app around one knowledge graph (opened here unless the caller passes one)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        graph = kg or KnowledgeGraph(settings)
        if settings.load_shipped:
            loader.load_shipped(graph)
        app.state.kg = graph
        app.state.settings = settings
        yield

    app = FastAPI(
        title="chainkg",
        summary="Industry-chain knowledge graph: SPARQL endpoint, REST views and entity pages.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(system.router)
    app.include_router(sparql.router)
    app.include_router(views.router)
    return app
