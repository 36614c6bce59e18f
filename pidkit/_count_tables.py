"""What pidkit says of a joint whose cells are whole numbers, as counts are.

A table of counts refused for its total is told that it looks like counts (:func:`counts_advice`),
and one rescaled by ``normalize=True`` (``pidkit decompose --normalize``) is the plug-in estimate,
whose expected first-order bias :func:`pidkit.pid` and the command warn of where it is a sizeable
share of I(Y;T,S) (:func:`warn_of_plugin_bias`, in the words of
:class:`~pidkit.estimate.PluginBiasWarning`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._result import PIDResult

__all__ = [
    "MOST_COUNTED", "PLUGIN_ATOMS", "RESCALE_ADVICE", "counts_advice", "warn_of_plugin_bias", "whole_numbers",
]

RESCALE_ADVICE = "Pass normalize=True to rescale it"
"""The library's advice for a joint whose total is not 1."""


PLUGIN_ATOMS = "plug-in atoms: "
"""How :func:`warn_of_plugin_bias`'s warning starts (a caller that words it itself filters it out)."""
MOST_COUNTED = 2.0**53
"""The largest total of counts that float64 cells hold exactly; whole numbers beyond it (cells of
1e300) are a joint scaled up, not samples counted, and are not judged as counts."""


def counts_advice(advice: str, joint: Any) -> str:
    """``advice``, where it refuses the total of ``joint`` (as read) and every cell of it is a whole
    number, saying that it looks like counts."""
    if RESCALE_ADVICE not in advice:  # before reading the cells: a refused joint may not convert, or fit
        return advice
    if not whole_numbers(joint):
        return advice
    return advice.replace(RESCALE_ADVICE, "Its cells are whole numbers, so it looks like counts: pass "
                                          "--normalize to rescale them into probabilities")


def whole_numbers(joint: Any) -> bool:
    """Whether every cell of ``joint`` (as read) is a whole number, as counts are."""
    cells = np.asarray(joint, dtype=float)
    return bool((cells == np.round(cells)).all())


def warn_of_plugin_bias(joint: Any, result: PIDResult, corrected_route: Callable[[np.ndarray], str], *,
                        stacklevel: int) -> None:
    """Warn, in :class:`~pidkit.estimate.PluginBiasWarning`'s words and where it would, that
    ``result``, the atoms of ``joint`` rescaled by ``normalize=True``, are the plug-in's, whose
    first-order bias of I(Y;T,S) is a sizeable share of its I(Y;T,S): where every cell of ``joint``
    is a whole number and they sum to more than 1 and at most :data:`MOST_COUNTED`, as counts do.
    The warning's last sentence, the estimator's arguments, becomes ``corrected_route(counts)``: how
    to get bias-corrected atoms from these counts. ``stacklevel`` is the caller's, as it would pass
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
    >>> [str(w.message) for w in caught]              # I(Y;T,S) is 0 with every cell seen once
    ['plug-in atoms: the expected plug-in bias of I(Y;T,S) with 18 samples over 18 cells is 0.321 \
bits, and the estimate 0 bits, so the atoms cannot be told from that bias. Count more.']
    """
    cells = np.asarray(joint, dtype=float)
    with np.errstate(over="ignore"):  # cells of 1e308, scaled probabilities: their total is inf
        total = cells.sum()
    if not whole_numbers(cells) or not 1 < total <= MOST_COUNTED:
        return
    from .estimate.bias_warning import PluginBiasWarning, bias_warning_text, plugin_bias
    whole = cells.astype(np.int64)
    text = bias_warning_text(plugin_bias(whole, result.units), result.i_yts, int(whole.sum()),
                             f"{whole.size} cells", result.units)
    if text is not None:
        warnings.warn(f"{PLUGIN_ATOMS}{text[:text.rindex('. Use ') + 2]}{corrected_route(whole)}",
                      PluginBiasWarning, stacklevel=stacklevel + 1)
