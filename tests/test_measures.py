import math

import numpy as np
import pytest
from hypothesis import given

from pidkit import examples, measures
from tests.strategies import joints

LOG2_3 = math.log2(3)


def test_entropy_of_vectors_and_marginals():
    assert measures.entropy([0.5, 0.5]) == pytest.approx(1.0)
    assert measures.entropy([0.25] * 4, units="nats") == pytest.approx(math.log(4))
    assert measures.entropy(examples.and_(), "y") == pytest.approx(2 - 0.75 * LOG2_3)
    assert measures.entropy(examples.copy(), "yts") == pytest.approx(2.0)


def test_mutual_information_closed_forms():
    p = examples.and_()
    # I(Y;T) for AND: H(Y) - H(Y|T) = h(1/4) - 1/2
    assert measures.mutual_information(p, "y", "t") == pytest.approx(1.5 - 0.75 * LOG2_3)
    assert measures.mutual_information(p, "y", "ts") == pytest.approx(2 - 0.75 * LOG2_3)
    assert measures.mutual_information(examples.xor(), "y", "s") == pytest.approx(0.0, abs=1e-15)
    assert measures.conditional_mutual_information(examples.xor(), "y", "s", "t") == pytest.approx(1.0)
    assert measures.co_information(examples.xor()) == pytest.approx(-1.0)
    assert measures.co_information(examples.rdn(), units="nats") == pytest.approx(math.log(2))


def test_marginal_follows_the_requested_axis_order():
    p = examples.nuisance_teacher(p_z=[0.3, 0.7], p_g=[0.5, 0.25, 0.25])
    np.testing.assert_allclose(measures.marginal(p, "ty"), p.sum(axis=2).T)
    np.testing.assert_allclose(measures.marginal(p, "s"), [0.3, 0.7])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda p: measures.mutual_information(p, "y", "x"), "must name distinct variables"),
        (lambda p: measures.mutual_information(p, "y", "y"), "must not share variables"),
        (lambda p: measures.entropy(p, ""), "non-empty string"),
        (lambda p: measures.entropy(p, units="bans"), "units must be"),
    ],
)
def test_bad_variable_names_are_rejected(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call(examples.xor())


@given(joints())
def test_chain_rule_and_bounds(p):
    i_ts = measures.mutual_information(p, "y", "ts")
    chain = measures.mutual_information(p, "y", "t") + measures.conditional_mutual_information(
        p, "y", "s", "t"
    )
    assert i_ts == pytest.approx(chain, abs=1e-12)
    assert 0 <= i_ts <= measures.entropy(p, "y") + 1e-12


def _copy_joint(n_t, n_s):
    """Y = (T, S) with T, S uniform: support n_t * n_s cells on an (n_t n_s) x n_t x n_s grid."""
    p = np.zeros((n_t * n_s, n_t, n_s))
    t, s = np.indices((n_t, n_s)).reshape(2, -1)
    p[t * n_s + s, t, s] = 1.0 / (n_t * n_s)
    return p


@pytest.mark.parametrize("units", ["bits", "nats"])
def test_informations_match_the_single_measures_on_dense_and_sparse_joints(units):
    rng = np.random.default_rng(0)
    dense = rng.dirichlet(np.ones(60)).reshape(3, 4, 5)
    sparse = _copy_joint(6, 5)  # 30 of 5,400 cells: the marginals come from the support
    for p in (dense, sparse, examples.and_()):
        info = measures.informations(p, units=units)
        assert info.h_y == pytest.approx(measures.entropy(p, "y", units=units), abs=1e-13)
        assert info.i_yt == pytest.approx(measures.mutual_information(p, "y", "t", units=units), abs=1e-13)
        assert info.i_ys == pytest.approx(measures.mutual_information(p, "y", "s", units=units), abs=1e-13)
        assert info.i_yts == pytest.approx(measures.mutual_information(p, "y", "ts", units=units),
                                           abs=1e-13)
    bits = math.log2(30)  # COPY: I(Y;T) = log |T|, I(Y;S) = log |S|, I(Y;T,S) = H(Y) = log |T||S|
    assert measures.informations(sparse) == pytest.approx((bits, math.log2(6), math.log2(5), bits),
                                                          abs=1e-12)


def test_informations_validates_its_joint():
    with pytest.raises(ValueError, match="p_yts must be a 3-D array"):
        measures.informations(np.full((2, 2), 0.25))
