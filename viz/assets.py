"""Where the browser assets come from, and the versioned paths chainkg serves them under.

Third-party code is never committed: vis-network is the copy bundled in the installed pyvis package, YASGUI is
installed by `make install` (`npm ci` in viz/assets, pinned by its lockfile). Our own CSS and JS are in viz/static.
A version in every path (`/static/vis-network-9.1.2/…`) lets browsers cache them for good.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyvis

HERE = Path(__file__).resolve().parent
STATIC_PREFIX = "/static"
VIS_NETWORK_VERSION = "9.1.2"
OWN_VERSION = "0.1.0"


@dataclass(frozen=True)
class Asset:
    """A directory of files served at `STATIC_PREFIX/<name>-<version>/`."""

    name: str
    version: str
    directory: Path

    @property
    def mount(self) -> str:
        """The path segment under /static, e.g. 'vis-network-9.1.2'."""
        return f"{self.name}-{self.version}"

    def url(self, file: str) -> str:
        return f"{STATIC_PREFIX}/{self.mount}/{file}"

    @property
    def installed(self) -> bool:
        return self.directory.is_dir()


@cache
def assets() -> dict[str, Asset]:
    """The asset directories by short name: 'vis' (vis-network), 'yasgui', 'swagger' (the API docs) and 'site' (ours).

    >>> sorted(assets()), assets()["vis"].url("vis-network.min.js")
    (['site', 'swagger', 'vis', 'yasgui'], '/static/vis-network-9.1.2/vis-network.min.js')
    """
    vis = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / f"vis-{VIS_NETWORK_VERSION}"
    yasgui_package = NODE_MODULES / "@zazuko" / "yasgui"
    swagger_package = NODE_MODULES / "swagger-ui-dist"
    return {
        "vis": Asset("vis-network", VIS_NETWORK_VERSION, vis),
        "yasgui": Asset("yasgui", _npm_version(yasgui_package, "@zazuko/yasgui"), yasgui_package / "build"),
        "swagger": Asset("swagger-ui", _npm_version(swagger_package, "swagger-ui-dist"), swagger_package),
        "site": Asset("chainkg", OWN_VERSION, HERE / "static"),
    }


NODE_MODULES = HERE / "assets" / "node_modules"


def _npm_version(package: Path, name: str) -> str:
    """The installed version, else the one the project pins (so paths stay stable before `make install`)."""
    for manifest in (package / "package.json", HERE / "assets" / "package.json"):
        if manifest.is_file():
            data = json.loads(manifest.read_text(encoding="utf-8"))
            version = data.get("version") if manifest.parent == package else data.get("dependencies", {}).get(name)
            if version:
                return version
    raise RuntimeError(f"viz/assets/package.json does not pin {name}")
