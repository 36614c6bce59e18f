"""``pid``: one entry point for every redundancy measure pidkit implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from numpy.typing import ArrayLike

from ._names import did_you_mean
from ._positional_joint import one_positional_joint
from ._result import PIDResult
from .redundancy.dispatch import check_measure
from .redundancy.pid_options import PID_FUNCTIONS, measure_options, pid_options
from .samples import joint_of_dit_or_array


@one_positional_joint
def pid(
    p_yts: ArrayLike,
    *,
    measure: str = "broja",
    target: int | str | Sequence[int | str] | None = None,
    sources: Sequence[int | str | Sequence[int | str]] | None = None,
    **options: Any,
) -> PIDResult:
    """Partial information decomposition of ``p[y, t, s]`` under the chosen redundancy measure.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        Joint pmf indexed target, teacher, student. A dit Distribution needs ``target``.
    measure : str, default="broja"
        ``"broja"`` is Bertschinger et al. (2014), solved by :func:`pidkit.bertschinger`. The
        others (``"wedge"``, ``"gh"``, ``"prec"``, ``"mmi"``, ``"gh-target-only"``,
        ``"gh-function-of-t"``, ``"gh-function-of-s"``; see :mod:`pidkit.redundancy`) give Red,
        and Uni and Syn follow from the PID identities; they take ``units``, ``normalize`` and
        ``strict``, and ``"gh"`` and ``"prec"`` also ``max_vertices`` and ``progress`` (a bar of a
        long vertex enumeration's time). Derived synergy can be negative for all but ``"broja"``
        and ``"mmi"``. A name from the literature that is one of these (``"blackwell"``,
        ``"I_GH"``) is refused with pidkit's name for it.
    target : int, str or sequence of them, optional
        With a dit Distribution: the variable(s) forming Y, each an index from 0 (negative from
        the end, as Python's: -1 is the last) or a name where ``d`` has names
        (``d.set_rv_names``), as :func:`pidkit.joint_from_dit` takes them. Required for dit input;
        an array is already indexed ``[y, t, s]`` and takes neither ``target`` nor ``sources``
        (reorder its axes with ``np.moveaxis``).
    sources : sequence of two ints, strs or sequences of them, optional
        With a dit Distribution: the variables forming T and S, by index or name as ``target``.
        By default the two variables other than ``target``, in order (a ``ValueError`` where not
        exactly two are left).
    **options
        Passed to the measure's function (``units``, ``tol``, ``strict``, ...); an option the
        measure does not take is a ``TypeError``. ``max_vertices`` and ``progress``, which only
        ``"gh"`` and ``"prec"`` use, are judged for every measure as :func:`pidkit.redundancy`
        judges them: at their defaults (``"auto"``, ``None``) they are accepted and have no
        effect; set to anything else for another measure they are a ``TypeError``.

    Returns
    -------
    PIDResult

    Warns
    -----
    pidkit.estimate.PluginBiasWarning
        With ``normalize=True`` on counts (every cell a whole number, more than 1 in all), where the
        expected first-order plug-in bias of I(Y;T,S) exceeds a tenth of its estimate and 5e-4 bits, as
        ``pidkit decompose --normalize`` warns: the atoms are the plug-in's, likely overestimated.
        The measure's function gives it (:func:`pidkit.bertschinger`, :func:`pidkit.redundancy` and
        the others warn alike), once per call, naming the caller's line.

    Examples
    --------
    >>> import pidkit
    >>> pidkit.pid(pidkit.examples.rdn()).red
    1.0
    >>> round(pidkit.pid(pidkit.examples.and_(), measure="gh").syn, 6)
    0.311278
    >>> round(pidkit.pid(pidkit.examples.and_(), measure="mmi", progress=None).red, 6)  # the default
    0.311278
    >>> pidkit.pid(pidkit.examples.and_(), measure="mmi", progress=True)
    Traceback (most recent call last):
    ...
    TypeError: progress applies to measure='gh' and measure='prec' only (their vertex enumeration); \
measure='mmi' shows none. Drop progress.
    """
    p_yts = joint_of_dit_or_array(p_yts, target, sources, name="p_yts",
                                  example_call="pidkit.pid(d, target=2, sources=[0, 1])")
    function = PID_FUNCTIONS[check_measure(measure)]
    options = measure_options(measure, options)
    _check_options(measure, options)
    return function(p_yts, **options)


_SOURCE_IN_THE_NAME = (
    " The source of Q = f(source) is in the measure's name: measure='gh-function-of-t' or "
    "'gh-function-of-s' (pidkit.i_function_of_source takes it as source='t' or 's')."
)


def _check_options(measure: str, options: dict[str, Any]) -> None:
    """A ``TypeError`` naming an option the measure does not take, the options it does take, a
    close match, and the measures that take it."""
    accepted = pid_options(measure)
    for name in options:
        if name in accepted:
            continue
        takers = " and ".join(f"measure={other!r}" for other in PID_FUNCTIONS if name in pid_options(other))
        raise TypeError(
            f"measure={measure!r} takes no option {name!r}; its options are {', '.join(accepted)}."
            + did_you_mean(name, accepted)
            + (f" {name!r} is an option of {takers}." if takers else "")
            + (_SOURCE_IN_THE_NAME if name == "source" and measure.startswith("gh-function-of-") else "")
        )
