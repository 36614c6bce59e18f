"""Named distributions with known decompositions, each returned as a joint ``p[y, t, s]``.

T and S are fair independent bits unless a docstring says otherwise. Expected atoms are the
Bertschinger (BROJA) values in bits, as (Red, Uni_T, Uni_S, Syn). :func:`catalogue` holds one of
each under a short name; :data:`ALIASES` maps other names of the literature to those, and
:func:`by_name` takes either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._names import check_choice as _check_choice  # not part of this module's namespace
from ._probability_vectors import probability_vector as _probability_vector

__all__ = [
    "ALIASES",
    "and_",
    "by_name",
    "catalogue",
    "copy",
    "diff",
    "dyadic",
    "extra_complex_teacher",
    "imperfect_rdn",
    "nuisance_teacher",
    "perturbed_xor",
    "pnt_unq",
    "rdn",
    "rdn_xor",
    "reduced_or",
    "sum_",
    "synergy_example",
    "triadic",
    "uninformative_teacher",
    "unq",
    "xor",
    "xor_and",
]


def _from_table(rows: Sequence[tuple[int, int, int, float]]) -> np.ndarray:
    """Joint from (t, s, y, mass) rows; masses are normalised."""
    t, s, y, mass = (np.asarray(col) for col in zip(*rows, strict=True))
    p = np.zeros((int(y.max()) + 1, int(t.max()) + 1, int(s.max()) + 1))
    np.add.at(p, (y.astype(int), t.astype(int), s.astype(int)), mass.astype(float))
    return p / p.sum()


def _function_of_sources(f: Callable[[int, int], int], n_t: int = 2, n_s: int = 2) -> np.ndarray:
    return _from_table([(t, s, f(t, s), 1.0) for t in range(n_t) for s in range(n_s)])


def xor() -> np.ndarray:
    """Y = T xor S. Expected atoms: (0, 0, 0, 1).

    Examples
    --------
    >>> from pidkit.examples import xor
    >>> xor().shape
    (2, 2, 2)
    """
    return _function_of_sources(lambda t, s: t ^ s)


def and_() -> np.ndarray:
    """Y = T and S. Expected atoms: (0.311278, 0, 0, 0.5); Red = 3/2 - (3/4) log2 3.

    The published values (Bertschinger et al. 2014, the AND gate).

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import and_
    >>> p = and_()
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.311278, 0.0, 0.0, 0.5]
    """
    return _function_of_sources(lambda t, s: t & s)


def copy() -> np.ndarray:
    """Y = (T, S), coded as y = 2t + s. Expected atoms: (0, 1, 1, 0).

    The published values (Bertschinger et al. 2014, COPY): each source's bit is its own. The
    two-bit copy (TBC) of Harder et al. 2013 and Ince 2017, and dit's ``cat``
    (``dit.pid.distributions.bivariates["cat"]``, outcomes ``x1 x2 y`` with y = 2 x1 + x2): hence
    the :data:`ALIASES` ``"tbc"`` and ``"cat"``.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import copy
    >>> p = copy()
    >>> p.shape
    (4, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.0, 1.0, 1.0, 0.0]
    """
    return _function_of_sources(lambda t, s: 2 * t + s)


def rdn() -> np.ndarray:
    """T = S = Y, a fair bit. Expected atoms: (1, 0, 0, 0).

    The published values (Bertschinger et al. 2014, RDN).

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import rdn
    >>> p = rdn()
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [1.0, 0.0, 0.0, 0.0]
    """
    return _from_table([(0, 0, 0, 0.5), (1, 1, 1, 0.5)])


def unq(source: str = "t") -> np.ndarray:
    """Y copies one source; the other is an independent fair bit.

    Parameters
    ----------
    source : {"t", "s"}, default="t"
        The source Y copies. Expected atoms: (0, 1, 0, 0) for "t" and (0, 0, 1, 0) for "s",
        the published values (Bertschinger et al. 2014, UNQ).

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import unq
    >>> p = unq("s")
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.0, 0.0, 1.0, 0.0]
    """
    _check_choice(source, ("t", "s"), name="source")
    return _function_of_sources(lambda t, s: t if source == "t" else s)


def sum_() -> np.ndarray:
    """Y = T + S (values 0, 1, 2). Expected atoms: (0.5, 0, 0, 1).

    Y splits the (T, S) pairs as :func:`xor_and` does, so the atoms are the published ones of
    XorAnd: Red = I(Y;T) = 0.5.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import sum_
    >>> p = sum_()
    >>> p.shape
    (3, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.5, 0.0, 0.0, 1.0]
    """
    return _function_of_sources(lambda t, s: t + s)


def diff() -> np.ndarray:
    """dit's 'diff': outcomes (t, s, y) 000, 001, 010, 101 equally likely.

    Expected atoms: (0.122556, 0.188722, 0.188722, 0): the values dit's BROJA tests publish
    (0.12255624891826589 and 0.18872187554086706).

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import diff
    >>> p = diff()
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.122556, 0.188722, 0.188722, 0.0]
    """
    return _from_table([(0, 0, 0, 1), (0, 0, 1, 1), (0, 1, 0, 1), (1, 0, 1, 1)])


def reduced_or() -> np.ndarray:
    """dit's 'reduced or': (t, s, y) 000 w.p. 1/2, 011 and 101 w.p. 1/4 each.

    Expected atoms: (0.311278, 0, 0, 0.688722); I(Y;T,S) = H(Y) = 1 bit. The published
    values: dit's documentation shows PID_BROJA giving 0.3113, 0, 0 and 0.6887 (no unique
    information, which is its point there).

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import reduced_or
    >>> p = reduced_or()
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.311278, 0.0, 0.0, 0.688722]
    >>> round(r.i_yts, 6)   # = H(Y): Y = T or S, so T and S together tell it all
    1.0
    """
    return _from_table([(0, 0, 0, 0.5), (0, 1, 1, 0.25), (1, 0, 1, 0.25)])


def pnt_unq() -> np.ndarray:
    """Finn & Lizier's pointwise-unique distribution (dit 'pnt. unq.').

    (t, s, y) in 011, 022, 101, 202 equally likely. Expected atoms: (0.5, 0, 0, 0.5). The
    published value is that of both unique informations, 0 (dit's BROJA tests); Red = I(Y;T)
    and Syn = I(Y;T,S) - I(Y;T) follow from it.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import pnt_unq
    >>> p = pnt_unq()
    >>> p.shape
    (3, 3, 3)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.5, 0.0, 0.0, 0.5]
    """
    return _from_table([(0, 1, 1, 1), (0, 2, 2, 1), (1, 0, 1, 1), (2, 0, 2, 1)])


def imperfect_rdn() -> np.ndarray:
    """dit's 'imp. rdn': (t, s, y) 000 w.p. 0.499, 010 w.p. 0.001, 111 w.p. 0.5.

    Y = T exactly and S = T except with probability 0.001. Expected atoms:
    (0.98959, 0.01041, 0, 0), as published to 5 digits: Red = I(Y;S) and
    Uni_T = I(Y;T) - I(Y;S) = 1 - I(Y;S).

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import imperfect_rdn
    >>> p = imperfect_rdn()
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.98959, 0.01041, 0.0, 0.0]
    """
    return _from_table([(0, 0, 0, 0.499), (0, 1, 0, 0.001), (1, 1, 1, 0.5)])


def perturbed_xor(p_ts: Sequence[float] = (0.1, 0.2, 0.3, 0.4)) -> np.ndarray:
    """Y = T xor S with non-uniform inputs: p(T, S) = ``p_ts`` over (0,0), (0,1), (1,0), (1,1).

    The default is the "perturbed XOR" of the admUI and dit test suites (outcomes '000', '011',
    '101', '110' with masses 0.1, 0.2, 0.3, 0.4, target last). Uneven inputs make each source
    alone slightly informative, so redundancy and unique information appear. Expected atoms at
    the default: Red = I(Y;T) = 0.034852, Uni_T = 0, Uni_S = I(Y;S) - I(Y;T) = 0.089660 (published
    as 0.08966), Syn = 1 - I(Y;S) = 0.875489.

    Examples
    --------
    >>> from pidkit.examples import perturbed_xor
    >>> p = perturbed_xor()
    >>> p.shape, round(float(p[1, 1, 0]), 2)
    ((2, 2, 2), 0.3)
    """
    masses = np.asarray(p_ts, dtype=float)
    if masses.shape != (4,) or not np.all(np.isfinite(masses)) or np.any(masses < 0) or masses.sum() <= 0:
        raise ValueError(
            f"p_ts must be 4 nonnegative masses for (T, S) = (0,0), (0,1), (1,0), (1,1); got {p_ts!r}."
        )
    return _from_table([(t, s, t ^ s, float(masses[2 * t + s])) for t in range(2) for s in range(2)])


def rdn_xor() -> np.ndarray:
    """Griffith's RdnXor: Y = (R, T' xor S'), T = (R, T'), S = (R, S'); R, T', S' fair bits.

    Expected atoms: (1, 0, 0, 1), the published values (Bertschinger et al. 2014, RdnXor): the
    shared bit R is redundant, T' xor S' synergistic.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import rdn_xor
    >>> p = rdn_xor()
    >>> p.shape
    (4, 4, 4)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [1.0, 0.0, 0.0, 1.0]
    """
    rows = []
    for r in range(2):
        for a in range(2):
            for b in range(2):
                rows.append((2 * r + a, 2 * r + b, 2 * r + (a ^ b), 1.0))
    return _from_table(rows)


def xor_and() -> np.ndarray:
    """Y = (T xor S, T and S), coded y = 2 (t xor s) + (t and s). Expected atoms: (0.5, 0, 0, 1).

    The published values (Bertschinger et al. 2014, XorAnd). Y splits the (T, S) pairs as
    T + S does, so :func:`sum_` has the same atoms.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import xor_and
    >>> p = xor_and()
    >>> p.shape
    (3, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.5, 0.0, 0.0, 1.0]
    """
    return _function_of_sources(lambda t, s: 2 * (t ^ s) + (t & s))


def _three_shared_bits(x: Callable[..., int], y: Callable[..., int], z: Callable[..., int]) -> np.ndarray:
    """Joint ``p[z, x, y]`` of three functions of fair independent bits a, b, c (James and
    Crutchfield's variables X, Y, Z; Z, the last, is the target)."""
    return _from_table([(x(a, b, c), y(a, b, c), z(a, b, c), 1.0)
                        for a in range(2) for b in range(2) for c in range(2)])


def dyadic() -> np.ndarray:
    """James and Crutchfield's (2017) dyadic distribution: each pair of X, Y, Z shares one bit.

    With fair independent bits a, b, c: X = 2b + a, Y = 2c + b, Z = 2a + c (the codes of
    ``dit.example_dists.dyadic``, outcomes ``x y z``); the target is Z, the sources T = X and
    S = Y, as ``pidkit.pid(dit.example_dists.dyadic, target=2)`` reads it. Expected atoms:
    (0, 1, 1, 0): Z's bit a is X's alone, c is Y's alone. Its triple-wise information
    (every entropy) is that of :func:`triadic`, whose atoms differ.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import dyadic
    >>> p = dyadic()
    >>> p.shape
    (4, 4, 4)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.0, 1.0, 1.0, 0.0]
    """
    return _three_shared_bits(lambda a, b, c: 2 * b + a, lambda a, b, c: 2 * c + b, lambda a, b, c: 2 * a + c)


def triadic() -> np.ndarray:
    """James and Crutchfield's (2017) triadic distribution: X, Y, Z share one bit and the XOR of three.

    With fair independent bits a, b, c: X = 2b + a, Y = 2c + a, Z = 2 (b xor c) + a (the codes of
    ``dit.example_dists.triadic``, outcomes ``x y z``); the target is Z, the sources T = X and
    S = Y, as ``pidkit.pid(dit.example_dists.triadic, target=2)`` reads it. Expected atoms:
    (1, 0, 0, 1): the shared bit a is redundant, b xor c synergistic. Every entropy equals
    :func:`dyadic`'s.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import triadic
    >>> p = triadic()
    >>> p.shape
    (4, 4, 4)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [1.0, 0.0, 0.0, 1.0]
    """
    return _three_shared_bits(lambda a, b, c: 2 * b + a, lambda a, b, c: 2 * c + a,
                              lambda a, b, c: 2 * (b ^ c) + a)


def _independent_bits(p_u1: float, p_u2: float) -> np.ndarray:
    """Joint of independent bits U1 ~ Ber(p_u1), U2 ~ Ber(p_u2), indexed [u1, u2]."""
    return np.outer([1 - p_u1, p_u1], [1 - p_u2, p_u2])


def _joint_of(
    p_u: np.ndarray, y: Callable[[int, int], int], t: Callable[[int, int], int],
    s: Callable[[int, int], int],
) -> np.ndarray:
    rows = [(t(a, b), s(a, b), y(a, b), p_u[a, b]) for a in range(2) for b in range(2)]
    return _from_table([row for row in rows if row[3] > 0])


def _student_picker(student: str) -> Callable[[int, int], int]:
    if student not in ("u1", "u2"):
        raise ValueError(f"student must be 'u1' or 'u2'; got {student!r}.")
    return (lambda a, b: a) if student == "u1" else (lambda a, b: b)


def uninformative_teacher(student: str = "u2") -> np.ndarray:
    """RID paper, Example 1: Y = U1, T = U2, U1 and U2 independent fair bits; S = U1 or U2.

    Red = Uni(Y:T\\S) = 0 for every student, although S = U2 maximises I(T;S) (= 1 bit).
    Expected atoms: (0, 0, 1, 0) for ``student="u1"``, (0, 0, 0, 0) for ``"u2"``. The paper
    publishes Red = Uni(Y:T\\S) = 0 for every student; Uni(Y:S\\T) = I(Y;S) follows.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import uninformative_teacher
    >>> p = uninformative_teacher("u2")
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.0, 0.0, 0.0, 0.0]
    """
    return _joint_of(_independent_bits(0.5, 0.5), lambda a, b: a, lambda a, b: b,
                     _student_picker(student))


def extra_complex_teacher(student: str = "u1") -> np.ndarray:
    """RID paper, Example 2: U1 ~ Ber(0.2), U2 ~ Ber(0.5), Y = U1, T = (U1, U2) coded 2 u1 + u2.

    S = U1 maximises Red (= I(Y;T) = h(0.2) = 0.721928); S = U2 maximises I(T;S) (= 1 bit > 0.7219).
    Expected atoms: (0.721928, 0, 0, 0) for ``student="u1"``, (0, 0.721928, 0, 0) for ``"u2"``.
    The paper publishes Red = I(Y;T) = 0.7219 for ``"u1"``.

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import extra_complex_teacher
    >>> p = extra_complex_teacher("u1")
    >>> p.shape
    (2, 4, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.721928, 0.0, 0.0, 0.0]
    """
    return _joint_of(_independent_bits(0.2, 0.5), lambda a, b: a, lambda a, b: 2 * a + b,
                     _student_picker(student))


def synergy_example() -> np.ndarray:
    """RID paper, Example 3: Y = U1, T = U1 xor U2, S = U2 (fair bits).

    I(Y;T|S) = 1 bit, yet Uni(Y:T\\S) = Red = 0 (published in the paper). Expected atoms:
    (0, 0, 0, 1).

    Examples
    --------
    >>> import pidkit
    >>> from pidkit.examples import synergy_example
    >>> p = synergy_example()
    >>> p.shape
    (2, 2, 2)
    >>> r = pidkit.bertschinger(p)
    >>> [round(a, 6) for a in (r.red, r.uni_t, r.uni_s, r.syn)]   # Red, Uni_T, Uni_S, Syn
    [0.0, 0.0, 0.0, 1.0]
    """
    return _joint_of(_independent_bits(0.5, 0.5), lambda a, b: a, lambda a, b: a ^ b,
                     lambda a, b: b)


def nuisance_teacher(
    p_z: ArrayLike = (0.5, 0.5),
    p_g: ArrayLike = (0.5, 0.5),
    flip: float = 0.1,
    student: str | ArrayLike = "z",
) -> np.ndarray:
    """Theorem 3.1's teacher with a nuisance: T = (Z, G), Y a noisy copy of Z, G independent.

    Parameters
    ----------
    p_z, p_g : array_like
        Distributions of the task part Z and the nuisance G (independent).
    flip : float, default=0.1
        Probability that Y differs from Z; Y is then uniform over the other values of Z. The
        default is :func:`pidkit.check_theorem_3_1`'s and the catalogue's (``"nuisance"``); at
        ``flip=0.0`` Y is Z and Red = H(Z).
    student : {"z", "g", "t"} or array_like of int, default="z"
        The student S as a function of T: Z, G, all of T, or a table ``f`` with S = f[t], where
        T = (Z, G) is coded ``t = z * len(p_g) + g``.

    Returns
    -------
    numpy.ndarray of shape (len(p_z), len(p_z) * len(p_g), n_s)

    Examples
    --------
    >>> from pidkit.examples import nuisance_teacher
    >>> import pidkit
    >>> round(pidkit.bertschinger(nuisance_teacher()).red, 6)   # 1 - h(0.1)
    0.531004
    >>> round(pidkit.bertschinger(nuisance_teacher(flip=0.0)).red, 6)   # H(Z)
    1.0
    """
    pz = _probability_vector(p_z, "p_z")
    pg = _probability_vector(p_g, "p_g")
    if not 0.0 <= flip <= 1.0:
        raise ValueError(f"flip must lie in [0, 1]; got {flip!r}.")
    n_z, n_g = pz.size, pg.size
    if n_z == 1 and flip > 0:
        raise ValueError("flip > 0 needs at least two values of Z.")
    channel = np.full((n_z, n_z), flip / max(n_z - 1, 1))
    np.fill_diagonal(channel, 1.0 - flip)
    z_of_t, g_of_t = np.divmod(np.arange(n_z * n_g), n_g)
    if isinstance(student, str):
        tables = {"z": z_of_t, "g": g_of_t, "t": np.arange(n_z * n_g)}
        if student not in tables:
            raise ValueError(f"student must be 'z', 'g', 't' or an integer table; got {student!r}.")
        f = tables[student]
    else:
        f = np.asarray(student)
        if f.shape != (n_z * n_g,) or not np.issubdtype(f.dtype, np.integer) or (f < 0).any():
            raise ValueError(
                f"student table must hold {n_z * n_g} non-negative integers (one per teacher "
                f"symbol t = z * {n_g} + g); got {student!r}."
            )
    p = np.zeros((n_z, n_z * n_g, int(f.max()) + 1))
    for t in range(n_z * n_g):
        p[:, t, f[t]] += channel[z_of_t[t]] * pz[z_of_t[t]] * pg[g_of_t[t]]
    return p


def catalogue() -> dict[str, np.ndarray]:
    """Every named example with default parameters, keyed by a short name.

    Examples
    --------
    >>> from pidkit.examples import catalogue
    >>> sorted(catalogue())[:3]
    ['and', 'copy', 'diff']
    """
    return {
        "xor": xor(),
        "and": and_(),
        "copy": copy(),
        "rdn": rdn(),
        "unq-t": unq("t"),
        "unq-s": unq("s"),
        "sum": sum_(),
        "diff": diff(),
        "reduced-or": reduced_or(),
        "pnt-unq": pnt_unq(),
        "imperfect-rdn": imperfect_rdn(),
        "perturbed-xor": perturbed_xor(),
        "rdn-xor": rdn_xor(),
        "xor-and": xor_and(),
        "example-1": uninformative_teacher(),
        "example-2": extra_complex_teacher(),
        "example-3": synergy_example(),
        "nuisance": nuisance_teacher(),
        "dyadic": dyadic(),
        "triadic": triadic(),
    }


ALIASES = {"cat": "copy", "tbc": "copy"}
"""Other names of the literature for :func:`catalogue` entries, each to its catalogue name: dit's
``cat`` and the two-bit copy (TBC) are :func:`copy`. They list no row of their own in the catalogue."""


def by_name(name: str) -> np.ndarray:
    """The :func:`catalogue` joint named ``name`` (case-insensitive), or by one of its :data:`ALIASES`.

    Parameters
    ----------
    name : str
        A key of :func:`catalogue` (e.g. ``"and"``, ``"dyadic"``) or of :data:`ALIASES`.

    Returns
    -------
    numpy.ndarray of shape (n_y, n_t, n_s)

    Raises
    ------
    TypeError or ValueError
        If ``name`` is not a string, or neither a name nor an alias (the names known are listed).

    Examples
    --------
    >>> import numpy as np
    >>> from pidkit.examples import by_name, copy
    >>> np.array_equal(by_name("TBC"), copy())
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, an example's name; got {type(name).__name__}.")
    joints = catalogue()
    key = ALIASES.get(name.lower(), name.lower())
    if key not in joints:
        raise ValueError(f"name must be an example of the catalogue or an alias; got {name!r}. Known: "
                         f"{sorted(joints)}; aliases: {ALIASES}.")
    return joints[key]
