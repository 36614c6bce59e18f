"""A side given as labels that pins down some of y's classes (a network's predictions that are
never wrong on a class) has an infinite Gaussian information: ``estimator="gaussian"`` says so in
the caller's names and points to the discrete estimator, where it said "y, t and s: T determines a
linear combination of Y exactly ... add observation noise"."""

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations


def _data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    noise = rng.normal(size=(600, 4))
    return rng, y, noise


def test_predictions_never_wrong_on_one_class_are_refused_naming_it():
    rng, y, noise = _data()
    names = np.array(["cat", "dog", "eel"])
    t = y.copy()
    swap = (y > 0) & (rng.random(600) < 0.2)          # dog and eel confused, cat never
    t[swap] = 3 - y[swap]
    with pytest.raises(ValueError) as caught:
        pid_from_representations(names[y], names[t], noise, estimator="gaussian")
    assert str(caught.value) == (
        "t_features holds labels that determine part of y exactly: the samples of class 'cat' of y "
        "are exactly those where t_features is 'cat' (a network's predictions that are never wrong "
        "there, say). The Gaussian model gives that an infinite information (a canonical correlation "
        "of 1), so estimator='gaussian' cannot decompose it: use estimator='discrete', which counts "
        "it, or pass features for t_features (logits, a hidden layer) instead of labels."
    )
    discrete = pid_from_representations(names[y], names[t], noise)
    assert 1.0 < discrete.i_yt < 1.3                  # what the discrete estimator counts
    wrong = rng.random(600) < 0.1                     # labels that err on every class: estimated
    t = np.where(wrong, (y + 1) % 3, y)
    res = pid_from_representations(y, t, noise, estimator="gaussian")
    assert res.settings["t"] == {"kind": "one-hot", "n_values": 3} and 1.5 < res.i_yt < 4.0


def test_merged_classes_are_named_together_on_the_student_side():
    # s merges classes 1 and 2 into one value, and never mixes them with class 0
    _, y, noise = _data()
    s = np.where(y == 0, 7, 8)
    with pytest.raises(ValueError, match=r"^s_features holds labels that determine part of y exactly: "
                                         r"the samples of class 0 of y are exactly those where "
                                         r"s_features is 7 "):
        pid_from_representations(y, noise, s, estimator="gaussian")

