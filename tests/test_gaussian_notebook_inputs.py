"""The Gaussian PID fed what a notebook holds: batches in a list, generators, object columns
(each a clear error naming the argument and the fix), and the forms that must give one number."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import OneHotEncoder

import pidkit
from pidkit.gaussian import estimate_from_covariance, gaussian_pid_from_samples

COV = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])  # Y, T = Y + e, S = T + 2e'


def _samples(n=400):
    rng = np.random.default_rng(11)
    y = rng.standard_normal(n)
    t = np.c_[y + rng.standard_normal(n), rng.standard_normal(n)]
    return y, t, t[:, 0] + 2 * rng.standard_normal(n)


def test_a_covariance_in_any_form_gives_the_closed_form():
    # scalar target: MMI, Red = min(I(Y;T), I(Y;S)) = 1/2 log2(5/4), Uni_T = 1/2 - Red
    red = 0.5 * np.log2(5 / 4)
    asymmetric = COV.copy()
    asymmetric[0, 1] += 1e-12
    for cov in (COV, pd.DataFrame(COV, columns=list("yts")), COV.astype(np.float32),
                COV.astype(int), asymmetric):
        r = pidkit.gaussian_pid(cov, (1, 1, 1))
        assert (r.red, r.uni_t, r.uni_s, r.syn) == pytest.approx((red, 0.5 - red, 0, 0), abs=1e-7)


def test_samples_in_any_form_give_the_estimate_of_float64_arrays():
    y, t, s = _samples()
    ref = gaussian_pid_from_samples(y, t, s)
    for args in ((y[:, None], t, s[:, None]),
                 (pd.Series(y), pd.DataFrame(t, columns=["t0", "t1"]), pd.Series(s)),
                 (y.astype(np.float32), t.astype(np.float32), s.astype(np.float32)),
                 (y.tolist(), t.tolist(), s.tolist())):
        r = gaussian_pid_from_samples(*args)
        assert (r.red, r.uni_t, r.uni_s, r.syn) == pytest.approx((ref.red, ref.uni_t, ref.uni_s, ref.syn),
                                                                 abs=1e-6)


@pytest.mark.parametrize(("change", "error", "match"), [
    # numpy's "inhomogeneous shape" alone, or a 3-D shape (2, 200, 2), without the way out
    (lambda y, t, s: (y, [t[:300], t[300:]], s), TypeError,
     r"^t must be an array of numbers; could not convert it: .* t is a list of 2 arrays of 400 rows in "
     r"all: if they are batches, pass np\.concatenate\(t\) \(torch\.cat for tensors\)\.$"),
    (lambda y, t, s: (y, [t[:200], t[200:]], s), ValueError,
     r"^t must be of shape \(n_samples,\) or \(n_samples, n_features\) with at least one feature; got "
     r"shape \(2, 200, 2\)\. t is a list of 2 arrays of 400 rows in all: if they are batches, pass "
     r"np\.concatenate\(t\)"),
    # "got shape (400, 2, 1)" alone: convolutional maps, whose axes pidkit.estimate flattens itself
    (lambda y, t, s: (y, t.reshape(400, 2, 1), s), ValueError,
     r"^t must be of shape \(n_samples,\) or \(n_samples, n_features\) with at least one feature; got "
     r"shape \(400, 2, 1\)\. If each sample's 2 values are its features, flatten them: t\.reshape\(400, "
     r"-1\) \(pidkit\.estimate\.pid_from_representations\(\.\.\., estimator='gaussian'\) flattens them "
     r"and keeps n_components principal components\)\.$"),
    (lambda y, t, s: (y, t.reshape(400, 2, 1).tolist(), s), ValueError,
     r"flatten them: np\.asarray\(t\)\.reshape\(400, -1\) \("),
    # "got dtype object", for a generator read as one object or a column of Python numbers
    (lambda y, t, s: ((v for v in y), t, s), TypeError,
     r"^y must hold real numbers; got a generator, which numpy reads as one object\. Pass its values: "
     r"list\(y\)\.$"),
    (lambda y, t, s: (y, t, pd.Series(s).astype(object)), TypeError,
     r"^s must hold real numbers; got an array of Python objects \(dtype object\)\. If they are numbers, "
     r"convert them: np\.asarray\(s, dtype=float\) \(s\.astype\(float\) for a pandas column\)\.$"),
])
def test_notebook_slips_are_named_with_the_fix(change, error, match):
    with pytest.raises(error, match=match):
        gaussian_pid_from_samples(*change(*_samples()))


def test_too_few_samples_without_the_bias_correction_do_not_blame_it():
    # "the bias correction needs n_samples > 4", with bias_correction=False
    with pytest.raises(ValueError, match=r"^n_samples = 3 is too small for whitened dimensions d_y = 1, "
                                         r"d_t \+ d_s = 2: the estimate needs n_samples > 4, with or "
                                         r"without the bias correction\.$"):
        estimate_from_covariance(np.eye(3), (1, 1, 1), n_samples=3, bias_correction=False)


@pytest.mark.parametrize("kind", [sp.csr_matrix, sp.csr_array])
def test_sparse_samples_are_refused_with_the_way_to_densify(kind):
    # "AttributeError: 'csr_matrix' object has no attribute 'to_numpy'", from inside pidkit; a
    # label one-hot encoded by scikit-learn's OneHotEncoder (sparse by default) is the usual one.
    y, t, s = _samples()
    one_hot = OneHotEncoder(drop="first").fit_transform((y > 0).reshape(-1, 1))
    with pytest.raises(TypeError) as caught:
        gaussian_pid_from_samples(kind(one_hot), t, s)
    assert str(caught.value) == (
        "y is a scipy sparse matrix of shape (400, 1) (213 stored values); pidkit needs dense samples: "
        "pass y.toarray() (0.0 MiB as float64). (OneHotEncoder(sparse_output=False) one-hot encodes a "
        "label densely.)"
    )
    with pytest.raises(TypeError) as caught:
        gaussian_pid_from_samples(y, t, kind(s.reshape(-1, 1)))
    assert str(caught.value) == (
        "s is a scipy sparse matrix of shape (400, 1) (400 stored values); pidkit needs dense features: "
        "pass s.toarray() (0.0 MiB as float64)."
    )
    dense = gaussian_pid_from_samples(kind(one_hot).toarray(), t, s)  # the fix works
    assert dense.red == pytest.approx(gaussian_pid_from_samples((y > 0).astype(float), t, s).red, abs=1e-12)
