"""The code an error suggests works on what the user passed: each test takes the suggested code
out of the message, runs it on the input (numpy array, pandas Series or DataFrame, torch tensor,
list) and checks that the call then gives the right answer."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse

from pidkit import joint_from_samples
from pidkit.estimate import Discretizer, Projector, pid_from_representations
from pidkit.estimate.inputs import check_features, check_labels

RNG = np.random.default_rng(0)
N = 60
Y = RNG.integers(0, 2, N)
T_LABELS = RNG.integers(0, 3, N)
S = RNG.normal(size=(N, 3))


def _suggested(call, name, given, pattern):
    """Run ``call(given)``, take the code that ``pattern`` (one group) finds in its message and
    return what that code gives when ``given`` is bound to ``name``."""
    with pytest.raises((ValueError, TypeError)) as caught:
        call(given)
    found = re.search(pattern, str(caught.value))
    assert found, str(caught.value)
    return eval(found.group(1), {"np": np, name: given})  # the message's own code, run on the input


def _pid(y, t, s):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pid_from_representations(y, t, s, n_clusters=3)


def _pandas():
    return pytest.importorskip("pandas")


def _torch():
    return pytest.importorskip("torch")


def _one_column(kind):
    if kind == "DataFrame":
        return _pandas().DataFrame({"cluster": T_LABELS})
    if kind == "tensor":
        return _torch().tensor(T_LABELS[:, None])
    return T_LABELS[:, None].tolist() if kind == "list" else T_LABELS[:, None]


def _one_hot(kind):
    onehot = np.eye(2, dtype=int)[Y]
    if kind == "DataFrame":
        return _pandas().DataFrame(onehot, columns=["cat", "dog"])
    if kind == "tensor":
        return _torch().tensor(onehot)
    return onehot.tolist() if kind == "list" else onehot


def _one_feature(kind, values):
    if kind == "Series":
        return _pandas().Series(values)
    if kind == "tensor":
        return _torch().tensor(values)
    return values.tolist() if kind == "list" else values


KINDS = ["array", "DataFrame", "tensor", "list"]
FLAT_KINDS = ["array", "Series", "tensor", "list"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_column_of_labels_as_features_is_passed_as_suggested(kind):
    t = _one_column(kind)
    fixed = _suggested(lambda v: _pid(Y, v, S), "t_features", t, r"1-D \((.+?)\) and is used")
    assert _pid(Y, fixed, S).counts.tolist() == _pid(Y, T_LABELS, S).counts.tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_a_column_of_labels_given_to_the_projector_is_passed_as_suggested(kind):
    t = _one_column(kind)
    fixed = _suggested(lambda v: Projector().fit(v), "X", t, r"1-D \((.+?)\) and is used")
    assert _pid(Y, fixed, S).counts.tolist() == _pid(Y, T_LABELS, S).counts.tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_a_column_of_labels_given_to_the_discretizer_is_passed_as_suggested(kind):
    t = _one_column(kind)
    fixed = _suggested(lambda v: Discretizer().fit(v), "X", t, r"1-D \((.+?)\) and is used")
    assert _pid(Y, fixed, S).counts.tolist() == _pid(Y, T_LABELS, S).counts.tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_a_column_of_labels_is_passed_as_suggested(kind):
    y = _one_column(kind)
    fixed = _suggested(lambda v: check_labels(v, "y"), "y", y, r"pass (.+)\.$")
    assert check_labels(fixed, "y").tolist() == T_LABELS.tolist()
    fixed = _suggested(lambda v: joint_from_samples(v, Y, S[:, 0] > 0), "y", y, r"pass (.+)\.$")
    expected = joint_from_samples(T_LABELS, Y, S[:, 0] > 0).counts
    assert joint_from_samples(fixed, Y, S[:, 0] > 0).counts.tolist() == expected.tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_one_hot_targets_are_passed_as_suggested(kind):
    y = _one_hot(kind)
    fixed = _suggested(lambda v: check_labels(v, "y"), "y", y, r"pass (.+)\.$")
    assert check_labels(fixed, "y").tolist() == Y.tolist()


@pytest.mark.parametrize("kind", FLAT_KINDS)
def test_one_feature_per_sample_is_reshaped_as_suggested(kind):
    values = RNG.normal(size=N)
    t = _one_feature(kind, values)
    fixed = _suggested(lambda v: check_features(v, "t_features"), "t_features", t, r"use (.+?) with")
    np.testing.assert_array_equal(check_features(fixed, "t_features"), values[:, None])


@pytest.mark.parametrize("kind", FLAT_KINDS)
def test_whole_float_labels_are_made_integers_as_suggested(kind):
    t = _one_feature(kind, T_LABELS.astype(float))
    fixed = _suggested(lambda v: _pid(Y, v, S), "t_features", t, r"as integers \((.+?)\) and")
    assert _pid(Y, fixed, S).counts.tolist() == _pid(Y, T_LABELS, S).counts.tolist()


def test_whole_float_labels_in_a_bfloat16_tensor_are_made_integers_as_suggested():
    t = _torch().tensor(T_LABELS).bfloat16()  # numpy has no bfloat16: .numpy() alone refuses it
    fixed = _suggested(lambda v: _pid(Y, v, S), "t_features", t, r"as integers \((.+?)\) and")
    assert _pid(Y, fixed, S).counts.tolist() == _pid(Y, T_LABELS, S).counts.tolist()


@pytest.mark.parametrize("kind", FLAT_KINDS)
def test_labels_off_by_rounding_are_rounded_as_suggested(kind):
    y = _one_feature(kind, Y - 1e-9)
    fixed = _suggested(lambda v: check_labels(v, "y"), "y", y, r"round them: (.+)\.$")
    assert check_labels(fixed, "y").tolist() == Y.tolist()
    t = _one_feature(kind, T_LABELS - 1e-9)
    fixed = _suggested(lambda v: _pid(Y, v, S), "t_features", t, r"as integers \((.+?)\) and")
    assert _pid(Y, fixed, S).counts.tolist() == _pid(Y, T_LABELS, S).counts.tolist()


@pytest.mark.parametrize("kind", ["array", "DataFrame", "list"])
def test_features_with_a_column_per_sample_are_transposed_as_suggested(kind):
    t = RNG.normal(size=(N, 2))
    given = _pandas().DataFrame(t.T) if kind == "DataFrame" else t.T.tolist() if kind == "list" else t.T
    fixed = _suggested(lambda v: _pid(Y, v, S), "t_features", given, r"pass (\S+)\.")
    np.testing.assert_array_equal(check_features(fixed, "t_features"), t)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tensor_labels_off_by_rounding_in_joint_from_samples_are_rounded_as_suggested(dtype):
    torch = _torch()
    t = torch.tensor([0.0, 1.0000001, 2.0] * 4, dtype=getattr(torch, dtype))
    y, s = [0, 1, 1] * 4, [1, 0, 1] * 4
    with pytest.raises(ValueError) as caught:
        joint_from_samples(y, t, s)
    found = re.search(r"round them: (.+)\.$", str(caught.value))
    assert found, str(caught.value)
    fixed = eval(found.group(1), {"np": np, "t": t})  # the message's own code, run on the tensor
    assert joint_from_samples(y, fixed, s).labels["t"].tolist() == [0, 1, 2]


def _two_axes(kind, values):
    """``values`` (2-D) as a scipy.sparse matrix or array, or an np.matrix."""
    if kind == "matrix":
        return np.matrix(values)
    return getattr(scipy.sparse, kind)(values)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("kind", ["csr_matrix", "csr_array", "coo_array", "matrix"])
def test_sparse_and_matrix_one_hot_targets_are_passed_as_suggested(kind):
    y = _two_axes(kind, np.eye(2, dtype=int)[Y])
    fixed = _suggested(lambda v: check_labels(v, "y"), "y", y, r"For one-hot targets pass (.+)\.$")
    assert check_labels(fixed, "y").tolist() == Y.tolist()


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("kind", ["csr_matrix", "csr_array", "matrix"])
def test_sparse_and_matrix_columns_of_labels_are_passed_as_suggested(kind):
    y = _two_axes(kind, T_LABELS[:, None])
    fixed = _suggested(lambda v: check_labels(v, "y"), "y", y, r"For a column of labels pass (.+)\.$")
    assert check_labels(fixed, "y").tolist() == T_LABELS.tolist()
    fixed = _suggested(lambda v: joint_from_samples(v, Y, Y), "y", y, r"For a column of labels pass (.+)\.$")
    expected = joint_from_samples(T_LABELS, Y, Y).counts
    assert joint_from_samples(fixed, Y, Y).counts.tolist() == expected.tolist()


def _mixed(kind, values):
    """``values``, numbers beside strings, as a list, an object array or a pandas Series."""
    if kind == "Series":
        return _pandas().Series(values, dtype=object)
    return np.array(values, dtype=object) if kind == "array" else values


@pytest.mark.parametrize("kind", ["array", "Series", "list"])
def test_integers_beside_strings_are_made_strings_as_suggested(kind):
    y = _mixed(kind, [0, "0", 1, "1"] * (N // 4))
    fixed = _suggested(lambda v: joint_from_samples(v, Y, T_LABELS), "y", y, r"a string, (.+?), or every one")
    expected = joint_from_samples([0, 0, 1, 1] * (N // 4), Y, T_LABELS).counts
    assert joint_from_samples(fixed, Y, T_LABELS).counts.tolist() == expected.tolist()


@pytest.mark.parametrize("kind", ["array", "Series", "list"])
def test_whole_floats_beside_strings_are_not_told_astype_str_which_keeps_them_apart(kind):
    # 7710d8d told np.asarray(y).astype(str) here too, which writes 1.0 as '1.0' beside the '1':
    # followed, it gave a joint of 4 labels for 2, the silent split the refusal is there to stop
    values = [0.0, "0", 1.0, "1"] * (N // 4)
    y = _mixed(kind, values)
    assert len(set(np.asarray(y).astype(str).tolist())) == 4  # what that code gives
    with pytest.raises(ValueError, match=(
            r"^y mixes label types, numbers and strings \(0\.0 at index 0, '0' at index 1\): .* Pass "
            r"labels of one type: make every label a number, or every one a string with the whole floats "
            r"written as ints first \(str\(0\.0\) is '0\.0', not '0'\)\.$")):
        joint_from_samples(y, Y, T_LABELS)
    ints_first = [str(int(v)) if isinstance(v, float) else v for v in values]  # as the message says
    expected = joint_from_samples([0, 0, 1, 1] * (N // 4), Y, T_LABELS).counts
    assert joint_from_samples(ints_first, Y, T_LABELS).counts.tolist() == expected.tolist()
