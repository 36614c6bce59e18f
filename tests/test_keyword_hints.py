"""A keyword argument the public estimators do not take is told the keyword most likely meant
(t-422's finding 8): ``seed`` scikit-learn's ``random_state``, ``n_boot`` (pidkit.estimate.bootstrap's
name) the estimators' ``bootstrap``, a misspelling its closest keyword. Each was Python's bare
"got an unexpected keyword argument" with no hint. Their signatures stay their own."""

import inspect

import numpy as np
import pytest
from sklearn.base import clone

from pidkit._keyword_hints import SAME_MEANING, unknown_keyword_error
from pidkit.estimate import Discretizer, correct_counts, discretize, pid_from_representations
from pidkit.gaussian import estimate_from_covariance, gaussian_pid_from_samples

RNG = np.random.default_rng(0)
Y = np.arange(40) % 2
T = RNG.normal(size=(40, 3))
COUNTS = np.full((2, 2, 2), 20)
SEED = "Did you mean 'random_state'? pidkit takes scikit-learn's name for the seed."
N_BOOT = ("Did you mean 'bootstrap'? The estimators take the number of bootstrap resamples as "
          "bootstrap=B; n_boot is pidkit.estimate.bootstrap's name for it.")


@pytest.mark.parametrize(("function", "args", "keyword", "hint"), [
    (pid_from_representations, (Y, T, T), "seed", SEED),
    (pid_from_representations, (Y, T, T), "n_cluster", "Did you mean 'n_clusters'?"),
    (pid_from_representations, (Y, T, T), "n_bootstrap", "Did you mean 'bootstrap'?"),
    (pid_from_representations, (Y, T, T), "n_boot", N_BOOT),
    (estimate_from_covariance, (np.eye(3), (1, 1, 1)), "seed", "Its keyword arguments are sample_cov, dims, "
     "n_samples, bias_correction, units, tol, strict, method."),  # no random_state to suggest
    (discretize, (T,), "n_cluster", "Did you mean 'n_clusters'?"),
    (Discretizer, (), "n_cluster", "Did you mean 'n_clusters'?"),
    (correct_counts, (COUNTS,), "seed", SEED),
    (correct_counts, (COUNTS,), "bootstrap",
     "It draws no bootstrap intervals; pidkit.estimate.pid_from_representations(y, t_features, "
     "s_features, bootstrap=B) does, of bias-corrected atoms (1-D labels may stand for either side's "
     "features)."),
    (estimate_from_covariance, (np.eye(3), (1, 1, 1)), "n_sample", "Did you mean 'n_samples'?"),
    (gaussian_pid_from_samples, (T[:, :1], T[:, 1:2], T[:, 2:]), "seed", SEED),
    (gaussian_pid_from_samples, (T[:, :1], T[:, 1:2], T[:, 2:]), "n_boot", N_BOOT),
])
def test_an_unknown_keyword_is_told_the_one_meant(function, args, keyword, hint):
    with pytest.raises(TypeError) as refused:
        function(*args, **{keyword: 1})
    given = f"{function.__name__}() got an unexpected keyword argument {keyword!r}."
    assert str(refused.value) == f"{given} {hint}"


def test_a_keyword_with_nothing_close_is_told_the_keywords():
    with pytest.raises(TypeError) as refused:
        discretize(T, colour="red")
    assert str(refused.value) == (
        "discretize() got an unexpected keyword argument 'colour'. Its keyword arguments are X, "
        "n_components, n_clusters, normalize, random_state, n_init, svd_solver, clusterer.")


def test_a_name_of_the_same_meaning_is_suggested_only_where_the_function_takes_it():
    assert "random_state" not in str(unknown_keyword_error("f", "seed", ["units"]))
    assert all(keyword != meant for keyword, (meant, _) in SAME_MEANING.items())


@pytest.mark.parametrize(("function", "first"), [
    (pid_from_representations, ["y", "t_features", "s_features"]),
    (discretize, ["X", "n_components", "n_clusters"]),
    (correct_counts, ["counts"]),
    (estimate_from_covariance, ["sample_cov", "dims"]),
    (gaussian_pid_from_samples, ["y", "t", "s"]),
    (Discretizer, ["n_components", "n_clusters"]),
])
def test_signatures_show_the_real_parameters(function, first):
    parameters = inspect.signature(function).parameters
    assert list(parameters)[:len(first)] == first
    assert "random_state" in parameters or "n_samples" in parameters or "method" in parameters
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def test_a_discretizer_keeps_its_scikit_learn_parameters():
    made = Discretizer(n_clusters=4, random_state=3)
    assert made.get_params()["n_clusters"] == 4 and clone(made).get_params() == made.get_params()


def test_known_keywords_give_the_same_numbers():
    labels, _ = discretize(T, n_components=2, n_clusters=3, random_state=1)
    again = Discretizer(n_components=2, n_clusters=3, random_state=1).fit(T).labels_
    assert labels.tolist() == again.tolist()


def test_the_class_code_warning_still_names_the_callers_line_behind_the_hint():
    # gaussian_pid_from_samples' fixed stacklevel pointed at one call path; the hint adds a frame
    codes = (np.arange(40) % 4).astype(float)
    with pytest.warns(UserWarning, match="whole-number values") as caught:
        gaussian_pid_from_samples(codes, T[:, :1], T[:, 1:])
    assert caught[0].filename == __file__
