"""What the native solver computes once per solve, or only where it is used: the start from the
marginals the loop already has, and the Hessian factor's P = L^-1 Q^T R^-1, formed for the pair
systems but not for the certificate's Newton projection."""

import numpy as np
import pytest

from pidkit.broja import native
from pidkit.broja.native import hessian, ipm
from pidkit.broja.native.stack import Masks

JOINT = np.random.default_rng(4).dirichlet(np.ones(3 * 4 * 5)).reshape(1, 3, 4, 5)


def test_the_start_from_the_loops_marginals_is_the_conditionally_independent_coupling():
    p_yt, p_ys = JOINT.sum(axis=3), JOINT.sum(axis=2)
    p_t, p_s = p_yt.sum(axis=1), p_ys.sum(axis=1)
    lam, mu, kg, e = ipm._start(p_yt, p_ys, p_t, p_s, Masks.of(p_yt, p_ys))
    q0 = p_yt[..., None] * p_ys[:, :, None, :] / p_yt.sum(axis=2)[..., None, None]
    np.testing.assert_allclose(kg[:, 0, None] * e, q0, rtol=1e-13)
    np.testing.assert_allclose(e, np.exp(lam[..., None] + mu[:, :, None, :]), rtol=1e-13)
    np.testing.assert_allclose(kg[:, 1], 1.0 - e.sum(axis=1), rtol=1e-13)
    # The start scales the largest M to 0.99, leaving every slack g = 1 - M at least 0.01.
    m = 1.0 - kg[:, 1]
    assert m.max() == pytest.approx(0.99, rel=1e-12)
    assert kg[:, 1].min() >= 0.01 - 1e-12


def test_coupling_is_l_inverse_q_transpose_r_inverse():
    q = JOINT * np.random.default_rng(5).uniform(0.5, 2.0, JOINT.shape)
    row, col = q.sum(axis=3), q.sum(axis=2)
    factor = hessian.HessianFactor(q, row, col, Masks.of(row, col))
    n_s = q.shape[3]
    for y in range(q.shape[1]):
        qy = q[0, y]
        schur = np.diag(col[0, y]) - qy.T @ (qy / row[0, y][:, None]) + col[0, y].sum() / n_s
        lower = np.linalg.cholesky(schur)
        np.testing.assert_allclose(factor.coupling()[0, y], np.linalg.solve(lower, qy.T / row[0, y]),
                                   rtol=1e-12, atol=1e-15)


def test_the_certificates_projection_does_not_form_the_coupling(monkeypatch):
    # Each iteration's pair system forms P once; the polishing factor of the certificate solves
    # without it (it used to form it at construction, a batched product as large as q).
    built, formed = [], []
    real_init, real_coupling = hessian.HessianFactor.__init__, hessian.HessianFactor.coupling

    def counted_init(self, *args):
        built.append(1)
        real_init(self, *args)

    def counted_coupling(self):
        formed.append(1)
        return real_coupling(self)

    monkeypatch.setattr(hessian.HessianFactor, "__init__", counted_init)
    monkeypatch.setattr(hessian.HessianFactor, "coupling", counted_coupling)
    solution = native.solve([JOINT[0]], tol_nats=1e-9 * np.log(2))[0]
    assert solution.certified and native.plan(JOINT[0].shape).name == "DensePairSystem"
    assert solution.nit >= 3
    assert len(formed) == solution.nit  # one pair system per iteration
    assert len(built) == solution.nit + 1  # and the certificate's factor, which forms no P
