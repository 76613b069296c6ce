"""IRIs and prefixes used across chainkg: the fixed ontology namespaces and the base-relative instance ones."""

from __future__ import annotations

CK = "https://w3id.org/chainkg/ontology#"
VOCAB = "https://w3id.org/chainkg/ontology/"

STANDARD_PREFIXES: dict[str, str] = {
    "ck": CK,
    "measure": VOCAB + "measure/",
    "unit": VOCAB + "unit/",
    "status": VOCAB + "status/",
    "period": VOCAB + "period/",
    "qualifier": VOCAB + "qualifier/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": "http://purl.org/dc/terms/",
    "oa": "http://www.w3.org/ns/oa#",
    "sh": "http://www.w3.org/ns/shacl#",
}



def local_name(iri: str) -> str:
    """The part of an IRI after its last '#' or '/', trailing ones ignored: what names a node when nothing else
    does, so it is never empty for an IRI that ends in a separator.

    >>> local_name("https://w3id.org/chainkg/ontology#Company"), local_name("https://w3id.org/chainkg/id/quote/a001-017")
    ('Company', 'a001-017')
    >>> local_name("https://creativecommons.org/licenses/by/4.0/"), local_name("https://w3id.org/chainkg/ontology#")
    ('4.0', 'ontology')
    """
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# Instance prefixes, relative to the configured base IRI (see docs/curation.md).
INSTANCE_PREFIXES: dict[str, str] = {
    "e": "id/",
    "q": "id/quote/",
    "doc": "id/doc/",
    "stat": "id/stat/",
    "event": "id/event/",
}


def prefixes(base_iri: str) -> dict[str, str]:
    """All prefixes for queries and serialisation, instance ones resolved against `base_iri`.

    >>> prefixes("https://example.org/")["e"]
    'https://example.org/id/'
    """
    return {**STANDARD_PREFIXES, **{name: base_iri + path for name, path in INSTANCE_PREFIXES.items()}}


def entity_iri(base_iri: str, local_id: str) -> str:
    """The IRI of the entity a URL names by its local id (`/id/hikvision`, `/api/chains/ivd-chain`).

    >>> entity_iri("https://example.org/", "quote/a001-017")
    'https://example.org/id/quote/a001-017'
    """
    return base_iri + INSTANCE_PREFIXES["e"] + local_id


def local_id(base_iri: str, iri: str | None) -> str | None:
    """The local id of an entity IRI, the inverse of `entity_iri`; None for any other IRI (ontology terms,
    vocabularies, other sites), which have no short URL.

    >>> local_id("https://example.org/", "https://example.org/id/hikvision")
    'hikvision'
    >>> local_id("https://example.org/", "https://w3id.org/chainkg/ontology#Company") is None
    True
    """
    prefix = entity_iri(base_iri, "")
    return iri[len(prefix):] if iri and iri.startswith(prefix) else None


def sparql_prologue(base_iri: str) -> str:
    """PREFIX lines for every known prefix, for pasting in front of a query shown to people."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes(base_iri).items())


class GraphNames:
    """The named graphs chainkg itself manages, under the base IRI."""

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri
        self.ontology = base_iri + "graph/ontology"
        self.provenance = base_iri + "graph/provenance"
        self.meta = base_iri + "graph/meta"

    @property
    def bookkeeping(self) -> tuple[str, ...]:
        """Graphs that describe the data rather than hold facts about the world."""
        return (self.ontology, self.provenance, self.meta)
