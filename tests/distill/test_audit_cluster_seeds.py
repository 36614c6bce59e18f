"""``audit.cluster_seeds``: the audit's estimate as the mean over KMeans seeds, passed to
:func:`pidkit.estimate.pid_from_representations` (``cluster_seeds``), recorded in the record's
settings; 1 (the default) keeps the single-seed numbers."""

from __future__ import annotations

import pytest
import torch

from pidkit.estimate import pid_from_representations
from pidkit_distill import audit_networks, load_config, tap_features
from pidkit_distill.audit import ATOMS, collect_features
from pidkit_distill.config import AuditConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_the_key_is_accepted_and_a_bad_value_is_refused_by_name():
    assert AuditConfig().cluster_seeds == 1
    assert load_config(overrides=["audit.cluster_seeds=3"]).audit.cluster_seeds == 3
    with pytest.raises(ValueError, match=r"config key 'audit.cluster_seeds' must be >= 1, got 0"):
        AuditConfig(cluster_seeds=0).check()
    with pytest.raises(TypeError, match=r"config key 'audit.cluster_seeds' expects an int, got '3'"):
        AuditConfig(cluster_seeds="3").check()
    with pytest.raises(ValueError, match=r"Did you mean 'audit\.cluster_seeds'\?"):  # a misspelt key
        load_config(overrides=["audit.cluster_seed=3"])


def _pair() -> tuple[torch.nn.Module, torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    x = torch.randn(400, 10)
    y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()

    def net(width: int) -> torch.nn.Module:
        return tap_features(torch.nn.Sequential(torch.nn.Linear(10, width), torch.nn.ReLU()),
                            layers=["1"])
    return net(16), net(6), x, y


@pytest.mark.parametrize("seeds", [1, 3])
def test_the_audit_gives_the_numbers_of_a_direct_call_with_its_seeds(seeds):
    teacher, student, x, y = _pair()
    settings = AuditConfig(cluster_seeds=seeds, bootstrap=6, clusters=4, seed=2)
    (record,) = audit_networks(teacher, student, (x, y), settings=settings, progress=False)
    (t_feat,), (s_feat,), labels = collect_features(teacher, student, (x, y))
    direct = pid_from_representations(
        labels, t_feat, s_feat, n_components=10, normalize="l2", random_state=2, bootstrap=6,
        confidence=0.95, n_clusters=4, units="bits", strict=False, progress=False,
        cluster_seeds=seeds)
    assert {name: record[name] for name in ATOMS} == {name: float(getattr(direct, name))
                                                      for name in ATOMS}
    assert record["intervals"] == {name: [float(lo), float(hi)]
                                   for name, (lo, hi) in direct.intervals.items()}
    assert record["settings"]["cluster_seeds"] == seeds
    assert record["settings"].get("cluster_seed_sd") == direct.settings.get("cluster_seed_sd")
    if seeds == 1:  # the default: the call without cluster_seeds, to the bit
        plain = pid_from_representations(
            labels, t_feat, s_feat, n_components=10, normalize="l2", random_state=2, bootstrap=6,
            confidence=0.95, n_clusters=4, units="bits", strict=False, progress=False)
        assert record["red"] == float(plain.red) and record["syn"] == float(plain.syn)
    else:  # the mean over three seeds is not the first seed's estimate
        assert set(record["settings"]["cluster_seed_sd"]) >= {"red", "syn"}
        assert record["red"] != float(pid_from_representations(
            labels, t_feat, s_feat, n_components=10, normalize="l2", random_state=2,
            n_clusters=4, units="bits", strict=False).red)


def test_seeds_with_the_gaussian_estimator_are_refused_as_the_api_refuses_them():
    """Nothing is clustered, so nothing would be averaged: refused by name before any run, as
    pid_from_representations refuses cluster_seeds=3 with estimator='gaussian'."""
    AuditConfig(cluster_seeds=1, estimator="gaussian").check()
    fix = (r"config key 'audit.cluster_seeds' is 3, but audit.estimator='gaussian' does not "
           r"cluster, so there are no seeds to average: set audit.cluster_seeds to 1, or "
           r"audit.estimator to 'discrete'")
    with pytest.raises(ValueError, match=fix):
        AuditConfig(cluster_seeds=3, estimator="gaussian").check()
    with pytest.raises(ValueError, match=fix):
        load_config(overrides=["audit.estimator=gaussian", "audit.cluster_seeds=3"])
    teacher, student, x, y = _pair()
    with pytest.raises(ValueError, match=fix):
        audit_networks(teacher, student, (x, y), progress=False,
                       settings=AuditConfig(estimator="gaussian", cluster_seeds=3, bootstrap=0))


def test_the_record_keeps_the_seeds_the_estimate_used():
    """The gaussian estimate uses no seeds: its record says 1, the estimator's own count."""
    teacher, student, x, y = _pair()
    (record,) = audit_networks(teacher, student, (x, y), progress=False,
                               settings=AuditConfig(estimator="gaussian", bootstrap=0))
    assert record["settings"]["cluster_seeds"] == 1
