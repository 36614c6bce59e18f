"""An atom that is 0 in every table the bias correction fits is exactly 0.0 after it (task 371).

A sample where one side determines the other, on values seen too rarely for
``correction.determining_side`` to take it for determinism, is decomposed with Syn and the
dependent side's Uni exactly 0 by every solve (the full sample's and each subsample's). The
extrapolation fitted I* = I(Y;T) + I(Y;S) - Red, summed from informations that the solver's rounded
atoms miss by up to 1e-9 bits, and gave Syn = -1.6e-9 bits: "below 0" in ``correction.negative``.
Atoms from the empirical-Bayes synergy, which can be below 0, keep their value and their note.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pidkit import joint_from_samples, pid
from pidkit.estimate import correct_counts, pid_from_representations
from pidkit.estimate.correction import DETERMINING_MIN_COUNT, subsample_tables


def _rare_values(seed: int, n: int, n_t: int, n_y: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels y and a teacher t that knows y in 70 % of the samples, on ``n_t`` values."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_y, n)
    return y, (y + (rng.random(n) < 0.3) * rng.integers(0, n_t, n)) % n_t


def _students(t: np.ndarray) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """Students that T determines, with the atoms that are 0 for each: a copy, a relabelling, a
    coarsening (which keeps Uni(Y:T\\S))."""
    return {"copy": (t, ("uni_t", "uni_s")), "relabelled": (t.max() - t, ("uni_t", "uni_s")),
            "coarsened": (t // 2, ("uni_s",))}


# Seed 38 is the case found (144 samples, 7 teacher values, 3 labels): Syn of the relabelled student
# was -1.6e-9 bits, "below 0".
CASES = [(38, 144, 7, 3), (1, 120, 6, 3), (5, 200, 9, 4)]


@pytest.mark.parametrize(("seed", "n", "n_t", "n_y"), CASES)
def test_a_determined_side_on_rare_values_has_exact_zero_atoms(seed, n, n_t, n_y):
    y, t = _rare_values(seed, n, n_t, n_y)
    for name, (s, zero_unique) in _students(t).items():
        counts = joint_from_samples(y, t, s).counts
        assert np.bincount(t).min() < DETERMINING_MIN_COUNT  # too rare to be called determining
        # The reference: every table fitted (the sample, its halves and quarters) decomposes with
        # those atoms exactly 0, so their fit is 0.
        for table in [counts, *subsample_tables(counts, (2, 4), 8, seed=0)]:
            solved = pid(table / table.sum())
            assert [getattr(solved, atom) for atom in ("syn", *zero_unique)] == [0.0] * (1 + len(zero_unique))
        fix = correct_counts(counts, method="extrapolation")
        assert fix.determining_side is None, name
        for atom in ("syn", *zero_unique):
            assert fix.corrected[atom] == 0.0, (name, atom, fix.corrected[atom])
        assert fix.negative == (), name
        c = fix.corrected  # the identities still hold with the corrected informations
        assert c["red"] + c["uni_t"] == pytest.approx(c["i_yt"], abs=1e-12)
        assert c["red"] + c["uni_t"] + c["uni_s"] + c["syn"] == pytest.approx(c["i_yts"], abs=1e-12)
        default = correct_counts(counts)  # eb-extrapolation: Syn is its own estimate there
        for atom in zero_unique:
            assert default.corrected[atom] == 0.0, (name, atom, default.corrected[atom])


def test_a_student_given_as_the_teacher_has_exact_zeros_in_every_replicate():
    y, t = _rare_values(38, 144, 7, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the few-clusters notes of so small a sample
        res = pid_from_representations(y, t, t, bias_correction="extrapolation", bootstrap=20)
    for atom in ("syn", "uni_t", "uni_s"):
        assert getattr(res, atom) == 0.0
        assert (res.bootstrap_samples[atom] == 0.0).all(), (atom, res.bootstrap_samples[atom].min())
    assert res.correction.negative == ()


def test_a_real_negative_estimate_keeps_its_value_and_its_note():
    # The empirical-Bayes Syn of a copy seen on rare values is its own estimate, here below 0.
    y, t = _rare_values(38, 144, 7, 3)
    fix = correct_counts(joint_from_samples(y, t, t).counts)
    plain = correct_counts(joint_from_samples(y, t, t).counts, method="extrapolation")
    assert fix.corrected["syn"] < -0.01
    assert "syn" in fix.negative
    # Syn = I(Y;T,S) - I*, the empirical-Bayes I(Y;T,S) = I(Y;T) + I(Y;S) + (Syn - Red)
    assert fix.corrected["syn"] == pytest.approx(fix.corrected["i_yts"] - plain.corrected["i_yts"], abs=1e-12)
