"""The Bertschinger et al. (2014) decomposition ("BROJA"); the solver lives in :mod:`pidkit.broja`.

:func:`bertschinger` is the solver's, refusing positional arguments after the joint with the call to
make, as :func:`pidkit.pid` does.

>>> from pidkit.bertschinger import bertschinger
>>> round(bertschinger(__import__("pidkit").examples.xor()).syn, 9)
1.0
"""

from ._errors import SolverError
from ._positional_joint import one_positional_joint
from .broja import DEFAULT_TOL_BITS, bertschinger_batch
from .broja import bertschinger as _solver_bertschinger

__all__ = ["DEFAULT_TOL_BITS", "SolverError", "bertschinger", "bertschinger_batch"]

bertschinger = one_positional_joint(_solver_bertschinger)
bertschinger.__module__ = __name__  # pickle finds it here, not as pidkit.broja.solve's unwrapped one
