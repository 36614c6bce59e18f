"""The intersection-information family of redundancy measures, computed exactly.

All measures take a joint ``p[y, t, s]`` (target Y, teacher T, student S) and return Red(Y:T,S):

=====================  ==========================================================================
``"broja"``            Bertschinger et al. (2014), via :func:`pidkit.bertschinger` (the default)
``"wedge"``            Griffith et al. (2014) I_wedge = I(Y; T∧S), T∧S the Gács–Körner common part
``"gh"``               Griffith & Ho (2015) I_α, the RID paper's Red_∩ in its standard reading:
                       max I(Y;Q) over p(q|t,s,y) with I(Y;Q|T) = I(Y;Q|S) = 0
``"prec"``             Kolchinsky (2022) Blackwell redundancy I_∩^≺: max I(Y;Q) over p(q|y) that
                       both T and S can produce by a channel
``"mmi"``              min(I(Y;T), I(Y;S))
``"gh-target-only"``   Red_∩ read with Q generated from Y alone: H(Y∧T∧S)
``"gh-function-of-t"`` Red_∩ read with Q = f(T) deterministic (the RID paper's Q = f_t(T))
``"gh-function-of-s"`` the mirror reading Q = f(S)
=====================  ==========================================================================

For two sources they are ordered (``docs/theory.md`` has the proofs)::

    gh-target-only <= wedge <= gh-function-of-t <= gh <= prec <= broja <= mmi

``"gh"`` and ``"prec"`` are exact: the optimal Q is a mixture of vertices of a polytope, found by
exact rational vertex enumeration (pycddlib in GMP mode, the ``exact`` extra) and one linear program
solved in rational arithmetic (``pidkit/_mixture.py``), so nearly deterministic joints and masses
spread over hundreds of orders of magnitude are answered, not declined. Exact reductions come first:
a one-symbol target or source gives 0, and where I_wedge and I_MMI agree within
``LP_TOL_BITS`` (1e-9 bits) no polytope is built. Every answer is checked before it counts as a success:
finite, and between 0 and min_i I(Y; X_i).

Modules, each with one job:

- :mod:`~pidkit.redundancy.value`: :class:`~pidkit.redundancy.value.MeasureValue`, the answer
  every solver returns (Red in nats, status, gap, diagnostics);
- :mod:`~pidkit.redundancy.closed_form`: MMI, I_wedge (connected components), H(Y∧T∧S) and the
  Q = f(T) reading (set partitions);
- :mod:`~pidkit.redundancy.bounds`: 0 <= I_wedge <= Red <= min_i I(Y; X_i), and the shortcut they
  give gh and prec;
- :mod:`~pidkit.redundancy.vertex_lp`: the exact joint and the vertex-mixture LP that gh and prec
  share;
- :mod:`~pidkit.redundancy.gh` and :mod:`~pidkit.redundancy.prec`: each measure's polytope;
- :mod:`~pidkit.redundancy.vertex_limit`: ``max_vertices``, the size past which gh and prec refuse a
  joint before enumerating;
- :mod:`~pidkit.redundancy.dispatch`: :data:`MEASURES`, :data:`NONNEGATIVE_MEASURES` (those whose
  four atoms are never below 0), the checked answer of any measure and :func:`pid_from_measure`;
- :mod:`~pidkit.redundancy.pid_options`: the function :func:`pidkit.pid` calls for each measure and
  the options it passes on;
- :mod:`~pidkit.redundancy.measure_names`: what a measure's name from the literature is to pidkit
  (``"blackwell"`` is ``"prec"``; dit computes ``"imin"``);
- :mod:`~pidkit.redundancy.measure_functions`: the functions returning Red as a float,
  :func:`redundancy` and one per measure (:func:`i_gh`, ...).
- ``float_options``: the refusal, by these functions and :func:`redundancy` (which return a float),
  of an option of :func:`pidkit.pid` (``strict``, ``tol``, ...), naming the call of ``pid`` that takes it.
"""

from .bounds import LP_TOL_BITS as LP_TOL_BITS
from .closed_form import MAX_PARTITION_SYMBOLS as MAX_PARTITION_SYMBOLS
from .closed_form import set_partitions as set_partitions
from .dispatch import MEASURES, NONNEGATIVE_MEASURES, pid_from_measure
from .measure_functions import (
    i_function_of_source,
    i_gh,
    i_mmi,
    i_prec,
    i_target_common,
    i_wedge,
    redundancy,
)

__all__ = [
    "MEASURES",
    "NONNEGATIVE_MEASURES",
    "i_function_of_source",
    "i_gh",
    "i_mmi",
    "i_prec",
    "i_target_common",
    "i_wedge",
    "pid_from_measure",
    "redundancy",
]
