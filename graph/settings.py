"""One settings object for the whole service, read once from `CHAINKG_*` environment variables (and CLI flags).

Handlers never read the environment: they get a `Settings` passed in. A bad value fails loudly at start-up.
"""

from __future__ import annotations

import logging
from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The folder holding graph/, ontology/ and data/: the repository in a source checkout, site-packages/chainkg in an
# installed wheel (pyproject.toml maps the data folders so the two look alike).
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
MEMORY = ":memory:"
log = logging.getLogger("chainkg.settings")


def default_store() -> str:
    """`var/store` in a source checkout (one store per checkout, as `make run` has always used); in an installed
    package, where site-packages is no place for data, `store` in the user's data directory (platformdirs)."""
    if (PACKAGE_ROOT / "pyproject.toml").is_file():
        return str(PACKAGE_ROOT / "var" / "store")
    return str(platformdirs.user_data_path("chainkg") / "store")


class Settings(BaseSettings):
    """Every knob of chainkg, with its default and what it is for (`chainkg settings` lists them)."""

    model_config = SettingsConfigDict(env_prefix="CHAINKG_", frozen=True, extra="forbid")

    base_iri: str = Field(
        "https://w3id.org/chainkg/",
        description="Base of instance IRIs: the curated files' relative IRIs (id/…) resolve against it.",
    )
    store: str = Field(
        default_factory=default_store,
        description=f"Directory of the persistent Oxigraph store, or {MEMORY!r} for an in-memory store (default: "
                    "var/store in a source checkout, else the user's data directory, e.g. ~/.local/share/chainkg/store).",
    )
    ontology_dir: Path = Field(PACKAGE_ROOT / "ontology", description="Ontology, vocabularies and SHACL shapes.")
    curated_dir: Path = Field(PACKAGE_ROOT / "data" / "curated", description="The shipped curated graph (TriG).")
    seeds_dir: Path | None = Field(
        None, description="The article texts (seed files) that quotes are checked against; unset = quotes are not "
                          "checked, and the checks say so (CI: ../shared/seeds).",
    )
    load_shipped: bool = Field(
        True, description="On start, (re)load the ontology and curated graph when they changed since the last load."
    )
    validate_on_load: bool = Field(True, description="Check SHACL shapes before any load is committed.")
    host: str = Field("127.0.0.1", description="Interface the server binds; loopback unless said otherwise.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on.")
    write_token: SecretStr | None = Field(
        None, description="Bearer token that enables writes (update, graph store, upload); unset or empty = read-only."
    )
    processes: int = Field(
        1, ge=1, description="Serving processes, each answering from its own read-only copy of the store (a "
                             "read-only deployment only: no write token, on-disk store); 1 = one process, as with "
                             "writes. Per-client limits, connection caps, query workers and /metrics are per process."
    )
    query_timeout_s: float = Field(30.0, gt=0, description="Wall-clock limit of one SPARQL query, in seconds.")
    max_rows: int = Field(100_000, gt=0, description="Most result rows one query may return.")
    max_query_bytes: int = Field(100_000, gt=0, description="Largest accepted query or update text, in bytes.")
    max_upload_bytes: int = Field(50_000_000, gt=0, description="Largest accepted RDF upload, in bytes.")
    query_workers: int = Field(
        3, gt=0, description="Processes (on-disk store) or threads (in-memory) that run SPARQL queries side by side."
    )
    max_queries_per_client: int = Field(
        2, gt=0, description="Queries one client address may run at once; more wait their turn (HTTP 429 if too many)."
    )
    reserved_query_workers: int = Field(
        1, ge=0, description="Query workers kept for clients with no query running: a client's second query starts "
                             "only while more than this many workers are free (light queries are answered while "
                             "runaway ones run)."
    )
    allowed_remote: tuple[str, ...] = Field(
        (), description="IRI prefixes that SERVICE, LOAD and FROM may reach; empty = no outbound requests."
    )
    # Reliability and security (graph/guard.py, graph/engine.py, api/observability.py; README "Reliability and security").
    query_memory_mb: int = Field(
        2048, gt=0, description="Memory cap of one query worker process (MB): a query, upload parse or update check "
                                "needing more is stopped with an error (on-disk store only)."
    )
    max_query_depth: int = Field(
        100, gt=0, description="Deepest nesting of brackets accepted in a query or update (deeper ones crash the parser)."
    )
    max_connections: int = Field(
        1000, gt=0, description="Most open HTTP connections; past it new ones are closed at once (slow clients cannot "
                                "fill the file-descriptor table)."
    )
    max_connections_per_client: int = Field(
        100, gt=0, description="Most open HTTP connections from one client address (behind a reverse proxy every "
                               "client is the proxy's address: raise it to max_connections there)."
    )
    header_timeout_s: float = Field(
        10.0, gt=0, description="Seconds a client has to send a request's line and headers (from its first byte)."
    )
    body_timeout_s: float = Field(
        120.0, gt=0, description="Seconds a client has to send a request's body once its headers are in."
    )
    keep_alive_s: int = Field(5, gt=0, description="Seconds an idle keep-alive connection is held between requests.")
    access_log: bool = Field(True, description="Write one access-log line per HTTP request (never headers or bodies).")
    # Graph views and anchor ranking (graph/views.py, graph/ranking.py, graph/gaps.py; README "Views and rankings").
    view_max_nodes: int = Field(
        1000, gt=0, description="Most nodes one graph view holds; the rest are left out and counted as `omitted`."
    )
    gap_max_targets: int = Field(
        50, gt=0, description="Most investment-promotion targets listed per segment in a gap analysis."
    )
    anchor_weight_chain_leader: float = Field(
        12.0, ge=0, description="Anchor score weight: designated 链主 of the chain (dominates every other component)."
    )
    anchor_weight_leading_enterprise: float = Field(
        6.0, ge=0, description="Anchor score weight: 龙头 of the chain (full) or of its cluster (half)."
    )
    anchor_weight_representative: float = Field(
        2.0, ge=0, description="Anchor score weight: named as a representative (以…为代表) firm or project of the chain."
    )
    anchor_weight_awards: float = Field(
        1.0, ge=0, description="Anchor score weight: awards (灯塔工厂 …) of the firm and its projects, relative to the chain's most."
    )
    anchor_weight_listed: float = Field(1.0, ge=0, description="Anchor score weight: a listed company (上市).")
    anchor_weight_segments: float = Field(
        2.0, ge=0, description="Anchor score weight: segments covered by the firm, its projects or its group's subsidiaries, relative to the chain's most."
    )
    anchor_weight_size: float = Field(
        1.0, ge=0, description="Anchor score weight: latest actual revenue (or output value), relative to the chain's largest."
    )
    anchor_weight_investment: float = Field(
        1.0, ge=0, description="Anchor score weight: investment of the firm and its projects, relative to the chain's largest."
    )
    anchor_weight_supporting_firms: float = Field(
        2.0, ge=0, description="Anchor score weight: supporting firms (配套) and firms brought in, relative to the chain's most."
    )
    anchor_weight_supplier_links: float = Field(
        1.0, ge=0, description="Anchor score weight: supplier and customer links within the chain, relative to the chain's most."
    )
    # The explorer (graph/search.py, graph/entity.py, viz/, api/pages.py; README "Explorer").
    graph_node_cap: int = Field(
        300, gt=0, description="Most nodes a graph page draws at first; the page says how many it left out and offers more."
    )
    entity_max_links: int = Field(
        100, gt=0, description="Most linked entities an entity page lists per property (the full count is always shown)."
    )
    search_refresh_s: float = Field(
        2.0, ge=0, description="How often (seconds, at most) the search index checks whether the store changed."
    )
    search_max_results: int = Field(
        20, gt=0, description="Most results a search page lists (suggestions while typing show at most 8)."
    )
    browse_page_size: int = Field(
        50, gt=0, description="Rows a browse list (/browse/companies …) shows per page; exports hold every filtered row."
    )
    ego_max_radius: int = Field(
        3, ge=1, description="Most steps out from an entity its network page may reach (the page's `radius`)."
    )
    # Ingesting articles (graph/ingest/, README "Ingesting an article").
    ingest_max_chars: int = Field(
        200_000, gt=0, description="Longest article text `chainkg ingest` and the ingest page accept, in characters."
    )
    # The scale-out backend (graph/remote.py; README "Remote store"): an external SPARQL 1.1 store instead of the
    # embedded Oxigraph one. Unset = embedded.
    remote_query_url: str | None = Field(
        None, description="SPARQL 1.1 query endpoint of an external store (Virtuoso, Fuseki, GraphDB, QLever); "
                          "set = use it instead of the embedded store.",
    )
    remote_update_url: str | None = Field(
        None, description="SPARQL 1.1 update endpoint of the external store (default: the query endpoint).",
    )
    remote_user: str | None = Field(None, description="User name for the external store (HTTP digest or basic).")
    remote_password: SecretStr | None = Field(None, description="Password for the external store.")
    remote_auth: str = Field("digest", pattern="^(digest|basic)$", description="HTTP authentication: digest or basic.")
    remote_results: str = Field(
        "json", pattern="^(json|xml|tsv)$",
        description="Results syntax asked of the external store (json: works everywhere; tsv: Virtuoso's is not standard).",
    )
    remote_hidden_graphs: tuple[str, ...] = Field(
        (), description="Graphs of the external store that are not chainkg's (its system graphs): never listed.",
    )
    remote_timeout_parameter: str | None = Field(
        None, description="Name of the external store's own query time-limit parameter in milliseconds "
                          "(Virtuoso: timeout), sent with every query beside the HTTP time-out.",
    )
    remote_chunk_triples: int = Field(
        500, gt=0, description="Most triples one SPARQL update request to the external store carries (Virtuoso refuses "
                             "much more than 1,000: its generated SQL has a size limit).",
    )

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_separator(cls, value: str) -> str:
        if not value.endswith(("/", "#")):
            raise ValueError("base_iri must end with '/' or '#'")
        return value

    @field_validator("write_token", mode="before")
    @classmethod
    def _blank_token_is_no_token(cls, value: object) -> object:
        """`CHAINKG_WRITE_TOKEN=` (an env file that clears it, a template left blank) must not mean "an empty
        bearer writes": a blank token is no token, the service is read-only, and the log says why. Surrounding
        white space is dropped (a client's header value loses it on the way anyway)."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(text, str):
            if not text.strip():
                log.warning("CHAINKG_WRITE_TOKEN is set but empty: the service is read-only")
                return None
            return text.strip()
        return value

    @model_validator(mode="after")
    def _several_processes_read_only(self) -> Settings:
        """Several serving processes each answer from a copy of the store made at start: only sound when nothing
        writes (no write token) and the store is on disk (an in-memory one would be a different store per process)."""
        if self.processes > 1 and (self.write_token is not None or self.store == MEMORY or self.remote):
            raise ValueError("CHAINKG_PROCESSES above 1 is for a read-only deployment on the on-disk store: unset "
                             "CHAINKG_WRITE_TOKEN (and CHAINKG_REMOTE_QUERY_URL, CHAINKG_STORE=:memory:) or set "
                             "CHAINKG_PROCESSES=1")
        return self

    @property
    def in_memory(self) -> bool:
        return self.store == MEMORY and not self.remote

    @property
    def remote(self) -> bool:
        """True when an external SPARQL store holds the graph (setting remote_query_url)."""
        return self.remote_query_url is not None
