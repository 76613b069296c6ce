"""The wheel, as a user gets it: built from the committed files, installed into a fresh virtualenv, and served
from a directory outside the repository, with the shipped graph loaded into the per-user data directory.

Offline: the build uses the test environment's setuptools (no build isolation), and the fresh virtualenv sees the
test environment's installed packages, so pip resolves the wheel's dependencies without an index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, free_port, wait_until_up


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the committed files (plus the installed npm assets, as `make install` left
    them), so nothing uncommitted or left in build/ can slip in."""
    source = tmp_path_factory.mktemp("source")
    for name in subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split():
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    (source / "viz" / "assets" / "node_modules").symlink_to(REPO / "viz" / "assets" / "node_modules")
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v",
                            "-w", str(dist), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    setuptools_warnings = [line for line in built.stdout.splitlines() if re.search(r"\w+Warning\b|!!", line)]
    assert not setuptools_warnings, "\n".join(setuptools_warnings)
    [wheel] = dist.glob("chainkg-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed; its `bin` directory."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "test-environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = subprocess.run([python, "-m", "pip", "install", "--no-index", str(wheel)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv / "bin"


def test_wheel_carries_the_data_queries_templates_and_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ["chainkg/ontology/chainkg.ttl", "chainkg/ontology/shapes.ttl", "chainkg/ontology/vocab.ttl",
                     "chainkg/data/curated/00-registry.trig", "chainkg/graph/queries/chain_view.rq",
                     "chainkg/viz/templates/entity.html", "chainkg/viz/static/chainkg.css",
                     "chainkg/viz/assets/node_modules/@zazuko/yasgui/build/yasgui.min.js",
                     "chainkg/viz/assets/node_modules/swagger-ui-dist/swagger-ui-bundle.js"]:
        assert required in names
    assert len([n for n in names if n.startswith("chainkg/data/curated/")]) >= 6
    assert not [n for n in names if n.split("/")[0] in {"graph", "api", "viz", "tests", "bench"}], "generic top-level names"
    assert not [n for n in names if n.endswith(".map")], "source maps are not served"


@contextmanager
def serving(bin_dir: Path, cwd: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    port = free_port()
    log = cwd / f"serve-{port}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([str(bin_dir / "chainkg"), "serve", "--port", str(port), *args], cwd=cwd, env=env,
                                   stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def user_environment(home: Path) -> dict[str, str]:
    """A user's environment: no CHAINKG_* settings, a home of its own (platformdirs reads XDG_DATA_HOME)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHAINKG_") and k != "PYTHONPATH"}
    return {**env, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}


LEADERS = "SELECT ?leader WHERE { ?leader ck:chainLeaderOf e:ivd-chain }"


def test_installed_chainkg_serves_the_shipped_graph_from_the_user_data_directory(installed, tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    with serving(installed, elsewhere, user_environment(home)) as url:
        leaders = httpx.get(url + "/sparql", params={"query": LEADERS}, timeout=30).json()
        assert [b["leader"]["value"].rsplit("/", 1)[1] for b in leaders["results"]["bindings"]] == ["zhongyuan-huiji"]
        page = httpx.get(url + "/id/zhongyuan-huiji", timeout=30)
        assert page.status_code == 200 and "中元汇吉" in page.text
        for path in ["/", "/ui/sparql", "/docs", "/graph/chain/ivd-chain"]:
            response = httpx.get(url + path, timeout=30, follow_redirects=True)
            assert response.status_code == 200, path
            for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text):
                assert httpx.get(url + asset, timeout=30).status_code == 200, asset
    user_store = home / ".local" / "share" / "chainkg" / "store"
    assert user_store.is_dir()
    assert not (elsewhere / "var").exists()

    # `serve --store DIR`: here a copy of that store, so the start needs no second load of the shipped graph.
    chosen = tmp_path / "my-store"
    shutil.copytree(user_store, chosen)
    shutil.rmtree(user_store)
    with serving(installed, elsewhere, user_environment(home), "--store", str(chosen)) as url:
        answer = httpx.get(url + "/sparql", params={"query": "ASK { ?c ck:chainLeaderOf e:ivd-chain }"}, timeout=30)
        assert answer.json()["boolean"] is True
    assert not user_store.exists()
