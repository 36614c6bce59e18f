"""pidkit: partial information decomposition of what a teacher network taught a student.

A joint pmf ``p[y, t, s]`` (target, teacher, student) goes in; information atoms come out.

>>> import pidkit
>>> pidkit.bertschinger(pidkit.examples.xor()).syn
1.0
"""

from . import examples, measures
from ._errors import SolverError
from ._result import PIDResult
from .bertschinger import bertschinger

__all__ = [
    "PIDResult",
    "SolverError",
    "bertschinger",
    "examples",
    "measures",
]
__version__ = "0.1.0"
