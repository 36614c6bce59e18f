"""Tests of what ``pidkit.estimate`` reads as features and labels: dtypes, shapes, tables, tensors.

Feature matrices of several dtypes and shapes through :func:`discretize` and :class:`Projector`
(float32 kept, PCA solver and component clipping, L2 normalisation), labels given in place of
features, and how the ``repr`` describes each side's pipeline.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from pidkit.decompose import pid
from pidkit.estimate import PluginBiasWarning, Projector, discretize, pid_from_representations
from pidkit.samples import joint_from_samples
from tests.estimate_data import blobs, same_partition, small_sample

ATOMS = ("red", "uni_t", "uni_s", "syn")


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    # The test matrices are small: on a shared 2-core machine, multi-threaded BLAS on them is mostly
    # contention.
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def test_wide_float32_maps_are_flattened_and_stay_float32():
    rng = np.random.default_rng(10)
    codes = rng.integers(0, 3, 300)
    maps = (rng.normal(0, 4, (3, 4, 8, 8))[codes] + rng.normal(size=(300, 4, 8, 8))).astype(np.float32)
    labels, disc = discretize(maps, n_components=5, n_clusters=3, svd_solver="randomized")
    assert disc.n_features_in_ == 256
    assert disc.pca_.components_.dtype == np.float32
    assert same_partition(labels, codes)
    flat, _ = discretize(maps.reshape(300, -1), n_components=5, n_clusters=3, svd_solver="randomized")
    np.testing.assert_array_equal(labels, flat)


def test_8_and_16_bit_features_are_clustered_in_float32_like_float32_features():
    # uint8 pixels / quantised activations became float64: 8x their memory, twice float32's, for
    # values float32 holds exactly. Now they are float32 throughout, as float32 features are.
    rng = np.random.default_rng(14)
    codes = rng.integers(0, 3, 600)
    means = rng.normal(60, 25, (3, 48))
    pixels = np.clip(means[codes] + rng.normal(0, 20, (600, 48)), 0, 255).astype(np.uint8)
    for dtype in (np.uint8, np.int16, np.bool_):
        X = pixels.astype(dtype) if dtype is not np.bool_ else pixels > 60
        labels, disc = discretize(X, n_components=5, n_clusters=3)
        assert disc.dtype_ == np.float32 and disc.pca_.components_.dtype == np.float32
        as_float32, _ = discretize(X.astype(np.float32), n_components=5, n_clusters=3)
        np.testing.assert_array_equal(labels, as_float32)
    _, wide_ints = discretize(pixels.astype(np.int64), n_components=5, n_clusters=3)
    assert wide_ints.dtype_ == np.float64  # beyond 2**24 float32 would round


def test_auto_solver_is_exact_for_narrow_features():
    # 2,000 x 64 features with a slowly decaying spectrum: "auto" took the randomized SVD (any side
    # over 500), whose 10 components were 0.5 rad off the exact ones; at this width the exact SVD
    # costs little more.
    from scipy.linalg import subspace_angles

    rng = np.random.default_rng(12)
    X = (rng.standard_normal((2000, 64)) * np.linspace(0.2, 2.0, 64)).astype(np.float32)
    proj = Projector(normalize=None).fit(X)
    centred = X.astype(np.float64) - X.mean(axis=0, dtype=np.float64)
    exact = np.linalg.svd(centred, full_matrices=False)[2][:10]
    assert proj.svd_solver_ == "full"
    assert np.max(subspace_angles(exact.T, proj.pca_.components_.T.astype(np.float64))) < 1e-4


def test_auto_solver_and_component_clipping():
    rng = np.random.default_rng(11)
    _, small = discretize(rng.normal(size=(100, 30)), n_clusters=3)
    assert (small.svd_solver_, small.n_components_) == ("full", 10)
    _, short = discretize(rng.normal(size=(60, 600)).astype(np.float32), n_clusters=3)
    assert (short.svd_solver_, short.n_components_) == ("full", 10)  # 60 rows: exact and as fast
    _, wide = discretize(rng.normal(size=(300, 600)).astype(np.float32), n_clusters=3)
    assert (wide.svd_solver_, wide.n_components_) == ("randomized", 10)
    _, narrow = discretize(rng.normal(size=(100, 4)), n_clusters=3)
    assert (narrow.n_components_, narrow.pca_) == (4, None)
    _, nopca = discretize(rng.normal(size=(100, 40)), n_components=None, n_clusters=3)
    assert nopca.pca_ is None and nopca.explained_variance_ratio_ is None
    assert 0.0 < small.explained_variance_ratio_ <= 1.0


def test_l2_normalisation_ignores_row_scale():
    rng = np.random.default_rng(12)
    codes = rng.integers(0, 3, 400)
    X = blobs(codes, 3, rng, dim=20)
    scaled = X * rng.uniform(0.1, 10.0, (400, 1))
    a, _ = discretize(X, n_clusters=3)
    b, _ = discretize(scaled, n_clusters=3)
    np.testing.assert_array_equal(a, b)


@settings(max_examples=15)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(5, 200),
    sizes=st.tuples(st.integers(2, 3), st.integers(1, 4), st.integers(1, 4)),
)
def test_integer_labels_go_through_joint_from_samples_unchanged(seed, n, sizes):
    rng = np.random.default_rng(seed)
    y, t, s = (rng.integers(0, k, n) for k in sizes)
    y[:2] = 0, 1  # a target needs two classes (one class is refused: test_bad_labels)
    t_names = np.array(["a", "b", "c", "d"])[t]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginBiasWarning)
        res = pid_from_representations(
            y, t_names, s.astype(bool) if sizes[2] <= 2 else s, bias_correction="none"
        )
    ref = joint_from_samples(y, t_names, s.astype(bool) if sizes[2] <= 2 else s)
    np.testing.assert_array_equal(res.p, ref.p)
    expected = pid(ref.p)
    for atom in (*ATOMS, "i_yts"):
        assert getattr(res.pid, atom) == pytest.approx(getattr(expected, atom), abs=1e-9)
    assert res.settings["t"] == {"kind": "labels", "n_values": ref.p.shape[1]}
    assert res.discretizers == (None, None)
    ny, nt, ns = ref.p.shape
    # The first-order rule counts the cells seen (docs/estimate.md, "The first-order rule"): with
    # every cell of a table seen, it is (|Y| - 1)(|B| - 1) / (2 n) nats.
    tables = {"i_yts": (ref.counts.reshape(ny, -1), nt * ns), "i_yt": (ref.counts.sum(axis=2), nt)}
    for key, (table, values) in tables.items():
        assert res.bias[key] >= 0.0
        if table.all():
            assert res.bias[key] == pytest.approx((ny - 1) * (values - 1) / (2 * n * math.log(2)))


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_labels_that_are_whole_floats_none_or_strings_are_classes():
    y, t, s = small_sample()
    base = pid_from_representations(y, t, s, n_clusters=3, bias_correction="none")
    from_generator = pid_from_representations(iter(y.tolist()), t, s, n_clusters=3, bias_correction="none")
    np.testing.assert_array_equal(from_generator.p, base.p)  # once "got shape ()"
    as_float = pid_from_representations(y.astype(float), t, s, n_clusters=3, bias_correction="none")
    np.testing.assert_array_equal(as_float.p, base.p)
    with_none = np.where(y == 1, None, "a").astype(object)  # None is a label like any other
    res = pid_from_representations(with_none, t, s, n_clusters=3, bias_correction="none")
    order = [1 if label is None else 0 for label in res.labels["y"]]
    np.testing.assert_array_equal(res.p, base.p[order])


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_one_continuous_feature_is_clustered_without_normalisation():
    y, t, s = small_sample()
    res = pid_from_representations(y, t[:, :1], s, n_clusters=4, normalize=None, bias_correction="none")
    assert res.settings["t"]["n_values"] == 4  # L2 would have left 2 values: the signs


def test_bfloat16_tensors_and_integer_arrays_of_subsamples_are_accepted():
    torch = pytest.importorskip("torch")
    y, t, s = small_sample()
    t16 = torch.tensor(t).to(torch.bfloat16)
    res = pid_from_representations(y, t16, s, n_clusters=3, subsamples=np.array([2, 4]))
    ref = pid_from_representations(y, t16.float().numpy(), s, n_clusters=3)
    assert res.settings["subsamples"] == [2, 4]
    np.testing.assert_array_equal(res.p, ref.p)


class _OtherFrame:
    """A table of another library (polars-like): columns, to_numpy and dtypes without numpy's kind."""

    def __init__(self, values):
        self.values = values
        self.columns = [f"c{i}" for i in range(values.shape[1])]
        self.dtypes = ["Float64"] * values.shape[1]

    def to_numpy(self):
        return self.values

    def __array__(self, dtype=None, copy=None):
        return self.values


def test_tables_of_other_libraries_are_read_through_np_asarray():
    # The pandas column check once took any dtypes for pandas': a polars-like frame's were all
    # "non-numeric", and a table np.asarray reads well was refused.
    y, t, s = small_sample()
    res = pid_from_representations(y, _OtherFrame(t), s, n_clusters=3)
    np.testing.assert_array_equal(res.counts, pid_from_representations(y, t, s, n_clusters=3).counts)


def _side_lines(res) -> list[str]:
    """The repr's T: and S: lines, each joined from the lines the repr wraps it into."""
    lines: list[str] = []
    for line in repr(res).splitlines()[1:]:
        if line.startswith("   ") and lines:  # a wrapped line's continuation
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return [line for line in lines if line.startswith(("  T: ", "  S: "))]


def test_repr_says_when_pca_was_skipped_and_when_a_pipeline_was_reused():
    # Six features and n_components=10: PCA is skipped, which the repr used to show as "PCA 6"
    # (explained_variance_ratio None, no solver); a reused pipeline looked like a fresh fit.
    y, t, s = small_sample()
    first = pid_from_representations(y, t, s, n_clusters=3)
    assert _side_lines(first)[0] == (
        "  T: 6 features -> l2 -> no PCA (10 components would keep every feature) -> "
        "KMeans 3 (seed 0, 3 clusters used)")
    teacher = first.discretizers[0]
    again = pid_from_representations(y, t, s, n_components=4, n_clusters=3, discretizers=(teacher, None))
    lines = _side_lines(again)
    assert lines[0].endswith("-> KMeans 3 (seed 0, 3 clusters used, reused from an earlier fit)")
    assert lines[1] == "  S: 6 features -> l2 -> PCA 4 -> KMeans 3 (seed 0, 3 clusters used)"
    g = pid_from_representations(y, t, s, estimator="gaussian", n_components=4)
    reused = pid_from_representations(y, t, s, estimator="gaussian", discretizers=g.discretizers)
    assert _side_lines(reused)[1] == (
        "  S: 6 features -> l2 -> PCA 4 (seed 0, reused from an earlier fit) -> 4 Gaussian dimensions"
    )
    assert _side_lines(pid_from_representations(y, t, s, estimator="gaussian"))[1] == (
        "  S: 6 features -> l2 -> no PCA (10 components would keep every feature) -> 6 Gaussian dimensions"
    )


def test_later_features_beyond_the_fitted_float32_range_are_refused_by_name():
    # A float32 fit predicts float64 features cast to float32: a value past 3.4e38 became inf, with
    # numpy's "overflow encountered in cast" and scikit-learn's "Input X contains infinity or a value
    # too large for dtype('float32')", which named neither the argument nor the fix.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    teacher, student = rng.normal(size=(300, 8)).astype(np.float32), rng.normal(size=(300, 8))
    first = pid_from_representations(y, teacher, student, n_clusters=3)
    later = rng.normal(size=(300, 8))
    later[3, 2] = -1e40
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match=r"^t_features holds values up to 1e\+40, beyond float32 \(at "
                                             r"most 3\.4e\+38\), the dtype this Discretizer was fitted on; "
                                             r"cast to it they would be infinite\. Fit it afresh on these"):
            pid_from_representations(y, later, later, discretizers=(first.discretizers[0], None))
        assert first.discretizers[0].predict(later / 1e10).shape == (300,)  # in range: mapped as before


def test_later_features_just_past_the_float32_max_that_round_to_it_are_mapped_not_refused():
    # a18f0c0 refused any float64 value above float32's max, but numpy rounds those within half a
    # float32 step of it (up to about 3.4028236e38) to the max itself: a finite cast, no warning, and
    # scikit-learn maps it. Only a cast that makes an inf is refused.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    teacher, student = rng.normal(size=(300, 8)).astype(np.float32), rng.normal(size=(300, 8))
    fitted = pid_from_representations(y, teacher, student, n_clusters=3).discretizers[0]
    most = float(np.finfo(np.float32).max)
    later = rng.normal(size=(300, 8))
    later[3, 2] = most * (1 + 2.0**-25)  # a quarter of float32's step at the max above it
    assert later[3, 2] > most and np.isfinite(later.astype(np.float32)).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert fitted.predict(later).shape == (300,)
        later[3, 2] = most * (1 + 2.0**-23)  # a whole step past: cast to float32 it is inf
        with pytest.raises(ValueError, match=r"^t_features holds values up to 3\.4e\+38, beyond float32"):
            pid_from_representations(y, later, later, discretizers=(fitted, None))
