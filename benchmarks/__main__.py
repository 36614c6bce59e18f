"""``python -m benchmarks``: list the benchmarks, each with the first line of its docstring.

The docstrings are read from the source files, so that listing imports none of the benchmarks'
dependencies (torch, dit, cvxpy).
"""

from __future__ import annotations

import ast
from pathlib import Path


def listing() -> str:
    """The benchmarks ``python -m benchmarks.NAME`` runs, one line each, and how to run them."""
    lines = ["python -m benchmarks.NAME [--quick] [--help]; docs/benchmarks.md says how long each takes.", ""]
    for path in sorted(Path(__file__).parent.glob("[!_]*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        lines.append(f"  {path.stem:<14} {doc.splitlines()[0].replace('``', '') if doc else ''}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(listing())
