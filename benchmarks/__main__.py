"""``python -m benchmarks``: list the benchmarks, each with the first line of its docstring.

The docstrings are read from the source files, so that listing imports none of the benchmarks'
dependencies (torch, dit, cvxpy). It takes no arguments but ``--help`` (or ``-h``), which prints
the same list: ``python -m benchmarks bertschinger --quick`` would otherwise print the list and
exit 0 as if the benchmark had run, so arguments are refused in one line, exit code 2, naming the
command to run instead.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence

from pidkit._names import did_you_mean
from pidkit.command_line import end_closed_output

from . import benchmark_files


def listing() -> str:
    """The benchmarks ``python -m benchmarks.NAME`` runs, one line each, and how to run them."""
    lines = ["python -m benchmarks.NAME [--quick] [--help]; docs/benchmarks.md says how long each takes.", ""]
    for path in benchmark_files():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        lines.append(f"  {path.stem:<14} {doc.splitlines()[0].replace('``', '') if doc else ''}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print :func:`listing` (also for ``--help``); refuse other arguments with the command that
    runs what was meant.

    Examples
    --------
    >>> main(["bertschinger", "--quick"])  # stderr: ... to run it: python -m benchmarks.bertschinger --quick
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv in ([], ["--help"], ["-h"]):
        try:
            print(listing(), flush=True)
        except BrokenPipeError:  # `| head`: the reader has what it wanted
            return end_closed_output()
        return 0
    name, rest = argv[0], argv[1:]
    names = [path.stem for path in benchmark_files()]
    if name in names:
        hint = f"to run it: python -m benchmarks.{' '.join([name, *rest])}"
    else:
        hint = (f"{name!r} is not a benchmark.{did_you_mean(name, names)} Run python -m "
                f"benchmarks to list them, then python -m benchmarks.NAME")
    print(f"python -m benchmarks: takes no arguments, it lists the benchmarks; {hint}",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
