"""pidkit.utils: the public helpers for code built on pidkit, and pidkit_distill's use of them.

pidkit_distill imported 21 names from pidkit's private modules (``pidkit._validate``,
``pidkit._settings``, ...), against the rule that a private module is used only inside its own
package. It imports them from :mod:`pidkit.utils` now, which re-exports the implementations
where they are.
"""

from __future__ import annotations

import ast
import inspect
import io
from pathlib import Path

import pytest

import pidkit
from pidkit import _names, _progress, _result, _settings, _status, _validate

DISTILL = Path(pidkit.__file__).resolve().parent.parent / "pidkit_distill"


def _is_private_pidkit(module: str) -> bool:
    """Whether a dotted module path is pidkit's and one of its parts is private (``_name``)."""
    top, *rest = module.split(".")
    return top == "pidkit" and any(part.startswith("_") for part in rest)


def private_pidkit_imports(folder: Path) -> list[str]:
    """``FILE:LINE: MODULE`` for every import, under ``folder``, of a private pidkit module or of
    a private name (``from pidkit import _x``; dunders such as ``__version__`` are public)."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module] + [
                    f"{node.module}.{alias.name}" for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
            else:
                continue
            found += [f"{path.relative_to(folder.parent)}:{node.lineno}: {module}"
                      for module in modules if _is_private_pidkit(module)]
    return found


def test_pidkit_distill_imports_no_private_pidkit_module(tmp_path):
    # the check finds each way of naming a private module, and passes the public ones
    package = tmp_path / "package"
    package.mkdir()
    (package / "a.py").write_text(
        "import pidkit._validate\n"
        "from pidkit._settings import check_int\n"
        "from pidkit import _status, __version__\n"
        "from pidkit.estimate import _private\n"
        "from ._own import helper\n"
        "from pidkit.utils import check_int\n"
        "import pidkit.command_line\n",
        encoding="utf-8",
    )
    assert private_pidkit_imports(package) == [
        "package/a.py:1: pidkit._validate",
        "package/a.py:2: pidkit._settings",
        "package/a.py:3: pidkit._status",
        "package/a.py:4: pidkit.estimate._private",
    ]
    assert DISTILL.is_dir()
    assert private_pidkit_imports(DISTILL) == []


def test_every_name_of_utils_all_resolves_to_pidkits_own_implementation():
    from pidkit import utils

    assert utils.__all__ == sorted(set(utils.__all__))
    assert {name: getattr(utils, name) for name in utils.__all__ if name not in (
        "person_is_watching", "progress_bar_factory")} == {
        "CERTIFIED": _status.CERTIFIED,
        "SEED_MAX": _settings.SEED_MAX,
        "check_flag": _validate.check_flag,
        "check_int": _settings.check_int,
        "check_progress": _progress.check_progress,
        "closest": _names.closest,
        "did_you_mean": _names.did_you_mean,
        "jsonable": _result.jsonable,
    }
    assert utils.check_int is _settings.check_int and utils.CERTIFIED is _status.CERTIFIED
    assert all(inspect.getdoc(getattr(utils, name)) for name in utils.__all__ if callable(
        getattr(utils, name)))


def test_utils_exposes_no_pidkit_function_outside_its_all():
    from pidkit import utils

    leaked = [name for name, obj in vars(utils).items()
              if not name.startswith("_") and name not in utils.__all__
              and (inspect.isroutine(obj) or inspect.isclass(obj))
              and getattr(obj, "__module__", "").partition(".")[0] == "pidkit"]
    assert leaked == []


def test_the_public_values_are_the_ones_pidkit_uses():
    from pidkit.utils import CERTIFIED, SEED_MAX, did_you_mean, jsonable

    assert CERTIFIED == frozenset({"optimal", "exact"})
    assert SEED_MAX == 2**32 - 1
    assert did_you_mean("brojaa", ["broja", "mmi"]) == " Did you mean 'broja'?"
    assert jsonable({1: (0.5,)}) == {"1": [0.5]}


@pytest.mark.parametrize("watching", [True, False])
def test_person_is_watching_is_pidkits_own_decision(monkeypatch, watching):
    from pidkit.utils import person_is_watching

    monkeypatch.setattr(_progress, "watched", lambda: watching)
    assert person_is_watching() is watching


def test_progress_bar_factory_makes_tqdm_bars():
    from pidkit.utils import progress_bar_factory

    drawn = io.StringIO()
    with progress_bar_factory()(range(3), desc="work", file=drawn) as bar:
        assert list(bar) == [0, 1, 2]
    assert "work: 100%" in drawn.getvalue() and "3/3" in drawn.getvalue()
    assert list(progress_bar_factory()(range(2), disable=True)) == [0, 1]
