"""The docstring examples of every chainkg module run as tests.

Collected by module name through the installed package (chainkg.graph, chainkg.api, chainkg.viz), not by file
path: the folders of the repository are not importable under their own names.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import chainkg.api
import chainkg.graph
import chainkg.viz

MODULES = ["chainkg", "chainkg.cli"] + sorted(
    info.name
    for package in (chainkg.graph, chainkg.api, chainkg.viz)
    for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, verbose=False)
    assert failures == 0, f"{failures} docstring example(s) of {name} failed (details above)"
