"""``RepresentationPID.to_dict(include_q=...)`` passes ``include_q`` to its nested ``pid`` record, as
``PIDResult.to_dict`` and ``GaussianPIDEstimate.to_dict`` take it: without it the record's ``pid``
could never carry the optimiser's joint."""

import json

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations


def _sample(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    t = 3.0 * y[:, None] + rng.normal(size=(n, 2))
    s = 1.5 * y[:, None] + rng.normal(size=(n, 2))
    return y, t, s


def _discrete(measure="broja"):
    y, t, s = _sample()
    return pid_from_representations(y, t, s, n_components=2, n_clusters=3, normalize=None,
                                    bias_correction="none", measure=measure, random_state=0)


def _strict_json(record):
    return json.loads(json.dumps(record, allow_nan=False))


def test_q_is_in_the_pid_record_only_when_asked():
    res = _discrete()
    assert "q" not in res.to_dict()["pid"]
    assert "q" not in res.to_dict(include_q=False)["pid"]
    assert "q" in res.to_dict(include_q=True)["pid"]


def test_include_q_changes_nothing_but_the_pid_records_q():
    res = _discrete()
    lean, full = _strict_json(res.to_dict()), _strict_json(res.to_dict(include_q=True))
    q = full["pid"].pop("q")
    assert q is not None
    assert full == lean


def test_the_records_q_is_the_pids_q_and_has_the_joints_pairwise_marginals():
    res = _discrete()
    q = np.array(_strict_json(res.to_dict(include_q=True))["pid"]["q"])
    np.testing.assert_array_equal(q, res.pid.q)
    assert q.shape == res.p.shape == (3, 3, 3)
    # BROJA's q is the joint with p's (y, t) and (y, s) marginals that minimises I(Y;T,S):
    # an independent check of what was written, from the empirical counts alone
    p = res.counts / res.counts.sum()
    np.testing.assert_allclose(q.sum(axis=2), p.sum(axis=2), atol=1e-7)
    np.testing.assert_allclose(q.sum(axis=1), p.sum(axis=1), atol=1e-7)
    assert q.min() >= -1e-9 and q.sum() == pytest.approx(1.0, abs=1e-9)


def test_gh_q_joint_goes_into_the_pid_records_diagnostics_only_when_asked():
    res = _discrete("gh")
    lean, full = _strict_json(res.to_dict()), _strict_json(res.to_dict(include_q=True))
    assert "q_joint" not in lean["pid"]["diagnostics"]
    assert full["pid"]["q"] is None  # GH has no q, only its joint p(q, y, t, s)
    joint = np.array(full["pid"]["diagnostics"]["q_joint"])
    np.testing.assert_array_equal(joint, res.pid.diagnostics["q_joint"])
    np.testing.assert_allclose(joint.sum(axis=0), res.counts / res.counts.sum(), atol=1e-9)


def test_the_gaussian_estimators_record_takes_include_q_too():
    y, t, s = _sample()
    res = pid_from_representations(y, t, s, estimator="gaussian", n_components=2)
    assert "q" not in res.to_dict()["pid"]
    record = _strict_json(res.to_dict(include_q=True))
    assert record["pid"]["q"] is None and res.pid.q is None  # the Gaussian PID has no discrete q
    assert record["pid"]["n_samples"] == 400


def test_include_q_is_keyword_only():
    with pytest.raises(TypeError):
        _discrete().to_dict(True)
