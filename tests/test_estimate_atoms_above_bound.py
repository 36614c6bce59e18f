"""A corrected atom above its bound is flagged, as a corrected information is (t-373 finding 2).

On a pure parity target (T, S uniform in 0..49, Y = (T + S) mod 2, n = 2000) the corrected Syn came
out 1.0147 bits, above H(Y) = 1 bit and above the corrected I(Y;T,S) = 1.0125, the sum of the four
atoms; ``correction.above_bound`` was ``('i_yts',)`` and the repr's note named only i_yts. The four
atoms are >= 0 and sum to I(Y;T,S) (THEORY.md §1), so each is at most min(H(Y), H(X)) for each
information I(Y;X) it is part of. (Above the corrected I(Y;T,S) itself is another atom below 0,
which ``negative`` lists.)
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations
from pidkit.resampling import QUANTITIES

PARTS = {"red": ("i_yt", "i_ys", "i_yts"), "uni_t": ("i_yt", "i_yts"), "uni_s": ("i_ys", "i_yts"),
         "syn": ("i_yts",)}
"""The informations each atom is part of."""


def _entropy_bits(*labels: np.ndarray) -> float:
    _, counts = np.unique(np.column_stack(labels), axis=0, return_counts=True)
    shares = counts / counts.sum()
    return -float(np.sum(shares * np.log2(shares)))


def _expected_above(res, y, t, s) -> tuple[str, ...]:
    """The flags from the definitions: plug-in entropies of the labels, the corrected values."""
    value = res.correction.corrected
    h_y = _entropy_bits(y)
    bound = {"i_yt": min(h_y, _entropy_bits(t)), "i_ys": min(h_y, _entropy_bits(s)),
             "i_yts": min(h_y, _entropy_bits(t, s))}
    for atom, parts in PARTS.items():
        bound[atom] = min(bound[part] for part in parts)
    return tuple(name for name in QUANTITIES if value[name] > bound[name] + 1e-9 * max(1.0, abs(value[name])))


def _parity(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t, s = rng.integers(0, 50, 2000), rng.integers(0, 50, 2000)
    return (t + s) % 2, t, s


def test_a_synergy_above_the_labels_entropy_is_flagged_and_noted():
    y, t, s = _parity(0)
    res = pid_from_representations(y, t, s)
    assert _entropy_bits(y) == pytest.approx(1.0, abs=1e-3)
    assert res.syn == pytest.approx(1.0147, abs=1e-4) and res.i_yts == pytest.approx(1.0125, abs=1e-4)
    assert res.correction.above_bound == ("syn", "i_yts") == _expected_above(res, y, t, s)
    assert res.to_dict()["bias_correction"]["above_bound"] == ["syn", "i_yts"]
    text = " ".join(repr(res).split())
    assert ("note: syn corrected above min(H(Y), H(source)) of the plug-in entropies, which bounds "
            "each atom of that information: at that bound within noise at n = 2000 (values are not "
            "clipped)") in text
    assert ("note: i_yts corrected above min(H(Y), H(source)) of the plug-in entropies: at that bound "
            "within noise at n = 2000") in text
    assert f"syn        {res.syn:.6f}" in repr(res)  # shown as estimated, not clipped to a bound


@pytest.mark.parametrize("seed", [1, 2])
def test_the_flags_follow_the_bounds_of_the_theory(seed):
    # Seed 2: Syn 1.0043 is below I(Y;T,S) 1.0150 but above H(Y), which bounds it too.
    y, t, s = _parity(seed)
    res = pid_from_representations(y, t, s)
    assert "syn" in res.correction.above_bound
    assert res.correction.above_bound == _expected_above(res, y, t, s)


def test_an_atom_equal_to_an_information_above_its_bound_is_flagged_with_it():
    # T = S = Y: T determines S, so Red = I(Y;S) and I(Y;T,S) = I(Y;T), both above the plug-in H(Y).
    y = np.random.default_rng(7).integers(0, 10, 1797)
    res = pid_from_representations(y, y, y)
    assert res.red == res.i_ys and res.red > _entropy_bits(y)
    assert res.correction.above_bound == ("red", "i_yt", "i_ys", "i_yts") == _expected_above(res, y, y, y)


def test_a_synergy_above_the_corrected_information_only_is_left_to_the_below_zero_note():
    # Noisy XOR on 10 x 10 clusters, n = 450: Syn 0.6471 > corrected I(Y;T,S) 0.6410 because Red
    # and Uni_S are below 0, which `negative` lists; H(Y) = 1 bit is far above, so no bound flag.
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 10, 450), rng.integers(0, 10, 450)
    y = (t + s) % 2 ^ (rng.random(450) < 0.1)
    res = pid_from_representations(y, t, s)
    assert res.syn == pytest.approx(0.6471, abs=1e-4) and res.syn > res.i_yts
    assert {"red", "uni_s"} <= set(res.correction.negative)
    assert res.correction.above_bound == () == _expected_above(res, y, t, s)
    assert "corrected above" not in repr(res)
