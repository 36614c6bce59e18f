"""The Gaussian PID with the inputs a notebook user passes (task 264.3): docs/gaussian.md's system
as a covariance and as 500 samples, given as a DataFrame, a list of lists, float32, a covariance
asymmetric by rounding or singular from a duplicated feature; and the mistakes, each refused once,
naming the argument and the fix.

Samples passed where the covariance goes said only 'must be a non-empty square 2-D matrix ...; got
shape (500, 3).', and a NaN in a covariance 'entries must be finite.' with no way out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import pidkit
from pidkit.gaussian import estimate_from_covariance

COV = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
"""docs/gaussian.md's degraded channel Y -> T -> S."""
_SAMPLES = np.random.default_rng(0).standard_normal((500, 3)) @ np.linalg.cholesky(COV).T
"""docs/gaussian.md's 500 draws of [Y, T, S], one row each."""
FRAME = pd.DataFrame(_SAMPLES, columns=["y", "t", "s"])

EXACT = (0.160964, 0.339036, 0.0, 0.0)
"""gaussian_pid(COV): Red, Uni_T, Uni_S, Syn in bits (docs/gaussian.md)."""
CORRECTED = (0.149496, 0.383327, 0.0, 0.0)
"""gaussian_pid_from_samples of the 500 draws, as docs/gaussian.md prints it."""
PLUG_IN = (0.150945, 0.383327, 0.0, 0.000151)
"""gaussian_pid of their sample covariance (the plug-in column of that print)."""


def _with(cov: np.ndarray, i: int, j: int, value: float) -> np.ndarray:
    changed = cov.copy()
    changed[i, j] = value
    return changed


def _nan_at(row: int, column: int) -> np.ndarray:
    samples = _SAMPLES.copy()
    samples[row, column] = np.nan
    return samples


_DUPLICATED = [0, 1, 1, 2]  # T's one feature twice
_FEW = np.random.default_rng(1).standard_normal((5, 8))

VALUES: list[tuple[str, Callable[[], Any], tuple[float, ...], float]] = [
    ("the docs' covariance", lambda: pidkit.gaussian_pid(COV, dims=(1, 1, 1)), EXACT, 1e-6),
    ("a list of lists, dims a list", lambda: pidkit.gaussian_pid(COV.tolist(), [1, 1, 1]), EXACT, 1e-6),
    ("float32", lambda: pidkit.gaussian_pid(COV.astype(np.float32), (1, 1, 1)), EXACT, 1e-6),
    ("asymmetric by 1e-12", lambda: pidkit.gaussian_pid(_with(COV, 0, 1, 1.0 + 1e-12), (1, 1, 1)),
     EXACT, 1e-6),
    ("singular: a duplicated feature",
     lambda: pidkit.gaussian_pid(COV[np.ix_(_DUPLICATED, _DUPLICATED)], (1, 2, 1)), EXACT, 1e-6),
    ("DataFrame columns", lambda: pidkit.gaussian_pid_from_samples(FRAME["y"], FRAME[["t"]], FRAME["s"]),
     CORRECTED, 1e-6),
    ("DataFrame.cov()", lambda: pidkit.gaussian_pid(FRAME.cov(), (1, 1, 1)), PLUG_IN, 1e-6),
    ("DataFrame.cov() with n_samples",
     lambda: estimate_from_covariance(FRAME.cov(), (1, 1, 1), n_samples=500), CORRECTED, 1e-6),
    ("float32 samples", lambda: pidkit.gaussian_pid_from_samples(*_SAMPLES.astype(np.float32).T),
     CORRECTED, 1e-5),
    ("lists of samples", lambda: pidkit.gaussian_pid_from_samples(*_SAMPLES.T.tolist()), CORRECTED, 1e-6),
    ("samples with a duplicated feature",
     lambda: pidkit.gaussian_pid_from_samples(_SAMPLES[:, 0], _SAMPLES[:, [1, 1]], _SAMPLES[:, 2]),
     CORRECTED, 1e-6),
]

_SAMPLES_FIX = (" It looks like samples X, one row each: pass their covariance, np.cov(X, rowvar=False) "
                "(X.cov() for a DataFrame), or the samples to pidkit.gaussian_pid_from_samples(y, t, s).")
_FINITE_FIX = ("entries must be finite: compute it from samples without NaN or infinity (drop or impute "
               "those first).")

ERRORS: list[tuple[str, Callable[[], Any], type, str]] = [
    ("samples where the covariance goes", lambda: pidkit.gaussian_pid(FRAME, (1, 1, 1)), ValueError,
     "cov must be a non-empty square 2-D matrix (the covariance of the stacked vector); got shape (500, 3)."
     + _SAMPLES_FIX),
    ("samples where the sample covariance goes",
     lambda: estimate_from_covariance(_SAMPLES, (1, 1, 1), n_samples=500), ValueError,
     "sample_cov must be a non-empty square 2-D matrix (the covariance of the stacked vector); got shape "
     "(500, 3)." + _SAMPLES_FIX),
    ("a wide matrix is no samples", lambda: pidkit.gaussian_pid(COV[:2], (1, 1, 1)), ValueError,
     "cov must be a non-empty square 2-D matrix (the covariance of the stacked vector); got shape (2, 3)."),
    ("np.cov without rowvar=False", lambda: pidkit.gaussian_pid(np.cov(_SAMPLES), (1, 1, 1)), ValueError,
     "dims = (1, 1, 1) adds up to 3, but cov is 500 x 500; the block sizes must add up to the matrix size. "
     "If cov came from np.cov of (n_samples, n_features) data, pass rowvar=False: np.cov takes rows as "
     "variables, so it gave one row per sample."),
    ("dims that do not add up", lambda: pidkit.gaussian_pid(COV, (1, 1, 2)), ValueError,
     "dims = (1, 1, 2) adds up to 4, but cov is 3 x 3; the block sizes must add up to the matrix size."),
    ("a bool among dims", lambda: pidkit.gaussian_pid(COV, (True, 1, 1)), TypeError,
     "dims must hold integers, the sizes of Y, T and S (e.g. dims=(1, 3, 2)); dims[0] is the bool True, "
     "not a size; got (True, 1, 1)."),
    ("fewer rows than features",
     lambda: pidkit.gaussian_pid_from_samples(_FEW[:, :1], _FEW[:, 1:5], _FEW[:, 5:]), ValueError,
     "too few samples: n = 5 rows for d_y + d_t + d_s = 8 dimensions; the sample covariance needs n > 9. "
     "Reduce the features first (e.g. PCA) or collect more samples."),
    ("NaN in the covariance", lambda: pidkit.gaussian_pid(_with(COV, 1, 2, np.nan), (1, 1, 1)), ValueError,
     f"cov contains NaN at index (1, 2); {_FINITE_FIX}"),
    ("infinity in the sample covariance",
     lambda: estimate_from_covariance(_with(COV, 2, 2, np.inf), (1, 1, 1), n_samples=500), ValueError,
     f"sample_cov contains infinity at index (2, 2); {_FINITE_FIX}"),
    ("NaN in the samples", lambda: pidkit.gaussian_pid_from_samples(*_nan_at(7, 1).T), ValueError,
     "t contains NaN or infinity (first at sample 7); drop or impute it."),
    ("None in the covariance",
     lambda: pidkit.gaussian_pid([[1.0, None, 0.0], [None, 1.0, 0.0], [0.0, 0.0, 1.0]], (1, 1, 1)), TypeError,
     "cov must be an array of real numbers; cov[0, 1] is None: the entry is missing. Write the number it "
     "stands for (estimate it first if it is unknown)."),
]


@pytest.mark.parametrize(("call", "atoms", "tol"), [row[1:] for row in VALUES],
                         ids=[row[0] for row in VALUES])
def test_each_way_of_passing_the_system_gives_its_atoms(call, atoms, tol):
    result = call()
    assert result.status == "optimal"
    assert (result.red, result.uni_t, result.uni_s, result.syn) == pytest.approx(atoms, abs=tol)


@pytest.mark.parametrize(("call", "kind", "message"), [row[1:] for row in ERRORS],
                         ids=[row[0] for row in ERRORS])
def test_each_mistake_is_refused_naming_the_argument_and_the_fix(call, kind, message):
    with pytest.raises(kind) as refused:
        call()
    assert str(refused.value) == message
