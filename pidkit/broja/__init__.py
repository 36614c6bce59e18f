"""The Bertschinger et al. (2014) unique-information program ("BROJA"), solved and certified.

Modules, each with one job:

- :mod:`~pidkit.broja.program`: the program, its support, objective, dual bound, the one
  projection onto the marginals and the certificate every answer carries;
- :mod:`~pidkit.broja.reduction`: exact reductions before any solver runs (negligible masses,
  independent parts, closed forms) and the assembly of the parts' answers;
- :mod:`~pidkit.broja.native`: pidkit's interior-point solver, one loop over stacks of joints with
  Newton systems chosen by shape and memory;
- :mod:`~pidkit.broja.cvxpy`: the reference path through cvxpy;
- :mod:`~pidkit.broja.solve`: :func:`bertschinger`, options, fallbacks and the result;
- :mod:`~pidkit.broja.batch`: :func:`bertschinger_batch`, many joints, joblib.
"""

from .batch import bertschinger_batch
from .solve import DEFAULT_TOL_BITS, bertschinger

__all__ = ["DEFAULT_TOL_BITS", "bertschinger", "bertschinger_batch"]
