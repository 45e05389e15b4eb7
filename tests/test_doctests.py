"""The examples in docstrings are true: every module of the installed package, run by doctest.

The examples are how the code explains itself (house style: a docstring shows an
example); run here they cannot drift from what the code does. Modules are found in
the installed package (pyproject maps graph/ to danvan.graph and so on), so each runs
as the code that imports it sees it.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import danvan

PACKAGES = ("danvan", "danvan.graph", "danvan.queries", "danvan.loaders", "danvan.api",
            "danvan.visualisations")


def _modules() -> list[str]:
    names = set(PACKAGES)
    for package in PACKAGES:
        path = importlib.import_module(package).__path__
        names.update(info.name for info in pkgutil.walk_packages(path, package + "."))
    return sorted(names)


def test_every_part_of_the_package_is_searched() -> None:
    found = _modules()
    for part in ("danvan.graph.reading", "danvan.queries.catalogue", "danvan.loaders.documents.extractor",
                 "danvan.api.explorer", "danvan.cli.app"):
        assert part in found
    assert danvan.__name__ in found


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
