"""Solver statuses, defined once, with the groups code tests membership in."""

OPTIMAL = "optimal"
"""Solved and certified: the optimality gap is within ``tol``."""
OPTIMAL_INACCURATE = "optimal_inaccurate"
"""A solution was returned but its gap or feasibility residual exceeds ``tol``."""
FAILED = "failed"
"""No usable solution: every solver tried failed."""
EXACT = "exact"
"""Closed form or exact arithmetic: nothing to certify."""

SOLUTION_PRESENT = frozenset({OPTIMAL, OPTIMAL_INACCURATE, EXACT})
"""Statuses that come with numbers."""
CERTIFIED = frozenset({OPTIMAL, EXACT})
"""Statuses whose numbers can be trusted to ``tol``."""
