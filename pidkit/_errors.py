"""Exceptions raised by pidkit."""


class SolverError(RuntimeError):
    """A solver failed, or returned an answer it could not certify to the requested tolerance.

    Raised by the decompositions when ``strict=True`` (their default); the message names the
    measure, the status, the gap and what to change. With ``strict=False`` they return the best
    effort instead, its ``status`` saying it is not certified.

    Examples
    --------
    No solver certifies a gap below its float64 rounding allowance; the message says which
    ``tol`` can be certified:

    >>> import pidkit
    >>> pidkit.bertschinger(pidkit.examples.and_(), tol=1e-20)
    Traceback (most recent call last):
    ...
    pidkit.SolverError: broja: the solver did not certify its answer (status \
'optimal_inaccurate', ...: no solver can certify it; pass tol=5e-14 or more (twice the \
allowance, for a margin; tol is in bits whatever units is). Pass strict=False to get the best-effort \
result with its status.
    >>> r = pidkit.bertschinger(pidkit.examples.and_(), tol=1e-20, strict=False)
    >>> r.status, r.success, round(r.red, 6)
    ('optimal_inaccurate', False, 0.311278)
    """

    __module__ = "pidkit"  # where users import it from: tracebacks and pickles name that path
