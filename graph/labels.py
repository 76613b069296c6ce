"""Names and kinds of many nodes at once, for pages that show links: the Chinese name first, the English beside it.

One named query per question (`labels_of`, `kinds_of`), each asked for the nodes given (graph.queries).
No HTTP and no rendering here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from chainkg.graph import queries
from chainkg.graph.namespaces import STANDARD_PREFIXES, local_name
from chainkg.graph.store import KnowledgeGraph

SKOS = STANDARD_PREFIXES["skos"]
RDFS = STANDARD_PREFIXES["rdfs"]
DCTERMS = STANDARD_PREFIXES["dcterms"]
OA = STANDARD_PREFIXES["oa"]
# Names of standard-vocabulary classes, which the ontology does not label itself.
STANDARD_CLASS_LABELS = {
    STANDARD_PREFIXES["owl"] + "Class": ("类", "class"),
    STANDARD_PREFIXES["owl"] + "ObjectProperty": ("对象属性", "object property"),
    STANDARD_PREFIXES["owl"] + "DatatypeProperty": ("数据属性", "datatype property"),
    STANDARD_PREFIXES["owl"] + "SymmetricProperty": ("对称属性", "symmetric property"),
    STANDARD_PREFIXES["owl"] + "Ontology": ("本体", "ontology"),
    SKOS + "Concept": ("概念", "concept"),
    SKOS + "ConceptScheme": ("概念体系", "concept scheme"),
    STANDARD_PREFIXES["schema"] + "Photograph": ("照片", "photograph"),
    STANDARD_PREFIXES["schema"] + "Drug": ("药物", "drug"),
    STANDARD_PREFIXES["schema"] + "Periodical": ("期刊", "periodical"),
    STANDARD_PREFIXES["schema"] + "WebSite": ("网站", "website"),
    STANDARD_PREFIXES["schema"] + "Product": ("产品", "product"),
    STANDARD_PREFIXES["schema"] + "Permit": ("许可证", "permit"),
    STANDARD_PREFIXES["schema"] + "NewsMediaOrganization": ("新闻媒体机构", "news media organisation"),
    STANDARD_PREFIXES["schema"] + "NewsArticle": ("新闻报道", "news article"),
    STANDARD_PREFIXES["org"] + "Organization": ("组织", "organisation"),
    STANDARD_PREFIXES["org"] + "FormalOrganization": ("正式组织", "formal organisation"),
    STANDARD_PREFIXES["org"] + "OrganizationalUnit": ("组织单元", "organisational unit"),
    STANDARD_PREFIXES["qb"] + "AttributeProperty": ("数据集属性", "data cube attribute"),
    STANDARD_PREFIXES["qb"] + "DimensionProperty": ("数据集维度", "data cube dimension"),
    STANDARD_PREFIXES["qb"] + "Observation": ("观测值", "observation"),
    STANDARD_PREFIXES["prov"] + "Entity": ("实体", "entity"),
    STANDARD_PREFIXES["prov"] + "Agent": ("行为主体", "agent"),
    STANDARD_PREFIXES["sh"] + "NodeShape": ("节点形状", "node shape"),
}
# A quote's words name it when nothing else does; this many characters of them.
QUOTE_NAME_CHARS = 40

# Which name is shown, best first: (property, language test).
_ZH_ORDER = (
    (SKOS + "prefLabel", ("zh-hans", "zh-cn", "zh")),
    (RDFS + "label", ("zh-hans", "zh-cn", "zh")),
    (SKOS + "prefLabel", ("zh-hant", "zh-tw", "zh-hk")),
    (RDFS + "label", ("zh-hant",)),
    (DCTERMS + "title", ("zh-hans", "zh", "zh-hant", "")),
)
_EN_ORDER = ((SKOS + "prefLabel", ("en",)), (RDFS + "label", ("en",)), (DCTERMS + "title", ("en",)))


@dataclass(frozen=True)
class Label:
    """What a page calls a node: a Chinese name (always set, falling back to any name or the IRI's last segment)
    and an English one when the graph has it."""

    zh: str
    en: str | None = None


@dataclass(frozen=True)
class Kind:
    """A node's most specific class, with the class's names."""

    iri: str
    zh: str
    en: str


def choose(names: list[tuple[str, str, str]], iri: str) -> Label:
    """The label from (property, language, text) triples: simplified Chinese first, the IRI's end last.

    >>> choose([(SKOS + "prefLabel", "en", "Zybio"), (SKOS + "prefLabel", "zh-hans", "中元汇吉")], "x")
    Label(zh='中元汇吉', en='Zybio')
    >>> choose([(OA + "exact", "zh-hans", "培育了全市33条工业产业链中的IVD产业链链主单位中元汇吉。")], "q").zh
    '「培育了全市33条工业产业链中的IVD产业链链主单位中元汇吉。」'
    >>> choose([], "https://w3id.org/chainkg/id/hikvision")
    Label(zh='hikvision', en=None)
    """
    def first(order: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
        for prop, langs in order:
            for lang in langs:
                for p, l, text in names:
                    if p == prop and (l == lang or (lang and l.startswith(lang + "-"))):
                        return text
        return None

    en = first(_EN_ORDER)
    zh = first(_ZH_ORDER)
    if zh is None:
        words = next((text for p, _, text in names if p == OA + "exact"), None)
        if words is not None:
            zh = "「" + (words if len(words) <= QUOTE_NAME_CHARS else words[:QUOTE_NAME_CHARS] + "…") + "」"
    if zh is None:
        zh = next((text for p, _, text in names if p in (SKOS + "prefLabel", RDFS + "label", DCTERMS + "title")), None)
    return Label(zh or en or local_name(iri), en if en != zh else None)


def labels(kg: KnowledgeGraph, nodes: Iterable[str]) -> dict[str, Label]:
    """The label of every IRI given (blank nodes and literals are not looked up)."""
    wanted = [n for n in dict.fromkeys(nodes) if n]
    found: dict[str, list[tuple[str, str, str]]] = {n: [] for n in wanted}
    for row in queries.rows(kg, "labels_of", nodes=wanted):
        name = row["name"]
        lang = (name.language or "").lower() if isinstance(name, ox.Literal) else ""
        found[row["node"].value].append((row["property"].value, lang, name.value))
    return {n: choose(found[n], n) for n in wanted}


def kinds(kg: KnowledgeGraph, nodes: Iterable[str]) -> dict[str, list[Kind]]:
    """Each IRI's most specific classes (several when the graph gives unrelated ones), sorted by IRI.

    >>> from chainkg.graph import loader
    >>> kg = KnowledgeGraph.in_memory(); _ = loader.load_shipped(kg)
    >>> [(k.zh, k.en) for k in kinds(kg, ["https://w3id.org/chainkg/ontology#Company"])["https://w3id.org/chainkg/ontology#Company"]]
    [('类', 'class')]
    """
    found: dict[str, dict[str, Kind]] = {}
    for row in queries.rows(kg, "kinds_of", nodes=nodes):
        kind = row["kind"].value
        standard = STANDARD_CLASS_LABELS.get(kind, (local_name(kind), local_name(kind)))
        zh = row["zh"].value if "zh" in row else standard[0]
        en = row["en"].value if "en" in row else standard[1]
        found.setdefault(row["node"].value, {}).setdefault(kind, Kind(kind, zh, en))
    return {n: [k for _, k in sorted(ks.items())] for n, ks in found.items()}
