"""The ontology, vocabularies and shapes parse, document themselves, and the shipped graph keeps their promises."""

from __future__ import annotations

import shutil

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from chainkg.graph import loader, validate
from chainkg.graph.namespaces import CK

ONTOLOGY_FILES = ["chainkg.ttl", "vocab.ttl", "shapes.ttl"]


@pytest.fixture(scope="module")
def ontology(shipped_kg) -> rdflib.Graph:
    return rdflib.Graph().parse(shipped_kg.settings.ontology_dir / "chainkg.ttl")


@pytest.mark.parametrize("name", ONTOLOGY_FILES)
def test_ontology_files_parse(shipped_kg, name):
    graph = rdflib.Graph().parse(shipped_kg.settings.ontology_dir / name, format="turtle")
    assert len(graph) > 20


def test_every_minted_term_has_zh_and_en_labels_and_a_comment(ontology):
    terms = {s for s in ontology.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(CK)}
    assert len(terms) > 60
    for term in terms:
        languages = {label.language for label in ontology.objects(term, RDFS.label)}
        languages |= {label.language for label in ontology.objects(term, SKOS.prefLabel)}
        assert {"zh-Hans", "en"} <= languages or {"zh-hans", "en"} <= languages, term
        if (term, RDF.type, OWL.Class) in ontology or (term, RDF.type, OWL.ObjectProperty) in ontology:
            assert ontology.value(term, RDFS.comment) is not None, f"{term} has no rdfs:comment"


@pytest.mark.parametrize("standard", [
    "http://www.w3.org/ns/org#", "https://schema.org/", "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/linked-data/cube#", "http://purl.org/dc/terms/",
])
def test_ontology_builds_on_standard_vocabularies(ontology, standard):
    used = {str(o) for o in ontology.objects() if isinstance(o, rdflib.URIRef)} | {str(p) for p in ontology.predicates()}
    assert any(iri.startswith(standard) for iri in used), standard


def test_shipped_graph_conforms_to_shapes(shipped_kg):
    report = loader.check_files(shipped_kg)
    assert report.ok, str(report)


def test_shipped_quotes_are_verbatim_in_the_articles(shipped_kg, seeds_dir):
    _, curated = loader.parse_shipped(shipped_kg)
    report = validate.check_quotes(curated, seeds_dir)
    assert report.ok and not report.unchecked, str(report)


def test_quotes_unchecked_without_the_articles_say_so(shipped_kg):
    _, curated = loader.parse_shipped(shipped_kg)
    report = validate.check_quotes(curated, None)
    assert report.ok and "CHAINKG_SEEDS_DIR" in str(report)


def test_quotes_are_checked_against_the_articles_beside_a_draft_without_a_seeds_folder(shipped_kg, seeds_dir, tmp_path):
    """A draft of a new article is validated against the text saved beside it, CHAINKG_SEEDS_DIR set or not."""
    _, curated = loader.parse_shipped(shipped_kg)
    for seed in seeds_dir.iterdir():
        shutil.copy(seed, tmp_path)
    assert validate.check_quotes(curated, None, (tmp_path,)).ok
    (next(tmp_path.iterdir())).write_text("另一篇文章。", encoding="utf-8")
    assert not validate.check_quotes(curated, None, (tmp_path,)).ok
