"""pidkit: partial information decomposition of what a teacher network taught a student.

A joint pmf ``p[y, t, s]`` (target, teacher, student) goes in; information atoms come out.

>>> import pidkit
>>> pidkit.bertschinger(pidkit.examples.xor()).syn
1.0
"""

from . import estimate, examples, measures
from ._errors import SolverError
from ._result import PIDResult
from .bertschinger import bertschinger
from .decompose import pid
from .measures import (
    co_information,
    conditional_mutual_information,
    entropy,
    mutual_information,
)
from .samples import EmpiricalJoint, joint_from_dit, joint_from_samples

__all__ = [
    "EmpiricalJoint",
    "PIDResult",
    "SolverError",
    "bertschinger",
    "co_information",
    "conditional_mutual_information",
    "entropy",
    "estimate",
    "examples",
    "joint_from_dit",
    "joint_from_samples",
    "measures",
    "mutual_information",
    "pid",
]
__version__ = "0.1.0"
