"""Tests of the MIMKD bounds and critics (Shrivastava et al. 2022) and the ``mimkd`` distiller."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
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


def test_jsd_loss_is_small_when_student_equals_teacher_and_not_when_independent():
    # The JSD bound is maximised (loss minimised) by a student that is a copy of the teacher;
    # with an independent student no critic can beat the uninformative value 2 log 2.
    g = torch.Generator().manual_seed(1)
    copy_loss = _train_critic_jsd(lambda t: t)
    indep_loss = _train_critic_jsd(lambda t: torch.randn(t.shape, generator=g))
    assert copy_loss < 0.5 * 2 * math.log(2)
    assert indep_loss > 0.95 * 2 * math.log(2)
