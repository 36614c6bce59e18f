"""Public signatures as a numpy / scikit-learn user expects them, checked over every public callable.

``random_state`` takes what scikit-learn's ``check_random_state`` takes (None, an int, a
``numpy.random.Generator`` or a legacy ``RandomState``) and gives the same numbers for the same
seed; ``n_jobs`` means what joblib means by it, with the same default; options come after the data
as keywords; an error names the argument the user passed. The tables are checked against the
public names themselves, so a new callable with a ``random_state`` or ``n_jobs`` cannot be missed.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import pidkit
import pidkit.estimate
import pidkit.gaussian
from pidkit.estimate import bootstrap_intervals

PUBLIC_MODULES = (pidkit, pidkit.estimate, pidkit.gaussian)


def _public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function and class of the public modules, by its public dotted name."""
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            exception = inspect.isclass(obj) and issubclass(obj, BaseException)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and not exception:
                yield f"{module.__name__}.{name}", obj


def _taking(parameter: str) -> dict[str, inspect.Parameter]:
    found = {}
    for name, obj in _public_callables():
        param = inspect.signature(obj).parameters.get(parameter)
        if param is not None:
            found[name] = param
    return found


_RNG = np.random.default_rng(0)
_N = 240
_Y = _RNG.integers(0, 2, _N)
_T_LABELS = _RNG.integers(0, 2, _N)
_S_LABELS = _Y ^ _T_LABELS
_T_FEATURES = _RNG.normal(size=(_N, 4)) + _Y[:, None]
_S_FEATURES = _RNG.normal(size=(_N, 4))
_YC = _RNG.normal(size=(_N, 1))
_TC = _YC + _RNG.normal(size=(_N, 2))
_SC = _YC + _RNG.normal(size=(_N, 2))
_COUNTS = np.bincount(4 * _Y + 2 * _T_LABELS + _S_LABELS, minlength=8).reshape(2, 2, 2)


def _uniform_draws(rng: np.random.Generator) -> float:
    return float(rng.random())


RANDOM_STATE_CALLS: dict[str, Callable[[Any], Any]] = {
    "pidkit.check_theorem_3_2": lambda rs: pidkit.check_theorem_3_2(n=1, random_state=rs).rows,
    "pidkit.check_theorem_4_1": lambda rs: pidkit.check_theorem_4_1(n=1, random_state=rs).rows,
    "pidkit.gaussian_pid_from_samples": lambda rs: pidkit.gaussian_pid_from_samples(
        _YC, _TC, _SC, bootstrap=4, random_state=rs
    ).diagnostics["bootstrap"]["replicates"],
    "pidkit.gaussian.gaussian_pid_from_samples": lambda rs: pidkit.gaussian.gaussian_pid_from_samples(
        _YC, _TC, _SC, bootstrap=4, random_state=rs
    ).diagnostics["bootstrap"]["replicates"],
    "pidkit.estimate.bootstrap": lambda rs: pidkit.estimate.bootstrap(
        _Y, _T_LABELS, _S_LABELS, n_boot=4, random_state=rs
    )["samples"],
    "pidkit.estimate.bootstrap_replicates": lambda rs: pidkit.estimate.bootstrap_replicates(
        _uniform_draws, 4, random_state=rs
    ),
    "pidkit.estimate.correct_counts": lambda rs: pidkit.estimate.correct_counts(
        _COUNTS, method="extrapolation", n_repeats=1, random_state=rs
    ).corrected,
    "pidkit.estimate.discretize": lambda rs: pidkit.estimate.discretize(
        _T_FEATURES, 2, 3, n_init=1, random_state=rs
    )[0],
    "pidkit.estimate.Discretizer": lambda rs: pidkit.estimate.Discretizer(
        2, 3, n_init=1, random_state=rs
    ).fit(_T_FEATURES).predict(_T_FEATURES),
    "pidkit.estimate.Projector": lambda rs: pidkit.estimate.Projector(
        2, svd_solver="randomized", random_state=rs
    ).fit(_T_FEATURES).transform(_T_FEATURES),
    "pidkit.estimate.pid_from_representations": lambda rs: pidkit.estimate.pid_from_representations(
        _Y, _T_FEATURES, _S_FEATURES, n_clusters=2, n_repeats=1, random_state=rs
    ).pid.red,
}


def test_the_random_state_table_names_every_public_callable_that_draws():
    assert set(_taking("random_state")) == set(RANDOM_STATE_CALLS)
    assert not _taking("seed") and not _taking("rng") and not _taking("random_seed")


def _same(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    else:
        np.testing.assert_array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


@pytest.mark.parametrize("name", sorted(RANDOM_STATE_CALLS))
def test_random_state_takes_what_scikit_learn_takes_and_repeats_for_the_same_seed(name):
    call = RANDOM_STATE_CALLS[name]
    _same(call(5), call(5))
    _same(call(np.int64(5)), call(5))
    _same(call(np.random.default_rng(3)), call(np.random.default_rng(3)))
    _same(call(np.random.RandomState(3)), call(np.random.RandomState(3)))
    call(None)


@pytest.mark.parametrize("name", sorted(RANDOM_STATE_CALLS))
@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("0", TypeError, r"^random_state must be an int in \[0, 2\*\*32 - 1\], a numpy.random.Generator"),
        (1.5, TypeError, r"^random_state must be an int .*got 1.5 \(float\)"),
        (True, TypeError, r"^random_state must be an int .*got True \(bool\)"),
        (-1, ValueError, r"^random_state must be an int in \[0, 2\*\*32 - 1\], a numpy\.random\.Generator or "
                         r"RandomState, or None; got -1\.$"),
    ],
)
def test_a_bad_random_state_is_refused_by_name(name, value, error, match):
    with pytest.raises(error, match=match):
        RANDOM_STATE_CALLS[name](value)


N_JOBS_CALLS: dict[str, Callable[[Any], Any]] = {
    "pidkit.bertschinger_batch": lambda n_jobs: pidkit.bertschinger_batch(
        [pidkit.examples.xor()], n_jobs=n_jobs
    ),
    "pidkit.gaussian_pid_from_samples": lambda n_jobs: pidkit.gaussian_pid_from_samples(
        _YC, _TC, _SC, bootstrap=4, n_jobs=n_jobs
    ),
    "pidkit.gaussian.gaussian_pid_from_samples": lambda n_jobs: pidkit.gaussian.gaussian_pid_from_samples(
        _YC, _TC, _SC, bootstrap=4, n_jobs=n_jobs
    ),
    "pidkit.estimate.bootstrap": lambda n_jobs: pidkit.estimate.bootstrap(
        _Y, _T_LABELS, _S_LABELS, n_boot=4, n_jobs=n_jobs
    ),
    "pidkit.estimate.bootstrap_replicates": lambda n_jobs: pidkit.estimate.bootstrap_replicates(
        _uniform_draws, 4, n_jobs=n_jobs
    ),
    "pidkit.estimate.correct_counts": lambda n_jobs: pidkit.estimate.correct_counts(
        _COUNTS, method="extrapolation", n_repeats=1, n_jobs=n_jobs
    ),
    "pidkit.estimate.pid_from_representations": lambda n_jobs: pidkit.estimate.pid_from_representations(
        _Y, _T_FEATURES, _S_FEATURES, n_clusters=2, n_repeats=1, n_jobs=n_jobs
    ),
}


def test_every_n_jobs_defaults_to_none_as_joblibs_does():
    # None takes the active joblib.parallel_config (1 outside one), as in scikit-learn; a default
    # of 1 ignored the user's `with joblib.parallel_config(n_jobs=8):` in that one function.
    taking = _taking("n_jobs")
    assert set(taking) == set(N_JOBS_CALLS)
    assert {name: param.default for name, param in taking.items()} == dict.fromkeys(taking)


@pytest.mark.parametrize("name", sorted(N_JOBS_CALLS))
@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (0, ValueError, r"^n_jobs must be None, a positive int, or a negative int .*got 0\. Pass 1"),
        (True, TypeError, r"^n_jobs must be None, a positive int, or a negative int .*got True \(bool\)"),
        (2.0, TypeError, r"^n_jobs must be None, .*got 2.0 \(float\)"),
    ],
)
def test_a_bad_n_jobs_is_refused_by_name(name, value, error, match):
    with pytest.raises(error, match=match):
        N_JOBS_CALLS[name](value)


DATA_ARGUMENTS = {
    "pidkit.pid": 1,
    "pidkit.redundancy": 1,
    "pidkit.bertschinger": 1,
    "pidkit.bertschinger_batch": 1,
    "pidkit.gaussian_pid": 2,
    "pidkit.gaussian_pid_from_samples": 3,
    "pidkit.gaussian.estimate_from_covariance": 2,
    "pidkit.estimate.pid_from_representations": 3,
    "pidkit.estimate.bootstrap": 3,
    "pidkit.estimate.correct_counts": 1,
    "pidkit.estimate.bootstrap_replicates": 2,
}
"""Callables whose options are keyword-only, and how many data arguments come first."""


@pytest.mark.parametrize("name", sorted(DATA_ARGUMENTS))
def test_options_after_the_data_are_keyword_only(name):
    module, _, attr = name.rpartition(".")
    params = list(inspect.signature(getattr(importlib.import_module(module), attr)).parameters.values())
    kinds = [p.kind for p in params]
    n_data = DATA_ARGUMENTS[name]
    assert all(kind == inspect.Parameter.POSITIONAL_OR_KEYWORD for kind in kinds[:n_data])
    options = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD)
    assert all(kind in options for kind in kinds[n_data:])


BOOTSTRAP_INTERVAL_ROWS = [
    ({"method": "bca"}, ValueError,
     r"^method must be one of \['centred', 'basic', 'percentile'\]; got 'bca'\.$"),
    ({"method": "basic"}, ValueError,
     r"^method='basic' needs reference, .*; pass it, or use method='centred'\.$"),
    ({"replicates": np.zeros(5)}, ValueError,
     r"^replicates must be a 2-D array of shape \(n_boot, k\), .*got shape \(5,\)\. .*reshape\(-1, 1\)\.$"),
    ({"estimate": [1.0]}, ValueError,
     r"^estimate must hold one number per column of replicates, shape \(2,\); got shape \(1,\)\.$"),
    ({"estimate": [1.0, 1.0, 1.0]}, ValueError,
     r"^estimate must hold one number per column of replicates, shape \(2,\); got shape \(3,\)\.$"),
    ({"reference": [1.0]}, ValueError,
     r"^reference must hold one number per column of replicates, shape \(2,\); got shape \(1,\)\.$"),
    ({"alternative": [1.0, 1.0, 1.0]}, ValueError,
     r"^alternative must hold one number per column of replicates, shape \(2,\); got shape \(3,\)\.$"),
    ({"estimate": ["a", "b"]}, TypeError,
     r"^estimate must hold one number per column of replicates, shape \(2,\); got \['a', 'b'\]\.$"),
]
"""bootstrap_intervals names its own arguments (``method``, not the estimators' ``ci_method``)
and refuses arrays that do not line up, where it raised IndexError or returned fewer intervals."""


@pytest.mark.parametrize(("change", "error", "match"), BOOTSTRAP_INTERVAL_ROWS)
def test_bootstrap_intervals_names_its_own_arguments(change, error, match):
    kwargs: dict[str, Any] = {"replicates": np.arange(10.0).reshape(5, 2), "estimate": [1.0, 2.0]}
    kwargs.update(change)
    with pytest.raises(error, match=match):
        bootstrap_intervals(**kwargs)


def test_bootstrap_intervals_of_well_formed_columns_are_unchanged():
    reps = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]])
    spans = bootstrap_intervals(reps, np.array([10.0, 1.0]), (1.0, 2.0), confidence=0.5, method="basic")
    assert spans == [pytest.approx((8.0, 10.0)), pytest.approx((-3.0, 1.0))]


PID_STATISTIC_ROWS = [
    ({"method": "auto"}, ValueError,
     r"^method must be one of \['none', 'extrapolation', 'eb-extrapolation', 'eb-extrapolation-kink'\]; "
     r"got 'auto', a bias_correction of pidkit\.estimate\.pid_from_representations, where it means "
     r"'eb-extrapolation-kink' for the discrete estimator .* Leave method out for 'eb-extrapolation-kink', "
     r"the default\.$"),
    ({"method": "eb_extrapolation"}, ValueError,
     r"^method must be one of .*Did you mean 'eb-extrapolation'\?$"),
    ({"measure": "ccs"}, ValueError, r"^measure must be one of \['broja', .*; got 'ccs'\.$"),
    ({"units": "nat"}, ValueError, r"^units must be 'bits' or 'nats'; got 'nat'\. Did you mean 'nats'\?$"),
    ({"subsamples": (2,)}, ValueError, r"^subsamples must hold at least two distinct ints >= 2"),
    ({"n_repeats": 0}, ValueError, r"^n_repeats must be an int >= 1; got 0\.$"),
]
"""PIDStatistic's settings are refused when it is made, naming its own ``method``; they were
accepted, and the first replicate (in a joblib worker, with n_jobs > 1) raised, naming
``bias_correction`` for a bad ``method``."""


@pytest.mark.parametrize(("change", "error", "match"), PID_STATISTIC_ROWS)
def test_pid_statistic_refuses_bad_settings_when_made(change, error, match):
    with pytest.raises(error, match=match):
        pidkit.estimate.PIDStatistic(_COUNTS, **change)


def test_a_pid_statistic_of_good_settings_gives_the_corrected_atoms():
    statistic = pidkit.estimate.PIDStatistic(_COUNTS, method="extrapolation", subsamples=[4, 2], n_repeats=1)
    assert statistic.subsamples == (2, 4)
    atoms = statistic(np.random.default_rng(0))
    assert atoms.shape == (7,) and np.isfinite(atoms).all()
    assert atoms[3] == pytest.approx(atoms[6] - atoms[0] - atoms[1] - atoms[2], abs=1e-9)  # syn


def test_every_ci_method_takes_auto():
    # gaussian_pid_from_samples and pid_from_representations default to "auto"; bootstrap refused
    # it. Its estimate is a plug-in one, so "auto" is "basic" there, as in the other two.
    # below_zero_verdicts' ci_method names how the intervals it reads were made (a result's
    # resolved method), which is never "auto": it is no choice of method
    describing = {name for name in _taking("ci_method") if name.endswith(".below_zero_verdicts")}
    assert set(_taking("ci_method")) - describing == {
        "pidkit.gaussian_pid_from_samples",
        "pidkit.gaussian.gaussian_pid_from_samples",
        "pidkit.estimate.bootstrap",
        "pidkit.estimate.pid_from_representations",
    }
    assert describing and all("auto" not in str(_taking("ci_method")[name].annotation)
                              for name in describing)
    auto = pidkit.estimate.bootstrap(_Y, _T_LABELS, _S_LABELS, n_boot=4, ci_method="auto")
    basic = pidkit.estimate.bootstrap(_Y, _T_LABELS, _S_LABELS, n_boot=4, ci_method="basic")
    assert auto["ci_method"] == "basic"
    assert auto["intervals"] == basic["intervals"]


BIAS_ROWS = [
    (pidkit.gaussian.log_det_bias, (3, 2), ValueError,
     r"^dof must be at least dim = 3: the Wishart matrix of a 3-dimensional block is singular .*got 2\.$"),
    (pidkit.gaussian.log_det_bias, (-1, 10), ValueError, r"^dim must be an int >= 0; got -1\.$"),
    (pidkit.gaussian.log_det_bias, (2, 10.5), TypeError, r"^dof must be an int >= 1; got 10\.5 \(float\)\.$"),
    (pidkit.gaussian.information_bias, (2, 3, 4), ValueError, r"^dof must be at least dim_a \+ dim_b = 5: "),
    (pidkit.gaussian.information_bias, (1, 1, -3), ValueError, r"^dof must be an int >= 1; got -3\.$"),
    (pidkit.gaussian.information_bias, (1.5, 1, 10), TypeError, r"^dim_a must be an int >= 0; got 1\.5"),
    (pidkit.gaussian.information_bias, ("a", 1, 10), TypeError, r"^dim_a must be an int >= 0; got 'a'"),
]
"""The exact Gaussian biases refuse what they have no value for; they returned nan, -inf or a
number for a fractional dimension, or raised str + int from inside numpy."""


@pytest.mark.parametrize(("function", "args", "error", "match"), BIAS_ROWS)
def test_gaussian_biases_refuse_dimensions_they_have_no_value_for(function, args, error, match):
    with pytest.raises(error, match=match):
        function(*args)


def test_gaussian_biases_of_good_dimensions():
    assert pidkit.gaussian.log_det_bias(3, 3) == pytest.approx(-3.72063104, abs=1e-8)
    assert pidkit.gaussian.information_bias(0, 3, 3) == 0.0
    assert pidkit.gaussian.information_bias(1, 1, np.int64(99)) == pytest.approx(0.00512807, abs=1e-8)


def test_power_of_two_scaler_refuses_a_per_row_that_is_not_a_bool():
    X = np.array([[3.0, 1.0], [0.5, 0.25]])
    np.testing.assert_array_equal(
        pidkit.estimate.PowerOfTwoScaler(per_row=False).fit_transform(X), [[0.75, 0.25], [0.125, 0.0625]]
    )
    with pytest.raises(TypeError, match=r"^per_row must be True or False; got 'no' \(str\)\.$"):
        pidkit.estimate.PowerOfTwoScaler(per_row="no").fit_transform(X)  # "no" scaled row by row


SAMPLE_SIZE_ROWS = [
    ({"shape": (2, 2)}, TypeError,
     r"^shape must be the joint's \(n_y, n_t, n_s\), three ints >= 1; got \(2, 2\)\.$"),
    ({"shape": (2, 0, 2)}, ValueError, r"^shape entries must be an int >= 1; got 0\.$"),
    ({"n": "ten"}, TypeError, r"^n must be an int >= 0; got 'ten' \(str\)\.$"),
    ({"method": "eb_extrapolation"}, ValueError,
     r"^method must be one of \['none', 'extrapolation', 'eb-extrapolation', 'eb-extrapolation-kink'\]; "
     r"got 'eb_extrapolation'\."),
    ({"subsamples": (2,)}, ValueError, r"^subsamples must hold at least two distinct ints >= 2"),
]
"""check_sample_size refuses what it cannot read: a 2-D shape was 'not enough values to unpack',
n='ten' a str // int TypeError, and an unknown method was checked as a correcting one."""


@pytest.mark.parametrize(("change", "error", "match"), SAMPLE_SIZE_ROWS)
def test_check_sample_size_names_what_it_cannot_read(change, error, match):
    kwargs: dict[str, Any] = {"shape": (2, 2, 2), "n": 10_000, "method": "eb-extrapolation", **change}
    with pytest.raises(error, match=match):
        pidkit.estimate.check_sample_size(kwargs.pop("shape"), kwargs.pop("n"), **kwargs)


def test_check_sample_size_passes_a_design_that_fits_and_refuses_one_that_does_not():
    check = pidkit.estimate.check_sample_size
    assert check(np.array([10, 6, 6]), np.int64(450), method="eb-extrapolation") is None
    assert check((10, 6, 6), 20, method="none") is None
    with pytest.raises(ValueError, match=r"^subsamples=\(2, 4\) cuts the 200 samples into pieces of 50"):
        check((10, 6, 6), 200, method="eb-extrapolation")


def test_kink_fraction_needs_three_distinct_positive_sizes():
    # [2] gave 0.76 and [0, 4, 8] nan: a quadratic in 1/n needs three distinct sizes.
    assert pidkit.estimate.kink_fraction((450, 225, 112)) == pytest.approx(0.505, abs=1e-3)
    for sizes in ([2], [450, 225, 225], [0, 4, 8], [[450, 225, 112]]):
        with pytest.raises(ValueError, match=r"^sizes must be at least three distinct positive sample sizes"):
            pidkit.estimate.kink_fraction(sizes)
    with pytest.raises(TypeError, match=r"^sizes must be .*; got 'ab'\.$"):
        pidkit.estimate.kink_fraction("ab")


def test_bootstrap_replicates_names_a_statistic_that_is_not_callable():
    with pytest.raises(TypeError, match=r"^statistic must be a callable taking a numpy.random.Generator"):
        pidkit.estimate.bootstrap_replicates("red", 4)


@pytest.mark.parametrize("name", sorted(RANDOM_STATE_CALLS))
def test_random_state_is_annotated_as_what_it_takes(name):
    # `int | None` made a type checker (pyright in a notebook) flag a Generator that works.
    annotation = str(_taking("random_state")[name].annotation)
    kinds = ("int", "Generator", "RandomState", "None")
    assert annotation == "Any" or all(kind in annotation for kind in kinds)


@pytest.mark.parametrize("name", sorted(RANDOM_STATE_CALLS))
def test_random_state_is_documented_as_what_it_takes(name):
    # check_theorem_3_2/4_1 documented "int, numpy.random.Generator or None", leaving RandomState out.
    # (discretize documents its options as Discretizer's: "n_components, ..., random_state, ...")
    doc = inspect.getdoc(dict(_public_callables())[name]) or ""
    if name == "pidkit.estimate.discretize":
        doc = inspect.getdoc(pidkit.estimate.Discretizer) or ""
    line = next(line for line in doc.splitlines() if line.startswith("random_state :"))
    assert all(kind in line for kind in ("int", "Generator", "RandomState", "None")), line


def test_correct_counts_names_its_own_method():
    # correct_counts said 'bias_correction must be one of ...' and '..., or bias_correction='none'',
    # an argument it does not take (a TypeError if passed).
    counts = np.ones((2, 10, 10))  # 200 samples, 20 cells per pairwise table: quarters of 50 are too few
    with pytest.raises(ValueError, match=r"^method must be one of \['none', 'extrapolation'"):
        pidkit.estimate.correct_counts(counts, method="jackknife")
    few_pieces = r"^subsamples=\(2, 40\) cuts the 200 samples .* or method='none'"
    with pytest.raises(ValueError, match=few_pieces) as err:
        pidkit.estimate.correct_counts(counts, method="extrapolation", subsamples=(2, 40))
    assert "bias_correction" not in str(err.value)
    with pytest.raises(ValueError, match=r"^method='extrapolation' needs at least as many .*method='none'"):
        pidkit.estimate.correct_counts(np.eye(10).reshape(2, 5, 10), method="extrapolation")  # 10 < 20
    # pid_from_representations and the trainer know it as bias_correction, through check_sample_size
    with pytest.raises(ValueError, match=r"^bias_correction='extrapolation' needs .*bias_correction='none'"):
        pidkit.estimate.check_sample_size((2, 5, 5), 8, method="extrapolation")


def test_check_sample_size_takes_the_sum_of_float_counts():
    # np.histogramdd's counts are floats; their sum (np.float64(450.0)) was refused as 'n must be an int'.
    check = pidkit.estimate.check_sample_size
    assert check((10, 6, 6), np.float64(450.0), method="eb-extrapolation") is None
    with pytest.raises(ValueError, match=r"^subsamples=\(2, 4\) cuts the 200 samples into pieces of 50"):
        check((10, 6, 6), 200.0, method="eb-extrapolation")
    with pytest.raises(TypeError, match=r"^n must be an int >= 0; got 200\.5 \(float\)\.$"):
        check((10, 6, 6), 200.5, method="eb-extrapolation")


@pytest.mark.parametrize("X", [np.array([1.0, 2.0]), np.ones((2, 2, 2))])
@pytest.mark.parametrize("per_row", [True, False])
def test_power_of_two_scaler_names_an_input_that_is_not_a_matrix(X, per_row):
    # fit on 1-D X was an IndexError (tuple index out of range) from X.shape[1]
    scaler = pidkit.estimate.PowerOfTwoScaler(per_row=per_row)
    with pytest.raises(ValueError, match=r"^X must be a 2-D array of shape \(n_samples, n_features\); got"):
        scaler.fit(X)
    fitted = scaler.fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"^X must be a 2-D array"):
        fitted.transform(X)  # per_row=False scaled a 1-D X silently


@pytest.mark.parametrize(
    ("position", "value", "name"),
    [(0, "0.3", "i_yt"), (1, None, "i_ys"), (2, [1.0], "i_yts"), (3, np.array(["a"]), "i_star")],
)
def test_atoms_from_informations_names_what_is_not_a_number(position, value, name):
    # strings gave numpy's "unsupported operand type(s) for -: 'str' and 'float'"
    args: list[Any] = [0.3, 0.2, 1.0, 0.4]
    args[position] = value
    with pytest.raises(TypeError, match=rf"^{name} must be a number or an array of numbers"):
        pidkit.estimate.atoms_from_informations(*args)


def test_atoms_from_informations_of_numbers_and_arrays():
    atoms = pidkit.estimate.atoms_from_informations(np.float64(0.3), 0.2, np.array([1.0, 0.9]), 0.4)
    assert atoms["red"] == pytest.approx(0.1)
    np.testing.assert_allclose(atoms["syn"], [0.6, 0.5])


def test_bertschinger_batch_suggests_the_option_meant():
    # 'njobs' listed bertschinger's options without the batch's own n_jobs and progress, and no fix
    with pytest.raises(TypeError) as err:
        pidkit.bertschinger_batch([pidkit.examples.xor()], njobs=2)
    assert str(err.value) == (
        "bertschinger_batch takes no option 'njobs'; its options are n_jobs, progress, units, method, "
        "solver, tol, normalize, strict. Did you mean 'n_jobs'?"
    )
