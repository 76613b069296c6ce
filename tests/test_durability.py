"""Durability with real processes: an acknowledged write survives SIGKILL of the server, and a load or upload
killed in the middle of its commit leaves the store exactly as it was before the load began."""

from __future__ import annotations

import gc
import subprocess
import threading
import time

import httpx
import pyoxigraph as ox
import pytest

from tests.conftest import REPO, WRITE_TOKEN, chainkg_command, running_server

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
SETTINGS = {"write_token": WRITE_TOKEN, "load_shipped": False, "validate_on_load": False,
            "max_upload_bytes": 200_000_000, "query_timeout_s": 30}
BIG = 150_000  # triples: a commit of this many takes seconds, long enough to be killed in the middle of


def ntriples(count: int, tag: str) -> bytes:
    return "".join(f'<urn:{tag}:{i}> <urn:p> "{tag} {i}" .\n' for i in range(count)).encode()


def graph_size(server, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = httpx.get(server + "/sparql", params={"query": query}, timeout=30)
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def all_quads(server) -> set[str]:
    response = httpx.get(server + "/sparql", params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.status_code == 200, response.text
    return set(response.text.splitlines())


def kill(server) -> None:
    server.process.kill()
    server.process.wait(timeout=10)


def wait_for_line(log, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, f"never logged {text!r}"
        time.sleep(0.01)


def test_acknowledged_writes_survive_sigkill_and_restart(tmp_path):
    with running_server(tmp_path, **SETTINGS) as first:
        writes = [
            httpx.post(first + "/update", data={"update": "INSERT DATA { GRAPH <urn:d:update> { <urn:a> <urn:b> 1 } }"},
                       headers=AUTH),
            httpx.put(first + "/store", params={"graph": "urn:d:put"}, content=ntriples(5, "put"),
                      headers={**AUTH, "Content-Type": "application/n-triples"}),
            httpx.post(first + "/store", params={"graph": "urn:d:post"}, content=b"<urn:c> <urn:d> 'posted' .",
                       headers={**AUTH, "Content-Type": "text/turtle"}),
            httpx.post(first + "/store", content=b"<urn:d:trig> { <urn:e> <urn:f> 'trig' }",
                       headers={**AUTH, "Content-Type": "application/trig"}),
            httpx.put(first + "/store", params={"graph": "urn:d:gone"}, content=ntriples(2, "gone"),
                      headers={**AUTH, "Content-Type": "application/n-triples"}),
            httpx.delete(first + "/store", params={"graph": "urn:d:gone"}, headers=AUTH),
        ]
        assert [w.status_code for w in writes] == [204, 201, 201, 204, 201, 204]  # POST to a new graph creates it
        kill(first)  # right after the last acknowledgement: no shutdown, no flush of our own
    with running_server(tmp_path, **SETTINGS) as second:
        assert [graph_size(second, g) for g in ("urn:d:update", "urn:d:put", "urn:d:post", "urn:d:trig", "urn:d:gone")] \
            == [1, 5, 1, 1, 0]


def test_an_upload_killed_mid_commit_leaves_the_store_as_before(tmp_path):
    """A PUT killed in its commit, a restart, then a POST killed in its commit, a restart: nothing of either."""
    with running_server(tmp_path, **SETTINGS) as first:
        assert httpx.put(first + "/store", params={"graph": "urn:d:before"}, content=ntriples(3, "before"),
                         headers={**AUTH, "Content-Type": "application/n-triples"}).status_code == 201
        before = all_quads(first)
        _kill_during_upload(first, "PUT", "replacing 1 graph(s) by")
    with running_server(tmp_path, **SETTINGS) as second:
        assert all_quads(second) == before
        _kill_during_upload(second, "POST", "adding")
    with running_server(tmp_path, **SETTINGS) as third:
        assert all_quads(third) == before
        assert graph_size(third, "urn:d:big") == 0


def _kill_during_upload(server, method: str, started: str) -> None:
    upload = threading.Thread(target=_upload, args=(server, method), daemon=True)
    upload.start()
    wait_for_line(server.log, f"write started: {started} {BIG:,} quads")
    time.sleep(0.02)
    kill(server)
    upload.join(timeout=30)
    assert f"{BIG:,} quads in" not in server.log.read_text(errors="replace")  # it never committed


def _upload(server, method: str) -> None:
    try:
        httpx.request(method, server + "/store", params={"graph": "urn:d:big"}, content=ntriples(BIG, "big"),
                      headers={**AUTH, "Content-Type": "application/n-triples"}, timeout=60)
    except httpx.TransportError:
        pass  # the server died under it, as intended


def test_a_cli_load_killed_mid_commit_leaves_the_store_as_before(tmp_path):
    store = tmp_path / "store"
    small, big = tmp_path / "small.nt", tmp_path / "big.nq"
    small.write_bytes(ntriples(3, "small"))
    big.write_bytes(b"".join(line.replace(b" .", b" <urn:d:big> .") + b"\n" for line in ntriples(BIG, "big").splitlines()))
    load = chainkg_command() + ["--store", str(store), "load", "--no-validate"]
    subprocess.run(load + ["--graph", "urn:d:small", str(small)], cwd=REPO, check=True, capture_output=True, timeout=120)
    before = _store_dump(store)
    process = subprocess.Popen(load + [str(big)], cwd=REPO, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    for line in process.stderr:
        if line.startswith(b"write started"):
            break
    time.sleep(0.05)
    process.kill()
    rest = process.stderr.read()
    process.stderr.close()
    process.wait(timeout=10)
    assert b"write committed" not in rest
    assert _store_dump(store) == before


def _store_dump(path) -> bytes:
    store = ox.Store(str(path))
    try:
        return store.dump(format=ox.RdfFormat.N_QUADS)
    finally:
        del store
        gc.collect()  # closes RocksDB, releasing its lock for the next process
