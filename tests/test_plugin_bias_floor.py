"""The plug-in bias warning keeps quiet where the bias moves no printed atom (walk t-451, t-454).

Its rule was relative only (the expected bias of I(Y;T,S) over 10 % of the estimate), and where the
information is about 0 the plug-in is all bias at any n: independent binary Y, T and S (8 cells)
warned in 20 of 20 draws at n = 100,000, 12,500 samples a cell, of a bias of 2.2e-5 bits. Now it
also needs the bias above ``BIAS_WARNING_FLOOR``, 5e-4 bits. With every cell seen, the expected
bias is Miller and Madow's ``(|Y| - 1)(|T| |S| - 1) / (2 n ln 2)`` bits, written out here.
"""

import math
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.cli import main
from pidkit.estimate import PluginBiasWarning, bootstrap, pid_from_representations
from pidkit.estimate.bias_warning import BIAS_WARNING_FLOOR, bias_warning_text


def _miller_madow_bits(shape: tuple[int, int, int], n: int) -> float:
    n_y, n_t, n_s = shape
    return (n_y - 1) * (n_t * n_s - 1) / (2 * n * math.log(2))


def _plugin_i_yts_bits(counts: np.ndarray) -> float:
    p = counts.reshape(counts.shape[0], -1) / counts.sum()
    outer = p.sum(axis=1, keepdims=True) * p.sum(axis=0, keepdims=True)
    seen = p > 0
    return float(np.sum(p[seen] * np.log2(p[seen] / outer[seen])))


def _bias_warnings(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if w.category is PluginBiasWarning]


def test_independent_binary_labels_at_100000_samples_are_quiet_on_every_route(tmp_path, capsys):
    y, t, s = np.random.default_rng(0).integers(0, 2, (3, 100_000))
    counts = pidkit.joint_from_samples(y, t, s).counts
    bias = _miller_madow_bits((2, 2, 2), 100_000)
    assert round(bias, 9) == 2.1640e-5 and bias < BIAS_WARNING_FLOOR
    assert bias / _plugin_i_yts_bits(counts) > 0.1  # the ratio alone would warn

    _, said = _bias_warnings(lambda: pidkit.pid(counts, normalize=True))
    assert said == []
    res, said = _bias_warnings(lambda: pid_from_representations(y, t, s, bias_correction="none",
                                                                progress=False))
    assert said == [] and res.bias_warning is None
    assert res.bias["i_yts"] == pytest.approx(bias, rel=1e-9) and res.bias["ratio"] > 0.1
    _, said = _bias_warnings(lambda: bootstrap(y, t, s, n_boot=2, progress=False))
    assert said == []
    path = tmp_path / "counts.npy"
    np.save(path, counts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["decompose", str(path), "--normalize"]) == 0
    assert capsys.readouterr().err == ""


def test_no_draw_at_10000_samples_warns():
    # expected bias 2.2e-4 bits, under the floor: before it, each of these warned
    draws = np.random.default_rng(1).multinomial(10_000, np.full(8, 1 / 8), size=20).reshape(20, 2, 2, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for counts in draws:
            pidkit.pid(counts, normalize=True)
    assert [w for w in caught if w.category is PluginBiasWarning] == []


def test_1000_samples_still_warn_with_the_numbers():
    y, t, s = np.random.default_rng(2).integers(0, 2, (3, 1000))
    counts = pidkit.joint_from_samples(y, t, s).counts
    assert counts.min() > 0  # every cell seen: Miller and Madow's count
    bias, i_yts = _miller_madow_bits((2, 2, 2), 1000), _plugin_i_yts_bits(counts)
    assert f"{bias:.3g}" == "0.00216"
    expected = (f"the expected plug-in bias of I(Y;T,S) with 1000 samples over 8 cells is 0.00216 bits, "
                f"{bias / i_yts:.0%} of the estimate {i_yts:.3g} bits, so the atoms are likely "
                "overestimated. ")
    res, said = _bias_warnings(lambda: pid_from_representations(y, t, s, bias_correction="none",
                                                                progress=False))
    assert len(said) == 1 and said[0].startswith(expected) and res.bias_warning == said[0]
    _, said = _bias_warnings(lambda: pidkit.pid(counts, normalize=True))
    assert len(said) == 1 and said[0].startswith("plug-in atoms: " + expected)


def test_a_sparse_table_warns_as_before():
    # the case the warning was written for: 10 x 10 x 10 labels, 300 samples, the plug-in mostly bias
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 300))
    _, said = _bias_warnings(lambda: pid_from_representations(y, t, s, bias_correction="none",
                                                              progress=False))
    assert len(said) == 1
    assert " with 300 samples over 1000 cells is 1.85 bits, 106% of the estimate 1.75 bits, " in said[0]


@pytest.mark.parametrize("units, per_bit", [("bits", 1.0), ("nats", math.log(2))])
def test_the_floor_is_one_amount_of_information_in_either_units(units, per_bit):
    floor = 5e-4 * per_bit  # 5e-4 bits, 3.47e-4 nats
    above = bias_warning_text({"i_yts": floor * 1.01}, 0.0, 10**5, "8 cells", units)
    assert above is not None and f" is {floor * 1.01:.3g} {units}, and the estimate 0 {units}" in above
    assert bias_warning_text({"i_yts": floor * 0.99}, 0.0, 10**5, "8 cells", units) is None
    assert bias_warning_text({"i_yts": floor}, 0.0, 10**5, "8 cells", units) is None  # above it, not at it
