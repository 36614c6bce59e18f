"""AND written as four equally likely outcomes, ``[[[1, 1], [1, 0]], [[0, 0], [0, 1]]]`` (as papers and
dit write an exact joint), warned with ``normalize=True`` of the plug-in's bias as if it were 4
samples, and said nothing of the other reading (walk t-466 M3): every warning of rescaled counts
(``pid``, the redundancy measures, ``bertschinger_batch``, ``pidkit decompose --normalize``) now ends
saying that weights give exact atoms, passed as ``p / p.sum()``."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import pidkit
from pidkit.cli import main
from pidkit.estimate import PluginBiasWarning

AND_WEIGHTS = [[[1, 1], [1, 0]], [[0, 0], [0, 1]]]  # p[y, t, s]: y = t AND s, the four (t, s) alike
WEIGHTS = ("If these numbers are weights of outcomes rather than counts of samples (as papers and dit "
           "often write an exact joint), the atoms are exact: pass p / p.sum() and no warning comes "
           "(normalize only rescales; it cannot tell weights from counts).")


def _h(*masses: float) -> float:
    return -sum(m * math.log2(m) for m in masses if m > 0)


@pytest.mark.parametrize("measure", [
    lambda p: pidkit.pid(p, normalize=True),
    lambda p: pidkit.redundancy(p, measure="mmi", normalize=True),
    lambda p: pidkit.bertschinger_batch([p], normalize=True),
], ids=["pid", "redundancy", "bertschinger_batch"])
def test_the_warning_names_the_weights_reading(measure):
    with pytest.warns(PluginBiasWarning) as caught:
        measure(np.array(AND_WEIGHTS, dtype=float))
    said = str(caught[0].message)
    assert len(caught) == 1 and f"or count more samples. {WEIGHTS}" in said  # the batch's route follows
    assert "with 4 samples over 8 cells" in said


def test_the_advised_call_is_silent_and_exact():
    p = np.array(AND_WEIGHTS, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exact = pidkit.pid(p / p.sum())
    # AND's I(Y;T,S) = H(Y) = h(1/4) and Red = I(Y;T) = h(1/4) - P(T=1) h(1/2) (Bertschinger et al. 2014)
    assert exact.i_yts == pytest.approx(_h(0.25, 0.75), abs=1e-12)
    assert exact.red == pytest.approx(_h(0.25, 0.75) - 0.5 * _h(0.5, 0.5), abs=1e-8)


def test_the_command_says_it_too(tmp_path, capsys):
    path = tmp_path / "and.npy"
    np.save(path, np.array(AND_WEIGHTS))
    assert main(["decompose", str(path), "--normalize"]) == 0
    assert capsys.readouterr().err.endswith(f" {WEIGHTS}\n")
