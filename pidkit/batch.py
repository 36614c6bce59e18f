"""Many BROJA decompositions at once; :func:`bertschinger_batch` lives in :mod:`pidkit.broja`."""

from .broja import bertschinger_batch

__all__ = ["bertschinger_batch"]
