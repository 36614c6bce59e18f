"""The registry behind register_model, register_dataset and register_method: one thread at a
time registers a name, and one set of names is the package's own."""

from __future__ import annotations

import threading

import pytest

from pidkit_distill.methods import Distiller, get_method, register_method
from pidkit_distill.methods.base import _METHODS
from pidkit_distill.models import register_model
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.registry import BUILTIN_NAMES, Registry


class _BothLookFirst(dict):
    """Entries whose lookup waits (a short while) for a second thread's, so that two threads
    registering one name both look before either sets it, where nothing keeps them apart."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2, timeout=1)

    def get(self, key, default=None):
        value = super().get(key, default)
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:  # the other thread waits for this one's lock
            pass
        return value


def one_net(**kw):
    return "one"


def another_net(**kw):
    return "another"


def test_two_threads_registering_one_name_one_wins_and_the_other_is_refused():
    # both found the name free, then both set it: both succeeded, the second silently
    # replacing the first (a model whose builder was not the one its thread registered)
    registry = Registry("thing", "register_thing", builtin={})
    registry._entries = _BothLookFirst()
    outcomes: dict[str, str] = {}

    def register(fn):
        try:
            registry.decorator("my-net")(fn)
            outcomes[fn.__name__] = "registered"
        except ValueError as err:
            outcomes[fn.__name__] = str(err)

    threads = [threading.Thread(target=register, args=(fn,)) for fn in (one_net, another_net)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winner = registry.get("my-net")
    loser = another_net if winner is one_net else one_net
    assert outcomes[winner.__name__] == "registered"
    assert outcomes[loser.__name__] == (
        f"register_thing: thing name 'my-net' is already registered (to "
        f"{__name__}.{winner.__name__}); choose another name, or, to register this definition "
        "under it (a notebook cell edited and run again), first remove the old one with "
        "pidkit_distill.unregister_thing('my-net').")


def test_the_packages_own_names_are_one_set_for_every_kind():
    # the methods' registry is made empty (each method's module registers its class): its own
    # names came from BUILTIN_NAMES, those of models and data sets from the registry's entries
    assert all(_METHODS.is_builtin(name) for name in BUILTIN_NAMES["method"])
    assert set(BUILTIN_NAMES["method"]) <= set(_METHODS.names())
    assert not _METHODS.is_builtin("my-method")
    with pytest.raises(ValueError) as err:
        register_method("bas")(type("Dup", (Distiller,), {}))
    assert str(err.value) == ("register_method: method name 'bas' is already registered (to "
                              "pidkit_distill.methods.bas.BAS); choose another name.")


def test_a_packages_method_whose_module_is_reloaded_is_registered_again():
    # importlib.reload(pidkit_distill.methods.bas) (or IPython's %autoreload after an edit of
    # it) defines BAS again, with its module and qualified name, and registers it: "method name
    # 'bas' is already registered (to pidkit_distill.methods.bas.BAS)", since 11563e1 made
    # 'bas' one of the package's own names; stood for here by a class of the same names
    original = get_method("bas")
    again = type("BAS", (original,), {"__module__": original.__module__,
                                      "__qualname__": original.__qualname__})
    try:
        assert register_method("bas")(again) is again
        assert get_method("bas") is again
        assert _METHODS.is_builtin("bas")
    finally:
        register_method("bas")(original)
    assert get_method("bas") is original


def test_a_packages_model_is_not_replaced_by_another_builder_of_its_qualified_name():
    # the package's builders are one closure (models.registry._small.<locals>.build): the same
    # qualified name is no reload of the same builder there
    with pytest.raises(ValueError) as err:
        register_model("digits-student")(_MODELS.get("synthetic-teacher"))
    assert str(err.value) == ("register_model: model name 'digits-student' is already "
                              "registered (to the package); choose another name.")
    assert _MODELS.get("digits-student") is not _MODELS.get("synthetic-teacher")


def test_the_method_name_that_marks_a_teachers_runs_is_refused():
    # it was taken: runs of a method registered as "teacher" were read as a teacher's (reports
    # and run records, phase=teacher on every epoch line)
    from pidkit_distill import load_config
    from pidkit_distill.training.teacher import teacher_run_config

    with pytest.raises(ValueError) as refused:
        register_method("teacher")
    assert str(refused.value) == (
        "register_method: method name 'teacher' is reserved: it marks the runs that train a "
        "teacher (pidkit-distill train-teacher), which reports and run records read as a "
        "teacher's; choose another name.")
    assert "teacher" not in _METHODS
    assert teacher_run_config(load_config()).method.name == "teacher"  # the name it marks them by
