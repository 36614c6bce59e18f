"""Every name in ``pidkit.__all__``, and in the ``__all__`` of each public module it lists, imports,
and the public modules are reached alike from ``import pidkit``.

``pidkit.utils``, documented in the API reference beside ``pidkit``, was in no ``__all__``: after
``import pidkit`` alone, ``pidkit.utils`` raised AttributeError (the other public modules, such as
``pidkit.gaussian``, are attributes of the package), ``from pidkit import *`` left it out, and
``dir(pidkit)`` (tab completion) listed neither it nor ``estimate``, which loads on first use.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types

import pytest

import pidkit

FRESH_IMPORT = """
import json, sys
import pidkit
listed = sorted(set(pidkit.__all__) - set(dir(pidkit)))
estimate_loaded = "pidkit.estimate" in sys.modules
reached = {name: type(getattr(pidkit, name)).__name__ for name in pidkit.__all__}
namespace = {}
exec("from pidkit import *", namespace)
starred = sorted(set(pidkit.__all__) - set(namespace))
print(json.dumps({"not_in_dir": listed, "estimate_loaded_by_import_or_dir": estimate_loaded,
                  "utils": reached["utils"], "not_starred": starred,
                  "utils_is_the_module": pidkit.utils is sys.modules["pidkit.utils"]}))
"""

PUBLIC_MODULES = ["pidkit", *sorted(
    f"pidkit.{name}" for name in pidkit.__all__ if isinstance(getattr(pidkit, name), types.ModuleType)
)]


def test_import_pidkit_alone_reaches_every_name_of_all():
    run = subprocess.run([sys.executable, "-c", FRESH_IMPORT], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == {
        "not_in_dir": [],
        "estimate_loaded_by_import_or_dir": False,  # scikit-learn still waits for the first use
        "utils": "module",
        "not_starred": [],
        "utils_is_the_module": True,
    }


def test_the_public_modules_listed_are_those_with_api_pages():
    # docs/conf.py's api_packages gives pidkit.utils its pages; the others get theirs from pidkit.__all__
    assert PUBLIC_MODULES == ["pidkit", "pidkit.estimate", "pidkit.examples", "pidkit.gaussian",
                              "pidkit.measures", "pidkit.resampling", "pidkit.theorems", "pidkit.utils"]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_name_in_all_imports(module_name):
    module = importlib.import_module(module_name)
    assert len(set(module.__all__)) == len(module.__all__), "a name listed twice"
    missing = []
    for name in module.__all__:
        try:
            exec(f"from {module_name} import {name}", {})
        except ImportError as error:
            missing.append(f"{name}: {error}")
    assert missing == []
