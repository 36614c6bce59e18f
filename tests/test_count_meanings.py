"""A bool passed as a count of pidkit.estimate or pidkit.gaussian hears what the number counts.

``Discretizer(n_clusters=True)`` was told only "n_clusters must be an int >= 2; got True (bool).";
each count now says what it is, with an example, as pid_from_representations' counts do. Floats and
strings keep their messages (they already name the type; test_settings_messages pins one).
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import Discretizer, Projector, clusters_for_samples, discretize
from pidkit.gaussian import estimate_from_covariance, information_bias, log_det_bias
from pidkit.gaussian.examples import degraded, scalar_target

_X = np.random.default_rng(0).normal(size=(30, 4))
_COV = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 6.0]])
_RNG = np.random.default_rng(0)

_COUNTS = [
    ("Discretizer n_clusters", lambda: Discretizer(n_clusters=True).fit(_X),
     "n_clusters must be an int >= 2, the number of clusters KMeans cuts the features into, "
     "e.g. n_clusters=8; got True (bool)."),
    ("discretize n_init", lambda: discretize(_X, n_init=True),
     "n_init must be an int >= 1, the number of KMeans restarts, the best one kept, e.g. n_init=10; "
     "got True (bool)."),
    ("Discretizer n_components", lambda: Discretizer(n_components=False).fit(_X),
     "n_components must be an int >= 1 or None (no PCA), the number of principal components kept, "
     "e.g. n_components=10; got False (bool)."),
    ("Projector n_components", lambda: Projector(n_components=True).fit(_X),
     "n_components must be an int >= 1 or None (no PCA), the number of principal components kept, "
     "e.g. n_components=10; got True (bool)."),
    ("clusters_for_samples n_samples", lambda: clusters_for_samples(True, 10),
     "n_samples must be an int >= 1, the number of samples that will be counted, e.g. n_samples=10_000; "
     "got True (bool)."),
    ("clusters_for_samples n_labels", lambda: clusters_for_samples(450, True),
     "n_labels must be an int >= 1, the number of distinct target labels, e.g. n_labels=10; "
     "got True (bool)."),
    ("clusters_for_samples max_clusters", lambda: clusters_for_samples(450, 10, max_clusters=True),
     "max_clusters must be an int >= 2, the most clusters per side, e.g. max_clusters=10; got True (bool)."),
    ("clusters_for_samples other_values", lambda: clusters_for_samples(450, 10, other_values=True),
     "other_values must be an int >= 1, the number of values of the side that is not clustered, "
     "e.g. other_values=10; got True (bool)."),
    ("estimate_from_covariance n_samples", lambda: estimate_from_covariance(_COV, (1, 1, 1), n_samples=True),
     "n_samples must be an int >= 2, the number of samples sample_cov was estimated from, "
     "e.g. n_samples=1000; got True (bool)."),
    ("log_det_bias dim", lambda: log_det_bias(True, 10),
     "dim must be an int >= 0, the dimension of a Gaussian block, e.g. dim=3; got True (bool)."),
    ("information_bias dim_b", lambda: information_bias(1, True, 10),
     "dim_b must be an int >= 0, the dimension of a Gaussian block, e.g. dim_b=3; got True (bool)."),
    ("information_bias dof", lambda: information_bias(1, 1, True),
     "dof must be an int >= 1, the Wishart matrix's degrees of freedom, n - 1 for n samples, e.g. dof=99; "
     "got True (bool)."),
    ("scalar_target d_s", lambda: scalar_target(2, True, rng=_RNG),
     "d_s must be an int >= 1, the dimension of the student S, e.g. d_s=3; got True (bool)."),
    ("degraded d_y", lambda: degraded(True, 2, 2, rng=_RNG),
     "d_y must be an int >= 1, the dimension of the target Y, e.g. d_y=3; got True (bool)."),
    ("degraded d_t", lambda: degraded(1, True, 2, rng=_RNG),
     "d_t must be an int >= 1, the dimension of the teacher T, e.g. d_t=3; got True (bool)."),
]


@pytest.mark.parametrize(("call", "message"), [c[1:] for c in _COUNTS], ids=[c[0] for c in _COUNTS])
def test_a_bool_count_is_told_what_it_counts(call, message):
    with pytest.raises(TypeError) as refused:
        call()
    assert str(refused.value) == message

