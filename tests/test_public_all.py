"""Every name in ``pidkit.__all__``, in the ``__all__`` of each public module it lists, and in
``pidkit.utils.__all__`` imports, and every public module is reached alike from ``import pidkit``.

``pidkit.utils`` has reference pages of its own beside pidkit's (docs/conf.py's ``api_packages``),
so it stays out of ``pidkit.__all__``, whose names pidkit's page documents. But after ``import
pidkit`` alone, ``pidkit.utils`` raised AttributeError where ``pidkit.gaussian`` and the other public
modules are attributes of the package, and ``dir(pidkit)`` (tab completion) listed neither it nor
``estimate``, which loads on first use.
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
public = [*pidkit.__all__, "utils"]
not_in_dir = sorted(set(public) - set(dir(pidkit)))
estimate_loaded = "pidkit.estimate" in sys.modules
for name in public:
    getattr(pidkit, name)
namespace = {}
exec("from pidkit import *", namespace)
print(json.dumps({"not_in_dir": not_in_dir, "estimate_loaded_by_import_or_dir": estimate_loaded,
                  "not_starred": sorted(set(pidkit.__all__) - set(namespace)),
                  "utils_is_the_module": pidkit.utils is sys.modules["pidkit.utils"]}))
"""

# pidkit, the modules its page documents (those in its __all__), and pidkit.utils, with pages of its own
PUBLIC_MODULES = ["pidkit", *sorted(
    f"pidkit.{name}" for name in pidkit.__all__ if isinstance(getattr(pidkit, name), types.ModuleType)
), "pidkit.utils"]


def test_import_pidkit_alone_reaches_every_public_name_and_module():
    run = subprocess.run([sys.executable, "-c", FRESH_IMPORT], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == {
        "not_in_dir": [],
        "estimate_loaded_by_import_or_dir": False,  # scikit-learn still waits for the first use
        "not_starred": [],
        "utils_is_the_module": True,
    }


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
