"""The benchmark's fixed query mix: each query, the question it answers, whether it is light or heavy.

Every text declares its own prefixes, so the same bytes go to chainkg, `oxigraph serve` and rdflib-endpoint.
Parameterised queries take their values (companies, parks, chain leaders) from the generated data, several per
query and in a fixed order, so no server answers the same request from a cache every time.
"""

from __future__ import annotations

from dataclasses import dataclass

PROLOGUE = """PREFIX ck: <https://w3id.org/chainkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX measure: <https://w3id.org/chainkg/ontology/measure/>
"""


@dataclass(frozen=True)
class BenchQuery:
    name: str
    question: str
    weight: str  # "light" (look-ups: throughput target) or "heavy" (aggregation, paths, scans: latency target)
    template: str  # `{param}` is replaced by an IRI from `parameter`
    parameter: str | None = None  # "company", "park" or "leader"

    def texts(self, values: dict[str, list[str]]) -> list[str]:
        if self.parameter is None:
            return [PROLOGUE + self.template]
        return [PROLOGUE + self.template.replace("{param}", f"<{value}>") for value in values[self.parameter]]


MIX = (
    BenchQuery("point look-up", "Everything said about one company", "light",
               "SELECT ?p ?o WHERE { {param} ?p ?o }", "company"),
    BenchQuery("park's firms + clusters", "Which firms does a park host, and in which clusters?", "light",
               "SELECT ?firm ?name ?cluster WHERE { ?firm ck:hostedIn {param} ; skos:prefLabel ?name ; "
               "ck:memberOfCluster ?cluster . FILTER(LANG(?name) = 'en') }", "park"),
    BenchQuery("chain leaders + supplier count", "Every chain's leader, with how many firms supply it", "heavy",
               "SELECT ?chain ?leader (COUNT(DISTINCT ?supplier) AS ?suppliers) WHERE { ?leader ck:chainLeaderOf "
               "?chain . OPTIONAL { ?supplier ck:supplies ?leader } } GROUP BY ?chain ?leader"),
    BenchQuery("cluster revenue per year", "Total actual revenue of each cluster's firms, per year (GROUP BY)", "heavy",
               "SELECT ?cluster ?year (SUM(?value) AS ?revenue) WHERE { ?firm ck:memberOfCluster ?cluster . "
               "?stat ck:statSubject ?firm ; ck:measure measure:revenue ; ck:year ?year ; ck:value ?value } "
               "GROUP BY ?cluster ?year"),
    BenchQuery("two-hop suppliers (path)", "Who supplies a leader's suppliers? (ck:supplies/ck:supplies)", "heavy",
               "SELECT DISTINCT ?supplier WHERE { ?supplier ck:supplies/ck:supplies {param} }", "leader"),
    BenchQuery("label search", "Entities whose preferred name contains a string (full scan of names)", "heavy",
               "SELECT ?entity ?name WHERE { ?entity skos:prefLabel ?name . FILTER(CONTAINS(?name, '企业12')) }"),
)
