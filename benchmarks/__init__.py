"""Benchmarks: ``python -m benchmarks.NAME`` prints a table, peers measured in the same run.

``python -m benchmarks.NAME`` with a NAME that is no benchmark is refused here, where the package
is imported before Python looks for the module: one line naming the closest benchmark and how to
list them, exit status 2 (Python's own "No module named benchmarks.NAME" exits with 1). A NAME
that is one of the benchmarks' helpers (``_cli``, ``_timing``, ``_records``), which would run
silently and exit 0, is refused the same way, with the benchmarks' names.
"""

from __future__ import annotations

import sys
from pathlib import Path


def benchmark_files() -> list[Path]:
    """The benchmarks' source files, ``NAME.py`` for each ``python -m benchmarks.NAME``."""
    return sorted(Path(__file__).parent.glob("[!_]*.py"))


def _refuse_an_unknown_name(argv: list[str]) -> None:
    """Exit with one line and status 2 when ``argv`` (the interpreter's) runs ``-m benchmarks.NAME``
    for a NAME that is no benchmark: a helper of theirs, or no module at all."""
    if sys.argv[:1] != ["-m"]:  # what sys.argv[0] is while Python locates a -m module, and only then
        return
    # The module's name comes just before the script's arguments (sys.argv's after '-m'), alone
    # ('-m NAME', '-Bm NAME') or after the option ('-mNAME', '-BmNAME'; no other option has an m).
    target = argv[len(argv) - len(sys.argv)] if len(argv) > len(sys.argv) else ""
    if target.startswith("-"):
        target = target.partition("m")[2]
    package, _, name = target.partition(".")
    names = [path.stem for path in benchmark_files()]
    if package != __name__ or not name or name in names or name == "__main__":  # __main__: the list
        return
    if (Path(__file__).parent / f"{name}.py").is_file():
        print(f"python -m {target}: not a benchmark but a module the benchmarks use; run python -m "
              f"benchmarks.NAME with NAME one of {', '.join(names)}", file=sys.stderr)
        sys.exit(2)
    from pidkit._names import did_you_mean

    print(f"python -m {target}: no such benchmark.{did_you_mean(name, names)} Run python -m "
          "benchmarks to list them", file=sys.stderr)
    sys.exit(2)


_refuse_an_unknown_name(getattr(sys, "orig_argv", []))
