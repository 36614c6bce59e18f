"""The docstrings of the trainer's run, runtime, loop, teacher and run folder, of the command
and of the atomic files name the package's public names by their public paths: an example
imports ``load_config`` from ``pidkit_distill``, as a user pastes it, and a reference leads to
``pidkit_distill.PeerStopped``, not to the private module that defines it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import pidkit_distill

ROOT = Path(__file__).parents[2]
CHECKED = ["cli.py", "atomic_files.py", "training/run.py", "training/runtime.py",
           "training/loop.py", "training/teacher.py", "training/rundir.py"]
# the package and its subpackages and modules that are public (pidkit_distill.training.fit)
PUBLIC = {"", *(f".{name}" for name in pidkit_distill._SUBMODULES)}


def private_paths(text: str) -> list[str]:
    """The references in ``text`` to a name of ``pidkit_distill.__all__`` through a module
    that is not public: ``pidkit_distill.training.run.PeerStopped``, ``from
    pidkit_distill.config_text import load_config``."""
    found = []
    for match in re.finditer(r"(?:from )?pidkit_distill((?:\.\w+)*)(?:\.| import )([\w, ]+)",
                             text):
        module, names = match.groups()
        if module not in PUBLIC and set(re.findall(r"\w+", names)) & set(pidkit_distill.__all__):
            found.append(match.group(0))
    return found


def docstrings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [doc for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and (doc := ast.get_docstring(node, clean=False))]


def test_private_paths_are_found():
    assert private_paths(">>> from pidkit_distill.config_text import load_config\n"
                         ":class:`~pidkit_distill.training.run.PeerStopped`") == [
        "from pidkit_distill.config_text import load_config",
        "pidkit_distill.training.run.PeerStopped"]
    assert private_paths(">>> from pidkit_distill import load_config, train\n"
                         ":func:`~pidkit_distill.training.fit`, "
                         ":func:`~pidkit_distill.training.runtime.first_stop`") == []


@pytest.mark.parametrize("name", CHECKED)
def test_docstrings_name_public_names_by_their_public_paths(name):
    # run.py's, loop.py's, teacher.py's and rundir.py's examples imported load_config from
    # pidkit_distill.config_text; cli.py's _say_stop named training.run.PeerStopped
    path = ROOT / "pidkit_distill" / name
    assert [found for doc in docstrings(path) for found in private_paths(doc)] == []
