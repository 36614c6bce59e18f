"""Every result has the fields docs/index.md's Conventions promise: ``status``, ``success``,
``message``, ``gap`` and ``to_dict()`` holding them as strict JSON."""

import json
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.estimate import pid_from_representations

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 2, 300)
T = 3.0 * Y[:, None] + RNG.normal(size=(300, 2))
S = RNG.normal(size=(300, 2))
COV = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.2], [0.3, 0.2, 1.0]])


def _representation(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pid_from_representations(Y, T, S, estimator=estimator, n_components=2, normalize=None,
                                        **({"n_clusters": 2} if estimator == "discrete" else {}))


RESULTS = {
    "pid": lambda: pidkit.pid(np.full((2, 2, 2), 1 / 8)),
    "gaussian_pid": lambda: pidkit.gaussian_pid(COV, (1, 1, 1)),
    "representations, discrete": lambda: _representation("discrete"),
    "representations, gaussian": lambda: _representation("gaussian"),
}


@pytest.mark.parametrize("which", list(RESULTS))
def test_every_result_has_the_documented_fields(which):
    result = RESULTS[which]()
    solved = getattr(result, "pid", result)  # a representation PID reports its full-sample solve
    assert (result.status, result.success) == ("optimal", True)
    assert result.message == solved.message
    assert result.message.startswith(("solved", "closed form")), result.message
    assert 0 <= result.gap == solved.gap < 1e-6
    record = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert {k: record[k] for k in ("status", "success", "message", "gap")} == {
        "status": "optimal", "success": True, "message": result.message, "gap": result.gap}
