"""The name of the run that a method starts from, made and read in one place.

A method with a :attr:`~pidkit_distill.methods.Distiller.student_init` (TED: BAS) starts
from the trained student of that method, which ``train`` trains first in its own folder beside
the method's run: ``RUN.METHOD-init`` (TED's ``RUN.bas-init``). The trainer makes the name
(:func:`starting_run_name`); the check of a configuration (such a run always sets
``run.resume``), the resume's look at the runs beside a run (the method's run continues it
itself) and the report (it is no seed of the user's runs of its method) read it
(:func:`started_run_of`). This module imports no PyTorch, so that all of them may use it.
"""

from __future__ import annotations

from pidkit_distill.registry import registry_key

__all__ = ["started_run_of", "starting_run_name"]

_SUFFIX = "-init"


def starting_run_name(run_name: str, method: str) -> str:
    """The name of the run of ``method`` that the run ``run_name`` starts from.

    Parameters
    ----------
    run_name : str
        The name of the run folder of the method that starts from it (TED's run).
    method : str
        The registered name of the method whose trained student it starts from
        (:attr:`~pidkit_distill.methods.Distiller.student_init`: TED's ``"bas"``).

    Returns
    -------
    str
        ``RUN.METHOD-init``, the name of a folder beside ``run_name``'s.

    Examples
    --------
    >>> starting_run_name("digits-ted-tt-s0", "bas")
    'digits-ted-tt-s0.bas-init'
    """
    return f"{run_name}.{method}{_SUFFIX}"


def started_run_of(name: str, *, method: str | None = None) -> tuple[str, str] | None:
    """The run, and the method, whose starting run ``name`` is (:func:`starting_run_name`).

    Parameters
    ----------
    name : str
        A run folder's name, or a ``config.json``'s ``run.name``.
    method : str or None, default=None
        The method of the run named, where it is known (its ``config.json``'s
        ``method.name``): ``name`` must then end in ``.METHOD-init`` of that method, in any
        case (as :func:`~pidkit_distill.registry.registry_key` reads a name), which also tells
        the run apart from a method whose name holds a dot (``my.kd``). ``None``: any method,
        the one after the name's last dot.

    Returns
    -------
    tuple of (str, str) or None
        ``(RUN, METHOD)`` for a ``name`` ``RUN.METHOD-init`` in which neither is empty;
        ``None`` for any other name.

    Examples
    --------
    >>> started_run_of("digits-ted-tt-s0.bas-init")
    ('digits-ted-tt-s0', 'bas')
    >>> started_run_of("seed.1.bas-init")  # a run.name of the user's that holds a dot
    ('seed.1', 'bas')
    >>> started_run_of("x.my.kd-init", method="my.kd")
    ('x', 'my.kd')
    >>> started_run_of("x.kd-init", method="bas") is None  # not the method's
    True
    >>> started_run_of("digits-bas-tt-s0") is None, started_run_of(".bas-init") is None
    (True, True)
    """
    if not name.endswith(_SUFFIX):
        return None
    named = name[:-len(_SUFFIX)]
    if method is None:
        run, _, found = named.rpartition(".")
        return (run, found) if run and found else None
    key = registry_key(method)
    dot = len(named) if key else 0
    while (dot := named.rfind(".", 0, dot)) > 0:  # the last dot whose method is ``method``
        if registry_key(named[dot + 1:]) == key:
            return named[:dot], named[dot + 1:]
    return None
