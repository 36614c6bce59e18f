"""The docstrings of pidkit_distill name the package's public names by their public paths: an
example imports ``load_config`` from ``pidkit_distill``, as a user pastes it, and a reference
leads to ``pidkit_distill.PeerStopped``, not to the private module that defines it. A name is
public where ``pidkit_distill`` or one of its public subpackages and modules
(``pidkit_distill.training``) exports it (``__all__``)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import typing
from pathlib import Path

import pytest

import pidkit_distill

PACKAGE = Path(pidkit_distill.__file__).parent
PUBLIC_MODULES = {"pidkit_distill", *(f"pidkit_distill.{name}" for name in
                                      pidkit_distill._SUBMODULES)}
CHECKED = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py"))
# every module of the package, by its dotted name (__main__ would run the command if imported)
MODULES = {".".join(("pidkit_distill", *path.relative_to(PACKAGE).with_suffix("").parts))
           .removesuffix(".__init__") for path in PACKAGE.rglob("*.py")
           if path.name != "__main__.py"}


def _exported() -> set[tuple[str, int]]:
    """(name, id) of every object that a public module exports."""
    found = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        found |= {(name, id(getattr(module, name))) for name in module.__all__}
    return found


EXPORTED = _exported()


def private_paths(text: str) -> list[str]:
    """The references in ``text`` to a public name through a module that is not public:
    ``pidkit_distill.training.run.PeerStopped``, ``from pidkit_distill.config_text import
    load_config``, ``pidkit_distill.methods.base.Params`` (public as
    ``pidkit_distill.methods.Params``)."""
    found = []
    for match in re.finditer(r"from (pidkit_distill(?:\.\w+)*) import ([\w, ]+)"
                             r"|(pidkit_distill(?:\.\w+)+)", text):
        if match[1]:
            pairs = [(match[1], name) for name in re.findall(r"\w+", match[2])]
        else:  # the longest start that is a module, and the name after it
            parts = match[3].split(".")
            module = next((".".join(parts[:k]) for k in range(len(parts) - 1, 0, -1)
                           if ".".join(parts[:k]) in MODULES), None)
            pairs = [] if module is None else [(module, parts[module.count(".") + 1])]
        for module, name in pairs:
            if module in PUBLIC_MODULES or module not in MODULES:
                continue
            value = getattr(importlib.import_module(module), name, None)
            if (name, id(value)) in EXPORTED:
                found.append(match[0])
    return found


def docstrings(path: Path) -> list[str]:
    """The docstrings of ``path``: its module's, classes' and functions', and those of its
    attributes (a string after an assignment)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.value.value for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)]


def test_private_paths_are_found():
    assert private_paths(">>> from pidkit_distill.config_text import load_config\n"
                         ":class:`~pidkit_distill.training.run.PeerStopped`, "
                         ":meth:`~pidkit_distill.training.run.PeerStopped.replaced`, "
                         ":func:`~pidkit_distill.methods.base.register_method`, "
                         ":class:`~pidkit_distill.methods.base.Params`") == [
        "from pidkit_distill.config_text import load_config",
        "pidkit_distill.training.run.PeerStopped",
        "pidkit_distill.training.run.PeerStopped.replaced",
        "pidkit_distill.methods.base.register_method", "pidkit_distill.methods.base.Params"]
    # public paths, and names that are not public by their own modules
    assert private_paths(">>> from pidkit_distill import load_config, train\n"
                         ":func:`~pidkit_distill.training.fit`, "
                         ":class:`~pidkit_distill.methods.Params`, "
                         ":meth:`~pidkit_distill.PeerStopped.replaced`, "
                         ":func:`~pidkit_distill.training.runtime.first_stop`, "
                         ":mod:`pidkit_distill.methods.blocks`") == []


def test_every_module_is_checked():
    assert {"cli.py", "atomic_files.py", "training/run.py", "methods/__init__.py",
            "methods/bas.py", "models/taps.py", "data/registry.py"} <= set(CHECKED)
    assert {"pidkit_distill.methods", "pidkit_distill.methods.base"} <= MODULES


@pytest.mark.parametrize("name", CHECKED)
def test_docstrings_name_public_names_by_their_public_paths(name):
    # run.py's, loop.py's, teacher.py's and rundir.py's examples imported load_config from
    # pidkit_distill.config_text; cli.py's _say_stop named training.run.PeerStopped; methods'
    # package named methods.base.register_method, and BAS methods.base.Distiller
    assert [found for doc in docstrings(PACKAGE / name) for found in private_paths(doc)] == []


def private_names_in_examples(text: str) -> list[str]:
    """The example lines (``>>>``, ``...``) of ``text`` that import a private name
    (``from pidkit_distill.models import _MODELS``) or reach a private attribute
    (``_MODELS._entries.pop("doc-mlp")``): users copy examples, and a private name breaks
    without notice."""
    return [line.strip() for line in text.splitlines()
            if re.match(r"\s*(>>>|\.\.\.) ", line)
            and re.search(r"\bimport\b.*\b_[A-Za-z]\w*|\._(?!_)\w", line)]


def test_private_names_in_examples_are_found():
    assert private_names_in_examples(
        "Examples\n--------\n"
        "    >>> from pidkit_distill.models import _MODELS   # the doc's clean-up\n"
        "    >>> _ = _MODELS._entries.pop('doc-mlp')\n"
        "    ... net._tapped\n"
        "    >>> from pidkit_distill import build_model, _SOURCES\n"
        "    The registry keeps them in ._entries.\n") == [
        ">>> from pidkit_distill.models import _MODELS   # the doc's clean-up",
        ">>> _ = _MODELS._entries.pop('doc-mlp')", "... net._tapped",
        ">>> from pidkit_distill import build_model, _SOURCES"]
    # public names, dunders, a throwaway `_` and a class the example defines
    assert private_names_in_examples(
        "    >>> from pidkit_distill import unregister_model\n"
        "    >>> _ = unregister_model('doc-mlp'), net.__class__.__name__\n"
        "    ... class _Example(Distiller):\n"
        "    >>> _Example.method_name\n") == []


@pytest.mark.parametrize("name", CHECKED)
def test_examples_use_no_private_names(name):
    # the registries' examples cleaned up with _METHODS._entries.pop("doc-example"),
    # _MODELS._entries.pop("doc-mlp") and _LOADERS._entries.pop("doc-blobs"); they call
    # unregister_method, unregister_model and unregister_dataset
    assert [found for doc in docstrings(PACKAGE / name)
            for found in private_names_in_examples(doc)] == []


def _classes_in(hint: object) -> list[type]:
    """The classes a type hint names: ``Runtime | None`` names ``Runtime`` (and ``NoneType``)."""
    found = [hint] if isinstance(hint, type) else []
    return found + [cls for arg in typing.get_args(hint) for cls in _classes_in(arg)]


def _signatures() -> list[tuple[str, object]]:
    """Each exported function, and each exported class's constructor and public methods."""
    found = []
    for module_name in sorted(PUBLIC_MODULES):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type):
                found += [(f"{module_name}.{name}", obj.__init__)]
                found += [(f"{module_name}.{name}.{attr}", value)
                          for attr, value in vars(obj).items()
                          if inspect.isfunction(value) and not attr.startswith("_")]
            elif callable(obj):
                found.append((f"{module_name}.{name}", obj))
    return found


def test_the_types_of_public_signatures_are_public():
    # fit(config, module, bundle, run_dir, runtime: Runtime), and evaluate's, train_one_epoch's
    # and load_teacher's runtime, took a Runtime that only pidkit_distill.training.runtime,
    # not a public module, exported; fit's example imported it from there
    private = sorted({(where, f"{cls.__module__}.{cls.__qualname__}")
                      for where, fn in _signatures()
                      for hint in typing.get_type_hints(fn).values() for cls in _classes_in(hint)
                      if cls.__module__.startswith("pidkit_distill")
                      and (cls.__name__, id(cls)) not in EXPORTED})
    assert private == []
    from pidkit_distill.training import Runtime, fit

    assert typing.get_type_hints(fit)["runtime"] is Runtime
