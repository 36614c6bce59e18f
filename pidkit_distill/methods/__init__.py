"""Distillation methods behind one registry.

Each method lives in its own module and registers itself with
:func:`~pidkit_distill.register_method`; importing this package imports every method module, so
:func:`get_method` and :func:`available_methods` see all of them.

Examples
--------
>>> from pidkit_distill.methods import available_methods
>>> {"bas", "kd", "vid", "ted", "rid"} <= set(available_methods())
True
"""

# Every method module, one per line; each registers itself on import. Add new methods here.
from pidkit_distill.methods import (  # noqa: F401
    bas,
    itrd,
    kd,
    mimkd,
    rid,
    ted,
    vid,
)
from pidkit_distill.methods.base import (
    Distiller,
    Params,
    StepOutput,
    available_methods,
    get_method,
    register_method,
    unregister_method,
)

__all__ = [
    "Distiller",
    "Params",
    "StepOutput",
    "available_methods",
    "get_method",
    "register_method",
    "unregister_method",
]
