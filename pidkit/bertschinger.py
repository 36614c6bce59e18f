"""The Bertschinger et al. (2014) decomposition ("BROJA"); the solver lives in :mod:`pidkit.broja`.

>>> from pidkit.bertschinger import bertschinger
>>> round(bertschinger(__import__("pidkit").examples.xor()).syn, 9)
1.0
"""

from ._errors import SolverError
from .broja import DEFAULT_TOL_BITS, bertschinger, bertschinger_batch

__all__ = ["DEFAULT_TOL_BITS", "SolverError", "bertschinger", "bertschinger_batch"]
