"""How results behave under Python's protocols: a missing attribute, ``hasattr``, ``==``.

A miss raised an ``AttributeError`` whose "Did you mean" suggestion (difflib over every name of
the result) was worked out when raised, so ``hasattr(result, "x")`` in a loop paid for a message
nobody read. The suggestion is now made when the message is read; the text is the same.
"""

from __future__ import annotations

import copy
import pickle
import traceback

import numpy as np
import pytest

import pidkit
from pidkit._names import closest
from pidkit.estimate import pid_from_representations

MESSAGE = ("'PIDResult' object has no attribute 'synergy'. Did you mean 'syn'? Its numbers are the atoms "
           "red, uni_t, uni_s, syn and the informations i_yt, i_ys, i_yts, in its units; to_dict() lists "
           "every field.")


@pytest.fixture(scope="module")
def result():
    return pidkit.bertschinger(pidkit.examples.and_())


def test_a_miss_has_the_same_message_name_and_object(result):
    with pytest.raises(AttributeError) as caught:
        result.synergy  # noqa: B018
    assert str(caught.value) == MESSAGE
    assert caught.value.name == "synergy" and caught.value.obj is result
    assert repr(caught.value) == f"MissingAttributeError({MESSAGE!r})"
    with pytest.raises(AttributeError) as far:
        result.colour  # noqa: B018
    assert str(far.value).startswith("'PIDResult' object has no attribute 'colour'. Its numbers are")


def test_the_suggestion_is_not_worked_out_by_hasattr_or_getattr_with_a_default(result, monkeypatch):
    calls = []

    def counted(name, known):
        calls.append(name)
        return closest(name, known)

    monkeypatch.setattr("pidkit._result.closest", counted)  # the difflib search behind "Did you mean"
    assert not hasattr(result, "synergy")
    assert getattr(result, "redundancy", None) is None
    assert calls == []
    with pytest.raises(AttributeError, match=r"Did you mean 'red'\?"):
        result.redundancy  # noqa: B018
    assert calls == ["redundancy"]


def test_an_estimate_misses_alike():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    estimate = pid_from_representations(y, y, rng.integers(0, 2, 200))
    assert not hasattr(estimate, "synergy")
    with pytest.raises(AttributeError, match=r"^'RepresentationPID' object has no attribute 'synergy'\. "
                                             r"Did you mean 'syn'\?"):
        estimate.synergy  # noqa: B018


def test_a_miss_pickles_as_its_message(result):
    with pytest.raises(AttributeError) as caught:
        result.synergy  # noqa: B018
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is AttributeError and str(again) == MESSAGE


def test_equality_is_identity_and_agrees_with_hash(result):
    twin = copy.deepcopy(result)
    assert result == result and hash(result) == hash(result)
    assert result != twin  # equal numbers, another object: compare the numbers instead
    assert np.allclose([result.red, result.syn], [twin.red, twin.syn], atol=1e-6)
    assert len({result, twin}) == 2


def test_a_miss_has_the_args_of_pythons_own_and_a_public_name(result):
    # args was () (the message is made lazily), so `err.args[0]` raised IndexError; tracebacks
    # said pidkit._result.MissingAttributeError, a private module's path
    with pytest.raises(AttributeError) as caught:
        result.synergy  # noqa: B018
    err = caught.value
    assert err.args == (MESSAGE,)
    assert traceback.format_exception_only(type(err), err) == [f"pidkit.MissingAttributeError: {MESSAGE}\n"]
    assert type(err) is pidkit.MissingAttributeError and "MissingAttributeError" in pidkit.__all__
    err.args = (f"while reading a batch: {err.args[0]}",)  # as a handler that adds context does
    assert str(err) == f"while reading a batch: {MESSAGE}" and err.args == (str(err),)
