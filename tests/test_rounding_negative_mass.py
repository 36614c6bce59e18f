"""A joint whose cell is below 0 by rounding alone is read as 0; any other negative is refused with
the fix (task 323).

A joint finished with ``p[1, 1, 1] = 1 - p.sum()`` holds -2.2e-16 where the exact value is 0: it
was refused as "negative mass" even with ``normalize=True`` (a total is allowed 1e-9 off 1), by
every entry point, and the message did not say how to fix it. Negatives within
``NEGATIVE_MASS_ULPS * eps`` (16 ulp) of the total are now 0 in ``pidkit._validate.check_pmf``, the
one check behind pid, bertschinger, the measures, the batch and the CLI's decompose.
"""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit._validate import NEGATIVE_MASS_ULPS, check_pmf
from pidkit.cli import main


def _exact_joint() -> np.ndarray:
    """Y = T and S with p(t, s) = 0.4, 0.2, 0.3, 0.1 for (0, 0), (0, 1), (1, 0), (1, 1)."""
    p = np.zeros((2, 2, 2))
    for (t, s), mass in zip([(0, 0), (0, 1), (1, 0), (1, 1)], (0.4, 0.2, 0.3, 0.1), strict=True):
        p[t & s, t, s] = mass
    return p


def _rounded_joint() -> np.ndarray:
    """That joint with its cell p[1, 0, 0] (0: Y = 1 needs T = S = 1) computed as 1 - the rest."""
    p = _exact_joint()
    p[1, 0, 0] = 1 - p.sum()
    return p


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("decompose", [pidkit.pid, pidkit.bertschinger], ids=["pid", "bertschinger"])
def test_decompositions_read_a_rounding_negative_as_zero(decompose, normalize):
    result = decompose(_rounded_joint(), normalize=normalize)
    exact = decompose(_exact_joint())
    assert result.red == pytest.approx(0.144484, abs=1e-6) and result.syn == pytest.approx(0.275489, abs=1e-6)
    atoms = ("red", "uni_t", "uni_s", "syn")
    assert [getattr(result, a) for a in atoms] == pytest.approx([getattr(exact, a) for a in atoms], abs=1e-9)


def test_measures_and_the_batch_read_a_rounding_negative_as_zero():
    p = _rounded_joint()
    assert pidkit.mutual_information(p, "y", "ts") == pytest.approx(0.468996, abs=1e-6)
    assert pidkit.entropy(p, "y") == pytest.approx(0.468996, abs=1e-6)  # H(0.9, 0.1)
    assert pidkit.i_mmi(p) == pytest.approx(0.144484, abs=1e-6)
    (batch,) = pidkit.bertschinger_batch([p])
    assert batch.syn == pytest.approx(0.275489, abs=1e-6)


def test_the_command_line_reads_a_rounding_negative_as_zero(tmp_path, capsys):
    path = tmp_path / "rounded.npy"
    np.save(path, _rounded_joint())
    assert main(["decompose", str(path)]) == 0
    assert "0.275489" in capsys.readouterr().out


def test_the_zeroed_cell_is_exactly_zero_and_the_rest_unchanged():
    p = _rounded_joint()
    assert p[1, 0, 0] == -2.220446049250313e-16 and np.flatnonzero(p < 0).tolist() == [4]
    checked = check_pmf(p)
    assert checked[1, 0, 0] == 0.0 and not np.signbit(checked[1, 0, 0])
    others = np.delete(p.ravel(), 4)
    np.testing.assert_array_equal(np.delete(checked.ravel(), 4), others / others.sum())


def test_the_rounding_level_is_16_ulp_of_the_total_in_the_inputs_precision():
    assert NEGATIVE_MASS_ULPS == 16
    edge = 16 * np.finfo(np.float64).eps  # 3.55e-15 of a total of 1
    assert check_pmf([0.5, 0.5, -edge])[2] == 0.0
    with pytest.raises(ValueError, match=r"^p has negative mass: -3\.6e-15 at index \(2,\)"):
        check_pmf([0.5, 0.5, -3.6e-15])
    scaled = check_pmf([50.0, 50.0, -100 * edge], normalize=True)  # the same share of a total of 100
    assert scaled.tolist() == [0.5, 0.5, 0.0]
    # float32's eps is 1.2e-7: 16 ulp of its total are 1.9e-6
    assert check_pmf(np.array([0.5, 0.5, -1.5e-6], dtype=np.float32))[2] == 0.0
    with pytest.raises(ValueError, match=r"16 \* eps = 1\.91e-06 times the total"):
        check_pmf(np.array([0.5, 0.5, -2.5e-6], dtype=np.float32))


def test_a_clear_negative_is_refused_with_its_share_of_the_total_and_the_fix():
    p = np.full((2, 2, 2), 0.125) * np.array([3, -1])
    with pytest.raises(ValueError) as refused:
        pidkit.pid(p, normalize=True)
    assert str(refused.value) == (
        "p_yts has negative mass: -0.125 at index (0, 0, 1) (the most negative of 4 negative cells; "
        "0.0833 times the total positive mass); a probability mass function must be non-negative. "
        "Negatives within rounding, 16 * eps = 3.55e-15 times the total, are read as 0; for larger "
        "rounding errors (a cell computed as 1 - the sum of the others) pass np.clip(p_yts, 0, None), "
        "otherwise fix how p_yts was computed."
    )


def test_a_small_negative_beyond_rounding_is_refused_and_told_to_clip():
    with pytest.raises(ValueError, match=r"-1e-10 at index \(0, 0, 1\) \(the only negative cell; 1e-10 times "
                                         r"the total positive mass\).*pass np\.clip\(p_yts, 0, None\)"):
        pidkit.pid(np.array([[[0.5, -1e-10], [0.25, 0.25]]]))


def test_a_negative_integer_is_never_rounding():
    with pytest.raises(ValueError) as refused:
        pidkit.pid(np.array([[[2, -1], [1, 1]]]), normalize=True)
    assert str(refused.value) == (
        "p_yts has negative mass: -1.0 at index (0, 0, 1) (the only negative cell; 0.25 times the "
        "total positive mass); a probability mass function must be non-negative. Integers hold no "
        "rounding error: fix how p_yts was computed."
    )


def test_negatives_of_a_huge_joint_are_reported_as_given():
    # the joint is rescaled by its peak before summing; the message gives the value passed
    with pytest.raises(ValueError, match=r"^p_yts has negative mass: -1e\+296 at index \(0, 0, 2\) "
                                         r"\(the only negative cell; 1e-12 times the total positive mass\)"):
        pidkit.pid(np.array([[[1e300, 1e308, -1e296]]]), normalize=True)
    ok = pidkit.pid(np.array([[[1e308, 1e308, -1e292]]]), normalize=True)  # 5e-17 of the total: rounding
    assert ok.status == "optimal"


def test_only_negatives_and_zeros_are_refused_as_negative():
    with pytest.raises(ValueError, match=r"-1e-300 at index \(0, 0, 1\) \(the only negative cell; no cell "
                                         r"holds positive mass\)"):
        pidkit.pid(np.array([[[0.0, -1e-300]]]))
