"""The result object every decomposition returns, and the one place atoms are derived from Red."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _status
from ._errors import SolverError
from ._names import closest
from ._units import from_nats, to_nats
from .measures import Informations

ZERO_SNAP_BITS = 1e-9
"""Atoms within this many bits of 0 are reported as exactly 0."""
_ZERO_SNAP_NATS = to_nats(ZERO_SNAP_BITS, "bits")

ATOM_LABELS = (
    ("red", "Red(Y:T,S)"),
    ("uni_t", "Uni(Y:T\\S)"),
    ("uni_s", "Uni(Y:S\\T)"),
    ("syn", "Syn(Y:T,S)"),
    ("i_yt", "I(Y;T)"),
    ("i_ys", "I(Y;S)"),
    ("i_yts", "I(Y;T,S)"),
)
"""Each number of a result's table and the label its ``repr`` prints, in the table's order."""
RECORD_FIELDS = (*(key for key, _ in ATOM_LABELS), "units", "measure", "status", "success", "message",
                 "method", "solver", "gap", "nit", "diagnostics")
"""The fields of :meth:`PIDResult.to_dict`, in its order (also the columns of an empty
:func:`pidkit.to_frame`)."""
JOINT_DIAGNOSTICS = ("q_joint",)
"""The keys of a result's ``diagnostics`` that hold an optimal joint (GH's p(q, y, t, s)), which
:meth:`PIDResult.to_dict` leaves out unless ``include_q``, as it leaves out ``q``."""
_SPELT_OUT = {"redundancy": "red", "synergy": "syn", "unique_t": "uni_t", "unique_s": "uni_s"}
"""Names of the atoms spelt out, which users reach for, and the attribute that holds each."""
_TABLE_NAMES = frozenset({"to_frame", "to_dataframe", "to_df", "to_pandas", "frame", "dataframe", "df"})
"""Names a pandas user calls a result's table by: they are :func:`pidkit.to_frame` of a list."""
_ABSENT = object()


@dataclass(frozen=True, eq=False)
class PIDResult:
    """A partial information decomposition of I(Y;T,S), with the solver's verdict attached.

    The identities ``i_yt = uni_t + red``, ``i_ys = uni_s + red`` and
    ``i_yts = red + uni_t + uni_s + syn`` hold to 1e-9 in every result.

    Attributes
    ----------
    red, uni_t, uni_s, syn : float
        Redundancy Red(Y:T,S), unique informations Uni(Y:T\\S) and Uni(Y:S\\T), synergy Syn(Y:T,S).
    i_yt, i_ys, i_yts : float
        The mutual informations I(Y;T), I(Y;S) and I(Y;T,S).
    units : {"bits", "nats"}
    measure : str
        The redundancy measure, e.g. ``"broja"`` (Bertschinger et al. 2014).
    status : str
        ``"optimal"`` (certified within ``tol``), ``"optimal_inaccurate"`` (a solution whose gap or
        feasibility exceeds ``tol``), ``"failed"`` or ``"exact"`` (closed form, nothing to certify).
    message : str
        What happened, in words.
    method : str
        How the result was computed (``"cvxpy"``, ``"native"``, ...).
    solver : str or None
        The numerical solver that produced it (e.g. ``"CLARABEL"``), if any.
    gap : float
        A certified bound on the error of the solver's ``uni_t`` (and so of every atom), in
        ``units``: primal value minus a dual lower bound, plus an allowance for rounding. 0 for
        exact methods. It leaves out one rounding of the reported atoms: an atom within 1e-9 bits
        of 0 is reported as exactly 0, each atom derived from the ones already snapped, so a
        reported atom is within ``gap`` plus at most 4e-9 bits of its true value (and the atoms
        sum to ``i_yts`` within 1e-9 bits). ``gap`` stays the solver's certificate, the number
        ``tol`` is compared with.
    q : numpy.ndarray or None
        The optimal joint Q*[y, t, s] (same shape as the input) where the measure has one; for
        :func:`pidkit.gaussian_pid`, the covariance of the optimal Gaussian Q of [Y, T, S] (in the
        input's coordinates).
    nit : int or None
        Solver iterations.
    diagnostics : dict
        Everything else the solver reported: residuals, fallbacks tried, timings. For the BROJA
        program, ``"primal"`` is its objective -H_Q(Y|T,S) at the certified point Q* and
        ``"dual"`` the weak-duality lower bound on it, both in nats whatever ``units``: ``gap``
        is their difference plus the rounding allowance, in ``units``.

    Notes
    -----
    ``==`` is identity, as for scikit-learn estimators (``q`` and the timings in ``diagnostics``
    make field equality ill-defined): compare numbers with :func:`numpy.allclose`, e.g.
    ``np.allclose([a.red, a.syn], [b.red, b.syn], atol=1e-6)``.

    Examples
    --------
    Every decomposition returns one (:func:`pidkit.pid`, :func:`pidkit.bertschinger`,
    :func:`pidkit.gaussian_pid`, ...); its ``repr`` prints the table of atoms:

    >>> import pidkit
    >>> r = pidkit.bertschinger(pidkit.examples.and_())      # Y = T and S
    >>> round(r.red, 6), r.uni_t, r.uni_s, round(r.syn, 6)
    (0.311278, 0.0, 0.0, 0.5)
    >>> r.success, r.units, r.q.shape                         # certified; the optimal joint Q*
    (True, 'bits', (2, 2, 2))
    >>> d = r.to_dict()                                       # for json.dumps
    >>> d["status"], round(d["i_yts"], 6), "q" in d
    ('optimal', 0.811278, False)
    """

    red: float
    uni_t: float
    uni_s: float
    syn: float
    i_yt: float
    i_ys: float
    i_yts: float
    units: str
    measure: str
    status: str
    message: str
    method: str
    solver: str | None = None
    gap: float = 0.0
    q: np.ndarray | None = field(default=None, repr=False)
    nit: int | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def success(self) -> bool:
        """True when the numbers are certified (status ``"optimal"`` or ``"exact"``)."""
        return self.status in _status.CERTIFIED

    def to_dict(self, *, include_q: bool = False) -> dict[str, Any]:
        """A JSON-serialisable dict of the result.

        Parameters
        ----------
        include_q : bool, default=False
            Add the optimal joint, whichever the measure: ``q`` as nested lists (``None`` where the
            measure has no such ``q``), and GH's p(q, y, t, s) as ``diagnostics["q_joint"]``. Left
            out by default, as ``pidkit decompose --json`` leaves them out without
            ``--include-q``: they can run to hundreds of lines (a 2x3x3 GH record indented is 22
            lines without ``q_joint``, 241 with it).

        Returns
        -------
        dict
            Strict JSON (NaN and infinities as None, e.g. the unbounded ``gap`` of a failed
            result; numpy values as Python numbers and lists): the seven quantities, ``units``,
            ``measure``, ``status``, ``success``, ``message``, ``method``, ``solver``, ``gap``,
            ``nit`` and ``diagnostics``, and ``q`` with ``include_q``. ``diagnostics`` holds
            every key of the result's own but GH's ``q_joint``, which it holds, in its place, only
            with ``include_q``. The result itself is not
            changed: ``result.diagnostics["q_joint"]`` is always there for GH.

        Examples
        --------
        >>> import pidkit
        >>> r = pidkit.pid(pidkit.examples.and_(), measure="gh")    # needs pidkit[exact]
        >>> sorted(r.diagnostics), sorted(r.to_dict()["diagnostics"])
        (['n_vertices', 'q_joint', 'q_size'], ['n_vertices', 'q_size'])
        >>> record = r.to_dict(include_q=True)
        >>> list(record["diagnostics"]), record["q"]                # GH has no q, only q_joint
        (['n_vertices', 'q_size', 'q_joint'], None)
        >>> len(record["diagnostics"]["q_joint"])                   # p(q, y, t, s): |Q| = 2
        2
        """
        out: dict[str, Any] = {key: getattr(self, key) for key in RECORD_FIELDS}
        if include_q:
            out["q"] = self.q
        else:
            out["diagnostics"] = {key: value for key, value in self.diagnostics.items()
                                  if key not in JOINT_DIAGNOSTICS}
        return jsonable(out, finite=True)

    def __repr__(self) -> str:
        rows = [f"  {label:<11} {getattr(self, key):>10.6f}" for key, label in ATOM_LABELS]
        return "\n".join([headline(self), *rows])

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        show_pretty(printer, self, f"gap={self.gap:.2e}")

    if not TYPE_CHECKING:  # type checkers keep flagging misspelt attributes

        def __getattr__(self, name: str) -> Any:
            raise attribute_error(self, name)


def headline(result: PIDResult) -> str:
    """The first line of a result's ``repr``: its class, measure, units, status, method, solver
    and gap, e.g. ``PIDResult(measure='broja', units='bits', status='optimal', ...)``.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit._result import headline
    >>> headline(pidkit.pid(pidkit.examples.xor(), measure="mmi"))
    "PIDResult(measure='mmi', units='bits', status='exact', method='closed-form', solver=None, gap=0.00e+00)"
    """
    return (
        f"{type(result).__name__}(measure={result.measure!r}, units={result.units!r}, "
        f"status={result.status!r}, method={result.method!r}, solver={result.solver!r}, "
        f"gap={result.gap:.2e})"
    )


def show_pretty(printer: Any, result: Any, extra: str) -> None:
    """IPython's display of a result: its table (the repr) on its own, one line inside a list,
    tuple or dict, so that a batch of 10,000 results shows a line each, not 1,000 tables (IPython
    shows the first 1,000 items of a list).

    The line is ``Name(measure=..., units=..., status=..., red=..., uni_t=..., uni_s=..., syn=...,
    <extra>)``. ``printer`` is IPython's ``RepresentationPrinter``, whose ``indentation`` is 0 at
    the top.
    """
    if not printer.indentation:
        printer.text(repr(result))
        return
    atoms = ", ".join(f"{key}={getattr(result, key):.6g}" for key in ("red", "uni_t", "uni_s", "syn"))
    printer.text(f"{type(result).__name__}(measure={result.measure!r}, units={result.units!r}, "
                 f"status={result.status!r}, {atoms}, {extra})")


def attribute_error(result: Any, name: str) -> AttributeError:
    """The ``AttributeError`` for a name a result lacks (what its ``__getattr__`` raises), with
    the closest attribute it has (``redundancy`` is ``red``, ...) and the names of its numbers.

    Python also calls ``__getattr__`` when a property raised ``AttributeError`` itself (a
    subclass's property reading a misspelt name): that property's own error is returned, not a
    guess at the property's name; a field never set (an instance not made by ``__init__``) gets
    the plain error. A name the result does not have gets a :class:`MissingAttributeError`, whose
    suggestion is worked out only when its message is read: ``hasattr(result, "x")`` in a loop
    does not pay for it.
    """
    cls: type = type(result)
    if name.startswith("_"):  # dunder probes (copy, pickle, IPython's _repr_html_): the plain error
        return AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
    attribute = getattr(cls, name, _ABSENT)
    if hasattr(attribute, "__get__"):  # a property that failed inside
        try:
            attribute.__get__(result, cls)
        except AttributeError as err:
            return err
    if attribute is not _ABSENT or name in _field_names(cls):  # a field never set
        return AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
    return MissingAttributeError(result, name)


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


class MissingAttributeError(AttributeError):
    """``'PIDResult' object has no attribute 'x'``, with the attribute meant and the names of the
    result's numbers: the message is built when it is first read (``str``), not when raised.

    ``name`` and ``obj`` are set, and ``args`` is ``(message,)``, as on Python's own
    ``AttributeError``; ``except AttributeError`` catches it.

    Examples
    --------
    >>> import pidkit
    >>> r = pidkit.bertschinger(pidkit.examples.and_())
    >>> hasattr(r, "redundancy")
    False
    >>> r.synergy
    Traceback (most recent call last):
    ...
    pidkit.MissingAttributeError: 'PIDResult' object has no attribute 'synergy'. Did you mean 'syn'? ...
    """

    __module__ = "pidkit"  # where users import it from: tracebacks name that path
    name: str  # never None here, as it may be on AttributeError
    obj: Any  # the result (a dataclass) that lacks the attribute

    def __init__(self, result: Any, name: str) -> None:
        super().__init__(name=name, obj=result)
        self._message: str | None = None

    def __str__(self) -> str:
        if self._message is None:
            self._message = self._render()
        return self._message

    @property
    def args(self) -> tuple[Any, ...]:
        """``(message,)``, the message made on first read, as ``str`` reads it."""
        return (str(self),)

    @args.setter
    def args(self, value: tuple[Any, ...]) -> None:
        # A handler that rewrites args rewrites the message.
        BaseException.args.__set__(self, value)  # type: ignore[attr-defined]  # a descriptor at run time
        self._message = BaseException.__str__(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[type[AttributeError], tuple[str]]:
        return AttributeError, (str(self),)  # the message, not the result, travels

    def _render(self) -> str:
        cls = type(self.obj)
        public = [f.name for f in fields(self.obj)] + [n for n in dir(cls) if not n.startswith("_")]
        diagnostics = getattr(self.obj, "__dict__", {}).get("diagnostics")
        match = closest(self.name, public + list(_SPELT_OUT))
        if isinstance(diagnostics, dict) and self.name in diagnostics:  # r.ranks, r.biases, ...
            hint = f" It is a diagnostic: .diagnostics[{self.name!r}]."
        elif self.name.lower() in _TABLE_NAMES:  # pandas' Series.to_frame()
            hint = (" A table of results is pidkit.to_frame(results), a row per result: "
                    "pidkit.to_frame([result]) for this one.")
        elif match is not None:
            hint = f" Did you mean {_SPELT_OUT.get(match, match)!r}?"
        else:
            hint = ""
        return (
            f"{cls.__name__!r} object has no attribute {self.name!r}.{hint} Its numbers are the atoms "
            "red, uni_t, uni_s, syn and the informations i_yt, i_ys, i_yts, in its units; to_dict() "
            "lists every field."
        )


def jsonable(value: Any, *, finite: bool = False) -> Any:
    """``value`` with numpy arrays and scalars turned into lists and Python numbers, dict keys into
    strings, recursively: what :func:`json.dumps` accepts. With ``finite=True`` NaN and infinities
    become None too, so that the output is strict JSON (JSON has no NaN). Dates and times (labels
    of an estimate) become their ISO text, other objects JSON has no type for (a Decimal, bytes,
    a label of the user's own class) their ``str``.

    Examples
    --------
    >>> jsonable({1: np.arange(2), "x": (np.float64(0.5), np.inf)})
    {'1': [0, 1], 'x': [0.5, inf]}
    >>> jsonable([np.nan, 1.0], finite=True)
    [None, 1.0]
    >>> jsonable(np.array(["2020-01-02"], dtype="datetime64[ns]"))
    ['2020-01-02T00:00:00.000000000']
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v, finite=finite) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, finite=finite) for v in value]
    if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "mM":
        # tolist() turns nanosecond times into plain integers: their text keeps what they are
        return jsonable(np.asarray(value).astype(str).tolist())
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist(), finite=finite) if value.dtype.kind in "OSUV" or finite else (
            value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if finite and isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float)):
        return value
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def _snap(value_nats: float) -> float:
    return 0.0 if abs(value_nats) <= _ZERO_SNAP_NATS else value_nats


def result_from_redundancy(
    informations: Informations | tuple[float, float, float, float],
    red_nats: float,
    *,
    problem: str,
    units: str,
    measure: str,
    status: str,
    message: str,
    method: str,
    solver: str | None = None,
    gap_nats: float = 0.0,
    q: np.ndarray | None = None,
    nit: int | None = None,
    diagnostics: dict[str, Any] | None = None,
    nonnegative: bool = False,
    tol_nats: float = 0.0,
    strict: bool = True,
) -> PIDResult:
    """Build a :class:`PIDResult` from Red by THEORY.md §1's identities.

    ``informations`` are the problem's (H(Y), I(Y;T), I(Y;S), I(Y;T,S)) in nats (H(Y) is not
    read); ``problem`` names it in messages (e.g. ``"joint 2x2x2"``). Before a result is called a
    success every atom, every information and the gap must be finite: anything else makes the
    status ``"failed"`` with the reason in the message (and raises under ``strict``). Atoms within
    :data:`ZERO_SNAP_BITS` of 0 become exactly 0. With ``nonnegative=True`` (measures whose atoms
    are non-negative by theorem, like BROJA) an atom below ``-tol_nats`` means the solver is wrong: it raises
    :class:`SolverError` when ``strict``, and the status is downgraded otherwise. With
    ``strict``, a status outside the certified group raises :class:`SolverError` too.
    """
    _, i_yt, i_ys, i_yts = informations
    atoms = {
        "red": _snap(red_nats),
    }
    # Each atom from the ones already snapped, so that snapping never breaks an identity by more
    # than ZERO_SNAP_BITS (snapping Red and Uni independently could break I(Y;T) = Uni + Red by
    # twice that).
    atoms["uni_t"] = _snap(i_yt - atoms["red"])
    atoms["uni_s"] = _snap(i_ys - atoms["red"])
    atoms["syn"] = _snap(i_yts - atoms["red"] - atoms["uni_t"] - atoms["uni_s"])
    numbers = {**atoms, "i_yt": i_yt, "i_ys": i_ys, "i_yts": i_yts, "gap": gap_nats}
    non_finite = [name for name, v in numbers.items() if not math.isfinite(v)]
    if non_finite and status in _status.SOLUTION_PRESENT:
        status = _status.FAILED
        message = f"{message}; not finite: {', '.join(non_finite)} (no usable answer)"
    floor = -max(tol_nats, _ZERO_SNAP_NATS)
    negative = {k: v for k, v in atoms.items() if v < floor}
    if nonnegative and negative:
        status = _status.OPTIMAL_INACCURATE if status in _status.SOLUTION_PRESENT else status
        listed = ", ".join(f"{k}={from_nats(v, units):.3g}" for k, v in negative.items())
        message = f"{message}; negative atoms beyond tolerance ({listed} {units})"
    if nonnegative:
        atoms = {k: max(v, 0.0) if k not in negative else v for k, v in atoms.items()}
    if strict and status not in _status.CERTIFIED:
        raise SolverError(
            f"{measure}: the solver did not certify its answer (status {status!r}, "
            f"method {method!r}, solver {solver!r}, {problem}, "
            f"gap {from_nats(gap_nats, units):.3g} {units}): "
            f"{message}. Pass strict=False to get the best-effort result with its status."
        )
    nats_per_unit = to_nats(1.0, units)  # units checked once: from_nats(v, units) is v / this
    return PIDResult(
        **{k: float(v) / nats_per_unit for k, v in atoms.items()},
        i_yt=float(i_yt) / nats_per_unit,
        i_ys=float(i_ys) / nats_per_unit,
        i_yts=float(i_yts) / nats_per_unit,
        units=units,
        measure=measure,
        status=status,
        message=message,
        method=method,
        solver=solver,
        gap=float(max(gap_nats, 0.0)) / nats_per_unit if math.isfinite(gap_nats) else math.inf,
        q=q,
        nit=nit,
        diagnostics=dict(diagnostics or {}),
    )
