"""What ``pidkit decompose`` says of a joint whose cells are whole numbers, as counts are.

A table of counts refused for its total is told that it looks like counts (:func:`counts_advice`),
and one rescaled by ``--normalize`` is the plug-in estimate, whose expected first-order bias the
command warns of where it is a sizeable share of I(Y;T,S) (:func:`warn_of_plugin_bias`, in the
words of :class:`~pidkit.estimate.PluginBiasWarning`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._joint_input import STDIN
from ._result import PIDResult

__all__ = ["RESCALE_ADVICE", "counts_advice", "warn_of_plugin_bias", "whole_numbers"]

RESCALE_ADVICE = "Pass normalize=True to rescale it"
"""The library's advice for a joint whose total is not 1."""


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


def warn_of_plugin_bias(counts: np.ndarray, result: PIDResult, path: str) -> None:
    """Warn, in :class:`~pidkit.estimate.PluginBiasWarning`'s words and where it would, that the
    atoms of ``counts`` rescaled by --normalize are the plug-in's, whose first-order bias of
    I(Y;T,S) is a sizeable share of ``result``'s; its last sentence, the estimator's arguments,
    becomes the corrected route from the counts."""
    from .estimate import PluginBiasWarning
    from .estimate.bias_warning import bias_warning_text, plugin_bias
    whole = counts.astype(np.int64)
    text = bias_warning_text(plugin_bias(whole, result.units), result.i_yts, int(whole.sum()),
                             f"{whole.size} cells", result.units)
    if text is not None:
        loaded = "counts" if path == STDIN else f"np.load({path!r})"
        fix = (f"For bias-corrected atoms, in Python: pidkit.estimate.correct_counts({loaded}); "
               "or count more samples.")
        warnings.warn(f"plug-in atoms: {text[:text.rindex('. Use ') + 2]}{fix}", PluginBiasWarning,
                      stacklevel=1)
