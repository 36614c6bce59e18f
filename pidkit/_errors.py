"""Exceptions raised by pidkit."""


class SolverError(RuntimeError):
    """A solver failed, or returned an answer it could not certify to the requested tolerance."""
