"""The public functions returning Red as a float: :func:`~pidkit.redundancy`, and one per measure.

The two-source functions of one measure call :func:`~pidkit.redundancy` with their measure;
:func:`i_gh` and :func:`i_prec` also take more than two sources, ``p[y, x1, x2, ...]``. Those that
can compute ``"gh"`` or ``"prec"`` take ``progress`` as :func:`pidkit.pid` does, and pass it to the
one bar of a vertex enumeration (:func:`pidkit._polytope.vertices`).
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from .._count_tables import warn_of_rescaled_counts
from .._names import check_choice
from .._positional_joint import one_positional_joint
from .._units import check_units
from .._validate import check_joint, check_sources_joint
from ..samples import DitSources, DitVariables, joint_of_dit_or_array
from .dispatch import certified, check_measure, check_progress_option, solve
from .float_options import refuses_result_options
from .vertex_limit import check_max_vertices, check_vertex_option


@one_positional_joint
@refuses_result_options(lambda options: options.get("measure", "broja"))
def redundancy(
    p_yts: ArrayLike,
    *,
    measure: str = "broja",
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
    max_vertices: int | str | None = "auto",
    progress: bool | None = None,
) -> float:
    """Redundant information Red(Y:T,S) of a joint ``p[y, t, s]`` under the named measure.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        Joint pmf indexed target Y, teacher T, student S. A dit Distribution needs ``target``.
    measure : str, default="broja"
        One of :data:`~pidkit.redundancy.MEASURES`: ``"broja"``, ``"wedge"``, ``"gh"``, ``"prec"``, ``"mmi"``,
        ``"gh-target-only"``, ``"gh-function-of-t"``, ``"gh-function-of-s"`` (see
        :mod:`pidkit.redundancy`). ``"gh"`` and ``"prec"`` need the ``exact`` extra (pycddlib).
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it). An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
        Rescale ``p_yts`` to sum 1 instead of rejecting a total off 1 by more than 1e-9.
    max_vertices : int, None or "auto", default="auto"
        ``"gh"`` and ``"prec"`` only: refuse a joint whose polytope could have more vertices than
        this (McMullen's bound on its size, checked before the enumeration starts, which would
        take hours); ``"auto"`` is 300,000 for ``"gh"`` and 20,000 for ``"prec"`` (about a minute
        each), ``None`` enumerates whatever the size. See ``docs/which-measure.md``.
    progress : bool or None, default=None
        ``"gh"`` and ``"prec"`` only (a ``TypeError`` for another measure, unless None): a bar
        of the time of their vertex enumeration, which can take seconds to minutes, as
        :func:`pidkit.pid` draws it. True: at once; False: never; None: where a person watches (a
        terminal, a notebook), once it has taken a second. Only a long enumeration has a bar
        (``docs/which-measure.md``); the answer is the same with it or without.

    Returns
    -------
    float
        Red(Y:T,S) in ``units``.

    Raises
    ------
    ValueError, TypeError
        For an invalid ``p_yts`` or option, or (``ValueError``) a joint too large for ``"gh"`` or
        ``"prec"`` under ``max_vertices``.
    ImportError
        For ``"gh"`` or ``"prec"`` without pycddlib.
    SolverError
        If a solver could not certify its answer.

    Warns
    -----
    pidkit.estimate.PluginBiasWarning
        With ``normalize=True`` on counts (every cell a whole number, more than 1 in all), where the
        expected first-order plug-in bias of I(Y;T,S) exceeds a tenth of its estimate and 5e-4 bits, as
        :func:`pidkit.pid` warns: the value is the plug-in's, likely overestimated.

    Examples
    --------
    >>> from pidkit import redundancy
    >>> import pidkit
    >>> round(redundancy(pidkit.examples.and_(), measure="gh"), 6)   # 5/2 - (3/2) log2 3
    0.122556
    >>> round(redundancy(pidkit.examples.and_(), measure="prec"), 6)
    0.311278
    """
    example_call = f"pidkit.redundancy(d, target=2, sources=[0, 1], measure={measure!r})"
    p_yts = joint_of_dit_or_array(p_yts, target, sources, name="p_yts", example_call=example_call)
    p = check_joint(p_yts, normalize=normalize)
    units = check_units(units)
    if normalize:
        warn_of_rescaled_counts(p_yts, p, units)
    measure = check_measure(measure)
    max_vertices = check_vertex_option(measure, max_vertices)
    progress = check_progress_option(measure, progress)
    return certified(solve(measure, p, max_vertices=max_vertices, progress=progress), measure, units)


@one_positional_joint
@refuses_result_options(lambda options: "mmi")
def i_mmi(
    p_yts: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Minimum mutual information min(I(Y;T), I(Y;S)).

    ``p_yts`` may be a dit Distribution, whose variables ``target`` and ``sources`` name as in
    :func:`redundancy`.

    Examples
    --------
    >>> from pidkit import i_mmi
    >>> import pidkit
    >>> round(i_mmi(pidkit.examples.copy()), 12)
    1.0
    """
    return redundancy(p_yts, measure="mmi", target=target, sources=sources, units=units,
                      normalize=normalize)


@one_positional_joint
@refuses_result_options(lambda options: "wedge")
def i_wedge(
    p_yts: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Griffith et al. (2014) I_wedge = I(Y; T∧S), T∧S the Gács–Körner common variable.

    T∧S labels the connected components of the bipartite graph joining t and s when p(t,s) > 0.

    ``p_yts`` may be a dit Distribution, whose variables ``target`` and ``sources`` name as in
    :func:`redundancy`.

    Examples
    --------
    >>> from pidkit import i_wedge
    >>> import pidkit
    >>> i_wedge(pidkit.examples.rdn()), i_wedge(pidkit.examples.and_())
    (1.0, 0.0)
    """
    return redundancy(p_yts, measure="wedge", target=target, sources=sources, units=units,
                      normalize=normalize)


@one_positional_joint
@refuses_result_options(lambda options: "gh-target-only")
def i_target_common(
    p_yts: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Red_∩ read with Q generated from Y alone: H(Y∧T∧S) (measure ``"gh-target-only"``).

    With p(t,s,y) p(q|y), I(Y;Q|T) = I(Y;Q|S) = 0 forces p(q|y) to be constant on the connected
    components of the union of the (Y,T) and (Y,S) support graphs, so the maximum of I(Y;Q) is
    the entropy of that component label. It is not self-redundant: T = S = Z with Y a noisy copy
    of Z gives 0.

    ``p_yts`` may be a dit Distribution, whose variables ``target`` and ``sources`` name as in
    :func:`redundancy`.

    Examples
    --------
    >>> from pidkit import i_target_common
    >>> import pidkit
    >>> i_target_common(pidkit.examples.rdn())
    1.0
    """
    return redundancy(p_yts, measure="gh-target-only", target=target, sources=sources, units=units,
                      normalize=normalize)


@one_positional_joint
@refuses_result_options(lambda options: f"gh-function-of-{options.get('source', 't')}")
def i_function_of_source(
    p_yts: ArrayLike,
    *,
    source: str = "t",
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Red_∩ read with Q = f(T) deterministic (or Q = f(S) with ``source="s"``).

    The maximum of I(Y; f(T)) over every set partition f of T's symbols of positive mass with
    I(Y; f(T) | S) = 0 (I(Y; f(T) | T) = 0 holds by construction). This is the form the RID
    paper's framework optimises (Q = f_t(T)). Limited to
    :data:`~pidkit.redundancy.MAX_PARTITION_SYMBOLS` symbols.

    ``p_yts`` may be a dit Distribution, whose variables ``target`` and ``sources`` name as in
    :func:`redundancy`.

    Examples
    --------
    >>> from pidkit import i_function_of_source
    >>> import pidkit
    >>> p = pidkit.examples.nuisance_teacher(flip=0.1)
    >>> round(i_function_of_source(p), 6)   # f(T) = Z
    0.531004
    """
    source = check_choice(source, ("t", "s"), name="source")
    return redundancy(p_yts, measure=f"gh-function-of-{source}", target=target, sources=sources, units=units,
                      normalize=normalize)


@one_positional_joint
@refuses_result_options(lambda options: "gh")
def i_gh(
    p: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
    max_vertices: int | str | None = "auto",
    progress: bool | None = None,
) -> float:
    """Griffith & Ho (2015) I_α (the RID paper's Red_∩), exactly, for two or more sources.

    max I(Y;Q) over channels p(q | y, x1, ..., xn) with I(Y;Q|X_i) = 0 for every source, in the one
    joint p(y, x) p(q | y, x). Each conditional p(y, x | q) lies in the polytope K of distributions
    on supp p whose Y-given-X_i conditionals are p's; the optimum mixes at most ``|supp p|`` vertices
    of K. The vertices are enumerated exactly (pycddlib, GMP rationals), the mixture by one LP.

    Parameters
    ----------
    p : array_like of shape (n_y, n_x1, n_x2, ...), or dit.Distribution
        Joint pmf, target first; ``p[y, t, s]`` for two sources. A dit Distribution needs
        ``target``.
    target, sources : optional
        With a dit Distribution: its variables forming Y, and the sources X1, X2, ... (two or
        more; by default every variable but the target, in order), each by index or name as
        :func:`pidkit.pid` takes them. An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
    max_vertices : int, None or "auto", default="auto"
        Refuse (``ValueError``, before any work) a joint whose polytope could have more vertices
        than this: McMullen's bound on K's size, for the largest block where the sources split p
        into blocks that share no symbol (each block is enumerated alone). ``"auto"`` is 300,000;
        ``None`` enumerates whatever the size.
    progress : bool or None, default=None
        A bar of the time of the vertex enumeration (3x3x3: 8-50 s), as :func:`pidkit.pid` draws
        it. True: at once; False: never; None: where a person watches (a terminal, a notebook),
        once it has taken a second. Only a long enumeration has a bar (27 facets or more, one per
        cell of the largest block: 3x3x3 and larger); the answer is the same with it or without.

    Returns
    -------
    float

    Notes
    -----
    The number of vertices grows steeply with the support: on random joints (2 cores) 2x3x3 takes
    0.1 s, 3x3x3 8-50 s (some 19,000 vertices) and 4x3x3 more than ten minutes, which the default
    ``max_vertices`` refuses. Ctrl-C stops the enumeration (large polytopes are enumerated in a
    child process for that reason), and a bar shows its time on a terminal or in a notebook
    (``progress``).

    Examples
    --------
    >>> from pidkit import i_gh
    >>> import pidkit
    >>> round(i_gh(pidkit.examples.and_()), 6)
    0.122556
    >>> import dit
    >>> d = dit.Distribution(["000", "010", "100", "111"], [0.25] * 4)   # Z = X and Y
    >>> round(i_gh(d, target=2), 6)
    0.122556
    """
    p = joint_of_dit_or_array(p, target, sources, name="p", many_sources=True,
                              example_call="pidkit.i_gh(d, target=2, sources=[0, 1])")
    arr = check_sources_joint(p, normalize=normalize)
    units = check_units(units)
    if normalize:
        warn_of_rescaled_counts(p, arr, units, name="p")
    max_vertices = check_max_vertices(max_vertices, "gh")
    progress = check_progress_option("gh", progress)
    return certified(solve("gh", arr, max_vertices=max_vertices, progress=progress), "gh", units)


@one_positional_joint
@refuses_result_options(lambda options: "prec")
def i_prec(
    p: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
    max_vertices: int | str | None = "auto",
    progress: bool | None = None,
) -> float:
    """Kolchinsky (2022) Blackwell redundancy I_∩^≺, exactly, for two or more sources.

    max I(Y;Q) over p(q|y) such that every source X_i has a channel κ_i(q|x_i) with
    sum_x κ_i(q|x) p(x|y) = p(q|y). Each q gives one conditional p(x_i | q) per source, all with the
    same Y-marginal; the optimum mixes vertices of that polytope (exact enumeration plus one LP).

    Parameters
    ----------
    p : array_like of shape (n_y, n_x1, n_x2, ...), or dit.Distribution
        Joint pmf, target first; ``p[y, t, s]`` for two sources. A dit Distribution needs
        ``target``.
    target, sources : optional
        With a dit Distribution: its variables forming Y, and the sources X1, X2, ... (two or
        more; by default every variable but the target, in order), each by index or name as
        :func:`pidkit.pid` takes them. An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
    max_vertices : int, None or "auto", default="auto"
        Refuse (``ValueError``, before any work) a joint whose polytope could have more vertices
        than this (McMullen's bound; the polytope has one coordinate per symbol of each source).
        ``"auto"`` is 20,000 (a random 4x16x16 joint, bound 17,136, takes about a minute on 2
        cores); ``None`` enumerates whatever the size.
    progress : bool or None, default=None
        A bar of the time of the vertex enumeration (10x10x10: 3-25 s), as :func:`pidkit.pid`
        draws it. True: at once; False: never; None: where a person watches (a terminal, a
        notebook), once it has taken a second. Only a long enumeration has a bar (McMullen's bound
        of 1,000 vertices or more: 10x10x10 and larger); the answer is the same with it or without.

    Returns
    -------
    float

    Examples
    --------
    >>> from pidkit import i_prec
    >>> import pidkit
    >>> round(i_prec(pidkit.examples.sum_()), 6)
    0.5
    >>> import dit
    >>> d = dit.Distribution(["000", "011", "101", "112"], [0.25] * 4)   # Z = X + Y
    >>> d.set_rv_names("XYZ")                                              # by name too
    >>> round(i_prec(d, target="Z"), 6)
    0.5
    """
    p = joint_of_dit_or_array(p, target, sources, name="p", many_sources=True,
                              example_call="pidkit.i_prec(d, target=2, sources=[0, 1])")
    arr = check_sources_joint(p, normalize=normalize)
    units = check_units(units)
    if normalize:
        warn_of_rescaled_counts(p, arr, units, name="p")
    max_vertices = check_max_vertices(max_vertices, "prec")
    progress = check_progress_option("prec", progress)
    return certified(solve("prec", arr, max_vertices=max_vertices, progress=progress), "prec", units)
