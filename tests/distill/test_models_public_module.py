"""The functions of ``pidkit_distill.models`` that its registry modules define are named by the
path users import them from, as when the package's ``__init__`` defined them: a registered
teacher's builder that reads one (a wrapper of ``build_model``) is fingerprinted with its module's
name, and a builder made of one (``functools.partial(build_model, ...)``) is recorded as coming
from its module's file; a cached teacher's folder name hashes both. Moved to
``models.registry`` under that module's name, such a teacher was trained again in a new folder
(``...-be06734d`` beside the ``...-20a7ba2a`` trained before the move)."""

from __future__ import annotations

import functools
import inspect
import pickle
from pathlib import Path

import pidkit_distill.models as models
from pidkit_distill.code_fingerprint import code_fingerprint
from pidkit_distill.models import build_model, model_source, register_model, unregister_model

# the functions that pidkit_distill/models/__init__.py defined before task 317 moved them
MOVED = ["adopt_model_fingerprint", "available_models", "build_model", "building_models",
         "model_builder", "model_fingerprint", "model_source", "needs_real_tensors",
         "register_model", "unregister_model"]


def test_the_moved_functions_keep_their_public_module():
    assert {name: getattr(models, name).__module__ for name in MOVED} == dict.fromkeys(
        MOVED, "pidkit_distill.models")
    # defined in the registry modules, not in the package's __init__
    assert {Path(inspect.getsourcefile(inspect.unwrap(getattr(models, name)))).name for name in MOVED} == {
        "registry.py", "builder_calls.py"}
    assert pickle.loads(pickle.dumps(build_model)) is build_model


def test_a_builder_reading_build_model_is_fingerprinted_by_its_public_path():
    def wrapper(*, num_classes, in_channels):
        return build_model("synthetic-teacher", num_classes=num_classes, in_channels=in_channels)

    def stand_in(*args, **kwargs):
        """A function that code_fingerprint names as it names pidkit_distill.models.build_model."""

    stand_in.__module__, stand_in.__qualname__ = "pidkit_distill.models", "build_model"
    reading_stand_in = type(wrapper)(wrapper.__code__, {**wrapper.__globals__,
                                                        "build_model": stand_in})
    assert code_fingerprint(wrapper) == code_fingerprint(reading_stand_in)


def test_a_partial_of_build_model_comes_from_the_packages_init():
    register_model("partial-of-build-model")(functools.partial(build_model, "synthetic-teacher"))
    try:
        source = Path(model_source("partial-of-build-model"))
    finally:
        unregister_model("partial-of-build-model")
    assert source.parts[-3:] == ("pidkit_distill", "models", "__init__.py")
