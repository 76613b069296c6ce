"""Content negotiation, as a table: Accept header (and format parameter) → what is sent."""

from __future__ import annotations

import pytest

from chainkg.api.conneg import GRAPH_TYPES, RESULT_TYPES, ConflictingFormats, NotAcceptable, choose, negotiate
from chainkg.graph import formats

RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
RDF = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
PAGE = ["text/html", "text/turtle", "application/ld+json"]
ALIASES = {"json": "application/sparql-results+json", "csv": "text/csv", "ttl": "text/turtle"}


@pytest.mark.parametrize("offered, accept, expected", [
    (RESULTS, None, "application/sparql-results+json"),
    (RESULTS, "", "application/sparql-results+json"),
    (RESULTS, "*/*", "application/sparql-results+json"),
    (RESULTS, "text/csv", "text/csv"),
    (RESULTS, "application/sparql-results+xml;q=0.8, text/csv;q=0.9", "text/csv"),
    (RESULTS, "text/*", "text/csv"),
    (RESULTS, "application/json, */*;q=0.1", "application/sparql-results+json"),
    (RDF, "application/ld+json", "application/ld+json"),
    (RDF, "text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml"),
    (PAGE, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    (PAGE, "text/turtle", "text/turtle"),
    (PAGE, "garbage;;;", "text/html"),
])
def test_accept_header(offered, accept, expected):
    assert negotiate(offered, accept) == expected


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept, format_param, expected", [
    (None, "csv", "text/csv"),
    ("*/*", "text/csv", "text/csv"),
    (BROWSER, "csv", "text/csv"),  # a link clicked in a browser: the format decides
    ("text/*", "json", "text/csv"),  # the header excludes what the format names, and names something offered
    ("application/sparql-results+xml", "json", "application/sparql-results+xml"),
    ("image/png", "csv", "text/csv"),  # nothing in the header is offered: the format still answers
    ("text/tab-separated-values", "tsv", "text/tab-separated-values"),
    ("text/tab-separated-values", "text/tab-separated-values,text/csv", "text/tab-separated-values"),
    ("text/csv", "n3", "text/csv"),  # SPARQLWrapper's made-up names are ignored when the header answers
])
def test_format_parameter_chooses_within_the_header(accept, format_param, expected):
    assert negotiate(RESULTS, accept, format_param, ALIASES) == expected


@pytest.mark.parametrize("accept, format_param", [("image/png", None), ("text/html", None), (None, "docx")])
def test_nothing_acceptable(accept, format_param):
    with pytest.raises(NotAcceptable):
        negotiate(RESULTS, accept, format_param, ALIASES)


@pytest.mark.parametrize("offered, aliases, format_values, expected", [
    (RESULT_TYPES, formats.RESULT_ALIASES, ["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
    (GRAPH_TYPES, formats.RDF_ALIASES, ["json-ld", "application/ld+json"], "application/ld+json"),
    (RESULT_TYPES, formats.RESULT_ALIASES, ["json", "n3"], "application/sparql-results+json"),
])
def test_several_format_parameters_that_agree(offered, aliases, format_values, expected):
    assert choose(offered, aliases, None, format_values) == expected


def test_format_parameters_that_disagree_are_a_bad_request(app):
    with pytest.raises(ConflictingFormats, match="different syntaxes"):
        choose(RESULT_TYPES, formats.RESULT_ALIASES, None, ["json", "csv"])
    response = app.get("/sparql", params=[("query", "ASK {}"), ("format", "json"), ("format", "csv")])
    assert response.status_code == 400
    assert response.json()["error"] == "bad-request" and "different syntaxes" in response.json()["message"]
