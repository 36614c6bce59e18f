"""A ``tol`` that is loose for the joint it certifies, at least 1 % of its I(Y;T,S) and above 1e-6 bits,
is warned of, by every entry point that takes ``tol``, through one rule (t-500: walk, ``tol=1`` on
AND, I(Y;T,S) = 0.81 bits, was ``"optimal"`` after no iteration with a gap of 0.33 bits, silently;
``tol`` is an absolute bound in bits on the certified gap, whatever ``units`` is). The defaults, the
``tol`` values the docs use and a ``tol`` that cannot move an atom are not warned of."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit._units import LOOSE_TOL_BITS, loose_tol, to_nats
from pidkit.gaussian import estimate_from_covariance

LOOSE = r"tol=\S+ bits is loose for "
ADVICE = re.compile(r"or pass one below (\S+) bits")
COV = np.array([[1.0, 0.8, 0.5], [0.8, 1.0, 0.3], [0.5, 0.3, 1.0]])


def _samples(n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.standard_normal(n)
    return y, y[:, None] + rng.standard_normal((n, 2)), rng.standard_normal((n, 2))


def _loose_warnings(call) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if re.match(LOOSE, str(w.message))]


def test_tol_1_on_and_is_warned_of_with_the_joints_information_and_the_answers_gap():
    with pytest.warns(UserWarning, match=LOOSE) as caught:
        r = pidkit.bertschinger(examples.and_(), tol=1)
    (warning,) = [w for w in caught if re.match(LOOSE, str(w.message))]
    text = str(warning.message)
    assert warning.filename == __file__  # the line that passed tol, not pidkit's
    assert text.startswith("tol=1 bits is loose for this joint, whose I(Y;T,S) is 0.811 bits: a status of "
                           "'optimal' vouches only for a certified gap below tol, by which each atom may be "
                           f"off (this answer's gap: {r.gap:.3g} bits). tol is an absolute bound in bits on "
                           "the gap, whatever units is, not a relative one: leave it at its default, 1e-09, "
                           "or pass one below 0.0081 bits (1 % of I(Y;T,S)).")
    assert r.status == "optimal"  # the status stays as honest as it was


@pytest.mark.parametrize(("name", "call"), [
    ("pid", lambda: pidkit.pid(examples.and_(), tol=0.01, units="nats")),
    ("bertschinger", lambda: pidkit.bertschinger(examples.and_(), tol=0.5)),
    ("gaussian_pid", lambda: pidkit.gaussian_pid(COV, (1, 1, 1), tol=1)),
    ("gaussian_pid_from_samples",
     lambda: pidkit.gaussian_pid_from_samples(*_samples(), tol=0.5, bootstrap=20)),
    ("estimate_from_covariance", lambda: estimate_from_covariance(COV, (1, 1, 1), n_samples=100, tol=1)),
])
def test_every_entry_point_that_takes_tol_warns_once(name, call):
    # once: the bootstrap's replicates, whose tol replicate_tol may loosen, are not warned of
    (text,) = _loose_warnings(call)
    assert "tol is an absolute bound in bits on the gap, whatever units is" in text


def test_a_nats_result_still_reads_tol_in_bits():
    (text,) = _loose_warnings(lambda: pidkit.pid(examples.and_(), tol=0.01, units="nats"))
    assert text.startswith("tol=0.01 bits is loose for this joint, whose I(Y;T,S) is 0.562 nats (0.811 bits)")
    assert text.endswith("or pass one below 0.0081 bits (1 % of I(Y;T,S)).")


def test_a_batch_warns_once_naming_its_loose_joints():
    joints = [examples.and_(), np.full((2, 2, 2), 1 / 8), examples.xor()] * 3
    (text,) = _loose_warnings(lambda: pidkit.bertschinger_batch(joints, tol=0.1))
    assert text.startswith("tol=0.1 bits is loose for 6 of 9 joints (ps[0], ps[2], ps[3], ps[5], ps[6] and 1 "
                           "more), the least I(Y;T,S) among them 0.811 bits: ")
    assert "(their largest gap: " in text and text.endswith("(1 % of the least I(Y;T,S)).")


@pytest.mark.parametrize(("name", "call"), [
    ("the default", lambda: pidkit.bertschinger(examples.and_())),
    ("the default, batch", lambda: pidkit.bertschinger_batch([examples.and_(), examples.xor()])),
    ("the default, gaussian", lambda: pidkit.gaussian_pid(COV, (1, 1, 1))),
    ("the default, samples", lambda: pidkit.gaussian_pid_from_samples(*_samples(), bootstrap=20)),
    ("docs/gaussian.md's reference", lambda: pidkit.gaussian_pid(COV, (1, 1, 1), method="cvxpy", tol=1e-5)),
    ("1e-6 bits on a joint of 2.6e-5", lambda: pidkit.bertschinger(
        np.array([[[0.253, 0.25]], [[0.247, 0.25]]]), tol=1e-6)),
    ("0.1 % of I(Y;T,S)", lambda: pidkit.bertschinger(examples.and_(), tol=8e-4)),
    ("an independent joint", lambda: pidkit.bertschinger(np.full((2, 2, 2), 1 / 8), tol=1)),
])
def test_no_warning_where_tol_cannot_move_an_atom_by_much(name, call):
    assert _loose_warnings(call) == []


def test_the_tol_the_warning_advises_is_not_warned_of():
    (text,) = _loose_warnings(lambda: pidkit.bertschinger(examples.and_(), tol=1))
    advised = float(ADVICE.search(text).group(1))
    assert _loose_warnings(lambda: pidkit.bertschinger(examples.and_(), tol=advised)) == []


@pytest.mark.parametrize(("tol_bits", "i_yts_bits", "loose"), [
    (0.0099, 1.0, False), (0.01, 1.0, True),         # 1 % of I(Y;T,S)
    (LOOSE_TOL_BITS, 1e-5, False), (2e-6, 1e-5, True),  # above 1e-6 bits only
    (1.0, 1e-7, False),                               # no atom can be off by more than I(Y;T,S)
])
def test_the_rule(tol_bits, i_yts_bits, loose):
    assert loose_tol(to_nats(tol_bits, "bits"), i_yts_bits, "bits") is loose
    assert loose_tol(to_nats(tol_bits, "bits"), to_nats(i_yts_bits, "bits"), "nats") is loose
