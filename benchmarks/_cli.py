"""The command line shared by the benchmarks: one parser, checked numbers, progress, a quiet end.

Every benchmark builds its parser with :func:`parser` (``prog`` is ``python -m benchmarks.NAME``,
errors are one line on stderr with exit status 2, options are taken only whole, as by the pidkit
command, ``--quick`` runs its smallest settings, ``--jsonl FILE`` writes the measured rows to
FILE, see :mod:`benchmarks._records`), reads
its arguments with :func:`parse_args`, refuses sizes that cannot fit with :func:`check_memory`,
shows progress with :func:`progress` (on stderr, so that stdout holds only the tables), prints the
rows measured so far on Ctrl-C with :func:`shown_if_interrupted`, names a peer that is not
installed with :func:`not_installed`, and runs under :func:`run`, which turns Ctrl-C into one line
and exit status 130, a closed output (``| head``) into exit status 141, and memory that ran out
or a file that could not be written (``MemoryError``, ``OSError``) into one line and exit status
2, without a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import math
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.process import BaseProcess
from typing import Any, NoReturn, TypeVar

from tqdm import tqdm

from pidkit._memory import available_memory
from pidkit.command_line import StrictArgumentParser, checked, end_closed_output, one_line

T = TypeVar("T")


def parser(
    name: str, doc: str, *, duration: str, quick: Sequence[str], quick_duration: str, docs: str
) -> argparse.ArgumentParser:
    """The parser of ``python -m benchmarks.NAME``, with a ``--quick`` switch.

    Parameters
    ----------
    name : str
        The module's name in ``benchmarks``.
    doc : str
        The module's docstring; its first paragraph, without reST's double backquotes, is the
        description.
    duration : str
        How long the default run takes, for the epilog ("about 3 minutes on 2 cores").
    quick : sequence of str
        The options ``--quick`` stands for (the module's ``QUICK``), shown in its help.
    quick_duration : str
        How long the ``--quick`` run takes, for its help ("about 10 s").
    docs : str
        The page that explains the tables ("docs/performance.md").

    Returns
    -------
    argparse.ArgumentParser
        A :class:`pidkit.command_line.StrictArgumentParser`: errors print one line on stderr and exit
        with status 2; an option is taken only whole (``--repeat`` is no ``--repeats``), and a
        misspelt one is answered with the closest.

    Examples
    --------
    >>> demo = parser("demo", "Time a demo.", duration="1 s", quick=["--repeats", "1"],
    ...               quick_duration="0.1 s", docs="docs/benchmarks.md")
    >>> demo.prog
    'python -m benchmarks.demo'
    """
    prog = f"python -m benchmarks.{name}"
    new = StrictArgumentParser(
        prog=prog,
        description=doc.strip().split("\n\n")[0].replace("``", ""),  # plain text, not reST
        epilog=f"The default run takes {duration}; '{prog} --quick' checks that it works. The tables "
        f"go to stdout, progress to stderr; {docs} explains them.",
    )
    new.add_argument("--quick", action="store_true",
                     help=f"smallest settings: {' '.join(quick)} ({quick_duration})")
    new.add_argument("--jsonl", metavar="FILE",
                     help="also write each measured row to FILE as a line of JSON, with the raw "
                          "numbers (seconds, bits, sizes) and the peers' beside pidkit's; emptied "
                          "first, each line written as its row is measured (Ctrl-C keeps them); "
                          "'-' writes them to stdout and the tables to stderr")
    return new


def parse_args(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, quick: Sequence[str]
) -> argparse.Namespace:
    """Parse ``argv``; with ``--quick``, the options ``quick`` come first, so options given win.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        A parser from :func:`parser`.
    argv : sequence of str or None
        The arguments (default: the process's).
    quick : sequence of str
        The options ``--quick`` stands for, as on the command line (``["--repeats", "1"]``).

    Returns
    -------
    argparse.Namespace
        The parsed arguments.

    Examples
    --------
    >>> demo = parser("demo", "Time a demo.", duration="1 s", quick=["--repeats", "1"],
    ...               quick_duration="0.1 s", docs="docs/benchmarks.md")
    >>> _ = demo.add_argument("--repeats", type=positive_int, default=5)
    >>> [parse_args(demo, argv, ["--repeats", "1"]).repeats
    ...  for argv in ([], ["--quick"], ["--quick", "--repeats", "3"])]
    [5, 1, 3]
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    return parser.parse_args([*quick, *argv]) if args.quick else args


def integer(low: int, why: str = "") -> Callable[[str], int]:
    """An argparse type: an integer of at least ``low``; ``why`` explains the bound.

    Examples
    --------
    >>> integer(2, " (pairs)")("3")
    3
    >>> integer(2, " (pairs)")("1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer >= 2 (pairs); got '1'
    """
    words = {0: "an integer >= 0", 1: "a positive integer"}.get(low, f"an integer >= {low}") + why

    def check(text: str) -> int:
        return checked(text, int, lambda value: value >= low, words)

    return check


def positive_float(text: str) -> float:
    """An argparse type: a finite number above 0."""
    return checked(text, float, lambda value: 0 < value < math.inf, "a positive number")


CAP_SECONDS = 10**6
"""The longest cap a measurement takes (11.6 days): waiting for a child process accepts at most
2**31 ms (24.8 days); more raised OverflowError once the first measurement had started."""


def cap_seconds(text: str) -> float:
    """An argparse type: a cap in seconds, above 0 and at most :data:`CAP_SECONDS`.

    Examples
    --------
    >>> cap_seconds("60")
    60.0
    >>> cap_seconds("1e300")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a positive number of seconds up to 1000000 (11.6 days); got '1e300'
    """
    return checked(text, float, lambda value: 0 < value <= CAP_SECONDS,
                   f"a positive number of seconds up to {CAP_SECONDS} ({CAP_SECONDS / 86400:.1f} days)")


def nonnegative_float(text: str) -> float:
    """An argparse type: a finite number of at least 0."""
    return checked(text, float, lambda value: 0 <= value < math.inf, "a finite number >= 0") + 0.0  # -0 as 0


positive_int = integer(1)
nonnegative_int = integer(0)


def processes(text: str) -> int:
    """An argparse type: a count of worker processes, from 1 to the CPUs here (as joblib counts
    them: those this process may run on, within its container's quota); more would only share
    the same cores, each with a copy of the work's memory.

    Examples
    --------
    >>> from joblib import cpu_count
    >>> processes("1")
    1
    >>> processes(str(cpu_count() + 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected an integer from 1 to ..., the CPUs here; got '...'
    """
    from joblib import cpu_count

    cpus = cpu_count()
    return checked(text, int, lambda value: 1 <= value <= cpus, f"an integer from 1 to {cpus}, the CPUs here")


def n_jobs(text: str) -> int:
    """An argparse type: joblib's ``n_jobs``, a count of processes up to the CPUs here, or a negative
    one that many CPUs short of one more than all of them (-1: every CPU, -2: all but one).

    Examples
    --------
    >>> n_jobs("-1"), n_jobs("1")
    (-1, 1)
    """
    from joblib import cpu_count

    cpus = cpu_count()
    return checked(text, int, lambda value: value != 0 and abs(value) <= cpus,
                   f"a nonzero integer from -{cpus} to {cpus}, the CPUs here (-1: every CPU)")


def names(allowed: Iterable[str]) -> Callable[[str], set[str]]:
    """An argparse type: a comma-separated list of some of ``allowed`` (``--suites small,batch``).

    Examples
    --------
    >>> sorted(names(["small", "large", "batch"])("small, batch"))
    ['batch', 'small']
    """
    allowed = list(allowed)

    def check(text: str) -> set[str]:
        chosen = {name.strip() for name in text.split(",") if name.strip()}
        unknown = sorted(chosen - set(allowed))
        if not chosen or unknown:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated names from {', '.join(allowed)}; got {text!r}"
            )
        return chosen

    return check


def check_memory(parser: argparse.ArgumentParser, option: str, n_bytes: float, what: str) -> None:
    """Refuse, in one line with exit status 2 before any work, a size whose ``n_bytes`` exceed the
    memory available now.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The benchmark's parser, whose ``error`` reports the refusal.
    option : str
        The option and its value that set the size (``"--batch 100000000"``).
    n_bytes : float
        The bytes the run would need for it.
    what : str
        What needs them ("the joints, as float64").

    Examples
    --------
    >>> demo = parser("demo", "Time a demo.", duration="1 s", quick=[], quick_duration="0.1 s",
    ...               docs="docs/benchmarks.md")
    >>> check_memory(demo, "--batch 10", 8e3, "the joints")
    """
    free = available_memory()
    if n_bytes > free:
        parser.error(f"{option}: {what} need about {n_bytes / 2**30:,.1f} GiB, but only "
                     f"{free / 2**30:,.1f} GiB of memory is available; give a smaller "
                     f"{option.split()[0]}")


def fewest_samples(shape: tuple[int, int, int]) -> int:
    """The fewest samples that ``pidkit.estimate``'s default bias correction takes for a joint of
    ``shape`` ``(n_y, n_t, n_s)``, found by asking its own rule (``check_sample_size``), so that a
    benchmark refuses too few before any work, in its own words.

    Examples
    --------
    >>> fewest_samples((10, 10, 10)), fewest_samples((1000, 10, 10))
    (400, 40000)
    """
    from pidkit.estimate import DEFAULT_BIAS_CORRECTION, check_sample_size

    def enough(n: int) -> bool:
        try:
            check_sample_size(shape, n, method=DEFAULT_BIAS_CORRECTION)
        except ValueError:
            return False
        return True

    high = 1
    while not enough(high):  # the rule asks for more samples than cells; it holds from some n on
        high *= 2
    low = high // 2  # too few (or 0)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def not_installed(module: str, install: str) -> str | None:
    """The table cell for a peer whose ``module`` cannot be imported here (``"not installed (pip
    install dit)"``), or ``None`` when it can: the peer is then measured.

    Examples
    --------
    >>> not_installed("no_such_peer", "pip install no-such-peer")
    'not installed (pip install no-such-peer)'
    >>> not_installed("numpy", "pip install numpy") is None
    True
    """
    return None if importlib.util.find_spec(module) else f"not installed ({install})"


@contextlib.contextmanager
def shown_if_interrupted(render: Callable[[], str]) -> Iterator[None]:
    """On Ctrl-C in the block, print ``render()`` (the table of the rows measured so far; nothing
    when it is empty) and a line saying it is partial, on stdout, then let the interrupt go on to
    :func:`run` (exit status 130).

    Examples
    --------
    >>> rows = []
    >>> try:
    ...     with shown_if_interrupted(lambda: f"| {len(rows)} row |"):
    ...         rows.append(1)
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    | 1 row |
    # interrupted by Ctrl-C: the rows above are those measured before it
    """
    try:
        yield
    except KeyboardInterrupt:
        text = render()
        if text:  # with the open progress bars cleared: on a terminal the table began on a bar's line
            with tqdm.external_write_mode(file=sys.stdout):
                print(f"{text}\n# interrupted by Ctrl-C: the rows above are those measured before it",
                      flush=True)
        raise


def progress(items: Iterable[T] | None = None, *, total: int | None = None, desc: str = "") -> tqdm:
    """``items`` with a progress bar on stderr (count, elapsed time and the time left), or a bar
    of ``total`` steps to ``update``."""
    return tqdm(items, total=total, desc=desc, file=sys.stderr, dynamic_ncols=True)


def rows_measured(measure: Callable[[list[dict[str, Any]], tqdm], None], *, total: int, desc: str,
                  render: Callable[[list[dict[str, Any]]], str]) -> list[dict[str, Any]]:
    """The rows that ``measure(rows, bar)`` appends, under a progress bar of ``total`` steps;
    on Ctrl-C, ``render(rows)`` of those measured so far is printed (:func:`shown_if_interrupted`).

    Examples
    --------
    >>> def measure(rows, bar):
    ...     for n in (1, 2):
    ...         rows.append({"n": n})
    ...         bar.update()
    >>> rows_measured(measure, total=2, desc="n", render=str)
    [{'n': 1}, {'n': 2}]
    """
    rows: list[dict[str, Any]] = []
    bar = progress(total=total, desc=desc)
    with shown_if_interrupted(lambda: render(rows) if rows else ""):
        measure(rows, bar)
    bar.close()
    return rows


def ignore_interrupt() -> None:
    """In a benchmark's child process: leave Ctrl-C to the parent, which ends the child."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def child(proc: BaseProcess) -> Iterator[BaseProcess]:
    """Start ``proc`` and, when the block ends, kill it if it still runs (past its cap, or Ctrl-C
    in this process) and wait for it; its target should start with :func:`ignore_interrupt`."""
    proc.start()
    try:
        yield proc
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()


def run(main: Callable[[], object], name: str) -> NoReturn:
    """Run a benchmark's ``main`` and exit: 0 when done, 130 on Ctrl-C (one line on stderr), 141
    when the reader of stdout went away (``| head``), 2 when memory ran out or a file could not be
    written (one line on stderr naming the error), all without a traceback.

    Parameters
    ----------
    main : callable
        The benchmark's ``main``, called without arguments.
    name : str
        The module's name in ``benchmarks``, for the message.
    """
    status, message = 0, ""
    try:
        main()
        sys.stdout.flush()  # a closed pipe can show only here, when the output was short
    except BrokenPipeError:
        sys.exit(end_closed_output())
    except KeyboardInterrupt:
        status, message = 128 + signal.SIGINT, "interrupted"
    except MemoryError as exc:  # sizes past what check_memory foresaw
        status, message = 2, (f"error: out of memory ({one_line(exc)}); give smaller sizes (see "
                              f"'python -m benchmarks.{name} --help')")
    except OSError as exc:  # a file or folder it writes, or stdout itself (`> /dev/full`)
        status, message = 2, f"error: {one_line(exc)}"
        try:
            sys.stdout.flush()
        except OSError:  # what stdout could not take would fail again at exit, with a traceback
            end_closed_output()
    if message:  # here, once the traceback is gone and has closed the progress bars it held
        print(f"python -m benchmarks.{name}: {message}", file=sys.stderr)
    sys.exit(status)
