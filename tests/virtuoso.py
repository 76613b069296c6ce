"""A private Virtuoso (Debian's virtuoso-opensource) on loopback, for tests and the benchmark: start, use, stop.

Debian's own service script does not start in this environment, so `virtuoso-t` is started by hand with an ini that
binds both of its ports to 127.0.0.1 and keeps its database in a directory of ours. Nothing here is a test; it is
imported by tests/conftest.py and bench/run.py. Without `virtuoso-t` on PATH it raises, it does not skip: the
Virtuoso-parametrised tests are part of the suite (`make test` installs it with apt when it is missing).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

VSP = "/var/lib/virtuoso-opensource-7/vsp"
# Virtuoso's own graphs: its quad-map schema, an LDP vocabulary and its endpoint description. They are not chainkg's.
SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                 "http://localuriqaserver/sparql")
USER, PASSWORD = "dba", "dba"  # a fresh database's administrator; the server listens on loopback only

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 32
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 2G
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 32
ServerThreads = 32
MaxKeepAlives = 32
KeepAliveTimeout = 10
EnabledDavVSP = 0
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
"""


@dataclass
class Virtuoso:
    """A running Virtuoso: its SPARQL endpoint, the authenticated one (for updates), and its process."""

    url: str
    sql_port: int
    directory: Path
    process: subprocess.Popen

    @property
    def query_url(self) -> str:
        return self.url + "/sparql"

    @property
    def update_url(self) -> str:
        return self.url + "/sparql-auth"

    def chainkg_settings(self) -> dict[str, str]:
        """Settings (names without CHAINKG_) that point chainkg at this store; strings, so they also suit the environment."""
        return {
            "remote_query_url": self.query_url,
            "remote_update_url": self.update_url,
            "remote_user": USER,
            "remote_password": PASSWORD,
            "remote_auth": "digest",
            "remote_results": "json",  # Virtuoso's TSV writes IRIs as quoted strings
            "remote_timeout_parameter": "timeout",
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_virtuoso(directory: Path, *, buffers: int = 20_000, max_rows: int = 1_000_000,
                     timeout: float = 90) -> Iterator[Virtuoso]:
    """Start `virtuoso-t` on a fresh database in `directory` (ports chosen free on 127.0.0.1); stop it afterwards.

    The fresh database is a copy of `empty_database()`'s, so it holds what a new one holds once its system graphs
    are hidden, without each start creating and setting up one."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed: apt-get install virtuoso-opensource (make test does)")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(empty_database(binary) / "virtuoso.db", directory / "virtuoso.db")
    with _started(binary, directory, buffers=buffers, max_rows=max_rows, timeout=timeout) as server:
        yield server


def empty_database(binary: str) -> Path:
    """A folder holding the database a fresh `virtuoso-t` creates, with its system graphs hidden, shut down cleanly.

    Creating the database and hiding its graphs took 4.1 s of a start, copying it 2.3-2.5 s (both beside a make
    test), and the suite starts Virtuoso three or four times. So it is made once per machine and copied: in the
    temporary folder, under a name that digests the `virtuoso-t` binary, the ini and the statements that hide the
    system graphs (another Virtuoso build or setup makes another), behind a lock, so the processes of `make test`
    make it once between them, and renamed into place only when complete.
    """
    key = hashlib.sha256()
    key.update(Path(binary).read_bytes())
    key.update(INI.encode() + "\n".join(_hiding_statements()).encode())
    folder = Path(tempfile.gettempdir()) / f"chainkg-virtuoso-{key.hexdigest()[:16]}"
    if (folder / "virtuoso.db").exists():
        return folder
    with open(f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "virtuoso.db").exists():  # made by another process while this one waited
            return folder
        making = Path(tempfile.mkdtemp(prefix=folder.name + "-making-", dir=folder.parent))
        with _started(binary, making, buffers=20_000, max_rows=1_000_000, timeout=90) as server:
            _hide_system_graphs(server)
            _isql(server, "shutdown", ignore_disconnect=True)  # a checkpoint: all of it in virtuoso.db
            server.process.wait(timeout=60)
        empty = making.with_name(making.name + "-db")
        empty.mkdir()
        os.replace(making / "virtuoso.db", empty / "virtuoso.db")
        shutil.rmtree(making)
        os.replace(empty, folder)
    return folder


@contextmanager
def _started(binary: str, directory: Path, *, buffers: int, max_rows: int, timeout: float) -> Iterator[Virtuoso]:
    sql_port, http_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http_port=http_port, vsp=VSP, buffers=buffers,
                              dirty=buffers * 3 // 4, max_rows=max_rows), encoding="utf-8")
    log = open(directory / "stdout.log", "wb")
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=directory,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Virtuoso(f"http://127.0.0.1:{http_port}", sql_port, directory, process)
    try:
        _wait_until_up(server, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def _hide_system_graphs(server: Virtuoso) -> None:
    """Make Virtuoso's own graphs private, so the anonymous endpoint's union default graph holds chainkg's alone.

    (Its `DEFINE input:default-graph-exclude` pragma would do it per query, but any such DEFINE breaks
    `GRAPH <iri> { … }` patterns in Virtuoso 7.2: they then match one row, or any graph.)
    """
    _isql(server, "; ".join(_hiding_statements()))


def _hiding_statements() -> list[str]:
    group = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
    statements = [f"DB.DBA.RDF_GRAPH_GROUP_CREATE ('{group}', 1)"]
    statements += [f"DB.DBA.RDF_GRAPH_GROUP_INS ('{group}', '{g}')" for g in SYSTEM_GRAPHS]
    statements += ["DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0)",  # public graphs: readable
                   "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1)"]  # private graphs: not even seen
    return statements


def _isql(server: Virtuoso, statements: str, *, ignore_disconnect: bool = False) -> None:
    isql = shutil.which("isql-vt") or "isql-vt"
    done = subprocess.run([isql, f"127.0.0.1:{server.sql_port}", USER, PASSWORD, "exec=" + statements + ";"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if not ignore_disconnect and (done.returncode != 0 or "Error" in done.stdout + done.stderr):
        raise RuntimeError(f"Virtuoso refused `{statements[:80]}`: {done.stdout[-500:]} {done.stderr[-500:]}")


def _wait_until_up(server: Virtuoso, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError("virtuoso-t exited: " + _tail(server.directory / "virtuoso.log"))
        try:
            response = httpx.get(server.query_url, params={"query": "ASK {}"}, timeout=2,
                                 headers={"Accept": "application/sparql-results+json"})
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"Virtuoso did not come up in {timeout:g} s: " + _tail(server.directory / "virtuoso.log"))


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
