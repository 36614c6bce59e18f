"""Calls into pidkit as its README and docs make them, for mypy (never run by pytest).

``tests/test_typing.py`` runs mypy on this file as a user's type checker sees an installed pidkit
(``--follow-imports=silent``: no error inside pidkit is reported) and checks that it finds no
error here and that each ``reveal_type`` gives the type in its comment (module paths and numpy's
array parameters left out).
"""

from typing import TYPE_CHECKING

import numpy as np

import pidkit
from pidkit.estimate import pid_from_representations

if TYPE_CHECKING:
    from typing_extensions import reveal_type

rng = np.random.default_rng(0)
labels = rng.integers(0, 2, 200)
teacher = labels ^ (rng.random(200) < 0.1)
student = rng.integers(0, 2, 200)

r = pidkit.bertschinger(pidkit.examples.and_())
reveal_type(r)  # PIDResult
reveal_type(r.red)  # float
reveal_type(r.uni_t)  # float
reveal_type(r.uni_s)  # float
reveal_type(r.syn)  # float
reveal_type(r.i_yts)  # float
reveal_type(r.gap)  # float
reveal_type(r.status)  # str
reveal_type(r.success)  # bool
reveal_type(r.q)  # ndarray | None
reveal_type(r.nit)  # int | None
reveal_type(r.to_dict())  # dict[str, Any]

joint = pidkit.joint_from_samples(labels, teacher, student)
reveal_type(joint.p)  # ndarray
reveal_type(joint.labels)  # dict[str, ndarray]
reveal_type(joint.n_samples)  # int
reveal_type(pidkit.pid(joint.p, measure="broja"))  # PIDResult
reveal_type(pidkit.pid(joint.p, measure="gh", strict=False).red)  # float
reveal_type(pidkit.bertschinger_batch([pidkit.examples.and_(), joint.p], n_jobs=1))  # list[PIDResult]
reveal_type(pidkit.bertschinger_batch(np.stack([pidkit.examples.xor()] * 2)))  # list[PIDResult]
reveal_type(pidkit.redundancy(joint.p, measure="wedge"))  # float
reveal_type(pidkit.i_gh(joint.p))  # float
reveal_type(pidkit.i_mmi(joint.p, units="nats"))  # float
reveal_type(pidkit.entropy(joint.p, "y"))  # float
reveal_type(pidkit.mutual_information(joint.p, "y", "ts"))  # float
reveal_type(pidkit.conditional_mutual_information(joint.p, "y", "t", "s"))  # float
reveal_type(pidkit.co_information(joint.p))  # float
reveal_type(pidkit.gaussian_pid(np.eye(3), (1, 1, 1)))  # PIDResult
reveal_type(pidkit.examples.xor())  # ndarray

features_t = rng.normal(size=(200, 4))
features_s = rng.normal(size=(200, 4))
estimate = pid_from_representations(labels, features_t, features_s, n_jobs=1, bootstrap=20)
reveal_type(estimate)  # RepresentationPID
reveal_type(estimate.red)  # float
reveal_type(estimate.syn)  # float
reveal_type(estimate.pid)  # PIDResult
reveal_type(estimate.intervals)  # dict[str, tuple[float, float]] | None
reveal_type(estimate.to_dict())  # dict[str, Any]
reveal_type(pidkit.to_frame([r, estimate]))  # Any
