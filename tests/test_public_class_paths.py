"""Public exception and warning classes carry the path users import them from.

A class's ``__module__`` is what a traceback prints (also a warning turned into an error) and
where pickle looks the class up, so ``pidkit.SolverError``, defined in ``pidkit._errors``,
showed as ``pidkit._errors.SolverError``. Each is set to its public module, which must expose it.
"""

from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest

import pidkit
from pidkit.estimate import FewDistinctRowsWarning, PluginBiasWarning, pid_from_representations
from tests.test_public_examples import CORE_MODULES, DISTILL_MODULES, public_objects

# class: (its public path, the module that defines it)
PUBLIC_PATHS = {
    pidkit.SolverError: ("pidkit.SolverError", "pidkit._errors"),
    FewDistinctRowsWarning: ("pidkit.estimate.FewDistinctRowsWarning", "pidkit.estimate.discretize"),
    PluginBiasWarning: ("pidkit.estimate.PluginBiasWarning", "pidkit.estimate.bias_warning"),
}
# pidkit_distill's exceptions, defined in pidkit_distill/training/ and raised by train: what
# builds one with every attribute its constructor takes set (PeerStopped's through replaced).
DISTILL_ERRORS = {
    "TrainingError": lambda distill: distill.TrainingError(
        "the training loss became nan", epoch=3, step=5, n_steps=22,
        checkpoint=Path("runs/x/checkpoint.pt"), epochs_saved=2, hint="lower optim.lr"),
    "TrainingInterrupted": lambda distill: distill.TrainingInterrupted(
        Path("runs/x"), epoch=8, epochs_saved=7, resume=False),
    "PeerStopped": lambda distill: distill.PeerStopped(
        1, 2, "out of memory", interrupted=False).replaced(
        checkpoint=Path("runs/x/checkpoint.pt"), epochs_saved=2, hint="lower data.batch_size"),
}


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
    assert not inner, (
        f"public exception or warning classes named by a private or inner module: {inner}; "
        "set __module__ in the class to the public module users import it from, as "
        "pidkit.SolverError does"
    )


@pytest.mark.parametrize("name", list(DISTILL_ERRORS))
def test_a_distill_error_traceback_names_its_public_path(name):
    distill = pytest.importorskip("pidkit_distill")
    err = DISTILL_ERRORS[name](distill)
    assert type(err) is getattr(distill, name) is getattr(distill.training, name)
    assert traceback.format_exception_only(type(err), err)[0] == f"pidkit_distill.{name}: {err}\n"


def test_distill_errors_pickle_by_their_public_path_with_their_attributes():
    """As the demo's worker processes send a failed run back: the pickle names the public path
    (found by ``pidkit_distill``'s lazy import in a process that has imported nothing of it),
    and the copy has the attributes and the notes (how to resume) of the original."""
    distill = pytest.importorskip("pidkit_distill")
    errors = [make(distill) for make in DISTILL_ERRORS.values()]
    data = pickle.dumps(errors)
    assert b"pidkit_distill.training" not in data
    for again in (pickle.loads(data), pickle.loads(pickle.dumps(errors, protocol=0))):
        for err, back in zip(errors, again, strict=True):
            assert type(back) is type(err) and str(back) == str(err)
            assert vars(back) == vars(err)
    fresh = subprocess.run(
        [sys.executable, "-c",
         "import pickle, sys\n"
         "for err in pickle.loads(sys.stdin.buffer.read()):\n"
         "    print(type(err).__module__, type(err).__qualname__, sorted(vars(err).items()))"],
        input=data, capture_output=True)
    assert fresh.returncode == 0, fresh.stderr.decode()
    assert fresh.stdout.decode().splitlines() == [
        f"pidkit_distill {type(err).__qualname__} {sorted(vars(err).items())}" for err in errors
    ]
