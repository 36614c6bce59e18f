"""``dir(pidkit)``, what tab completion in a notebook offers after ``pidkit.``, is the public API.

It listed ``Any``, ``importlib`` and ``warnings`` (names ``pidkit/__init__.py`` imports for its own
use) and the private modules ``_caller``, ``_validate`` ... beside ``pidkit.pid``. As scipy's
``__dir__`` lists its ``__all__``, pidkit's lists ``__all__``, the dunders (``__version__``) and
the public subpackages and modules (``pidkit.utils``, ``pidkit.batch`` ...).
"""

from __future__ import annotations

import types

import pidkit


def _extra_names() -> dict[str, str]:
    """The names of ``dir(pidkit)`` outside ``__all__`` that are neither dunders nor public
    submodules, with the type of what each names."""
    extra = set(dir(pidkit)) - set(pidkit.__all__)
    return {
        name: type(getattr(pidkit, name)).__name__
        for name in sorted(extra)
        if not (name.startswith("__") and name.endswith("__"))
        and not (
            not name.startswith("_")
            and isinstance(getattr(pidkit, name), types.ModuleType)
            and getattr(pidkit, name).__name__ == f"pidkit.{name}"
        )
    }


def test_dir_lists_the_public_api_dunders_and_public_submodules_only():
    assert _extra_names() == {}


def test_dir_keeps_every_public_name_the_version_and_utils():
    listed = set(dir(pidkit))
    assert set(pidkit.__all__) <= listed
    assert {"__version__", "utils", "estimate", "batch"} <= listed
    assert not {"Any", "importlib", "warnings", "_caller", "_validate"} & listed
    assert dir(pidkit) == sorted(listed)
