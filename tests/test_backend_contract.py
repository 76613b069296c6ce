"""The backend contract: what the service promises on the embedded store, it keeps on an external Virtuoso.

The store-dependent tests of the other modules run here again, unchanged, on a real `chainkg serve` whose store is
a private Virtuoso (graph/remote.py): this module's `server`, `writable_server` and `app` fixtures stand for the
Virtuoso-backed services, so every test below meets Virtuoso over real HTTP. It is the one place the Virtuoso
services start (tests/test_views_backends.py compares the views of graph/ on a Virtuoso of its own).

Left out on purpose, because the backend plays no part in them: the browser tests (the same HTML, whose routes run
here) and the per-client flood test (api/limits.py queues clients before either engine; the runaway query's cut on
Virtuoso is tested here by test_a_runaway_query_is_stopped_while_others_are_answered).
"""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

from tests import (test_api_views, test_auth, test_concurrency, test_graph_store, test_hostile_input,
                   test_observability, test_pages, test_service, test_sparql_clients, test_sparql_endpoint)
from tests.conftest import Server
from tests.test_sparql_endpoint import bait  # noqa: F401  (a fixture of the endpoint tests that run here)

# A test keeps its marks here (the same function): those marked `alone` in their module run by themselves in
# `make test` on Virtuoso too, the others beside other test processes.
SERVICES = {"server", "writable_server", "app"}
NOT_HERE = {test_auth.test_one_client_flooding_does_not_take_every_worker}


@pytest.fixture(scope="module")
def server(virtuoso_server: Server) -> Server:
    return virtuoso_server


@pytest.fixture(scope="module")
def writable_server(virtuoso_writable_server: Server) -> Server:
    return virtuoso_writable_server


@pytest.fixture(scope="module")
def app(virtuoso_server: Server) -> Server:
    """The route tests' in-process app, here the Virtuoso-backed service over HTTP (Server has the same calls)."""
    return virtuoso_server


def store_dependent(module: ModuleType) -> dict[str, object]:
    """The module's tests that take one of the services, under names that say where they come from."""
    return {
        f"{name}__{module.__name__.rsplit('.', 1)[1].removeprefix('test_')}": function
        for name, function in vars(module).items()
        if name.startswith("test_") and inspect.isfunction(function) and function not in NOT_HERE
        and SERVICES & set(inspect.signature(function).parameters)
    }


for _module in (test_api_views, test_auth, test_concurrency, test_graph_store, test_hostile_input, test_observability,
                test_pages, test_service, test_sparql_clients, test_sparql_endpoint):
    globals().update(store_dependent(_module))
