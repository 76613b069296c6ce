"""The one build step pyproject.toml cannot declare: the browser assets go from npm into the wheel.

YASGUI (the SPARQL UI) and Swagger UI (the API docs) are pinned by viz/assets/package-lock.json and never
committed. Building a wheel runs `npm ci` in viz/assets when they are not installed yet, then copies the files
chainkg serves (viz/assets.py) into the wheel at the same place they have in the repository. An editable install
(`make install`) skips this: it serves them from viz/assets/node_modules directly.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSETS = Path(__file__).resolve().parent / "viz" / "assets"
# The files of each npm package that chainkg serves (viz/assets.py, viz/templates/sparql.html, api/pages.py
# api_docs), with their licences; source maps and other bundles stay out (tests/test_wheel.py serves them all).
SERVED = {
    "@zazuko/yasgui": ["package.json", "build/yasgui.min.js", "build/yasgui.min.css"],
    "swagger-ui-dist": ["package.json", "LICENSE", "NOTICE", "swagger-ui-bundle.js", "swagger-ui.css"],
}


class BuildPyWithAssets(build_py):
    """build_py, plus the served npm files under chainkg/viz/assets/node_modules in the build."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        node_modules = _installed_node_modules()
        target = Path(self.build_lib) / "chainkg" / "viz" / "assets" / "node_modules"
        for package, files in SERVED.items():
            for name in files:
                source = node_modules / package / name
                if not source.is_file():
                    raise RuntimeError(f"{source} is missing: is viz/assets/package-lock.json's {package} complete?")
                copied = target / package / name
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copied)


def _installed_node_modules() -> Path:
    """viz/assets/node_modules, installed from the lockfile first if it is not there yet."""
    if not (ASSETS / "node_modules" / ".package-lock.json").is_file():
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ASSETS, check=True)
    return ASSETS / "node_modules"


setup(cmdclass={"build_py": BuildPyWithAssets})
