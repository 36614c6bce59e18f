"""A public module shows users its own API, not the pidkit helpers it imports.

``pidkit.examples.check_pmf`` (the validator of ``pidkit._validate``) was reachable and listed by
``dir`` and tab completion though not in ``__all__``. The modules here expose no function or class
of pidkit's that their ``__all__`` does not list (pidkit.measures, pidkit.redundancy and
pidkit.resampling still do, and are not checked yet).
"""

from __future__ import annotations

import importlib
import inspect

import pytest

CLEAN_MODULES = ("pidkit", "pidkit.estimate", "pidkit.gaussian", "pidkit.broja", "pidkit.examples",
                 "pidkit.theorems")


@pytest.mark.parametrize("module_name", CLEAN_MODULES)
def test_no_pidkit_helper_outside_all_is_exposed(module_name):
    module = importlib.import_module(module_name)
    leaked = sorted(
        name for name, obj in vars(module).items()
        if not name.startswith("_") and name not in module.__all__
        and (inspect.isroutine(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", "").partition(".")[0] == "pidkit"
    )
    assert leaked == [], f"{module_name} exposes {leaked}: import them under a private alias"


def test_examples_still_validates_its_distributions():
    from pidkit.examples import nuisance_teacher

    with pytest.raises(ValueError, match="p_z"):
        nuisance_teacher(p_z=[0.5, -0.5])
