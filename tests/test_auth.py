"""Who may do what: every write needs the token, the token never shows in a log line or an answer, and the
per-client cap keeps one client from taking every query worker."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from chainkg.api.app import create_app
from chainkg.graph.settings import Settings
from tests.conftest import WRITE_TOKEN, client_from, serve, started_together

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LEADERS = "SELECT ?leader WHERE { ?leader ck:chainLeaderOf e:ivd-chain }"
QUERY_POSTS = {"/sparql"}  # POST routes that also take plain queries: they are writes only with update=


def write_operations() -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document that can change the store, as others add routes too."""
    document = create_app(Settings(store=":memory:", load_shipped=False)).openapi()
    return sorted((method.upper(), path) for path, operations in document["paths"].items()
                  for method in operations if method in ("put", "post", "delete", "patch"))


def attempt(server, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    if path in QUERY_POSTS or path == "/update":
        return httpx.post(server + path, data={"update": "INSERT DATA { <urn:auth> <urn:p> 1 }"}, headers=headers)
    return httpx.request(method, server + path, params={"graph": "urn:auth"}, content=b"<urn:a> <urn:b> <urn:c> .",
                         headers={**headers, "Content-Type": "application/n-triples"})


@pytest.mark.parametrize(("method", "path"), write_operations())
@pytest.mark.parametrize("authorization", [None, "Bearer wrong", WRITE_TOKEN, f"Basic {WRITE_TOKEN}",
                                           f"Bearer {WRITE_TOKEN}x"])
def test_every_write_needs_the_token(writable_server, method, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = attempt(writable_server, method, path, headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized"
    assert WRITE_TOKEN not in response.text


@pytest.mark.parametrize(("method", "path"), write_operations())
def test_a_read_only_service_refuses_every_write(server, method, path):
    response = attempt(server, method, path, {"Authorization": f"Bearer {WRITE_TOKEN}"})
    assert response.status_code == 403 and response.json()["error"] == "read-only"


def test_the_token_never_reaches_a_log_line_or_an_answer(writable_server):
    auth = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    seen = writable_server.log.read_text(errors="replace").count("path=/sparql status=400")
    answers = [
        httpx.post(writable_server + "/update", params={"token": WRITE_TOKEN},  # a client that puts it in the URL
                   data={"update": "INSERT DATA { GRAPH <urn:t> { <urn:a> <urn:b> 1 } }"}, headers=auth),
        httpx.post(writable_server + "/update", data={"update": "INSERT DATA {"}, headers=auth),  # syntax error
        httpx.post(writable_server + "/update", data={"update": "LOAD <file:///etc/passwd>"}, headers=auth),
        httpx.put(writable_server + "/store", params={"graph": "urn:t", "key": WRITE_TOKEN}, content=b"not rdf",
                  headers={**auth, "Content-Type": "text/turtle"}),
        httpx.delete(writable_server + "/store", params={"graph": "urn:never-there"}, headers=auth),
        httpx.post(writable_server + "/update", data={"update": "CLEAR ALL"},
                   headers={"Authorization": f"Bearer {WRITE_TOKEN[:-1]}"}),
        httpx.get(writable_server + "/sparql", params={"query": "SELEKT"}, headers=auth),
    ]
    assert [a.status_code for a in answers] == [204, 400, 403, 400, 404, 401, 400]
    for answer in answers:
        assert WRITE_TOKEN not in answer.text and WRITE_TOKEN not in str(answer.headers)
    log = writable_server.log_when(lambda text: text.count("path=/sparql status=400") > seen)  # the last answer's line

    assert "method=POST path=/update status=204" in log  # the writes were logged, without their query strings
    assert WRITE_TOKEN not in log and WRITE_TOKEN[:-1] not in log


FLOOD_LIMIT_S = 1


@pytest.fixture(scope="module")
@started_together
def flood_server(tmp_path_factory):
    """The shipped graph, default workers and caps, runaway queries stopped at 1 s: the flood below waits until
    every query it got in has run out the limit (18 of them, two at a time), 23.5 s of the alone part with 2 s."""
    yield from serve(tmp_path_factory.mktemp("flood"), query_timeout_s=FLOOD_LIMIT_S, access_log=False)


@pytest.mark.alone  # B's answers within the limit: the flood's load only, not another test's
def test_one_client_flooding_does_not_take_every_worker(flood_server):
    """Client A sends 30 runaway queries at once; client B still gets its answers promptly, and A is told to
    wait (429) once it has more queued than the cap allows."""
    url = flood_server.url
    with client_from("127.0.0.2", timeout=120, limits=httpx.Limits(max_connections=40)) as flooder, \
            client_from("127.0.0.3", timeout=30) as other, ThreadPoolExecutor(max_workers=30) as pool:
        flood = [pool.submit(flooder.get, url + "/sparql", params={"query": CROSS_JOIN}) for _ in range(30)]
        time.sleep(0.5)
        answered = []
        for _ in range(15):
            started = time.monotonic()
            response = other.get(url + "/sparql", params={"query": LEADERS})
            answered.append((response.status_code, time.monotonic() - started))
            time.sleep(0.1)
        statuses = [f.result().status_code for f in flood]
    assert all(status == 200 for status, _ in answered), answered
    assert max(took for _, took in answered) < FLOOD_LIMIT_S, answered  # B never waits for a runaway
    assert statuses.count(429) >= 30 - 2 * (1 + 8)  # 2 running and 16 waiting at most, the rest refused at once
    assert set(statuses) <= {429, 503}


@pytest.fixture(scope="module")
def blank_token_server(tmp_path_factory):
    """`CHAINKG_WRITE_TOKEN=` set but empty, as an env file that clears it would leave it."""
    yield from serve(tmp_path_factory.mktemp("blank-token"), write_token="", load_shipped=False)


@pytest.mark.parametrize(("method", "path"), write_operations())
@pytest.mark.parametrize("authorization", [None, "Bearer", "bearer", "Basic"])  # a header value loses trailing blanks
def test_an_empty_write_token_means_read_only_not_any_empty_bearer_writes(blank_token_server, method, path,
                                                                           authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = attempt(blank_token_server, method, path, headers)
    assert response.status_code == 403 and response.json()["error"] == "read-only", response.text


def test_an_empty_write_token_is_reported_at_start(blank_token_server):
    assert "CHAINKG_WRITE_TOKEN is set but empty: the service is read-only" in blank_token_server.log.read_text()
    description = httpx.get(blank_token_server + "/sparql", headers={"Accept": "text/turtle"}).text
    assert "UpdateOperation" not in description  # the service description does not offer updates either
