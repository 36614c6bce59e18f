"""``--import MODULE``: the user's modules that register models, data sets and methods.

The ``pidkit-distill`` command knows the package's own names; a user's module imported with
``--import`` (a module name as ``python -m`` takes it, or a ``.py`` file) registers more. Only
modules named on the command line are imported: a configuration file never imports code.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from pidkit.command_line import one_line
from pidkit.utils import did_you_mean

__all__ = ["import_user_modules"]


def import_user_modules(names: Sequence[str]) -> None:
    """Import the modules given with ``--import``, for what they register: a module name as
    ``python -m`` finds it (the current folder first: a console script's ``sys.path`` lacks
    it), or a ``.py`` file (its folder first). Each module is the user's code, named on the
    command line; nothing read from a file is imported.

    Raises
    ------
    ImportError
        A module not found, a file missing or not a ``.py`` file, a file (or the current
        folder's module of that name) hidden by a module of its name imported already, or an
        error raised while the module ran (chained, for ``--debug``): the message starts with
        ``--import NAME:``.
    """
    for given in names:
        file = Path(given)
        if given.endswith(".py") or os.sep in given or "/" in given:
            if not file.is_file():
                what = ("is a folder" if file.is_dir() else
                        f"is a link to {os.readlink(file)}, which does not exist "
                        f"({os.path.realpath(file)})"
                        if file.is_symlink() else "does not exist")
                raise ImportError(f"--import {given}: {what}; give a .py file or a module name "
                                  "as `python -m` takes it (my_models, mypkg.models)")
            if file.suffix != ".py" or not file.stem.isidentifier():
                raise ImportError(f"--import {given}: not a .py file with a module's name "
                                  "(letters, digits and _); rename it, e.g. my_models.py")
            # the folder holding the name given first: a link to a file of another name (ln -s
            # shared/models.py my_models.py) is imported by its own name; then its target's,
            # as `python my_models.py` puts it, for the modules next to it that it imports
            name = file.stem
            local: Path | None = file  # the file that the import must find under its name
            folders = [str(file.absolute().parent.resolve()), str(file.resolve().parent)]
        elif all(part.isidentifier() for part in given.split(".")):
            folders, name = [os.getcwd()], given
            top_name = given.partition(".")[0]  # the current folder's module or package of it
            local = next((path for path in (Path(f"{top_name}.py"), Path(top_name, "__init__.py"))
                          if path.is_file()), None)
        else:
            raise ImportError(f"--import {given}: not a module name (Python identifiers "
                              "joined by '.', as `python -m` takes it: my_models, mypkg.models) "
                              "nor a .py file")
        # kept on the path after the import: a process started by spawn (a DataLoader worker)
        # imports the module again, by name, with this process's sys.path
        for folder in reversed(folders):
            if folder not in sys.path and not (folder == os.getcwd() and "" in sys.path):
                sys.path.insert(0, folder)
        _import_module(given, name, package=_package_of(file) if local is file else None)
        # a module of that name imported already (random, copy) is not imported again
        top = sys.modules[name.partition(".")[0]]
        if local is not None and Path(top.__file__ or "").resolve() != local.resolve():
            raise ImportError(f"--import {given}: the name {top.__name__!r} is taken by "
                              f"{top.__file__ or 'a built-in module'}, which was imported "
                              "instead; rename the file")


def _package_of(file: Path) -> str | None:
    """The dotted name ``file`` has as a module of the packages holding it, or None outside one:
    the folders' names as given (a linked folder's, not its target's)."""
    parts, folder = [file.stem], Path(os.path.abspath(file)).parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts) if len(parts) > 1 else None


def _import_module(given: str, name: str, *, package: str | None = None) -> None:
    """Import module ``name`` (given as ``given``; ``package``: its dotted name when ``given``
    is a file inside a package); an error is :func:`import_user_modules`'s."""
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name is None or not (name == err.name or name.startswith(f"{err.name}.")):
            raise ImportError(f"--import {given}: importing it raised ModuleNotFoundError: "
                              f"{one_line(err)} (an import in that module; --debug shows the "
                              "traceback)") from err
        parent = err.name.rpartition(".")[0]
        where = getattr(sys.modules.get(parent), "__path__", []) if parent else [os.getcwd()]
        near = [f"{parent}.{m.name}" if parent else m.name for m in pkgutil.iter_modules(where)]
        raise ImportError(f"--import {given}: no module named {err.name!r} in the current "
                          f"folder ({os.getcwd()}) or on the Python path; give a module name as "
                          "`python -m` takes it (my_models, mypkg.models) or the path of a .py "
                          f"file.{did_you_mean(err.name, near)}") from err
    except (Exception, SystemExit) as err:
        hint = " (it exits when imported: put its script's code under `if __name__ == " \
                "'__main__':`)" if isinstance(err, SystemExit) else ""
        if package and "relative import" in str(err):
            hint = (f" (it imports relatively: give it as a module of its package, {package}, "
                     "from the folder above the package)")
        raise ImportError(f"--import {given}: importing it raised {type(err).__name__}: "
                          f"{one_line(err)}{hint} (an error in that module; --debug shows the "
                          "traceback)") from err
