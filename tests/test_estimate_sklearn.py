"""The discretiser and projector against scikit-learn's own estimator checks.

``parametrize_with_checks`` runs every check scikit-learn applies to its estimators (cloning,
pickling, fitted attributes, n_features_in_, idempotent fit, dtype handling, ...). The checks these
two are known to fail are listed with the reason: each is a deliberate difference (a clearer
message, or a refusal where scikit-learn converts silently), and a check that starts failing for
another reason fails this test.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils.estimator_checks import parametrize_with_checks

from pidkit.estimate import Discretizer, pid_from_representations
from pidkit.estimate.project import Projector

_OWN_MESSAGES = "pidkit's message names the argument and the fix instead of scikit-learn's wording"
_SHARED = {
    "check_complex_data": "complex features are a TypeError (wrong kind), not scikit-learn's ValueError",
    "check_dtype_object": "object arrays are refused (they may hold strings or None), not converted",
    "check_estimators_empty_data_messages": _OWN_MESSAGES,
    "check_fit2d_predict1d": _OWN_MESSAGES + " (a 1-D row may be labels)",
    "check_fit2d_1feature": "one feature with normalize='l2' keeps only its sign: refused, saying so",
}
_DISCRETIZER = {
    **_SHARED,
    "check_dont_overwrite_parameters": "the checks set n_clusters=1; one cluster carries no information",
    "check_methods_subset_invariance": "the checks set n_clusters=1; one cluster carries no information",
    "check_fit2d_1sample": "the checks set n_clusters=1; one cluster carries no information",
}


def _expected_failures(estimator):
    return _DISCRETIZER if isinstance(estimator, Discretizer) else _SHARED


@parametrize_with_checks(
    [Discretizer(n_components=2, n_clusters=2), Projector(n_components=2)],
    expected_failed_checks=_expected_failures,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("kind", [sp.csr_matrix, sp.csr_array, sp.coo_matrix])
def test_sparse_features_are_refused_with_the_way_to_densify(kind):
    rng = np.random.default_rng(0)
    t = rng.normal(size=(60, 5))
    y = np.arange(60) % 2
    expected = (r"^X is a scipy sparse matrix of shape \(60, 5\) \(300 stored values\); "
                r"pidkit needs dense features: pass X\.toarray\(\) \(0\.0 MiB as float64\)\.$")
    with pytest.raises(TypeError, match=expected):
        Discretizer(n_components=2, n_clusters=2).fit(kind(t))
    with pytest.raises(TypeError, match=r"^t_features is a scipy sparse matrix .* t_features\.toarray\(\)"):
        pid_from_representations(y, kind(t), t, n_clusters=2, bias_correction="none")


def test_discretizer_is_a_clusterer_not_a_transformer():
    # A clusterer's transform means distances or an embedding in scikit-learn (KMeans.transform);
    # the labels come from predict / fit_predict.
    assert not hasattr(Discretizer(), "transform")
    X = np.random.default_rng(1).normal(size=(40, 3))
    disc = Discretizer(n_components=None, n_clusters=3, normalize=None)
    np.testing.assert_array_equal(disc.fit_predict(X), disc.predict(X))
    # Code written against the removed transform is told what replaces it (it got only
    # "'Discretizer' object has no attribute 'transform'").
    with pytest.raises(AttributeError, match=r"^Discretizer has no transform: .* predict\(X\) instead;"):
        disc.transform(X)
    # fit_transform, as in a Pipeline's middle step, got the bare "'Discretizer' object has no
    # attribute 'fit_transform'"; scikit-learn's own check of a middle step still sees no transformer
    assert not hasattr(Discretizer(), "fit_transform")
    with pytest.raises(AttributeError, match=r"^Discretizer has no fit_transform: .* fit_predict\(X\) "
                                             r"instead; in a Pipeline .* last step"):
        disc.fit_transform(X)
    with pytest.raises(AttributeError, match=r"^'Discretizer' object has no attribute 'transfrom'$"):
        disc.transfrom(X)


def test_dataframe_columns_are_checked_like_scikit_learn():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 4)) * [1, 5, 0.1, 3], columns=list("abcd"))
    disc = Discretizer(n_components=None, n_clusters=3, normalize=None).fit(X)
    assert disc.feature_names_in_.tolist() == list("abcd")
    # Reordered columns used to be clustered by position: other clusters, silently.
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        assert (disc.predict(X[list("dcba")].to_numpy()) != disc.labels_).any()
    expected = (r"^The feature names should match those that were passed during fit: X has the same "
                r"columns in another order\. Select the columns the Discretizer was fitted on, in that "
                r"order: X\[discretizer\.feature_names_in_\], discretizer being the fitted Discretizer\.$")
    with pytest.raises(ValueError, match=expected):
        disc.predict(X[list("dcba")])
    with pytest.raises(ValueError, match=r"X has columns not seen at fit \['z'\] and none of the fitted "
                                         r"columns \['a'\]"):
        disc.predict(X.rename(columns={"a": "z"}))
    with pytest.warns(UserWarning, match=r"^X does not have valid feature names, but Discretizer was fitted"):
        np.testing.assert_array_equal(disc.predict(X.to_numpy()), disc.labels_)
    assert not hasattr(Discretizer(n_clusters=3).fit(X.to_numpy()), "feature_names_in_")
    assert not hasattr(disc.fit(X.to_numpy()), "feature_names_in_")  # a refit forgets them

    y = np.arange(300) % 3
    first = pid_from_representations(y, X, X, n_clusters=3)
    with pytest.raises(ValueError, match=r"t_features has the same columns in another order.*"
                                         r"t_features\[discretizer\.feature_names_in_\]"):
        pid_from_representations(y, X[list("dcba")], X, discretizers=first.discretizers)
    gaussian = pid_from_representations(y, X, X, estimator="gaussian", n_components=2)
    with pytest.raises(ValueError, match=r"s_features has the same columns in another order"):
        pid_from_representations(y, X, X[list("dcba")], estimator="gaussian",
                                 discretizers=gaussian.discretizers)
