"""``gaussian_pid_from_samples`` with the inputs a notebook user has: pandas objects and torch
tensors, read as ``pidkit.estimate`` reads them."""

from __future__ import annotations

import numpy as np
import pytest

import pidkit

N = 2000


def _degraded(seed: int = 0):
    """Y -> T -> S, scalar: I(Y;T) = 0.5 bits, I(Y;S) = 0.161 bits."""
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(N)
    t = y + rng.standard_normal(N)
    s = t + 2 * rng.standard_normal(N)
    return y, t, s


def test_pandas_objects_with_different_indexes_are_refused_not_paired_by_position():
    pd = pytest.importorskip("pandas")
    y, t, s = _degraded()
    perm = np.random.default_rng(1).permutation(N)
    y_shuffled = pd.Series(y)[perm]  # filtered or shuffled in pandas: it keeps its index
    # Paired by position, I(Y;T) of 0.49 bits came out as 0.0002 bits, with status 'optimal'.
    with pytest.raises(ValueError, match=(
        rf"^y and t are pandas objects with different indexes \(at position 0: {perm[0]} and 0\); "
        r"samples are paired by position, not by index, so they would be paired wrongly\. Align "
        r"them first, e\.g\. t = t\.loc\[y\.index\]"
    )):
        pidkit.gaussian_pid_from_samples(y_shuffled, pd.DataFrame({"t": t}), pd.DataFrame({"s": s}))
    frame_t = pd.DataFrame({"t": t})
    aligned = pidkit.gaussian_pid_from_samples(y_shuffled, frame_t.loc[y_shuffled.index], s[perm])
    assert aligned.i_yt == pytest.approx(pidkit.gaussian_pid_from_samples(y, t, s).i_yt, rel=1e-12)
    assert aligned.i_yt > 0.45
    index = pd.Index(np.arange(N) * 3 + 100)  # one index, not 0..n-1: fine
    same = pidkit.gaussian_pid_from_samples(
        pd.Series(y, index=index), pd.DataFrame({"t": t}, index=index), pd.Series(s, index=index)
    )
    assert same.red == pidkit.gaussian_pid_from_samples(y, t, s).red


def test_torch_tensors_are_read_as_pidkit_estimate_reads_them():
    torch = pytest.importorskip("torch")
    y, t, s = _degraded()
    reference = pidkit.gaussian_pid_from_samples(y, t, s)
    # A tensor that requires grad (a model's output) was a TypeError quoting torch ("Can't call
    # numpy() on Tensor that requires grad"), and a bfloat16 one "Got unsupported ScalarType BFloat16".
    grad = pidkit.gaussian_pid_from_samples(torch.tensor(y, requires_grad=True), torch.tensor(t), s)
    assert grad.i_yt == pytest.approx(reference.i_yt, rel=1e-12)
    half = pidkit.gaussian_pid_from_samples(y, torch.tensor(t).bfloat16(), s)
    assert half.i_yt == pytest.approx(reference.i_yt, abs=0.01)  # bfloat16 keeps 8 bits of t
    with pytest.raises(ValueError) as info:
        pidkit.gaussian_pid_from_samples(y, torch.zeros(N, 2, 2), s)
    assert str(info.value) == (
        "t must be of shape (n_samples,) or (n_samples, n_features) with at least one feature; "
        "got shape (2000, 2, 2). If each sample's 4 values are its features, flatten them: "
        "t.reshape(2000, -1) (pidkit.estimate.pid_from_representations(..., estimator='gaussian') "
        "flattens them and keeps n_components principal components)."
    )


def test_dataframes_are_read_by_their_columns_as_pidkit_estimate_reads_them():
    pd = pytest.importorskip("pandas")
    y, t, s = _degraded()
    flag = np.random.default_rng(2).random(N) > 0.5
    # A float column beside a bool one: pandas' to_numpy gives an object array, which was refused
    # as "t must hold real numbers; got dtype object".
    mixed = pidkit.gaussian_pid_from_samples(y, pd.DataFrame({"t": t, "flag": flag}), s)
    plain = pidkit.gaussian_pid_from_samples(y, np.column_stack([t, flag]), s)
    assert mixed.i_yt == plain.i_yt
    with pytest.raises(TypeError, match=r"^t is a DataFrame with 1 non-numeric column\(s\): 'name' "
                                        r"\((str|object)\); features must be numbers\. Select"):
        pidkit.gaussian_pid_from_samples(y, pd.DataFrame({"t": t, "name": ["a"] * N}), s)


def test_one_bootstrap_replicate_is_refused_as_in_pidkit_estimate():
    y, t, s = _degraded()
    # It gave zero-width "95 % intervals", e.g. red (0.272, 0.272).
    with pytest.raises(ValueError, match=r"^bootstrap=1: one replicate has no spread"):
        pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=1)
