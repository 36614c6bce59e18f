"""Tests of the MIMKD bounds and critics (Shrivastava et al. 2022) and the ``mimkd`` distiller."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from pidkit_distill.methods.mimkd import (
    ConvCritic,
    ProjectDotCritic,
    derangement,
    infonce_loss,
    jsd_loss,
)


@settings(max_examples=30, deadline=None)
@given(n_pos=st.integers(1, 20), n_neg=st.integers(1, 20), seed=st.integers(0, 2**16))
def test_jsd_loss_matches_numpy_reference(n_pos, n_neg, seed):
    rng = np.random.default_rng(seed)
    pos, neg = rng.normal(scale=3, size=n_pos), rng.normal(scale=3, size=n_neg)
    expected = np.mean(np.log1p(np.exp(-pos))) + np.mean(np.log1p(np.exp(neg)))
    got = jsd_loss(torch.from_numpy(pos), torch.from_numpy(neg)).item()
    assert got == pytest.approx(expected, rel=1e-9)
    assert got > 0


def test_jsd_loss_uninformative_and_perfect_critic():
    assert jsd_loss(torch.zeros(3), torch.zeros(3)).item() == pytest.approx(2 * math.log(2))
    assert jsd_loss(torch.full((3,), 30.0), torch.full((3,), -30.0)).item() < 1e-12


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 16), seed=st.integers(0, 2**16))
def test_infonce_loss_matches_numpy_reference(n, seed):
    scores = np.random.default_rng(seed).normal(scale=2, size=(n, n))
    row_max = scores.max(axis=1, keepdims=True)
    lse = np.log(np.exp(scores - row_max).sum(axis=1)) + row_max[:, 0]
    expected = float(np.mean(lse - np.diag(scores)))
    assert infonce_loss(torch.from_numpy(scores)).item() == pytest.approx(expected, rel=1e-9)
    # The InfoNCE estimate log(n) - loss never exceeds log(n).
    assert expected >= 0


def test_infonce_loss_uninformative_is_log_n_and_bad_shape():
    assert infonce_loss(torch.zeros(6, 6)).item() == pytest.approx(math.log(6))
    with pytest.raises(ValueError, match=r"square \(n, n\) matrix with n >= 2"):
        infonce_loss(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="must be non-empty"):
        jsd_loss(torch.zeros(0), torch.zeros(2))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 64), seed=st.integers(0, 2**16))
def test_derangement_is_permutation_without_fixed_points(n, seed):
    perm = derangement(n, generator=torch.Generator().manual_seed(seed))
    assert sorted(perm.tolist()) == list(range(n))
    assert bool((perm != torch.arange(n)).all())


def test_derangement_of_two_swaps_and_rejects_one():
    assert derangement(2).tolist() == [1, 0]
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        derangement(1)


def test_conv_critic_replicates_teacher_vector():
    torch.manual_seed(0)
    critic = ConvCritic(3, 2, hidden=8)
    t, s = torch.randn(4, 3), torch.randn(4, 2, 5, 5)
    replicated = t[:, :, None, None].repeat(1, 1, 5, 5)
    assert torch.allclose(critic(t, s), critic(replicated, s))
    # Each location is scored independently (1x1 convolutions only).
    one = critic(t, s[:, :, 2:3, 3:4])
    assert torch.allclose(one[:, 0, 0], critic(t, s)[:, 2, 3], atol=1e-6)


def test_project_dot_critic_pair_scores_are_the_diagonal():
    torch.manual_seed(0)
    critic = ProjectDotCritic(5, 3, hidden=8, out_dim=4)
    t, s = torch.randn(6, 5), torch.randn(6, 3)
    assert torch.allclose(critic.pair_scores(t, s), torch.diagonal(critic(t, s)), atol=1e-6)


def _train_critic_jsd(student_of: callable, *, steps: int = 100) -> float:
    # Fit a small critic on fresh batches; return the held-out JSD loss with one shuffled negative.
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    critic = ConvCritic(4, 4, hidden=32)
    opt = torch.optim.Adam(critic.parameters(), lr=3e-3)

    def loss_on(t: torch.Tensor) -> torch.Tensor:
        s = student_of(t)[:, :, None, None]
        perm = derangement(t.shape[0], generator=g)
        return jsd_loss(critic(t, s), critic(t[perm], s))

    for _ in range(steps):
        opt.zero_grad()
        loss_on(torch.randn(64, 4, generator=g)).backward()
        opt.step()
    with torch.no_grad():
        return loss_on(torch.randn(512, 4, generator=g)).item()


@pytest.fixture
def one_thread():
    # Hundreds of tiny optimizer steps: thread hand-offs dominate on a busy 2-core machine.
    saved = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(saved)


@pytest.mark.usefixtures("one_thread")
def test_jsd_loss_is_small_when_student_equals_teacher_and_not_when_independent():
    # The JSD bound is maximised (loss minimised) by a student that is a copy of the teacher;
    # with an independent student no critic can beat the uninformative value 2 log 2.
    g = torch.Generator().manual_seed(1)
    copy_loss = _train_critic_jsd(lambda t: t)
    indep_loss = _train_critic_jsd(lambda t: torch.randn(t.shape, generator=g))
    assert copy_loss < 0.5 * 2 * math.log(2)
    assert indep_loss > 0.95 * 2 * math.log(2)


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
    x = torch.randn(batch, *shape, generator=torch.Generator().manual_seed(seed))
    return teacher, student, x, torch.arange(batch) % num_classes


def test_registry_defaults():
    from pidkit_distill.methods import available_methods, get_method
    from pidkit_distill.methods.mimkd import MIMKD

    assert "mimkd" in available_methods() and get_method("mimkd") is MIMKD
    p = MIMKD.make_params()
    assert (p.alpha, p.lambda_g, p.lambda_l, p.lambda_f) == (1.0, 1.0, 0.75, 1.0)
    assert (p.global_bound, p.critic_hidden) == ("infonce", 512)
    with pytest.raises(ValueError, match=r"global_bound must be one of \['infonce', 'jsd'\]"):
        MIMKD.make_params(global_bound="nce")
    with pytest.raises(ValueError, match="critic_hidden must be a positive int"):
        MIMKD.make_params(critic_hidden=0)


@pytest.mark.parametrize("global_bound", ["infonce", "jsd"])
@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_gradients_reach_student_and_critics_only(kind, global_bound):
    from pidkit_distill.methods.mimkd import MIMKD

    teacher, student, x, y = _pair(kind, batch=2)
    mimkd = MIMKD(student, teacher, sample_input=x, num_classes=4, critic_hidden=16,
                  global_bound=global_bound)
    assert mimkd.feature_pairs == (0, 1, 2)  # every pair has equal spatial sizes layer by layer
    out = mimkd(x, y, epoch=0)
    assert set(out.losses) == {"ce", "global", "local", "feature"}
    assert all(torch.isfinite(v) for v in out.losses.values())
    sum(out.losses.values()).backward()
    assert all(p.grad is None for p in teacher.parameters())
    critics = [mimkd.global_critic, mimkd.local_critic, *mimkd.feature_critics]
    for critic in critics:
        assert all(p.grad is not None for p in critic.parameters())
        assert sum(p.grad.abs().sum() for p in critic.parameters()) > 0
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in student.parameters())
    group = {id(p) for p in mimkd.optimizer_groups()["student"]}
    assert {id(p) for c in critics for p in c.parameters()} <= group
    assert not {id(p) for p in teacher.parameters()} & group


def test_default_critics_and_weights_of_the_terms():
    # Paper-sized critics (512 filters); a zero weight drops its term; untrained critics start
    # near the uninformative values (log n for InfoNCE, 2 log 2 for JSD).
    from pidkit_distill.methods.mimkd import MIMKD

    teacher, student, x, y = _pair("synthetic", batch=8)
    mimkd = MIMKD(student, teacher, sample_input=x, num_classes=4)
    assert mimkd.local_critic.net[0].out_channels == 512
    losses = mimkd(x, y, epoch=0).losses
    assert losses["local"].item() == pytest.approx(0.75 * 2 * math.log(2), rel=0.1)
    only_ce = MIMKD(student, teacher, sample_input=x, num_classes=4, critic_hidden=8,
                    lambda_g=0.0, lambda_l=0.0, lambda_f=0.0, alpha=0.5)
    out = only_ce(x, y, epoch=0)
    assert set(out.losses) == {"ce"}
    assert out.losses["ce"].item() == pytest.approx(
        0.5 * torch.nn.functional.cross_entropy(out.logits, y).item()
    )


class _Fake(torch.nn.Module):
    """A model whose distilled layers have chosen spatial sizes (for the pairing rules)."""

    def __init__(self, sizes: tuple[int, ...]) -> None:
        super().__init__()
        self.sizes = sizes
        self.conv = torch.nn.Conv2d(1, 2, kernel_size=1)
        self.fc = torch.nn.Linear(2, 4)

    def forward_features(self, x):
        from pidkit_distill.models import Features

        out = self.conv(x)
        layers = [torch.nn.functional.adaptive_avg_pool2d(out, s) for s in self.sizes]
        pooled = out.mean((2, 3))
        return Features(self.fc(pooled), layers, pooled)

    def forward(self, x):
        return self.forward_features(x).logits


def test_feature_pairs_only_same_sized_maps_and_error_when_none():
    from pidkit_distill.methods.mimkd import MIMKD

    x, y = torch.randn(3, 1, 8, 8), torch.tensor([0, 1, 2])
    mimkd = MIMKD(_Fake((8, 4, 2)), _Fake((8, 2, 2)), sample_input=x, num_classes=4,
                  critic_hidden=4)
    assert mimkd.feature_pairs == (0, 2) and len(mimkd.feature_critics) == 2
    assert torch.isfinite(mimkd(x, y, epoch=0).losses["feature"])
    with pytest.raises(ValueError, match="pass lambda_f=0"):
        MIMKD(_Fake((4,)), _Fake((2,)), sample_input=x, num_classes=4, critic_hidden=4)
    no_f = MIMKD(_Fake((4,)), _Fake((2,)), sample_input=x, num_classes=4, critic_hidden=4,
                 lambda_f=0.0)
    assert "feature" not in no_f(x, y, epoch=0).losses


@pytest.mark.parametrize("kind", ["digits", "wrn"])
def test_batch_of_one_gives_cross_entropy_only(kind):
    from pidkit_distill.methods.itrd import ITRD
    from pidkit_distill.methods.mimkd import MIMKD

    teacher, student, x, y = _pair(kind, batch=2)
    for distiller in (MIMKD(student, teacher, sample_input=x, num_classes=4, critic_hidden=4),
                      ITRD(student, teacher, sample_input=x, num_classes=4)):
        out = distiller(x[:1], y[:1], epoch=0)
        assert set(out.losses) == {"ce"}
        assert out.losses["ce"].item() == pytest.approx(
            torch.nn.functional.cross_entropy(out.logits, y[:1]).item()
        )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_runs_on_cuda_with_bf16_autocast():
    from pidkit_distill.methods.itrd import ITRD
    from pidkit_distill.methods.mimkd import MIMKD

    teacher, student, x, y = _pair("wrn", batch=4)
    for cls in (MIMKD, ITRD):
        distiller = cls(student, teacher, sample_input=x, num_classes=4).cuda()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            out = distiller(x.cuda(), y.cuda(), epoch=0)
        total = sum(out.losses.values())
        assert total.dtype == torch.float32 and torch.isfinite(total)
        total.backward()
        assert all(p.grad is None for p in teacher.parameters())


@pytest.mark.parametrize("kind", ["synthetic", "digits"])
def test_one_step_of_its_optimizer_group_decreases_the_loss(kind):
    # The same negatives before and after the step: the derangement uses torch's default
    # generator, reseeded before each forward pass.
    from pidkit_distill.methods.mimkd import MIMKD

    teacher, student, x, y = _pair(kind, batch=16)
    mimkd = MIMKD(student, teacher, sample_input=x, num_classes=4, critic_hidden=16).train()
    opt = torch.optim.SGD(mimkd.optimizer_groups()[mimkd.phase(0)], lr=1e-3)
    torch.manual_seed(7)
    before = sum(mimkd(x, y, epoch=0).losses.values())
    before.backward()
    opt.step()
    torch.manual_seed(7)
    after = sum(mimkd(x, y, epoch=0).losses.values())
    assert after.item() < before.item()


# --- the shared first layer equals the critic of the concatenation ----------------------------


def _concatenated(critic: ConvCritic, t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    # The paper's critic, literally: replicate a teacher vector, concatenate, run the network.
    if t.dim() == 2:
        t = t[:, :, None, None].expand(-1, -1, s.shape[2], s.shape[3])
    return critic.net(torch.cat([t, s], dim=1)).squeeze(1)


@pytest.mark.parametrize("teacher_shape", [(5,), (5, 3, 4)])
def test_conv_critic_scores_equal_the_concatenated_input(teacher_shape):
    torch.manual_seed(0)
    critic = ConvCritic(5, 2, hidden=8).double()
    t = torch.randn(6, *teacher_shape, dtype=torch.float64)
    s = torch.randn(6, 2, 3, 4, dtype=torch.float64, requires_grad=True)
    perm = derangement(6, generator=torch.Generator().manual_seed(1))
    pos, neg = critic.scores_with_negatives(t, s, perm)
    ref_pos, ref_neg = _concatenated(critic, t, s), _concatenated(critic, t[perm], s)
    torch.testing.assert_close(critic(t, s), ref_pos, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close((pos, neg), (ref_pos, ref_neg), rtol=1e-12, atol=1e-12)
    weights = torch.randn(2, 6, 3, 4, dtype=torch.float64)
    grads = torch.autograd.grad((weights[0] * pos + weights[1] * neg).sum(),
                                [s, *critic.parameters()])
    ref_grads = torch.autograd.grad((weights[0] * ref_pos + weights[1] * ref_neg).sum(),
                                    [s, *critic.parameters()])
    for got, want in zip(grads, ref_grads, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["synthetic", "digits"])
def test_mimkd_loss_and_gradients_equal_the_concatenated_critics(kind):
    # The distiller's loss against the paper's formulation on float64 models, same negatives.
    from pidkit_distill.methods.mimkd import MIMKD

    teacher, student, x, y = _pair(kind, batch=8)
    mimkd = MIMKD(student, teacher, sample_input=x, num_classes=4, critic_hidden=8,
                  global_bound="jsd").double().train()
    x = x.double()
    torch.manual_seed(7)
    out = mimkd(x, y, epoch=0)
    torch.manual_seed(7)
    perm = derangement(len(x))
    s, t = mimkd.student.forward_features(x), mimkd.teacher.forward_features(x)
    g = mimkd.global_critic
    local_map = s.layers[-1] if s.layers[-1].dim() == 4 else s.layers[-1][:, :, None, None]

    def as_map(z):
        return z if z.dim() == 4 else z[:, :, None, None]

    ref = {
        "ce": F.cross_entropy(s.logits, y),
        "global": jsd_loss(g.pair_scores(t.pooled, s.pooled), g.pair_scores(t.pooled[perm], s.pooled)),
        "local": 0.75 * jsd_loss(_concatenated(mimkd.local_critic, t.pooled, local_map),
                                 _concatenated(mimkd.local_critic, t.pooled[perm], local_map)),
        "feature": torch.stack([
            jsd_loss(_concatenated(c, as_map(t.layers[k]), as_map(s.layers[k])),
                     _concatenated(c, as_map(t.layers[k])[perm], as_map(s.layers[k])))
            for k, c in zip(mimkd.feature_pairs, mimkd.feature_critics, strict=True)
        ]).mean(),
    }
    assert set(out.losses) == set(ref)
    for key in ref:
        torch.testing.assert_close(out.losses[key], ref[key], rtol=1e-10, atol=1e-12)
    params = mimkd.optimizer_groups()["student"]
    got = torch.autograd.grad(sum(out.losses.values()), params)
    want = torch.autograd.grad(sum(ref.values()), params)
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)
