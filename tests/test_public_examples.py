"""Every public function and class has a runnable example (a ``>>>`` line in the Examples
section of its docstring, run by ``--doctest-modules``), and every public method of a public
class has a docstring.

"Public" is the ``__all__`` of the modules users import from: the API reference's pages are made
from ``pidkit.__all__`` (with a page for each module it lists), ``pidkit_distill.__all__``, and
the same lists of the subpackages. The pidkit_distill modules are skipped where torch is not
installed.

Each example must also run where a user pastes it: pytest runs doctests with the module's globals
in scope, so an example that uses a name it never imports passes there and raises NameError in a
notebook. The examples are run again here in an empty namespace (only the builtins).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import re
from typing import Any

import pytest

CORE_MODULES = (
    "pidkit",
    "pidkit.estimate",
    "pidkit.gaussian",
    "pidkit.broja",
    "pidkit.examples",
    "pidkit.measures",
    "pidkit.redundancy",
    "pidkit.resampling",
    "pidkit.theorems",
)
DISTILL_MODULES = (
    "pidkit_distill",
    "pidkit_distill.data",
    "pidkit_distill.methods",
    "pidkit_distill.models",
    "pidkit_distill.training",
)
PUBLIC_MODULES = CORE_MODULES + DISTILL_MODULES

_UNDEFINED: dict[int, tuple[Any, list[str]]] = {}

EXAMPLES = re.compile(r"^[ \t]*Examples\n[ \t]*-+\n(?:.*\n)*?[ \t]*>>> ", re.MULTILINE)


def public_objects(module_name: str) -> dict[str, Any]:
    """The functions and classes in ``module_name.__all__``, by their dotted public names."""
    if module_name.startswith("pidkit_distill"):
        pytest.importorskip("torch")
    module = importlib.import_module(module_name)
    return {
        f"{module_name}.{name}": obj
        for name in module.__all__
        if inspect.isclass(obj := getattr(module, name)) or inspect.isroutine(obj)
    }


def has_example(obj: Any) -> bool:
    """Whether ``obj``'s own docstring (not one inherited from a base class) has a ``>>>`` line
    in its Examples section."""
    return bool(EXAMPLES.search(obj.__doc__ or ""))


def public_methods(cls: type) -> dict[str, Any]:
    """The public methods and properties that ``cls`` and its pidkit bases define themselves
    (what torch, numpy or the standard library give them is documented there)."""
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith("pidkit"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") and name != "__call__":
                continue
            function = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if inspect.isroutine(function):
                members[name] = function
    return members


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_function_and_class_has_an_example(module_name):
    missing = sorted(name for name, obj in public_objects(module_name).items()
                     if not has_example(obj))
    assert not missing, (
        f"public names of {module_name} without a runnable example (a '>>>' line in an "
        f"Examples section of their docstring): {missing}"
    )


class NameErrorRunner(doctest.DocTestRunner):
    """Runs examples and records each NameError they raise, and nothing else: whether the output
    matches is the doctests' own check."""

    def __init__(self) -> None:
        super().__init__(verbose=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        self.undefined: list[str] = []

    def report_failure(self, out: Any, test: doctest.DocTest, example: doctest.Example,
                       got: str) -> None:
        pass

    def report_unexpected_exception(self, out: Any, test: doctest.DocTest,
                                    example: doctest.Example, exc_info: Any) -> None:
        if issubclass(exc_info[0], NameError):
            self.undefined.append(f"{test.name}: {exc_info[1]}")


def undefined_names(obj: Any, name: str) -> list[str]:
    """The NameErrors (``"where: name 'x' is not defined"``) that the examples of ``obj`` and of
    its methods raise when run in an empty namespace, as pasted into a fresh notebook; each
    object is run once, under the first public name it is met by."""
    if id(obj) not in _UNDEFINED:
        runner = NameErrorRunner()
        for test in doctest.DocTestFinder().find(obj, name, module=False, globs={}):
            runner.run(test, out=lambda text: None)
        _UNDEFINED[id(obj)] = (obj, runner.undefined)  # obj kept so that its id is not reused
    return _UNDEFINED[id(obj)][1]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_example_runs_where_a_user_pastes_it(module_name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # what an example writes lands here
    objects = public_objects(module_name)
    failing = {name: undefined for name, obj in objects.items()
               if (undefined := undefined_names(obj, name))}
    assert not failing, (
        "examples that use a name they do not import (NameError when pasted into a notebook; "
        "import it from the public package, e.g. 'from pidkit.estimate import Discretizer'): "
        + "; ".join(f"{name} ({', '.join(undefined)})" for name, undefined in sorted(failing.items()))
    )


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_method_of_a_public_class_has_a_docstring(module_name):
    missing = sorted(
        f"{name}.{method}"
        for name, obj in public_objects(module_name).items() if inspect.isclass(obj)
        for method, function in public_methods(obj).items() if not inspect.getdoc(function)
    )
    assert not missing, f"public methods of public classes of {module_name} without a docstring: {missing}"


def test_the_checks_name_what_they_miss():
    """The helpers see a missing example and a missing method docstring (so the tests above can fail)."""

    class Documented:
        """A class with an example.

        Examples
        --------
        >>> Documented().shown()
        """

        def shown(self) -> None:
            """Documented."""

        def bare(self) -> None:
            pass

        @property
        def value(self) -> int:
            return 1

    Documented.__module__ = "pidkit.fake"

    def undocumented() -> None:
        """No example."""

    def prompt_elsewhere() -> None:
        """A prompt outside an Examples section.

        Notes
        -----
        >>> prompt_elsewhere()
        """

    assert has_example(Documented) and not has_example(undocumented)
    assert not has_example(prompt_elsewhere)
    assert not has_example(type("Sub", (Documented,), {}))  # an inherited example is not its own
    missing = [name for name, f in public_methods(Documented).items() if not inspect.getdoc(f)]
    assert missing == ["bare", "value"]


def test_the_paste_check_names_what_an_example_does_not_import():
    """An example that passes with its module's globals in scope fails the empty-namespace run,
    named with the missing name, and so does a method's; one that imports what it uses, or
    expects a NameError, passes."""

    def leans_on_globals() -> None:
        """Uses the module's ``pytest`` without importing it.

        Examples
        --------
        >>> pytest.approx(1.0) == 1.0
        True
        """

    class WithMethod:
        """A class whose example is fine.

        Examples
        --------
        >>> 1 + 1
        2
        """

        def run(self) -> None:
            """A method whose example is not.

            Examples
            --------
            >>> inspect.isclass(int)
            True
            """

    def self_contained() -> None:
        """Imports what it uses.

        Examples
        --------
        >>> import inspect
        >>> inspect.isclass(int)
        True
        >>> undefined_here
        Traceback (most recent call last):
        ...
        NameError: name 'undefined_here' is not defined
        """

    assert undefined_names(leans_on_globals, "fake.leans_on_globals") == [
        "fake.leans_on_globals: name 'pytest' is not defined"
    ]
    assert undefined_names(WithMethod, "fake.WithMethod") == [
        "fake.WithMethod.run: name 'inspect' is not defined"
    ]
    assert undefined_names(self_contained, "fake.self_contained") == []
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(leans_on_globals, "g", module=False, globs=globals()):
        runner.run(test, out=lambda text: None)
    assert runner.failures == 0  # with the module's globals in scope, as pytest runs it, it passes
