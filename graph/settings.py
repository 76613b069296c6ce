"""One settings object for the whole service, read once from `CHAINKG_*` environment variables (and CLI flags).

Handlers never read the environment: they get a `Settings` passed in. A bad value fails loudly at start-up.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
MEMORY = ":memory:"


class Settings(BaseSettings):
    """Every knob of chainkg, with its default and what it is for (`chainkg settings` lists them)."""

    model_config = SettingsConfigDict(env_prefix="CHAINKG_", frozen=True, extra="forbid")

    base_iri: str = Field(
        "https://w3id.org/chainkg/",
        description="Base of instance IRIs: the curated files' relative IRIs (id/…) resolve against it.",
    )
    store: str = Field(
        str(REPO_ROOT / "var" / "store"),
        description=f"Directory of the persistent Oxigraph store, or {MEMORY!r} for an in-memory store.",
    )
    ontology_dir: Path = Field(REPO_ROOT / "ontology", description="Ontology, vocabularies and SHACL shapes.")
    curated_dir: Path = Field(REPO_ROOT / "data" / "curated", description="The shipped curated graph (TriG).")
    seeds_dir: Path = Field(
        REPO_ROOT.parent / "shared" / "seeds", description="Article texts that quotes are checked against."
    )
    load_shipped: bool = Field(
        True, description="On start, (re)load the ontology and curated graph when they changed since the last load."
    )
    validate_on_load: bool = Field(True, description="Check SHACL shapes before any load is committed.")
    host: str = Field("127.0.0.1", description="Interface the server binds; loopback unless said otherwise.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server listens on.")
    write_token: SecretStr | None = Field(
        None, description="Bearer token that enables writes (update, graph store, upload); unset = read-only."
    )
    query_timeout_s: float = Field(30.0, gt=0, description="Wall-clock limit of one SPARQL query, in seconds.")
    max_rows: int = Field(100_000, gt=0, description="Most result rows one query may return.")
    max_query_bytes: int = Field(100_000, gt=0, description="Largest accepted query or update text, in bytes.")
    max_upload_bytes: int = Field(50_000_000, gt=0, description="Largest accepted RDF upload, in bytes.")
    allowed_remote: tuple[str, ...] = Field(
        (), description="IRI prefixes that SERVICE, LOAD and FROM may reach; empty = no outbound requests."
    )

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_separator(cls, value: str) -> str:
        if not value.endswith(("/", "#")):
            raise ValueError("base_iri must end with '/' or '#'")
        return value

    @property
    def in_memory(self) -> bool:
        return self.store == MEMORY
