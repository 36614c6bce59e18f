"""One rule for the case of string options (F8): pidkit's Python API is case-sensitive, as
scikit-learn's options are, and a refusal lists the valid spellings, names the closest one and,
where only the case differs, says that options are case-sensitive; the ``pidkit`` command takes
its names in any case (tests/test_cli_names_any_case.py)."""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit import estimate
from pidkit._names import check_choice

_RNG = np.random.default_rng(0)
_Y, _T, _S = (_RNG.integers(0, 2, 60) for _ in range(3))
_FEATURES = _RNG.normal(size=(60, 3))
_XOR = pidkit.joint_from_samples([0, 1, 1, 0], [0, 0, 1, 1], [0, 1, 0, 1]).p


def _representations(**options):
    return estimate.pid_from_representations(_Y, _FEATURES, _FEATURES[:, :2], n_clusters=3,
                                             bias_correction="none", **options)


@pytest.mark.parametrize(
    ("call", "given", "meant"),
    [
        (lambda v: pidkit.pid(_XOR, measure=v), "BROJA", "broja"),
        (lambda v: pidkit.redundancy(_XOR, measure=v), "MMI", "mmi"),
        (lambda v: pidkit.entropy(_XOR.sum(axis=(1, 2)), units=v), "Bits", "bits"),
        (lambda v: pidkit.bertschinger(_XOR, units=v), "NATS", "nats"),
        (lambda v: pidkit.bertschinger(_XOR, method=v), "Native", "native"),
        (lambda v: pidkit.i_function_of_source(_XOR, source=v), "T", "t"),
        (lambda v: _representations(measure=v), "BROJA", "broja"),
        (lambda v: _representations(units=v), "Bits", "bits"),
        (lambda v: estimate.bootstrap(_Y, _T, _S, n_boot=2, measure=v), "Mmi", "mmi"),
    ],
)
def test_a_python_option_in_another_case_is_refused_with_its_spelling(call, given, meant):
    with pytest.raises(ValueError) as info:
        call(given)
    message = str(info.value)
    assert f"got {given!r}. Did you mean {meant!r}? Options are case-sensitive." in message
    assert f"{meant!r}" in message.split("; got")[0]  # the valid spellings come first


def test_a_misspelling_is_not_told_about_case():
    with pytest.raises(ValueError) as info:
        check_choice("nat", ("bits", "nats"), name="units")
    assert str(info.value) == "units must be 'bits' or 'nats'; got 'nat'. Did you mean 'nats'?"
    assert check_choice("nats", ("bits", "nats"), name="units") == "nats"
    with pytest.raises(TypeError, match=r"^units must be 'bits' or 'nats'; got 2 \(int\)\.$"):
        check_choice(2, ("bits", "nats"), name="units")
