"""What pidkit says of a joint whose cells are whole numbers, as counts are.

A joint of counts refused for its total is told that it looks like counts, and which route
corrects the plug-in's bias (``pidkit._count_refusals``); one rescaled by ``normalize=True``
(``pidkit decompose --normalize``) is the plug-in estimate, whose expected first-order bias is
warned of where it is a sizeable share of I(Y;T,S), or where its unique informations are as at a
kink of the BROJA optimum (the rules of :func:`pidkit.estimate.bias_warning.bias_warning_rule`), in
the words of :class:`~pidkit.estimate.PluginBiasWarning`: by every public measure of one joint through
:func:`warn_of_rescaled_counts` (:func:`pidkit.pid`, :func:`pidkit.bertschinger`,
:func:`pidkit.redundancy` and its per-measure functions, :func:`pidkit.redundancy.pid_from_measure`),
once per batch by :func:`warn_of_rescaled_count_batch` (:func:`pidkit.bertschinger_batch`), and by
the command through :func:`warn_of_plugin_bias`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._caller import user_stacklevel
from ._count_refusals import counted_cells
from ._result import PIDResult
from ._units import from_nats
from .measures import informations_nats

__all__ = [
    "BATCH_CORRECTED_ROUTE", "PLUGIN_ATOMS", "WEIGHTS_READING", "python_corrected_route",
    "warn_of_plugin_bias", "warn_of_rescaled_count_batch", "warn_of_rescaled_counts",
]

BATCH_CORRECTED_ROUTE = ("For the bias-corrected atoms of every joint of the batch: "
                         "pidkit.parallel.map_chunks(pidkit.estimate.correct_counts, ps, n_jobs), one "
                         "BiasCorrection per joint, in order (docs/performance.md).")
"""The last sentence of :func:`warn_of_rescaled_count_batch`'s warning: how a sweep of count tables
gets bias-corrected atoms, each joint's :func:`pidkit.estimate.correct_counts` in parallel."""

PLUGIN_ATOMS = "plug-in atoms: "
"""How :func:`warn_of_plugin_bias`'s warning starts (a caller that words it itself filters it out)."""

WEIGHTS_READING = ("If these numbers are weights of outcomes rather than counts of samples (as papers "
                   "and dit often write an exact joint), the atoms are exact: pass p / p.sum() and no "
                   "warning comes (normalize only rescales; it cannot tell weights from counts).")
"""The last sentence of each warning of counts rescaled by ``normalize=True`` (before a batch's
:data:`BATCH_CORRECTED_ROUTE`): the other reading of a table of whole numbers, an exact joint
written as weights, e.g. AND as ``[[[1, 1], [1, 0]], [[0, 0], [0, 1]]]``."""


def python_corrected_route(name: str) -> Callable[[np.ndarray], str]:
    """How a Python caller gets bias-corrected atoms from the counts it passed as ``name``: the last
    sentence of the warnings of :func:`warn_of_rescaled_counts` and :func:`warn_of_rescaled_count_batch`.

    Examples
    --------
    >>> python_corrected_route("p_yts")(np.ones((2, 2, 2)))[:63]
    'For bias-corrected atoms: pidkit.estimate.correct_counts(p_yts)'
    """

    def route(counts: np.ndarray) -> str:
        return (f"For bias-corrected atoms: pidkit.estimate.correct_counts({name}), or "
                "pidkit.estimate.pid_from_representations(y, t, s) from the samples (each says what to "
                "change where the samples are too few for it); or count more samples.")

    return route


def warn_of_rescaled_counts(joint: Any, p: np.ndarray, units: str, *, name: str = "p_yts",
                            unique: tuple[float, float] | None = None) -> None:
    """The :class:`~pidkit.estimate.PluginBiasWarning` of :func:`warn_of_plugin_bias`, for a public
    measure that validated ``joint`` (its argument ``name``, as given) into the probabilities ``p``:
    given where ``joint`` holds counts that ``normalize=True`` rescaled and the expected plug-in bias
    of I(Y;T,S) is a sizeable share of that of ``p``, or where ``unique``, the plug-in Uni(Y:T\\S)
    and Uni(Y:S\\T) of ``p``, are as at a kink (:func:`pidkit.estimate.bias_warning.unique_kink_bias`),
    pointing at the caller's line outside pidkit. A joint of more than two sources is not judged
    (the words and the route are of ``p[y, t, s]``).

    Examples
    --------
    >>> import warnings
    >>> counts = np.ones((2, 3, 3))                   # 18 samples over 18 cells, independent
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_of_rescaled_counts(counts, counts / 18, "bits")
    ...     warn_of_rescaled_counts(counts / 18, counts / 18, "bits")   # probabilities: no warning
    >>> [str(w.message)[:60] for w in caught]
    ['plug-in atoms: the expected plug-in bias of I(Y;T,S) with 18']
    """
    if (fired := _rescaled_warning(joint, p, units, name, unique)) is not None:
        from .estimate.bias_warning import PluginBiasWarning
        warnings.warn(f"{PLUGIN_ATOMS}{fired[1]}", PluginBiasWarning, stacklevel=user_stacklevel())


def warn_of_rescaled_count_batch(joints: list[Any], ps: list[np.ndarray], units: str,
                                 uniques: list[tuple[float, float]] | None = None) -> None:
    """One :class:`~pidkit.estimate.PluginBiasWarning` for a batch whose joints ``joints``, validated
    into ``ps``, hold counts that :func:`warn_of_rescaled_counts` would warn of, each by the rule
    of :func:`~pidkit.estimate.bias_warning.bias_warning_rule`: how many of the batch, which (the
    first five of each rule), the first one's warning, and :data:`BATCH_CORRECTED_ROUTE`.
    ``uniques`` holds each joint's plug-in Uni(Y:T\\S) and Uni(Y:S\\T), which the kink rule reads
    (without them only the first rule is read).

    Examples
    --------
    >>> import warnings
    >>> counts = np.ones((2, 3, 3))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_of_rescaled_count_batch([counts / 18, counts, counts], [counts / 18] * 3, "bits")
    >>> print(str(caught[0].message).split(". ps[1]: ")[0])
    plug-in atoms: 2 of 3 joints are counts rescaled by normalize=True whose expected plug-in bias of \
I(Y;T,S) is a sizeable share of its estimate: ps[1], ps[2]
    """
    fired = [(index, _rescaled_warning(joint, p, units, f"ps[{index}]",
                                       None if uniques is None else uniques[index]))
             for index, (joint, p) in enumerate(zip(joints, ps, strict=True))]
    flagged = [(index, *warning) for index, warning in fired if warning is not None]
    if not flagged:
        return
    groups = []
    for rule, whose in _BATCH_RULE_WORDS.items():
        indices = [index for index, fired_rule, _ in flagged if fired_rule == rule]
        if indices:
            more = f" and {len(indices) - 5} more" if len(indices) > 5 else ""
            groups.append(f"{whose}: {', '.join(f'ps[{index}]' for index in indices[:5])}{more}")
    first, _, text = flagged[0]
    from .estimate.bias_warning import PluginBiasWarning
    warnings.warn(f"{PLUGIN_ATOMS}{len(flagged)} of {len(joints)} joints are counts rescaled by "
                  f"normalize=True {'; and '.join(groups)}. ps[{first}]: {text} {BATCH_CORRECTED_ROUTE}",
                  PluginBiasWarning, stacklevel=user_stacklevel())


_BATCH_RULE_WORDS = {
    "i_yts": "whose expected plug-in bias of I(Y;T,S) is a sizeable share of its estimate",
    "uni_at_kink": ("whose plug-in unique informations are as at a kink of the BROJA optimum, where they "
                    "are likely overestimated"),
}
"""How :func:`warn_of_rescaled_count_batch` names the joints each rule of
:func:`~pidkit.estimate.bias_warning.bias_warning_rule` fired on, in this order."""


def warn_of_plugin_bias(joint: Any, result: PIDResult, corrected_route: Callable[[np.ndarray], str], *,
                        stacklevel: int) -> None:
    """Warn, in :class:`~pidkit.estimate.PluginBiasWarning`'s words and where it would, that
    ``result``, the atoms of ``joint`` rescaled by ``normalize=True``, are the plug-in's, whose
    first-order bias of I(Y;T,S) is a sizeable share of its I(Y;T,S): where every cell of ``joint``
    is a whole number and they sum to more than 1 and at most
    :data:`~pidkit._count_refusals.MOST_COUNTED`, as counts do.
    The estimator's last sentence, its arguments, becomes ``corrected_route(counts)``: how to get
    bias-corrected atoms from these counts; :data:`WEIGHTS_READING` follows, the reading of the
    cells as weights of an exact joint. ``stacklevel`` is the caller's, as it would pass
    it to :func:`warnings.warn`.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import pidkit
    >>> counts = np.ones((2, 3, 3))                   # 18 samples over 18 cells, independent
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_of_plugin_bias(counts, pidkit.pid(counts / 18), lambda c: "Count more.", stacklevel=1)
    >>> print(caught[0].message)                      # I(Y;T,S) is 0 with every cell seen once
    plug-in atoms: the expected plug-in bias of I(Y;T,S) with 18 samples over 18 cells is 0.321 \
bits, and the estimate 0 bits, so the atoms cannot be told from that bias. Count more. If these \
numbers are weights of outcomes rather than counts of samples (as papers and dit often write an exact \
joint), the atoms are exact: pass p / p.sum() and no warning comes (normalize only rescales; it cannot \
tell weights from counts).
    """
    counts = counted_cells(joint)
    unique = (result.uni_t, result.uni_s)
    if counts is not None and (fired := _bias_warning(counts, result.i_yts, result.units, corrected_route,
                                                      unique)):
        from .estimate.bias_warning import PluginBiasWarning
        warnings.warn(f"{PLUGIN_ATOMS}{fired[1]}", PluginBiasWarning, stacklevel=stacklevel + 1)


def _rescaled_warning(joint: Any, p: np.ndarray, units: str, name: str, unique: tuple[float, float] | None
                      ) -> tuple[str, str] | None:
    """:func:`_bias_warning` of the argument ``name``, ``joint`` as given and ``p`` as validated;
    None for a joint of more than two sources. I(Y;T,S) is computed only for counts."""
    if p.ndim != 3 or (counts := counted_cells(joint)) is None:
        return None
    i_yts = from_nats(informations_nats(p).i_yts, units)
    return _bias_warning(counts, i_yts, units, python_corrected_route(name), unique)


def _bias_warning(counts: np.ndarray, i_yts: float, units: str, corrected_route: Callable[[np.ndarray], str],
                  unique: tuple[float, float] | None) -> tuple[str, str] | None:
    """The rule that fires (:func:`~pidkit.estimate.bias_warning.bias_warning_rule`) and the
    warning's text after :data:`PLUGIN_ATOMS`, ending in :data:`WEIGHTS_READING`, where the
    expected plug-in bias of I(Y;T,S) of ``counts`` is a sizeable share of ``i_yts``, or where the
    plug-in unique informations ``unique`` are as at a kink; else None."""
    from .estimate.bias_warning import bias_warning_rule, bias_warning_text, plugin_bias, unique_kink_bias
    bias = plugin_bias(counts, units)
    if unique is not None:
        bias["uni_at_kink"] = unique_kink_bias(counts, *unique, units)
    rule = bias_warning_rule(bias, i_yts, units)
    text = bias_warning_text(bias, i_yts, int(counts.sum()), f"{counts.size} cells", units, unique=unique)
    if rule is None or text is None:  # one rule: both are None or neither
        return None
    return rule, f"{text[:text.rindex('. Use ') + 2]}{corrected_route(counts)} {WEIGHTS_READING}"
