"""Public exception and warning classes carry the path users import them from.

A class's ``__module__`` is what a traceback prints (also a warning turned into an error) and
where pickle looks the class up, so ``pidkit.SolverError``, defined in ``pidkit._errors``,
showed as ``pidkit._errors.SolverError``. Each is set to its public module, which must expose it.
"""

from __future__ import annotations

import importlib
import pickle
import traceback
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.estimate import FewDistinctRowsWarning, PluginBiasWarning, pid_from_representations
from tests.test_public_examples import CORE_MODULES, DISTILL_MODULES, public_objects

# class: (its public path, the module that defines it)
PUBLIC_PATHS = {
    pidkit.SolverError: ("pidkit.SolverError", "pidkit._errors"),
    FewDistinctRowsWarning: ("pidkit.estimate.FewDistinctRowsWarning", "pidkit.estimate.discretize"),
    PluginBiasWarning: ("pidkit.estimate.PluginBiasWarning", "pidkit.estimate.result"),
}
PATHS_OWED = frozenset({"PeerStopped", "TrainingError", "TrainingInterrupted"})
"""pidkit_distill's public exceptions still named by the inner module that defines them
(pidkit_distill/training/, which other changes were editing when this test came in); the test
below says when one is named by its public path and should leave this set."""


@pytest.mark.parametrize("cls", list(PUBLIC_PATHS), ids=lambda cls: cls.__name__)
def test_a_public_exception_is_named_by_its_public_path(cls):
    public, _ = PUBLIC_PATHS[cls]
    assert f"{cls.__module__}.{cls.__qualname__}" == public
    assert getattr(importlib.import_module(cls.__module__), cls.__qualname__) is cls
    assert traceback.format_exception_only(cls, cls("a message")) == [f"{public}: a message\n"]


@pytest.mark.parametrize("cls", list(PUBLIC_PATHS), ids=lambda cls: cls.__name__)
def test_a_public_exception_pickles_by_its_public_path(cls):
    public, defined_in = PUBLIC_PATHS[cls]
    data = pickle.dumps(cls("a message"))
    assert public.rpartition(".")[0].encode() in data and defined_in.encode() not in data
    back = pickle.loads(data)
    assert type(back) is cls and back.args == ("a message",)


def test_a_solver_error_traceback_names_pidkit_solver_error():
    with pytest.raises(pidkit.SolverError) as info:
        pidkit.bertschinger(pidkit.examples.and_(), tol=1e-20)
    last = traceback.format_exception_only(info.type, info.value)[-1]
    assert last.startswith("pidkit.SolverError: broja: the solver did not certify its answer")


def test_a_warning_raised_as_an_error_names_its_public_path():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    t = (rng.normal(size=(200, 3)) > 0).astype(float)  # 8 distinct rows, 10 clusters asked for
    with warnings.catch_warnings():
        warnings.simplefilter("error", FewDistinctRowsWarning)
        with pytest.raises(FewDistinctRowsWarning) as info:
            pid_from_representations(y, t, rng.normal(size=(200, 4)), n_clusters=10)
    last = traceback.format_exception_only(info.type, info.value)[-1]
    assert last.startswith("pidkit.estimate.FewDistinctRowsWarning: t_features has only 8 distinct")


@pytest.mark.parametrize("modules", [CORE_MODULES, DISTILL_MODULES], ids=["pidkit", "pidkit_distill"])
def test_every_public_exception_is_named_by_a_public_module(modules):
    inner = sorted({
        f"{obj.__module__}.{obj.__qualname__}"
        for module in modules
        for obj in public_objects(module).values()
        if isinstance(obj, type) and issubclass(obj, BaseException)
        and ("._" in f".{obj.__module__}" or obj.__module__.count(".") > 1)
    })
    unexcused = [path for path in inner if path.rpartition(".")[2] not in PATHS_OWED]
    assert not unexcused, (
        f"public exception or warning classes named by a private or inner module: {unexcused}; "
        "set __module__ in the class to the public module users import it from, as "
        "pidkit.SolverError does"
    )
    if modules == DISTILL_MODULES:
        done = sorted(PATHS_OWED - {path.rpartition(".")[2] for path in inner})
        assert not done, f"PATHS_OWED names classes now named by a public module: {done}"
