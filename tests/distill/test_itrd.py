"""Tests of the ITRD losses (Miles et al. 2022) and the ``itrd`` distiller."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pidkit_distill.methods.itrd import itrd_correlation_loss, itrd_mutual_information_loss


def _numpy_corr_loss(zs: np.ndarray, zt: np.ndarray, alpha: float) -> float:
    # Independent reference: c_i = (n - 1) / n * Pearson rho_i (unbiased standardisation).
    n, d = zs.shape
    rho = np.array([np.corrcoef(zs[:, i], zt[:, i])[0, 1] for i in range(d)])
    c = (n - 1) / n * rho
    return float(np.log2(np.sum(np.abs(c - 1.0) ** (2 * alpha))))


def _numpy_mi_loss(zs: np.ndarray, zt: np.ndarray) -> float:
    # Closed form for non-zero rows: sum_{i != j} K_ij^2 (1 - M_ij^2) / n^2 with cosine Grams K, M.
    us = zs / np.linalg.norm(zs, axis=1, keepdims=True)
    ut = zt / np.linalg.norm(zt, axis=1, keepdims=True)
    k, m = us @ us.T, ut @ ut.T
    n = zs.shape[0]
    return float(np.sum(k**2 * (1.0 - m**2)) / n**2)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 40),
    d=st.integers(1, 8),
    alpha=st.sampled_from([0.5, 1.0, 1.01, 1.5, 2.0]),
    scale=st.floats(0.1, 10.0),
    shift=st.floats(-5.0, 5.0),
    seed=st.integers(0, 2**16),
)
def test_corr_loss_equals_lower_bound_for_affine_student(n, d, alpha, scale, shift, seed):
    # log2(d) - 2 alpha log2(n) is the minimum: |c_i - 1| >= 1/n with unbiased standardisation.
    zt = torch.randn(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    loss = itrd_correlation_loss(scale * zt + shift, zt, alpha=alpha)
    assert loss.item() == pytest.approx(math.log2(d) - 2 * alpha * math.log2(n), abs=1e-4)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(3, 30), d=st.integers(1, 6), seed=st.integers(0, 2**16),
       alpha=st.sampled_from([1.01, 1.5]))
def test_corr_loss_matches_numpy_reference_and_bound(n, d, alpha, seed):
    rng = np.random.default_rng(seed)
    zt = rng.normal(size=(n, d))
    zs = 0.5 * zt + rng.normal(size=(n, d))
    loss = itrd_correlation_loss(torch.from_numpy(zs), torch.from_numpy(zt), alpha=alpha).item()
    assert loss == pytest.approx(_numpy_corr_loss(zs, zt, alpha), abs=1e-4)
    assert loss >= math.log2(d) - 2 * alpha * math.log2(n) - 1e-6


def test_corr_loss_strictly_above_bound_when_not_correlated():
    g = torch.Generator().manual_seed(0)
    zt = torch.randn(64, 8, generator=g)
    zs = torch.randn(64, 8, generator=g)
    bound = math.log2(8) - 2 * 1.01 * math.log2(64)
    assert itrd_correlation_loss(zs, zt, alpha=1.01).item() > bound + 5.0


def test_corr_loss_anticorrelated_student_is_worst_case():
    # rho = -1 gives c = -(n-1)/n, the largest |c - 1| possible.
    zt = torch.randn(10, 3, generator=torch.Generator().manual_seed(1))
    loss = itrd_correlation_loss(-zt, zt, alpha=1.0)
    assert loss.item() == pytest.approx(math.log2(3 * (1 + 9 / 10) ** 2), abs=1e-4)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 30), d=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_mi_loss_matches_closed_form_and_is_nonnegative(n, d, seed):
    rng = np.random.default_rng(seed)
    zs, zt = rng.normal(size=(n, d)), rng.normal(size=(n, d))
    loss = itrd_mutual_information_loss(torch.from_numpy(zs), torch.from_numpy(zt)).item()
    assert loss == pytest.approx(_numpy_mi_loss(zs, zt), abs=1e-6)
    assert loss >= -1e-7


def test_mi_loss_zero_when_student_equals_prototype_teacher():
    # Teacher similarities all in {0, 1}: the student equal to the teacher is a global minimiser.
    zt = torch.eye(5)[torch.tensor([0, 1, 2, 3, 4, 0, 1, 2])] * 3.0
    assert itrd_mutual_information_loss(zt.clone(), zt).item() == pytest.approx(0.0, abs=1e-7)
    other = torch.randn(8, 5, generator=torch.Generator().manual_seed(0))
    assert itrd_mutual_information_loss(other, zt).item() > 1e-3


def test_mi_loss_invariant_to_row_scaling():
    g = torch.Generator().manual_seed(2)
    zs, zt = torch.randn(12, 4, generator=g), torch.randn(12, 4, generator=g)
    scales = torch.rand(12, 1, generator=g) + 0.1
    a = itrd_mutual_information_loss(zs, zt)
    b = itrd_mutual_information_loss(zs * scales, zt)
    assert a.item() == pytest.approx(b.item(), rel=1e-5)


def test_losses_batch_of_two_finite_with_gradient():
    zs = torch.randn(2, 5, generator=torch.Generator().manual_seed(3), requires_grad=True)
    zt = torch.randn(2, 5, generator=torch.Generator().manual_seed(4))
    total = itrd_correlation_loss(zs, zt, alpha=1.01) + itrd_mutual_information_loss(zs, zt)
    assert torch.isfinite(total)
    total.backward()
    assert zs.grad is not None and torch.isfinite(zs.grad).all() and zs.grad.abs().sum() > 0


def test_corr_loss_constant_teacher_dimension_stays_finite():
    zt = torch.randn(6, 3, generator=torch.Generator().manual_seed(5))
    zt[:, 1] = 0.0  # a dead ReLU unit in the teacher
    zs = torch.randn(6, 3, generator=torch.Generator().manual_seed(6), requires_grad=True)
    loss = itrd_correlation_loss(zs, zt)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(zs.grad).all()


@pytest.mark.parametrize(
    ("zs", "zt", "kwargs", "match"),
    [
        (torch.zeros(4, 3), torch.zeros(4, 2), {}, "same shape"),
        (torch.zeros(1, 3), torch.zeros(1, 3), {}, "at least 2"),
        (torch.zeros(4, 3, 2), torch.zeros(4, 3, 2), {}, "2-D"),
        (torch.randn(4, 3), torch.randn(4, 3), {"alpha": 0.0}, "alpha must be a positive"),
    ],
)
def test_corr_loss_bad_input(zs, zt, kwargs, match):
    with pytest.raises(ValueError, match=match):
        itrd_correlation_loss(zs, zt, **kwargs)


def test_mi_loss_bad_type():
    with pytest.raises(TypeError, match=r"zs must be a torch\.Tensor"):
        itrd_mutual_information_loss(np.zeros((4, 3)), torch.zeros(4, 3))


# --- the registered distiller ---------------------------------------------------------------

PAIRS = {
    "synthetic": ("synthetic-teacher", "synthetic-student", (6,), 6),
    "digits": ("digits-teacher", "digits-student", (1, 8, 8), 1),
    "wrn": ("wrn-40-2", "wrn-16-1", (3, 32, 32), 3),
}


def _pair(kind: str, *, batch: int = 2, num_classes: int = 4, seed: int = 0):
    from pidkit_distill.models import build_model

    teacher_name, student_name, shape, in_channels = PAIRS[kind]
    torch.manual_seed(seed)
    teacher = build_model(teacher_name, num_classes=num_classes, in_channels=in_channels)
    student = build_model(student_name, num_classes=num_classes, in_channels=in_channels)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, *shape, generator=g)
    y = torch.arange(batch) % num_classes
    return teacher, student, x, y


def test_registry_defaults_and_presets():
    from pidkit_distill.methods import available_methods, get_method
    from pidkit_distill.methods.itrd import ITRD

    assert "itrd" in available_methods() and get_method("itrd") is ITRD
    p = ITRD.make_params()
    assert (p.beta_corr, p.beta_mi, p.alpha) == (2.0, 1.0, 1.01)
    assert ITRD.make_params(preset="cross-architecture").alpha == 1.5
    with pytest.raises(TypeError, match="unknown parameter"):
        ITRD.make_params(beta=1.0)
    with pytest.raises(ValueError, match="beta_mi must be a real number >= 0"):
        ITRD.make_params(beta_mi=-1.0)


@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_gradients_reach_student_and_embedding_only(kind):
    from pidkit_distill.methods.itrd import ITRD

    teacher, student, x, y = _pair(kind, batch=2)
    itrd = ITRD(student, teacher, sample_input=x, num_classes=4)
    out = itrd(x, y, epoch=0)
    assert set(out.losses) == {"ce", "corr", "mi"}
    assert all(torch.isfinite(v) for v in out.losses.values())
    sum(out.losses.values()).backward()
    assert all(p.grad is None for p in teacher.parameters())
    assert itrd.embed.weight.grad is not None and itrd.embed.weight.grad.abs().sum() > 0
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in student.parameters())
    group = {id(p) for p in itrd.optimizer_groups()["student"]}
    assert {id(p) for p in itrd.embed.parameters()} <= group
    assert not {id(p) for p in teacher.parameters()} & group


def test_corr_term_reaches_its_lower_bound_for_a_copy_of_the_teacher():
    # Student = the teacher's weights, embedding = identity: equal features up to the embedding,
    # so the weighted correlation term is beta_corr * (log2 d - 2 alpha log2 n). The input is
    # scaled up so that no pooled unit has a variance near the standardisation epsilon.
    from pidkit_distill.methods.itrd import ITRD
    from pidkit_distill.models import build_model

    teacher, _, x, y = _pair("digits", batch=16)
    x = 100.0 * x
    student = build_model("digits-teacher", num_classes=4, in_channels=1)
    student.load_state_dict(teacher.state_dict())
    itrd = ITRD(student, teacher, sample_input=x, num_classes=4, beta_mi=0.0).eval()
    with torch.no_grad():
        itrd.embed.weight.copy_(torch.eye(128))
        itrd.embed.bias.zero_()
    assert teacher.forward_features(x).pooled.var(0).min() > 1e-3
    losses = itrd(x, y, epoch=0).losses
    assert set(losses) == {"ce", "corr"}
    bound = math.log2(128) - 2 * 1.01 * math.log2(16)
    assert losses["corr"].item() == pytest.approx(2.0 * bound, abs=1e-4)
    # Any other student is strictly above the bound.
    other = ITRD(build_model("digits-student", num_classes=4, in_channels=1), teacher,
                 sample_input=x, num_classes=4, beta_mi=0.0).eval()
    assert other(x, y, epoch=0).losses["corr"].item() > 2.0 * bound + 1.0


@pytest.mark.parametrize("kind", ["synthetic", "digits"])
def test_one_step_of_its_optimizer_group_decreases_the_loss(kind):
    from pidkit_distill.methods.itrd import ITRD

    teacher, student, x, y = _pair(kind, batch=16)
    itrd = ITRD(student, teacher, sample_input=x, num_classes=4).train()
    opt = torch.optim.SGD(itrd.optimizer_groups()[itrd.phase(0)], lr=1e-3)
    before = sum(itrd(x, y, epoch=0).losses.values())
    before.backward()
    opt.step()
    after = sum(itrd(x, y, epoch=0).losses.values())
    assert after.item() < before.item()
