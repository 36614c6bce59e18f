"""The kink pretest of the default correction ``"eb-extrapolation-kink"`` (issue 12, task 394).

Where the smaller unique information the extrapolation gives is above 0 and at most
``KINK_PRETEST`` (1.5) times its correction of the mean unique information U, both Uni go halfway
to 0 and Red and Syn up as much; the informations stay, so the PID identities hold. The numbers of
``"eb-extrapolation"`` (the previous default) do not move.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.estimate_bias import JOINTS
from pidkit import joint_from_samples, pid
from pidkit.estimate import (
    BIAS_CORRECTIONS,
    DEFAULT_BIAS_CORRECTION,
    PIDStatistic,
    bootstrap_replicates,
    correct_counts,
    kink_fraction,
    pid_from_representations,
)
from pidkit.estimate.kink import KINK_PRETEST, kink_pretest_shift, kink_shift

ATOMS = ("red", "uni_t", "uni_s", "syn")
INFORMATIONS = ("i_yt", "i_ys", "i_yts")
PATTERN = {"red": 1.0, "uni_t": -1.0, "uni_s": -1.0, "syn": 1.0}
"""How the four atoms move when the pretest lowers U by 1."""


def _sum10_counts(seed: int, n: int = 450) -> np.ndarray:
    p = JOINTS["sum10"]()
    return np.random.default_rng(seed).multinomial(n, p.ravel()).reshape(p.shape)


def test_the_default_is_the_pretest_and_the_previous_default_is_still_accepted():
    assert DEFAULT_BIAS_CORRECTION == "eb-extrapolation-kink"
    assert set(BIAS_CORRECTIONS) == {"none", "extrapolation", "eb-extrapolation", "eb-extrapolation-kink"}
    assert KINK_PRETEST == 1.5


@pytest.mark.parametrize(("plug", "corrected", "expected"), [
    # smaller Uni 0.10; U corrected by ((0.20 - 0.10) + (0.22 - 0.16)) / 2 = 0.08; 0.10 <= 1.5 x 0.08
    ({"uni_t": 0.20, "uni_s": 0.22}, {"uni_t": 0.10, "uni_s": 0.16}, 0.05),
    # the sides swapped: the smaller is Uni_S
    ({"uni_t": 0.22, "uni_s": 0.20}, {"uni_t": 0.16, "uni_s": 0.10}, 0.05),
    # exactly at the threshold: 0.12 = 1.5 x 0.08 fires
    ({"uni_t": 0.20, "uni_s": 0.20}, {"uni_t": 0.12, "uni_s": 0.12}, 0.06),
    # just above it: 0.1201 > 1.5 x 0.0799
    ({"uni_t": 0.20, "uni_s": 0.20}, {"uni_t": 0.1201, "uni_s": 0.1201}, 0.0),
    # a smaller Uni of exactly 0 (a side determined) or below it: nothing to move towards
    ({"uni_t": 0.20, "uni_s": 0.10}, {"uni_t": 0.05, "uni_s": 0.0}, 0.0),
    ({"uni_t": 0.20, "uni_s": 0.10}, {"uni_t": 0.05, "uni_s": -0.01}, 0.0),
    # the extrapolation raised U: no correction to compare with
    ({"uni_t": 0.05, "uni_s": 0.05}, {"uni_t": 0.06, "uni_s": 0.07}, 0.0),
    # a large Uni far from 0, as teacher10's 1.65 bits
    ({"uni_t": 1.70, "uni_s": 0.05}, {"uni_t": 1.65, "uni_s": 0.01}, 0.005),
])
def test_the_pretest_moves_half_the_smaller_uni_only_within_k_corrections_of_0(plug, corrected, expected):
    assert kink_pretest_shift(plug, corrected) == pytest.approx(expected, abs=1e-15)


def test_the_threshold_is_an_argument():
    plug, corrected = {"uni_t": 0.20, "uni_s": 0.20}, {"uni_t": 0.15, "uni_s": 0.15}  # 0.15 = 3 x 0.05
    assert kink_pretest_shift(plug, corrected) == 0.0
    assert kink_pretest_shift(plug, corrected, k=3.0) == pytest.approx(0.075)


def test_the_kink_comes_from_the_extrapolations_correction_capped_at_the_final_smaller_uni():
    sizes = (450, 225, 112)
    r = kink_fraction(sizes)
    plug, quadratic = {"uni_t": 0.30, "uni_s": 0.30}, {"uni_t": 0.25, "uni_s": 0.25}
    model = r / (1 - r) * 0.05  # from the quadratic's own correction of U, 0.05
    assert kink_shift(plug, quadratic, sizes) == pytest.approx(model, abs=1e-15)
    # a pretest of 0.125 leaves 0.125: the model's 0.051 stays (not 1.02 x (0.05 + 0.125))
    assert kink_shift(plug, quadratic, sizes, pretest_shift=0.125) == pytest.approx(model, abs=1e-15)
    # a pretest of 0.22 leaves 0.03: the cap
    assert kink_shift(plug, quadratic, sizes, pretest_shift=0.22) == pytest.approx(0.03, abs=1e-15)


def test_eb_extrapolation_keeps_its_numbers():
    # corrected by the code before task 394 (commit 6d2611c), when it was the default
    fix = correct_counts(_sum10_counts(3), method="eb-extrapolation", n_repeats=2, random_state=3, n_jobs=1)
    before = {"red": 0.327614717600214, "uni_t": 0.1288257440818723, "uni_s": 0.14087950544850047,
              "syn": 2.0412961427232275, "i_yt": 0.4564404616820863, "i_ys": 0.46849422304871446,
              "i_yts": 2.6386161098538143}
    assert fix.corrected == pytest.approx(before, rel=1e-12, abs=1e-14)
    assert fix.kink == pytest.approx(0.08335767118033573, rel=1e-12)
    assert fix.kink_pretest_shift == 0.0
    assert fix.to_dict()["kink_pretest_shift"] == 0.0


@pytest.mark.parametrize("seed", [0, 6])
def test_on_sum10_the_pretest_moves_u_halfway_and_keeps_the_identities(seed):
    counts = _sum10_counts(seed)
    base = correct_counts(counts, method="eb-extrapolation", n_repeats=2, random_state=seed, n_jobs=1)
    fix = correct_counts(counts, n_repeats=2, random_state=seed, n_jobs=1)
    assert fix.method == "eb-extrapolation-kink"
    gap = min(base.corrected["uni_t"], base.corrected["uni_s"])
    unique_fix = sum(base.plugin[a] - base.corrected[a] for a in ("uni_t", "uni_s")) / 2
    assert 0 < gap <= KINK_PRETEST * unique_fix  # the data allow a kink on these draws
    assert fix.kink_pretest_shift == pytest.approx(gap / 2, abs=1e-15)
    for name in ATOMS:
        moved = base.corrected[name] + PATTERN[name] * gap / 2
        assert fix.corrected[name] == pytest.approx(moved, abs=1e-12), name
        assert fix.bias[name] == pytest.approx(fix.plugin[name] - fix.corrected[name], abs=1e-12)
    for name in INFORMATIONS:
        assert fix.corrected[name] == base.corrected[name]
    c = fix.corrected
    assert c["red"] + c["uni_t"] == pytest.approx(c["i_yt"], abs=1e-12)
    assert c["red"] + c["uni_s"] == pytest.approx(c["i_ys"], abs=1e-12)
    assert sum(c[a] for a in ATOMS) == pytest.approx(c["i_yts"], abs=1e-12)
    assert fix.kink == pytest.approx(kink_shift(base.plugin, base.corrected, base.subsample_sizes, gap / 2))
    assert 0 < fix.kink <= min(c["uni_t"], c["uni_s"]) + 1e-15
    assert fix.to_dict()["kink_pretest_shift"] == fix.kink_pretest_shift


@pytest.mark.parametrize("method", ["none", "extrapolation", "eb-extrapolation"])
def test_no_other_method_runs_the_pretest(method):
    fix = correct_counts(_sum10_counts(0), method=method, n_repeats=2, random_state=0, n_jobs=1)
    assert fix.kink_pretest_shift == 0.0  # the default's moves U by 0.054 bits on this draw


def test_the_pretest_leaves_a_copy_and_a_large_unique_information_alone():
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 4, 400), rng.integers(0, 4, 400)
    y = (t + s) % 4
    copy = correct_counts(joint_from_samples(y, t, 3 - t).counts, n_repeats=2, n_jobs=1)
    assert copy.corrected["uni_s"] == 0.0 and copy.kink_pretest_shift == 0.0
    p = JOINTS["teacher10"]()  # Uni_T 1.65 bits, Uni_S 0: the pretest looks at the smaller only
    counts = np.random.default_rng(5).multinomial(2000, p.ravel()).reshape(p.shape)
    base = correct_counts(counts, method="eb-extrapolation", n_repeats=2, n_jobs=1)
    fix = correct_counts(counts, n_repeats=2, n_jobs=1)
    assert fix.kink_pretest_shift == kink_pretest_shift(base.plugin, base.corrected)
    lowered = base.corrected["uni_t"] - fix.kink_pretest_shift
    assert fix.corrected["uni_t"] == pytest.approx(lowered, abs=1e-12)


def test_the_default_lowers_the_bias_of_sum10_at_450():
    p = JOINTS["sum10"]()
    truth = pid(p)
    true = np.array([getattr(truth, a) for a in ATOMS])
    estimates: dict[str, list[list[float]]] = {"eb-extrapolation": [], "eb-extrapolation-kink": []}
    for seed in range(6):
        counts = _sum10_counts(100 + seed)
        for method, rows in estimates.items():
            fix = correct_counts(counts, method=method, n_repeats=2, random_state=seed, n_jobs=1)
            rows.append([fix.corrected[a] for a in ATOMS])
    bias = {method: np.mean(rows, axis=0) - true for method, rows in estimates.items()}
    total = {method: float(np.abs(b).sum()) for method, b in bias.items()}
    assert total["eb-extrapolation-kink"] < 0.85 * total["eb-extrapolation"]
    # both Uni are 0 in truth: still biased up, less so, not pushed below 0
    for side in (1, 2):
        assert 0 < bias["eb-extrapolation-kink"][side] < bias["eb-extrapolation"][side]


def test_bootstrap_replicates_of_the_default_are_corrected_with_the_pretest():
    counts = _sum10_counts(0)
    reps = {method: bootstrap_replicates(PIDStatistic(counts, method=method), 4, random_state=1, n_jobs=1)
            for method in ("eb-extrapolation", "eb-extrapolation-kink")}
    base, kinked = reps["eb-extrapolation"], reps["eb-extrapolation-kink"]
    np.testing.assert_array_equal(kinked[:, 4:], base[:, 4:])  # the informations, the same resamples
    shift = kinked[:, 0] - base[:, 0]
    np.testing.assert_allclose(kinked[:, :4] - base[:, :4], np.outer(shift, [1, -1, -1, 1]), atol=1e-12)
    assert (shift >= 0).all() and (shift > 0).any()


def test_the_repr_says_when_the_pretest_moved_the_atoms():
    p = JOINTS["sum10"]()
    rng = np.random.default_rng(3)
    cells = rng.choice(p.size, size=450, p=p.ravel())
    y, t, s = np.unravel_index(cells, p.shape)
    res = pid_from_representations(y, t, s, n_repeats=2, progress=False)
    assert res.correction.method == "eb-extrapolation-kink"
    assert res.correction.kink_pretest_shift > 0
    text = repr(res)
    line = ("  pretest: the smaller Uni the extrapolation left was at most 1.5 times what it took off the "
            "mean Uni, too close to 0 to rule out both Uni being 0 at a kink, whose bias the extrapolation "
            "only halves; so the kink pretest lowered both Uni by half the smaller one, "
            f"{res.correction.kink_pretest_shift:.4g} bits, and raised Red and Syn as much "
            "(correction.kink_pretest_shift)")
    lines = text.splitlines()
    at = next(i for i, row in enumerate(lines) if row.startswith("  pretest: "))
    rest = [row for row in lines[at + 1:at + 5] if row.startswith(" " * 11)]
    assert rest, "its continuations go under its text, like every note's"
    assert " ".join([lines[at], *(row.strip() for row in rest)]) == line
    plain = pid_from_representations(y, t, s, n_repeats=2, progress=False, bias_correction="eb-extrapolation")
    assert "kink pretest" not in repr(plain)
