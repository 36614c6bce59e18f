"""The modules of pidkit and of pidkit_distill import one another without a circle, and take no
private name from each other.

Every import counts, a function-local one too: a circle hidden inside a function still ties the
modules together (task 302: float_options imported decompose's private ``_options_of`` inside a
function while decompose's imports reached float_options).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PIDKIT = Path(__file__).resolve().parents[1] / "pidkit"
PACKAGES = [PIDKIT, PIDKIT.parent / "pidkit_distill"]


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package is its __init__)."""
    root = package_dir.parent
    files = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def imported(module: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, str]]:
    """(module imported from, name taken) for each import of a module of ``modules`` in the file;
    the name is ``""`` where the whole module is imported."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if alias.name in modules]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(part for part in (base, node.module) if part)
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    found.append((f"{source}.{alias.name}", ""))
                elif source in modules:
                    found.append((source, alias.name))
    return found


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports, anywhere in its file."""
    modules = module_files(package_dir)
    return {
        module: {source for source, _ in imported(module, path, modules) if source != module}
        for module, path in modules.items()
    }


def private_names_imported(package_dir: Path) -> list[str]:
    """``"importer: from source import _name"`` for each private name one module takes from another."""
    modules = module_files(package_dir)
    return [
        f"{module}: from {source} import {name}"
        for module, path in modules.items()
        for source, name in imported(module, path, modules)
        if name.startswith("_") and not name.startswith("__")
    ]


def first_circle(graph: dict[str, set[str]]) -> list[str]:
    """One circle of imports in the graph, or ``[]`` where there is none."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return []


@pytest.mark.parametrize("package_dir", PACKAGES, ids=lambda path: path.name)
def test_the_modules_import_one_another_without_a_circle(package_dir: Path) -> None:
    # pidkit_distill.models.small and .wrn took Features from the package, whose __init__
    # imports them (inside a function): a circle through the package
    assert first_circle(import_graph(package_dir)) == []


@pytest.mark.parametrize("package_dir", PACKAGES, ids=lambda path: path.name)
def test_no_module_imports_a_private_name_of_another(package_dir: Path) -> None:
    assert private_names_imported(package_dir) == []


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = import_graph(PIDKIT)
    # dispatch imports bertschinger inside _broja and pid_from_measure only
    assert "pidkit.bertschinger" in graph["pidkit.redundancy.dispatch"]
    assert {"pidkit.redundancy.dispatch", "pidkit.redundancy.pid_options"} <= graph["pidkit.decompose"]
    circle = first_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert len(circle) == 4 and circle[0] == circle[-1] and set(circle) == {"a", "b", "c"}
