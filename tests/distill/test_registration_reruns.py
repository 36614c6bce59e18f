"""What registers again: ``--import`` of a linked file or folder (a shared models file), and a
notebook cell that registers a ``functools.partial``, a lambda or a callable instance, run
twice in one process (it replaces the first), against another definition under the name (it
is refused)."""

from __future__ import annotations

import os
import sys

import pytest

from pidkit_distill.cli import main
from pidkit_distill.methods import available_methods, get_method, unregister_method
from pidkit_distill.models import available_models, build_model, unregister_model

SHARED_MODELS = ("from pidkit_distill.methods.bas import BAS\n"
                 "from pidkit_distill import register_method\n\n\n"
                 "@register_method('link-bas')\n"
                 "class LinkBAS(BAS):\n"
                 "    pass\n")


@pytest.fixture
def linked(tmp_path, monkeypatch):
    """The current folder, where a console script runs (not on sys.path): shared/models.py and
    a package shared/pkg, and links to them; what was imported and registered removed after."""
    (tmp_path / "shared" / "pkg").mkdir(parents=True)
    (tmp_path / "shared" / "models.py").write_text(SHARED_MODELS)
    (tmp_path / "shared" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "shared" / "pkg" / "base.py").write_text("")
    (tmp_path / "shared" / "pkg" / "relative.py").write_text("from . import base\n")
    (tmp_path / "proj").mkdir()
    os.symlink("shared/models.py", tmp_path / "my_models.py")
    os.symlink("../shared/models.py", tmp_path / "proj" / "their_models.py")
    os.symlink("shared/pkg", tmp_path / "linked")
    os.symlink("shared/gone.py", tmp_path / "broken.py")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    yield tmp_path
    for name in [n for n, m in sys.modules.items()
                 if str(getattr(m, "__file__", None) or "").startswith(str(tmp_path))]:
        del sys.modules[name]
    if "link-bas" in available_methods():
        unregister_method("link-bas")


@pytest.mark.parametrize("given, module", [
    # "no module named 'my_models' ... Did you mean 'my_models'?": the file's folder put on
    # the path was its link target's, shared/, which holds models.py, not my_models.py
    ("my_models.py", "my_models"),
    ("proj/their_models.py", "their_models"),
])
def test_a_link_to_a_file_of_another_name_is_imported_by_the_links_name(given, module, linked,
                                                                        capsys):
    assert main(["train", "--import", given, "--list-methods"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "link-bas" in out.split()
    assert get_method("link-bas").__module__ == module
    assert sys.modules[module].__file__ == str(linked / given)


def test_a_linked_package_is_imported_under_the_links_name(linked, capsys):
    assert main(["train", "--import", "linked.relative", "--list-methods"]) == 0
    assert sys.modules["linked.relative"].__file__ == str(linked / "linked" / "relative.py")
    assert sys.modules["linked.base"].__file__ == str(linked / "linked" / "base.py")


@pytest.mark.parametrize("given, expected", [
    # named the link's target's package, pkg.relative, which is no module from this folder
    ("linked/relative.py", "importing it raised ImportError: attempted relative import with no "
                           "known parent package (it imports relatively: give it as a module of "
                           "its package, linked.relative, from the folder above the package) (an "
                           "error in that module; --debug shows the traceback)"),
    # "does not exist", of a file that ls shows
    ("broken.py", "is a link to shared/gone.py, which does not exist ({cwd}/shared/gone.py); "
                  "give a .py file or a module name as `python -m` takes it (my_models, "
                  "mypkg.models)"),
])
def test_a_bad_linked_import_is_one_line_naming_it(given, expected, linked, capsys):
    assert main(["train", "--import", given, "--list-methods"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"pidkit-distill train: error: --import {given}: "
                   f"{expected.format(cwd=linked)}\n")


# --- a notebook cell run twice --------------------------------------------------------------

HEAD = """
import functools

from torch import nn

from pidkit_distill.models import register_model, tap_features


def net(in_channels, width):
    return tap_features(nn.Sequential(nn.Linear(in_channels, width)), layers=["0"])
"""

PARTIAL_CELL = HEAD + """
def build(*, num_classes, in_channels, width):
    return net(in_channels, width)

register_model("rerun-net")(functools.partial(build, width=8))
"""

LAMBDA_CELL = HEAD + """
register_model("rerun-net")(lambda *, num_classes, in_channels: net(in_channels, 8))
"""

INSTANCE_CELL = HEAD + """
class Builder:
    def __init__(self, width):
        self.width = width

    def __call__(self, *, num_classes, in_channels):
        return net(in_channels, self.width)

register_model("rerun-net")(Builder(8))
"""


@pytest.fixture
def notebook():
    """Runs a cell's code in one notebook's namespace (``__main__``, as a notebook's code is);
    the cell's registration removed after."""
    namespace = {"__name__": "__main__"}

    def run(cell: str) -> None:
        exec(compile(cell, "<ipython-input>", "exec"), namespace)

    yield run
    if "rerun-net" in available_models():
        unregister_model("rerun-net")


def _width() -> int:
    """The width of the model that the builder registered as 'rerun-net' builds."""
    model = build_model("rerun-net", num_classes=2, in_channels=3)
    return sum(p.numel() for p in model.parameters()) // 4  # Linear(3, width): 4 * width


@pytest.mark.parametrize("cell, other, owner", [
    # a partial's repr has its function's memory address, new at each run of the cell:
    # "model name 'rerun-net' is already registered" at the second run
    (PARTIAL_CELL, PARTIAL_CELL.replace("width=8", "width=16"),
     "functools.partial(__main__.build, width=8)"),
    # any two lambdas were both __main__.<lambda>: the second replaced the first silently
    (LAMBDA_CELL, LAMBDA_CELL.replace(", 8)", ", 16)"), "__main__.<lambda> of line 12"),
    # an instance's repr has its memory address: refused at the second run
    (INSTANCE_CELL, INSTANCE_CELL.replace("Builder(8)", "Builder(16)"),
     "a __main__.Builder instance"),
], ids=["partial", "lambda", "instance"])
def test_a_cell_run_twice_replaces_and_another_definition_is_refused(cell, other, owner,
                                                                      notebook):
    notebook(cell)
    notebook(cell)
    assert _width() == 8
    with pytest.raises(ValueError) as err:
        notebook(other)
    assert str(err.value) == ("register_model: model name 'rerun-net' is already registered "
                              f"(to {owner}); choose another name, or, to register this "
                              "definition under it (a notebook cell edited and run again), "
                              "first remove the old one with "
                              "pidkit_distill.unregister_model('rerun-net').")
    assert _width() == 8


@pytest.mark.parametrize("other", [
    "functools.partial(build, width=8, num_classes=2)", "functools.partial(other, width=8)",
    "build",
])
def test_a_partial_of_another_function_or_arguments_is_another_definition(other, notebook):
    notebook(PARTIAL_CELL)
    with pytest.raises(ValueError, match=r"^register_model: model name 'rerun-net' is already "
                                         r"registered \(to functools\.partial\(__main__\.build, "
                                         r"width=8\)\)"):
        notebook(f"def other(**kw):\n    return None\n\nregister_model('rerun-net')({other})\n")
    assert _width() == 8


def test_a_partial_given_a_function_is_the_same_definition_when_run_again(notebook):
    # the function argument's repr has its memory address, new when its cell runs again
    cell = HEAD + """
def identity(model):
    return model

def build(*, num_classes, in_channels, width, wrap):
    return wrap(net(in_channels, width))

register_model("rerun-net")(functools.partial(build, width=8, wrap=identity))
"""
    notebook(cell)
    notebook(cell)
    assert _width() == 8


@pytest.mark.parametrize("given", ["with_sibling.py", "my_sibling.py"])
def test_a_linked_file_imports_the_modules_next_to_its_target(given, linked, capsys):
    # "importing it raised ModuleNotFoundError: No module named 'helpers'": only the link's
    # folder was put on the path, not its target's, as `python with_sibling.py` puts it
    (linked / "shared" / "helpers.py").write_text("HELP = 'next to the target'\n")
    (linked / "shared" / "with_sibling.py").write_text("from helpers import HELP\n")
    os.symlink("shared/with_sibling.py", linked / given)
    assert main(["train", "--import", given, "--list-methods"]) == 0
    assert capsys.readouterr().err == ""
    assert sys.modules[given[:-3]].HELP == "next to the target"
    assert sys.path[:2] == [os.path.realpath(linked), os.path.realpath(linked / "shared")]
