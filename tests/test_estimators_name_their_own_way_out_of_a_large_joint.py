"""The estimators take no ``max_vertices``: a joint too large for measure='prec' (or 'gh') is
refused with what their caller can change, never with "pass max_vertices=None"."""

import numpy as np
import pytest

from pidkit import joint_from_samples
from pidkit.estimate import bootstrap, correct_counts, pid_from_representations

N = 4000


@pytest.fixture(scope="module")
def samples():
    """Labels with 5 values and two sources with 16 each: a 5x16x16 joint, McMullen's bound on
    I_prec's polytope 45,696 (more than its default limit of 20,000)."""
    rng = np.random.default_rng(0)
    return rng.integers(0, 5, N), rng.integers(0, 16, N), rng.integers(0, 16, N)


def _refusal(call) -> str:
    with pytest.raises(ValueError) as raised:
        call()
    message = str(raised.value)
    assert message.startswith("measure='prec' on this 5x16x16 joint: the polytope of I_prec has 32 facets "
                              "in dimension 26, so up to 45,696 vertices to enumerate exactly (McMullen's "
                              "bound), more than pidkit's limit of 20,000;")
    assert "max_vertices" not in message
    assert "Use measure='broja' (I_prec <= I_BROJA)" in message
    return message


def test_bootstrap_says_merge_rare_values_of_t_and_s(samples):
    y, t, s = samples
    assert _refusal(lambda: bootstrap(y, t, s, n_boot=2, measure="prec")).endswith(
        ", or merge rare values of t and s.")


def test_correct_counts_says_merge_the_counts_axes(samples):
    counts = joint_from_samples(*samples).counts
    assert _refusal(lambda: correct_counts(counts, measure="prec")).endswith(
        ", or merge rare teacher and student values (axes 1 and 2 of counts).")


def test_pid_from_representations_says_fewer_clusters(samples):
    y, t, s = samples
    assert _refusal(lambda: pid_from_representations(y, t, s, measure="prec")).endswith(
        ", or fewer values per source (here 16 for t_features, 16 for s_features): a smaller n_clusters "
        "for clustered features, rare labels merged.")
