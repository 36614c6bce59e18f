"""A deprecated name of pidkit warns once per access, however it is reached (task 348).

``from pidkit import ContinuousLabelsWarning`` gave the FutureWarning twice: the import system
first asks the module whether it has the name (is it a submodule to import?), which runs the
module's ``__getattr__``, and the statement then reads it. Only the second is the user's access.
"""

from __future__ import annotations

import importlib
import pickle
import warnings

import pidkit
from pidkit._labels import ContinuousLabelsWarning


def _future_warnings(access) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = access()
    assert found is ContinuousLabelsWarning
    return [w for w in caught if issubclass(w.category, FutureWarning)]


def _from_import():
    from pidkit import ContinuousLabelsWarning as imported

    return imported


def test_each_access_path_warns_exactly_once_at_the_users_line():
    paths = {
        "attribute": lambda: pidkit.ContinuousLabelsWarning,
        "getattr": lambda: getattr(pidkit, "ContinuousLabelsWarning"),  # noqa: B009 (an access path)
        "from import": _from_import,
        "from import, estimate loaded": lambda: importlib.import_module("pidkit.estimate") and _from_import(),
    }
    for path, access in paths.items():
        caught = _future_warnings(access)
        assert len(caught) == 1, (path, [str(w.message) for w in caught])
        assert str(caught[0].message).startswith("pidkit.ContinuousLabelsWarning is deprecated"), path
        assert caught[0].filename == __file__, (path, caught[0].filename)  # the user's line, not importlib's


def test_two_accesses_warn_twice_and_the_other_names_stay_silent():
    def twice():
        assert pidkit.ContinuousLabelsWarning is _from_import()
        return ContinuousLabelsWarning

    assert len(_future_warnings(twice)) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from pidkit import estimate, i_gh  # noqa: F401 (a lazy submodule and a plain name)
    assert caught == []


def test_a_pickle_round_trip_reads_the_name_once_each_way():
    def round_trip():
        return type(pickle.loads(pickle.dumps(ContinuousLabelsWarning("a message"))))

    assert len(_future_warnings(round_trip)) == 2  # dumps checks the name, loads finds it
