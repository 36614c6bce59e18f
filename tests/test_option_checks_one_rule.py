"""One rule for refusing an option (task 340): ``pidkit._settings.check_option`` (options with
``None``: normalize, ci_method, estimator, side, svd_solver) gives the advice of
``pidkit._names.check_choice``, the closest spelling and, where only the case differs, that options
are case-sensitive, and keeps its own hint that ``None`` (no quotes) turns an option off;
``estimate.correct_counts(method=...)`` names the closest spelling, which it did not."""

from __future__ import annotations

import numpy as np
import pytest

from pidkit import estimate, resampling
from pidkit._settings import check_option

_RNG = np.random.default_rng(0)
_Y = np.arange(60) % 2
_FEATURES = _RNG.normal(size=(60, 3))
_COUNTS = np.full((2, 2, 2), 10)
_CASE = " Options are case-sensitive."


def _representations(**options):
    return estimate.pid_from_representations(_Y, _FEATURES, _FEATURES, n_clusters=3,
                                             bias_correction="none", **options)


@pytest.mark.parametrize(
    ("call", "given", "meant", "case_only"),
    [
        (lambda v: _representations(normalize=v), "L2", "l2", True),
        (lambda v: _representations(estimator=v), "Gaussian", "gaussian", True),
        (lambda v: resampling.bootstrap_intervals(np.zeros((5, 1)), np.zeros(1), (0.0,), method=v),
         "Basic", "basic", True),
        (lambda v: estimate.correct_counts(_COUNTS, method=v), "EB-Extrapolation", "eb-extrapolation", True),
        (lambda v: estimate.correct_counts(_COUNTS, method=v), "extrapolaton", "extrapolation", False),
    ],
)
def test_an_option_refusal_names_the_closest_spelling_and_the_case_rule(call, given, meant, case_only):
    with pytest.raises(ValueError) as info:
        call(given)
    advice = f"; got {given!r}. Did you mean {meant!r}?" + (_CASE if case_only else "")
    assert str(info.value).endswith(advice)


def test_none_without_quotes_is_still_the_hint_for_false_and_the_string_none():
    for given in (False, "none", "NONE"):
        with pytest.raises(ValueError) as info:
            check_option(given, "normalize", ("l2", None))
        assert str(info.value) == (f"normalize must be one of ['l2', None]; got {given!r}. "
                                   "None (no quotes) turns it off.")
    assert check_option(None, "normalize", ("l2", None)) is None


def test_a_correction_method_not_a_string_is_still_a_value_error_listing_the_methods():
    with pytest.raises(ValueError) as info:
        estimate.correct_counts(_COUNTS, method=None)
    assert str(info.value) == ("method must be one of ['none', 'extrapolation', 'eb-extrapolation', "
                               "'eb-extrapolation-kink']; got None.")


def test_n_clusters_spelt_in_capitals_is_told_the_case():
    with pytest.raises(ValueError, match=r"got 'AUTO'\. Did you mean 'auto'\? Options are case-sensitive\.$"):
        estimate.pid_from_representations(_Y, _FEATURES, _FEATURES, n_clusters="AUTO")
