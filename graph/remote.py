"""An external SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, QLever) behind the pyoxigraph `Store` methods chainkg uses.

`KnowledgeGraph` holds a `RemoteStore` instead of an `ox.Store` when the setting `remote_query_url` is set, so its
public methods, the views and the pages run unchanged: reads become SPARQL queries over HTTP whose results are
parsed with pyoxigraph (the same term objects come back), writes become SPARQL updates sent in chunks.
It must not reach anything but the two configured endpoints, and it never follows redirects.

Differences from the embedded store, all said in the README: the store's "default graph" is the union of its graphs
(a bag), so chainkg's bare default graph is kept in a named graph of its own (`DEFAULT_GRAPH`) and the merge that
queries see as their default graph in another (graph/merge.py), which `GRAPH ?g` in a user's query also meets; a
write larger than one chunk is several requests, so it is all-or-nothing only when it fits in one; blank nodes are
the remote's own.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import io
import queue
import re
import select
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from chainkg.graph import formats, merge
from chainkg.graph.settings import Settings

Term = ox.NamedNode | ox.BlankNode | ox.Literal
GRAPH_ACCEPT = formats.NTRIPLES.media_type  # CONSTRUCT/DESCRIBE answers: parsed as formats.NTRIPLES
UPDATE_TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 5.0
DEFAULT_GRAPH_PATH = merge.OWN_PATH  # under the base IRI: where chainkg's own default graph lives
_VIRTUOSO_BNODE = re.compile(rb'(?<!\\)"nodeID://')  # Virtuoso names blank nodes nodeID://b123: not a valid label


class RemoteError(OSError):
    """The external store did not answer, or answered with an error; `status` is its HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0, timed_out: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.timed_out = timed_out


class RemoteSyntaxError(SyntaxError):
    """The external store refused the text (HTTP 400)."""


@dataclass(frozen=True)
class Reply:
    """A store's answer, read whole; `headers.get` ignores case."""

    status_code: int
    headers: http.client.HTTPMessage
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class Client:
    """POSTs forms to the store over keep-alive HTTP/1.1 connections, kept in a pool for any thread.

    Why not httpx: its sync client cost ~0.9 ms per request on loopback, more than Virtuoso's own 0.7 ms look-up
    (README "Benchmark"). The request is written here in one send (http.client sends the head and the body apart:
    two segments, ~0.1 ms more) and its answer read by the standard library's `http.client.HTTPResponse`. What
    httpx gave is kept by construction: nothing is read from the environment (no proxies), a redirect is an
    answer like any other (never followed), a connection is reused only when the store has not closed it
    meanwhile and never after an error, and Basic or Digest credentials are sent (Digest after the store's first
    challenge, then with every request). It connects only to the URLs it is given. Stricter than httpx: a request
    has one deadline for all of it (connecting — at most CONNECT_TIMEOUT_S —, sending, every read), where httpx
    gave each read the whole time-out again."""

    def __init__(self, auth: Auth | None, *, idle: int, timeout_s: float) -> None:
        self.auth, self.timeout_s = auth, timeout_s
        self._idle: dict[tuple[str, str, int | None], queue.LifoQueue[socket.socket]] = {}
        self._idle_size = idle
        self._lock = threading.Lock()
        self._streams: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, list[tuple[
            asyncio.StreamReader, asyncio.StreamWriter]]]] = weakref.WeakKeyDictionary()

    def post(self, url: str, form: dict[str, str | list[str]], accept: str, timeout_s: float | None) -> Reply:
        """One request (two when the store asks for Digest credentials), all of it within `timeout_s`: connecting,
        sending and every read share one deadline, so a store that trickles its answer is stopped at the limit as
        one that is silent is (the event loop's `post_async` is bounded the same way, by its caller). Raises
        TimeoutError, OSError or http.client.HTTPException when there is no answer."""
        deadline = time.monotonic() + (timeout_s or self.timeout_s)
        parts, head, body = _request(url, form, accept)
        credentials = self.auth.header(url) if self.auth else None
        reply = self._send(parts, head, body, credentials, deadline)
        if reply.status_code == 401 and self.auth is not None:
            answer = self.auth.answer(reply.headers.get_all("www-authenticate") or [], url)
            if answer is not None:
                reply = self._send(parts, head, body, answer, deadline)
        return reply

    async def post_async(self, url: str, form: dict[str, str | list[str]], accept: str) -> Reply:
        """`post` from the event loop, on connections of the loop's own (asyncio streams: nothing blocks, no thread
        carries it); the caller bounds the time (asyncio.wait_for), and a connection cut short is closed, never
        kept. Raises OSError, asyncio.IncompleteReadError, LimitOverrunError or ValueError when there is no answer."""
        parts, head, body = _request(url, form, accept)
        credentials = self.auth.header(url) if self.auth else None
        reply = await self._send_async(parts, head, body, credentials)
        if reply.status_code == 401 and self.auth is not None:
            answer = self.auth.answer(reply.headers.get_all("www-authenticate") or [], url)
            if answer is not None:
                reply = await self._send_async(parts, head, body, answer)
        return reply

    async def _send_async(self, parts: urllib.parse.SplitResult, head: str, body: bytes,
                          credentials: str | None) -> Reply:
        pools = self._streams.setdefault(asyncio.get_running_loop(), {})
        idle = pools.setdefault((parts.scheme, parts.hostname or "", parts.port), [])
        while idle:
            reader, writer = idle.pop()
            if not (reader.at_eof() or writer.is_closing()):
                break
            writer.close()
        else:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                parts.hostname or "", port, ssl=ssl.create_default_context() if parts.scheme == "https" else None),
                CONNECT_TIMEOUT_S)
        if credentials:
            head += f"Authorization: {credentials}\r\n"
        try:
            writer.write(head.encode("latin-1") + b"\r\n" + body)
            reply, keep = await _read_reply(reader)
        except BaseException:
            writer.close()
            raise
        if keep and len(idle) < self._idle_size:
            idle.append((reader, writer))
        else:
            writer.close()
        return reply

    def _send(self, parts: urllib.parse.SplitResult, head: str, body: bytes, credentials: str | None,
              deadline: float) -> Reply:
        idle = self._pool(parts)
        connection = self._reusable(idle) or self._connect(parts, deadline)
        if credentials:
            head += f"Authorization: {credentials}\r\n"
        response = None
        try:
            connection.settimeout(_left(deadline))
            connection.sendall(head.encode("latin-1") + b"\r\n" + body)
            response = http.client.HTTPResponse(_Reads(connection, deadline), method="POST")  # type: ignore[arg-type]
            response.begin()
            reply = Reply(response.status, response.headers, response.read())
        except BaseException:
            if response is not None:
                response.close()  # its reader holds the socket open otherwise
            connection.close()
            raise
        response.close()  # the reader only: the connection stays open
        if response.will_close:  # the store said it closes it, or its answer ran to the end of the connection
            connection.close()
        else:
            try:
                idle.put_nowait(connection)
            except queue.Full:
                connection.close()
        return reply

    def _pool(self, parts: urllib.parse.SplitResult) -> queue.LifoQueue[socket.socket]:
        key = (parts.scheme, parts.hostname or "", parts.port)
        idle = self._idle.get(key)
        if idle is None:
            with self._lock:
                idle = self._idle.setdefault(key, queue.LifoQueue(self._idle_size))
        return idle

    @staticmethod
    def _reusable(idle: queue.LifoQueue[socket.socket]) -> socket.socket | None:
        """An idle connection the store has not closed (nothing to read on it: no EOF, no stray bytes), or None."""
        while True:
            try:
                connection = idle.get_nowait()
            except queue.Empty:
                return None
            readable = select.poll()
            readable.register(connection, select.POLLIN)
            if not readable.poll(0):
                return connection
            connection.close()

    @staticmethod
    def _connect(parts: urllib.parse.SplitResult, deadline: float) -> socket.socket:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        connection = socket.create_connection((parts.hostname or "", port),
                                              timeout=min(CONNECT_TIMEOUT_S, _left(deadline)))
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if parts.scheme == "https":
            connection = ssl.create_default_context().wrap_socket(connection, server_hostname=parts.hostname)
        return connection

    def close(self) -> None:
        with self._lock:
            pools, self._idle = list(self._idle.values()), {}
        for idle in pools:
            while not idle.empty():
                idle.get_nowait().close()
        for loop, pools in list(self._streams.items()):  # closed by their own loop, whichever thread closes us
            for streams in pools.values():
                for _, writer in streams:
                    if not loop.is_closed():
                        loop.call_soon_threadsafe(writer.close)
        self._streams.clear()


def _left(deadline: float) -> float:
    """The time left before `deadline`; TimeoutError when there is none (a socket time-out of 0 would not wait)."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


class _Reads(io.RawIOBase):
    """A connection's reads for http.client.HTTPResponse (which asks its socket for `makefile`), each given only
    what is left before the request's deadline: a socket's own time-out is per read, so a store sending a byte now
    and then would hold the thread for as long as it liked."""

    def __init__(self, connection: socket.socket, deadline: float) -> None:
        self.connection, self.deadline = connection, deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 (a writable buffer)
        self.connection.settimeout(_left(self.deadline))
        return self.connection.recv_into(buffer)


def _request(url: str, form: dict[str, str | list[str]], accept: str) -> tuple[urllib.parse.SplitResult, str, bytes]:
    """A POST of `form` to `url`: its parts, its head (without the blank line) and its body."""
    parts = urllib.parse.urlsplit(url)
    body = urllib.parse.urlencode(form, doseq=True).encode()
    head = (f"POST {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
            f"Host: {parts.netloc.rpartition('@')[2]}\r\nAccept-Encoding: identity\r\nAccept: {accept}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n")
    return parts, head, body


async def _read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    """An HTTP/1.1 answer from a stream (status line, headers, a body by Content-Length, chunks or up to the end),
    and whether the connection may carry another request."""
    raw = await reader.readuntil(b"\r\n\r\n")
    status_line, _, fields = raw.partition(b"\r\n")
    version, status, *_ = status_line.split(b" ", 2)
    if not version.startswith(b"HTTP/1.") or not status.isdigit():
        raise ValueError("not an HTTP/1.x answer")
    code = int(status)
    headers = http.client.parse_headers(io.BytesIO(fields))
    keep = version == b"HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if code in (204, 304) or code < 200:
        content = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
            pass
        content = b"".join(chunks)
    elif headers.get("content-length") is not None:
        content = await reader.readexactly(int(headers["content-length"]))
    else:
        content, keep = await reader.read(), False
    return Reply(code, headers, content), keep


class Auth:
    """Basic or Digest credentials for the store's URLs. Digest's arithmetic (RFC 2617/7616: MD5 or SHA, qop=auth,
    nonce counts) is the standard library's (urllib.request); the last challenge is kept, so after the first 401
    every request carries its answer, as httpx's DigestAuth did."""

    def __init__(self, kind: str, user: str, password: str, urls: Sequence[str]) -> None:
        self.kind = kind
        self._basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in urls:
            passwords.add_password(None, url, user, password)
        self._digest = urllib.request.AbstractDigestAuthHandler(passwords)
        self._challenge: dict[str, str] | None = None
        self._lock = threading.Lock()

    def header(self, url: str) -> str | None:
        if self.kind != "digest":
            return self._basic
        challenge = self._challenge
        return self._digest_for(challenge, url) if challenge else None

    def answer(self, challenges: list[str], url: str) -> str | None:
        """The Authorization header answering a 401's WWW-Authenticate challenges, or None (not ours to answer)."""
        if self.kind != "digest":
            return None
        for challenge in challenges:
            scheme, _, params = challenge.partition(" ")
            if scheme.lower() == "digest":
                self._challenge = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(params)))
                return self._digest_for(self._challenge, url)
        return None

    def _digest_for(self, challenge: dict[str, str], url: str) -> str | None:
        request = urllib.request.Request(url, method="POST")
        with self._lock:  # the nonce count
            answer = self._digest.get_authorization(request, challenge)
        return f"Digest {answer}" if answer else None


class RemoteStore:
    """The subset of `pyoxigraph.Store` that `KnowledgeGraph` uses, over a store's SPARQL 1.1 endpoints."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.query_url = settings.remote_query_url
        self.update_url = settings.remote_update_url or settings.remote_query_url
        self.default_graph = ox.NamedNode(settings.base_iri + DEFAULT_GRAPH_PATH)
        self.layout = merge.Layout(settings.base_iri, remote=True)
        self.merge_graph = ox.NamedNode(self.layout.merge)
        self.hidden = set(settings.remote_hidden_graphs) | {self.default_graph.value} | self.layout.hidden
        results = formats.result_by_name(settings.remote_results)
        self.results_type, self.results_format = results.media_type, results.oxigraph
        password = settings.remote_password.get_secret_value() if settings.remote_password else ""
        auth = (None if settings.remote_user is None else
                Auth(settings.remote_auth, settings.remote_user, password, [self.query_url, self.update_url]))
        self.client = Client(auth, idle=max(8, settings.query_workers * 2), timeout_s=settings.query_timeout_s + 5)

    # ------------------------------------------------------------------ HTTP
    def request_query(self, text: str, accept: str, *, default_graphs: Sequence[str] | None = None,
                      named_graphs: Sequence[str] | None = None, timeout_s: float | None = None) -> Reply:
        """POST a query and return the successful response; raises RemoteError (RemoteSyntaxError for HTTP 400)."""
        return self._post(self.query_url, self._query_form(text, default_graphs, named_graphs, timeout_s), accept,
                          timeout_s)

    async def request_query_async(self, text: str, accept: str, *, default_graphs: Sequence[str] | None = None,
                                  named_graphs: Sequence[str] | None = None, timeout_s: float | None = None) -> Reply:
        """`request_query` from the event loop (Client.post_async): the same request, the same errors."""
        form = self._query_form(text, default_graphs, named_graphs, timeout_s)
        try:
            response = await asyncio.wait_for(self.client.post_async(self.query_url, form, accept),
                                              timeout_s + 1 if timeout_s else self.client.timeout_s)
        except (TimeoutError, asyncio.TimeoutError):
            raise _time_out(timeout_s) from None
        except (OSError, http.client.HTTPException, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError) as error:
            raise _unreachable(error) from None
        return _checked(response)

    def _query_form(self, text: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None,
                    timeout_s: float | None) -> dict[str, str | list[str]]:
        if (default_graphs is not None and list(default_graphs) == [self.merge_graph.value] and not named_graphs
                and "graph" in text.lower()):  # no such word, no GRAPH block to rewrite (tokenizing it: ~0.1 ms)
            # see there: Virtuoso and GRAPH; chainkg's own default graph stays a source, as on the embedded store
            text = merge.graph_constants_as_variables(text, self.hidden - {self.default_graph.value})
        form: dict[str, str | list[str]] = {"query": text}
        if default_graphs:
            form["default-graph-uri"] = list(default_graphs)
        if named_graphs:
            form["named-graph-uri"] = list(named_graphs)
        if timeout_s and self.settings.remote_timeout_parameter:
            form[self.settings.remote_timeout_parameter] = str(int(timeout_s * 1000))
        return form

    def request_update(self, text: str) -> None:
        """Writes are not user queries: they get the longer of the query limit and UPDATE_TIMEOUT_S.

        `default-graph-uri` names chainkg's default graph as the update's: triples written or matched outside a
        GRAPH block go there, as they go to the bare default graph of the embedded store (Virtuoso refuses an
        INSERT DATA without GRAPH otherwise)."""
        form = {"update": text, "default-graph-uri": self.default_graph.value}
        self._post(self.update_url, form, "*/*", max(UPDATE_TIMEOUT_S, self.settings.query_timeout_s))

    def maintain(self, text: str) -> None:
        """An update of the merge's bookkeeping (graph/merge.py), sent without chainkg's default graph as its
        default-graph-uri: with one, Virtuoso 7.2 matches `GRAPH <iri>` patterns in no graph at all."""
        self._post(self.update_url, {"update": text}, "*/*", max(UPDATE_TIMEOUT_S, self.settings.query_timeout_s))

    def _post(self, url: str, form: dict[str, str | list[str]], accept: str, timeout_s: float | None) -> Reply:
        try:
            response = self.client.post(url, form, accept, timeout_s + 1 if timeout_s else None)
        except TimeoutError:
            raise _time_out(timeout_s) from None
        except (OSError, http.client.HTTPException) as error:
            raise _unreachable(error) from None
        return _checked(response)

    # ------------------------------------------------------------------ the Store API
    def query(self, sparql: str, *, prefixes: dict[str, str] | None = None, base_iri: str | None = None,
              use_default_graph_as_union: bool = False, default_graph: Sequence[ox.NamedNode] | None = None,
              named_graphs: Sequence[ox.NamedNode] | None = None) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Like `ox.Store.query`; CONSTRUCT and DESCRIBE give a list of triples (not an `ox.QueryTriples`)."""
        text = declare(sparql, prefixes, base_iri)
        graph_form = is_graph_query(text)
        defaults = [g.value for g in default_graph] if default_graph is not None else None
        if defaults is None and not use_default_graph_as_union and not has_dataset_clause(text):
            defaults = [self.merge_graph.value]  # the merge, as the embedded store's default graph is
        response = self.request_query(text, GRAPH_ACCEPT if graph_form else self.results_type,
                                      default_graphs=defaults,
                                      named_graphs=[g.value for g in named_graphs] if named_graphs is not None else None)
        if response.headers.get("x-sparql-maxrows"):  # Virtuoso cut the result at its ResultSetMaxRows
            raise RemoteError(f"the external store cut a result at {response.headers['x-sparql-maxrows']} rows: "
                              f"raise its result cap (Virtuoso: [SPARQL] ResultSetMaxRows)")
        if graph_form:
            return list(ox.parse(response.content, format=formats.NTRIPLES.oxigraph))
        return parse_results(response.content, self.results_format)

    def quads_for_pattern(self, subject: Term | None, predicate: ox.NamedNode | None, obj: Term | None,
                          graph_name: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterator[ox.Quad]:
        terms = {"s": subject, "p": predicate, "o": obj}
        if any(isinstance(t, ox.BlankNode) for t in terms.values()):
            return iter(())  # the remote's blank nodes cannot be named in a query
        pattern = " ".join(str(t) if t is not None else f"?{name}" for name, t in terms.items())
        if isinstance(graph_name, ox.DefaultGraph):
            graph_name = self.default_graph
        where = f"GRAPH {graph_name if graph_name is not None else '?g'} {{ {pattern} }}"
        hidden = self._hidden_filter("?g", keep_default=True) if graph_name is None else ""
        solutions = self.query(f"SELECT * WHERE {{ {where} {hidden} }}", use_default_graph_as_union=True)
        return (ox.Quad(row["s"] if subject is None else subject, row["p"] if predicate is None else predicate,
                        row["o"] if obj is None else obj, self._graph_of(row["g"] if graph_name is None else graph_name))
                for row in solutions)

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)

    def __len__(self) -> int:
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._hidden_filter('?g', keep_default=True)} }}",
                          use_default_graph_as_union=True)
        return int(next(iter(rows))["n"].value)

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        if graph.value in self.hidden:
            return False
        rows = self.query(f"SELECT ?s WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} LIMIT 1", use_default_graph_as_union=True)
        return any(True for _ in rows)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._hidden_filter('?g')} }}",
                          use_default_graph_as_union=True)
        return (row["g"] for row in rows if isinstance(row["g"], ox.NamedNode))

    def dump(self, *, format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
        return ox.serialize(list(self), format=format, prefixes=prefixes or {}) or b""

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Insert quads, `remote_chunk_triples` per request (one request, hence atomic, when they fit)."""
        for chunk in self._chunks(quads):
            self.request_update(formats.insert_data(chunk, self.default_graph))

    def load(self, data: bytes | str, *, format: ox.RdfFormat, base_iri: str | None = None,
             to_graph: ox.NamedNode | None = None) -> None:
        parsed = ox.parse(data.encode() if isinstance(data, str) else data, format=format, base_iri=base_iri)
        self.extend(q if to_graph is None else ox.Quad(q.subject, q.predicate, q.object, to_graph) for q in parsed)

    def replace(self, drop: Iterable[str], quads: Sequence[ox.Quad], *, layout: merge.Layout) -> None:
        """Drop graphs, then insert quads (the drops with the first chunk, then one request per chunk), between the
        requests that keep the merge in step (graph/merge.py)."""
        drop = sorted(set(drop))
        graphs = set(drop) | {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        statements = [f"DROP SILENT GRAPH <{g}>" for g in drop]
        chunks = [formats.insert_data(chunk, self.default_graph) for chunk in self._chunks(quads)]
        if not statements and not chunks:
            return
        first, rest = [" ;\n".join([*statements, *chunks[:1]])], chunks[1:]
        for text, bookkeeping in layout.around(first + rest, graphs):
            self.maintain(text) if bookkeeping else self.request_update(text)

    def update(self, sparql_update: str, *, prefixes: dict[str, str] | None = None, base_iri: str | None = None) -> None:
        """One SPARQL update request; the syntax is checked by Oxigraph first, so errors read the same as embedded."""
        check_update_syntax(sparql_update, prefixes, base_iri)
        self.request_update(declare(sparql_update, prefixes, base_iri))

    def flush(self) -> None:
        pass  # the remote store makes its own writes durable

    def backup(self, path: str) -> None:
        raise OSError("an external store is backed up with its own tools, not by chainkg")

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------------ helpers
    def _graph_of(self, graph: ox.NamedNode) -> ox.NamedNode | ox.DefaultGraph:
        return ox.DefaultGraph() if graph == self.default_graph else graph

    def _hidden_filter(self, variable: str, *, keep_default: bool = False) -> str:
        hidden = sorted(self.hidden - ({self.default_graph.value} if keep_default else set()))
        if not hidden:
            return ""
        return f"FILTER({variable} NOT IN ({', '.join(f'<{g}>' for g in hidden)}))"

    def _chunks(self, quads: Iterable[ox.Quad]) -> Iterator[list[ox.Quad]]:
        chunk: list[ox.Quad] = []
        for quad in quads:
            chunk.append(quad)
            if len(chunk) >= self.settings.remote_chunk_triples:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _checked(response: Reply) -> Reply:
    """The store's answer when it is one (2xx); its refusal as RemoteSyntaxError (400) or RemoteError."""
    if response.status_code == 400:
        raise RemoteSyntaxError(_first_lines(response.text))
    if response.status_code >= 300:
        raise RemoteError(f"the external store answered HTTP {response.status_code}: {_first_lines(response.text)}",
                          response.status_code)
    return response


def _time_out(timeout_s: float | None) -> RemoteError:
    return RemoteError(f"the external store did not answer within {timeout_s or 'the'} s", timed_out=True)


def _unreachable(error: BaseException) -> RemoteError:
    return RemoteError(f"the external store could not be reached ({error.__class__.__name__})")


# ---------------------------------------------------------------------------------------------------- text helpers
def declare(text: str, prefixes: dict[str, str] | None, base_iri: str | None) -> str:
    """Put BASE and PREFIX declarations before a query or update, as the embedded store's options would: only the
    prefixes whose `name:` occurs somewhere in the text (a prefixed name cannot use any other; a name that occurs
    elsewhere costs one unused line), so a look-up of full IRIs goes out without chainkg's two dozen prefixes —
    ~1.2 kB less to encode and for the store to parse on every request.

    >>> declare("ASK { e:x ?p ?o }", {"e": "http://ex.org/", "ck": "http://ck.org/"}, "http://base/")
    'BASE <http://base/>\\nPREFIX e: <http://ex.org/>\\nASK { e:x ?p ?o }'
    """
    head = [f"BASE <{base_iri}>"] if base_iri else []
    head += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items() if f"{name}:" in text]
    return "\n".join([*head, text])


def _form(text: str) -> str:
    from chainkg.graph import guard  # guard's tokenizer knows strings, IRIs and comments

    return guard.shape(text, {}, "").form


def is_graph_query(text: str) -> bool:
    return _form(text) in ("CONSTRUCT", "DESCRIBE")


def has_dataset_clause(text: str) -> bool:
    from chainkg.graph import guard

    return guard.shape(text, {}, "").has_dataset


def check_query_syntax(text: str, prefixes: dict[str, str] | None = None, base_iri: str | None = None) -> None:
    """Raise Oxigraph's SyntaxError (with its line and column) for a malformed query; nothing is evaluated.

    >>> check_query_syntax("SELECT ?x WHERE { ?x ?y }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SyntaxError: error at 1:26: expected ...
    """
    # An empty store: parsing happens now, evaluation (of nothing) only when iterated.
    ox.Store().query(text, prefixes=prefixes or {}, base_iri=base_iri)


def check_update_syntax(text: str, prefixes: dict[str, str] | None = None, base_iri: str | None = None) -> None:
    """Raise Oxigraph's SyntaxError for a malformed update, by running it on an empty scratch store (no LOAD)."""
    from chainkg.graph import guard

    if guard.shape(text, {}, "").load:
        return  # a LOAD would fetch; let the remote store judge it (the guard has allowed it)
    ox.Store().update(text, prefixes=prefixes or {}, base_iri=base_iri)


def parse_results(body: bytes, syntax: ox.QueryResultsFormat) -> ox.QuerySolutions | ox.QueryBoolean:
    """Results as pyoxigraph objects; Virtuoso's `nodeID://` blank node names become valid labels."""
    if b"nodeID://" in body:
        body = _VIRTUOSO_BNODE.sub(b'"', body)
    return ox.parse_query_results(body, format=syntax)


def is_time_refusal(message: str) -> bool:
    """The store refused to start a query because it estimated it would run past its limit (Virtuoso: SQ200-ish
    "The estimated execution time … exceeds the limit"): to a client that is the time limit biting.

    >>> is_time_refusal("Virtuoso 42000 Error The estimated execution time 47763 (sec) exceeds the limit of 400 (sec).")
    True
    """
    return "estimated execution time" in message.lower()


def _first_lines(text: str, limit: int = 300) -> str:
    text = " ".join(text.strip().split())
    return text[:limit] + ("…" if len(text) > limit else "")
