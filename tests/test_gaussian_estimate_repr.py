"""A Gaussian PID estimated from samples says so when printed: the sample size, the correction,
the plug-in value beside each corrected one and the intervals, every printed number read back
against ``diagnostics`` (where the estimator keeps them); every other result prints as before."""

import dataclasses
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from IPython.core.formatters import PlainTextFormatter

import pidkit
from pidkit.gaussian import GaussianPIDEstimate, estimate_from_covariance, information_bias
from pidkit.resampling import QUANTITIES

LABELS = ["Red(Y:T,S)", "Uni(Y:T\\S)", "Uni(Y:S\\T)", "Syn(Y:T,S)", "I(Y;T)", "I(Y;S)", "I(Y;T,S)"]
KEYS = ["red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts"]
GAUSSIAN_PAGE = Path(__file__).resolve().parents[1] / "docs" / "gaussian.md"


def _task_samples():
    """The samples of the task that found it: T a noisy copy of Y, S two columns of noise."""
    rng = np.random.default_rng(0)
    y = rng.normal(size=(500, 1))
    t = y + rng.normal(size=(500, 1))
    s = rng.normal(size=(500, 2))
    return y, t, s


def _rows(result):
    """The table's rows of ``repr(result)``, by label: the numbers printed after the label."""
    rows = {}
    for line in repr(result).splitlines():
        label = line[2:13].rstrip()
        if label in LABELS:
            rows[label] = [float(x) for x in line[13:].replace("[", " ").replace("]", " ")
                           .replace(",", " ").split()]
    return rows


@pytest.fixture(scope="module")
def bootstrapped():
    y, t, s = _task_samples()
    return pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=50, confidence=0.9, progress=False)


def test_the_printed_estimate_says_n_and_the_correction(bootstrapped):
    lines = repr(bootstrapped).splitlines()
    assert lines[0].startswith("GaussianPIDEstimate(measure='gaussian-broja', units='bits', status='optimal'")
    assert lines[1] == (
        "  estimate from n = 500 samples, bias-corrected (Wishart bias subtracted exactly; union "
        "information from rescaled channels)"
    )
    assert bootstrapped.diagnostics["n_samples"] == 500


def test_each_printed_row_is_the_value_its_plug_in_and_its_interval(bootstrapped):
    d = bootstrapped.diagnostics
    rows = _rows(bootstrapped)
    assert list(rows) == LABELS
    for label, key in zip(LABELS, KEYS, strict=True):
        value, plug_in, low, high = rows[label]
        assert value == pytest.approx(getattr(bootstrapped, key), abs=5e-7)
        assert plug_in == pytest.approx(d["plug_in"][key], abs=5e-7)
        assert (low, high) == pytest.approx(d["intervals"][key], abs=5e-7)
    # the correction moved the numbers: the plug-in column is not the value column again
    assert rows["I(Y;S)"][1] - rows["I(Y;S)"][0] == pytest.approx(d["biases"]["i_ys"], abs=1e-6)


def test_the_header_gives_the_intervals_confidence_method_and_b(bootstrapped):
    boot = bootstrapped.diagnostics["bootstrap"]
    assert (boot["confidence"], boot["ci_method"], boot["n_boot"]) == (0.9, "centred", 50)
    assert repr(bootstrapped).splitlines()[2] == (
        "  quantity         value    plug-in   90% centred interval, B=50   (bits)")


def test_the_subtracted_biases_are_printed_as_diagnostics_holds_them(bootstrapped):
    biases = bootstrapped.diagnostics["biases"]
    rank_y, rank_t, rank_s, rank_ts = bootstrapped.diagnostics["ranks"]
    # the exact Wishart bias, in bits, of the three informations at N = n - 1 = 499
    expected = {key: information_bias(rank_y, rank, 499) / np.log(2)
                for key, rank in (("i_yt", rank_t), ("i_ys", rank_s), ("i_yts", rank_ts))}
    assert biases == pytest.approx(expected, rel=1e-12)
    assert repr(bootstrapped).splitlines()[10] == (
        f"  subtracted (exact Gaussian plug-in bias): i_yt {biases['i_yt']:.6f}, "
        f"i_ys {biases['i_ys']:.6f}, i_yts {biases['i_yts']:.6f} bits"
    )


def test_an_uncorrected_estimate_says_so_and_the_bias_it_carries():
    y, t, s = _task_samples()
    r = pidkit.gaussian_pid_from_samples(y, t, s, bias_correction=False)
    lines = repr(r).splitlines()
    assert lines[1] == ("  estimate from n = 500 samples, not bias-corrected (bias_correction=False): "
                        "plug-in values, biased upward")
    assert lines[2] == "  quantity         value   (bits)"
    rows = _rows(r)
    assert all(len(rows[label]) == 1 for label in LABELS)  # no plug-in column: the values are it
    assert [rows[label][0] for label in LABELS] == pytest.approx([getattr(r, key) for key in KEYS],
                                                                 abs=5e-7)
    # I(Y; T,S): 1 target dimension against 3 source dimensions, N = 499
    bias = information_bias(1, 3, 499) / np.log(2)
    assert lines[-1] == (f"  exact Gaussian plug-in bias expected of i_yts: {bias:.6f} bits "
                         f"({bias / r.i_yts:.1%} of the estimate); bias_correction=True removes it")


def test_an_estimate_from_a_covariance_prints_its_n_samples():
    cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 6.0]])
    r = estimate_from_covariance(cov, (1, 1, 1), n_samples=100, units="nats")
    assert repr(r).splitlines()[1].startswith("  estimate from n = 100 samples, bias-corrected")
    # corrected I(Y;T) = plug-in 1/2 log 2 minus the exact bias at N = 99
    value, plug_in = _rows(r)["I(Y;T)"]
    assert plug_in == pytest.approx(0.5 * np.log(2), abs=5e-7)
    assert value == pytest.approx(0.5 * np.log(2) - information_bias(1, 1, 99), abs=5e-7)
    assert repr(r).splitlines()[2].endswith("(nats)")


def test_failed_replicates_are_counted_in_the_header(bootstrapped):
    boot = {**bootstrapped.diagnostics["bootstrap"], "n_failed": 3}
    r = dataclasses.replace(bootstrapped, diagnostics={**bootstrapped.diagnostics, "bootstrap": boot})
    assert type(r) is GaussianPIDEstimate
    assert repr(r).splitlines()[2] == (
        "  quantity         value    plug-in   90% centred interval, B=50 (3 failed, left out)   (bits)")


def test_an_estimate_stripped_of_its_diagnostics_claims_no_correction(bootstrapped):
    r = dataclasses.replace(bootstrapped, diagnostics={})
    lines = repr(r).splitlines()
    assert lines[1] == "  estimate from samples, its diagnostics no longer say how it was corrected"
    assert len(lines) == 10 and _rows(r)["I(Y;T)"] == [pytest.approx(r.i_yt, abs=5e-7)]


def test_what_the_correction_clipped_is_noted():
    # S is noise: its corrected information falls below 0 (reported as 0), and the corrected
    # I(Y;T,S) below the union information (synergy floored at 0)
    rng = np.random.default_rng(0)
    y = rng.standard_normal(500)
    t, s = y + rng.standard_normal(500), rng.standard_normal(500)
    r = pidkit.gaussian_pid_from_samples(y, t, s)
    d = r.diagnostics
    assert d["plug_in"]["i_ys"] < d["biases"]["i_ys"] and r.i_ys == 0.0 and d["synergy_floored"]
    lines = repr(r).splitlines()
    assert "  note: i_ys corrected below 0, reported as 0" in lines
    assert lines[-1].startswith("  note: syn floored at 0")


def test_the_estimate_keeps_the_fields_and_dict_of_a_pid_result(bootstrapped):
    # to_dict() adds only n_samples, bias_correction and bias_* (columns of pidkit.to_frame)
    assert isinstance(bootstrapped, pidkit.PIDResult)
    assert dataclasses.fields(bootstrapped) == dataclasses.fields(pidkit.PIDResult)
    plain = pidkit.PIDResult(**{f.name: getattr(bootstrapped, f.name)
                                for f in dataclasses.fields(bootstrapped)})
    record = bootstrapped.to_dict()
    assert record.pop("n_samples") == 500 and record.pop("bias_correction") == "wishart"
    assert [record.pop(f"bias_{q}") for q in QUANTITIES] == [
        bootstrapped.plugin[q] - getattr(bootstrapped, q) for q in QUANTITIES]
    assert record == plain.to_dict()
    back = pickle.loads(pickle.dumps(bootstrapped))
    assert type(back) is GaussianPIDEstimate and repr(back) == repr(bootstrapped)


def test_in_a_list_an_estimate_is_one_line_with_its_n(bootstrapped):
    show = PlainTextFormatter()
    assert show(bootstrapped) == repr(bootstrapped)
    assert show([bootstrapped]) == (
        "[GaussianPIDEstimate(measure='gaussian-broja', units='bits', status='optimal', "
        f"red={bootstrapped.red:.6g}, uni_t={bootstrapped.uni_t:.6g}, "
        f"uni_s={bootstrapped.uni_s:.6g}, syn={bootstrapped.syn:.6g}, n=500)]"
    )


def test_every_other_result_prints_as_before():
    exact = pidkit.pid(pidkit.examples.xor(), measure="mmi")
    assert type(exact) is pidkit.PIDResult
    assert repr(exact) == (
        "PIDResult(measure='mmi', units='bits', status='exact', method='closed-form', solver=None, "
        "gap=0.00e+00)\n"
        "  Red(Y:T,S)    0.000000\n"
        "  Uni(Y:T\\S)    0.000000\n"
        "  Uni(Y:S\\T)    0.000000\n"
        "  Syn(Y:T,S)    1.000000\n"
        "  I(Y;T)        0.000000\n"
        "  I(Y;S)        0.000000\n"
        "  I(Y;T,S)      1.000000"
    )
    cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
    of_covariance = pidkit.gaussian_pid(cov, dims=(1, 1, 1))
    assert type(of_covariance) is pidkit.PIDResult
    assert "estimate" not in repr(of_covariance) and len(repr(of_covariance).splitlines()) == 8


def test_the_print_docs_gaussian_md_shows_is_what_its_example_prints():
    page = GAUSSIAN_PAGE.read_text(encoding="utf-8")
    shown = re.search(r"^print\(r\).*\n((?:# .*\n)+)", page, re.MULTILINE).group(1)
    shown_lines = [line[2:] for line in shown.splitlines()]
    cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
    rng = np.random.default_rng(0)
    y, t, s = (rng.standard_normal((500, 3)) @ np.linalg.cholesky(cov).T).T
    r = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=200, progress=False)
    gap = re.compile(r"gap=[^)]*\)")  # rounding level, which the BLAS decides
    assert [gap.sub("gap=)", line) for line in shown_lines] == [
        gap.sub("gap=)", line) for line in repr(r).splitlines()]
