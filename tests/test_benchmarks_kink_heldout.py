"""The held-out joints of the kink study (``estimate_kink --heldout``) are what their docstring says:
off the grid, exact kinks where the channels are equal, near kinks with the stated unique
information, and ``--heldout`` runs exactly them."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import estimate_kink
from benchmarks.estimate_bias import HELDOUT_JOINTS, JOINTS
from pidkit import pid

EXACT_KINKS = ("sum10-0.75", "sum10-0.97", "views10-0.7")
NEAR_KINKS = {"near-kink10-0.01": 0.0095, "near-kink10-0.03": 0.030, "near-kink10-0.1": 0.099}


def test_heldout_joints_are_off_the_grid_and_of_1000_cells():
    assert not set(HELDOUT_JOINTS) & set(JOINTS)
    assert len({HELDOUT_JOINTS[name]().tobytes() for name in HELDOUT_JOINTS}) == len(HELDOUT_JOINTS)
    for name, joint in HELDOUT_JOINTS.items():
        p = joint()
        assert p.shape == (10, 10, 10), name
        assert p.min() >= 0 and p.sum() == pytest.approx(1.0), name
        assert not any(np.allclose(p, grid()) for grid in JOINTS.values() if grid().shape == p.shape), name


@pytest.mark.parametrize("name", EXACT_KINKS)
def test_exact_kinks_have_equal_channels_and_no_unique_information(name):
    # Equal p(t) = p(s) and p(y|t) = p(y|s): the coupling T = S keeps both pairwise tables and has
    # I(Y;T|S) = I(Y;S|T) = 0, so both unique informations are 0 whatever the solver.
    p = HELDOUT_JOINTS[name]()
    assert np.allclose(p.sum(axis=2), p.sum(axis=1))
    result = pid(p)
    assert result.uni_t == pytest.approx(0.0, abs=1e-6)
    assert result.uni_s == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(("name", "uni"), NEAR_KINKS.items())
def test_near_kinks_have_the_small_unique_information_their_docstring_states(name, uni):
    # Mirror images (y, t, s) -> (-y, -s, -t): both unique informations are equal.
    p = HELDOUT_JOINTS[name]()
    mirrored = np.transpose(p[::-1, ::-1, ::-1], (0, 2, 1))
    assert np.allclose(np.roll(mirrored, (1, 1, 1), axis=(0, 1, 2)), p)
    result = pid(p)
    assert result.uni_t == pytest.approx(result.uni_s, abs=1e-6)
    assert result.uni_t == pytest.approx(uni, abs=0.001)


def test_one_small_unique_information_next_to_a_large_one():
    result = pid(HELDOUT_JOINTS["one-small-uni10"]())
    assert result.uni_s == pytest.approx(0.020, abs=0.002)
    assert result.uni_t > 1.0


def test_heldout_runs_the_heldout_joints(monkeypatch):
    asked = {}

    def measured(joints, sizes, *rest):
        asked.update(joints=joints, sizes=sizes)
        raise KeyboardInterrupt

    monkeypatch.setattr(estimate_kink, "run", measured)
    with pytest.raises(KeyboardInterrupt):
        estimate_kink.main(["--heldout", "--n", "450"])
    assert asked == {"joints": list(HELDOUT_JOINTS), "sizes": [450]}


def test_rows_carry_each_candidates_bias_and_the_table_the_smaller_unis():
    rows = estimate_kink.run(["sum10"], [450], draws=2, seed=0, n_boot=2, slow=False, coverage=0, n_jobs=1)
    bias = {name: np.array(value) for name, value in rows[0]["bias"].items()}
    assert set(bias) == set(estimate_kink.CANDIDATES)
    for name, value in bias.items():  # every candidate moves U only: Uni up by d, Red and Syn down
        moved = value - bias["default"]
        assert moved == pytest.approx(moved[1] * np.array([-1.0, 1.0, 1.0, -1.0]), abs=1e-12), name
    line = next(line for line in estimate_kink.tables(rows).splitlines()[::-1] if line.startswith("| sum10"))
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    assert cells[2] == "0.000"  # both unique informations of sum10 are 0: the table shows their mean
    assert cells[3:] == [f"{(bias[name][1] + bias[name][2]) / 2:+.3f}" for name in estimate_kink.CANDIDATES]
