"""The RID paper's examples and theorems as one-call checks on discrete distributions.

Each check builds the distributions the statement speaks of, enumerates the candidates (every
deterministic student S = f(T) within the budget, random joints, ...), computes both sides with
pidkit, and returns a :class:`TheoremReport` with the numbers and the verdict.

- :func:`check_paper_examples` — Examples 1–3 with their stated numbers.
- :func:`check_theorem_3_1` — teacher with a nuisance, T = (Z, G), in both regimes H(Z) ≷ H(G).
- :func:`check_theorem_3_2` — non-negativity, Uni = 0 ⇒ I(Y;S) is the larger MI, monotonicity.
- :func:`check_theorem_4_1` — Red_∩ ≤ Red under every reading, and the whole chain
  ``gh-target-only <= wedge <= gh-function-of-t <= gh <= prec <= broja <= mmi``.

Modules, each with one job:

- :mod:`~pidkit.theorems.report`: :class:`TheoremReport`, the table and verdict every check returns;
- :mod:`~pidkit.theorems.shared`: what the checks share (the tolerance, information in bits,
  random joints);
- :mod:`~pidkit.theorems.paper_examples`, :mod:`~pidkit.theorems.theorem_3_1`,
  :mod:`~pidkit.theorems.theorem_3_2` and :mod:`~pidkit.theorems.theorem_4_1`: one check each.
"""

from .paper_examples import check_paper_examples
from .report import TheoremReport
from .theorem_3_1 import check_theorem_3_1
from .theorem_3_2 import check_theorem_3_2
from .theorem_4_1 import CHAIN, check_theorem_4_1

__all__ = [
    "CHAIN",
    "TheoremReport",
    "check_paper_examples",
    "check_theorem_3_1",
    "check_theorem_3_2",
    "check_theorem_4_1",
]
