"""The pidkit command: decompose a joint, the joints of several files or a named example, print the
examples' table, and check the RID paper's examples and theorems.

Bad input (a missing, corrupt or non-numeric file, a wrong shape, an unknown option) prints one line
on stderr and exits with status 2 (over several files, after the others have run); a solver that
could not certify its answer, or a check that found a violation, exits with status 1.
'pidkit COMMAND --debug' shows the traceback too, before that line, with the same exit status."""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import __version__, examples, theorems
from ._cli_files import decompose_files
from ._cli_refusals import corrected_route, joint_refusal, spell_measure
from ._count_tables import PLUGIN_ATOMS, warn_of_plugin_bias
from ._errors import SolverError
from ._joint_input import STDIN, UsageError, load_joint
from ._names import did_you_mean
from ._result import PIDResult
from ._settings import SEED_MAX
from .command_line import (
    StrictArgumentParser,
    checked,
    end_closed_output,
    info_notices,
    one_line,
    one_line_warnings,
    say_on_stderr,
)
from .decompose import pid
from .redundancy import MEASURES
from .redundancy.dispatch import check_measure
from .redundancy.vertex_limit import MAX_VERTICES, VERTEX_MEASURES, TooManyVertices
from .theorems.theorem_4_1 import sizes_remedy

_COLUMNS = ("red", "uni_t", "uni_s", "syn", "i_yts")


def _table(rows: dict[str, PIDResult], units: str) -> str:
    header = f"{'example':<15}" + "".join(f"{c:>10}" for c in _COLUMNS) + f"{'status':>10}{'gap':>10}"
    lines = [f"PID atoms in {units} (BROJA; T = teacher, S = student)", header, "-" * len(header)]
    for name, r in rows.items():
        values = "".join(f"{getattr(r, c):>10.6f}" for c in _COLUMNS)
        lines.append(f"{name:<15}{values}{r.status:>10}{r.gap:>10.1e}")
    return "\n".join(lines)


def _decompose(args: argparse.Namespace) -> int:
    _check_measure(args.measure)
    if (args.example is None) == (not args.joints):
        raise UsageError("give either a joint file or --example NAME, not both or neither")
    if args.example is not None and args.axes != _FILE_AXES:
        raise UsageError(f"--axes names the axes of a joint file; --example {args.example} is p[y, t, s] "
                         "already. Drop --axes.")
    example = None if args.example is None else _example(args.example)
    options = {"max_vertices": args.max_vertices} if "max_vertices" in vars(args) else {}
    if options and args.measure not in VERTEX_MEASURES:
        raise UsageError(f"--max-vertices applies to --measure {' and '.join(VERTEX_MEASURES)} only (their "
                         f"vertex enumeration); --measure {args.measure} takes none. Drop --max-vertices.")
    if args.include_q and not args.json:
        raise UsageError("--include-q adds the optimal joint to the JSON that --json prints; the table has "
                         "no place for it: add --json")
    if len(args.joints) > 1:
        if STDIN in args.joints:
            raise UsageError(f"'{STDIN}' reads one joint from standard input and takes no joint files "
                             f"beside it: give '{STDIN}' alone, or the files without it")
        return decompose_files(args.joints, lambda path: _solved(load_joint(path), path, args, options),
                               lambda result: result.to_dict(include_q=args.include_q), as_json=args.json,
                               debug=args.debug, command="pidkit decompose")
    path = args.joints[0] if args.joints else None
    joint = example if path is None else load_joint(path)
    result = _solved(joint, path, args, options)
    print(json.dumps(result.to_dict(include_q=args.include_q), indent=2) if args.json else result)
    return 0


def _example(name: str) -> Any:
    """The joint of the catalogue example ``name``, or of an alias of one (``--example cat``); a
    UsageError naming both, and the closest, for any other name."""
    try:
        return examples.by_name(name)
    except ValueError:
        known = [*examples.catalogue(), *examples.ALIASES]
        aliases = ", ".join(f"{alias} = {name}" for alias, name in examples.ALIASES.items())
        raise UsageError(f"unknown example {name!r}; known: {sorted(examples.catalogue())}, and the "
                         f"aliases {aliases}." + did_you_mean(name.lower(), known)) from None


def _solved(joint: Any, path: str | None, args: argparse.Namespace, options: dict[str, Any]) -> PIDResult:
    """The decomposition of ``joint``, read from ``path`` (None for a named example) under the
    options ``args``; the library's refusal of it in this command's words (a UsageError), and a
    warning of the plug-in's bias where --normalize rescaled counts."""
    joint = _in_target_teacher_student_order(joint, args.axes)
    try:
        with warnings.catch_warnings():  # pid's warning of counts' bias: given below in the command's words
            warnings.filterwarnings("ignore", message=re.escape(PLUGIN_ATOMS))
            result = pid(joint, measure=args.measure, units=args.units, normalize=args.normalize, **options)
    except (TypeError, ValueError) as exc:
        raise UsageError(joint_refusal(exc, joint, path)) from exc
    if args.normalize and path is not None:
        loaded = "counts" if path == STDIN else f"np.load({path!r})"
        warn_of_plugin_bias(joint, result, corrected_route(loaded), stacklevel=1)
    return result


_FILE_AXES = "yts"
"""The order of a joint file's axes without --axes: p[y, t, s], target first."""


def _axes(text: str) -> str:
    """An argparse type: the order of a joint file's axes, a permutation of the letters y, t and s
    (target, teacher, student) in any case."""
    return checked(text, str.lower, lambda order: sorted(order) == sorted(_FILE_AXES),
                   "a permutation of the letters y, t and s naming the file's axes in order, e.g. "
                   "--axes tsy for a joint saved p[t, s, y] (dit's order, target last)")


def _in_target_teacher_student_order(joint: Any, axes: str) -> Any:
    """``joint``, a file's joint whose axes ``axes`` names in order, as p[y, t, s]; as read where
    that is its order already, or where it is not a 3-D array of numbers (the library refuses it
    as read)."""
    if axes == _FILE_AXES:
        return joint
    try:
        numbers = np.asarray(joint)
    except ValueError:  # ragged: refused as such
        return joint
    if numbers.ndim != 3 or numbers.dtype.kind not in "fiu":
        return joint
    return numbers.transpose([axes.index(axis) for axis in _FILE_AXES])


def _check_measure(measure: str) -> None:
    """Refuse a ``measure`` that pidkit does not compute in the library's words (which say where
    dit computes it, or which of pidkit's it is), its keyword written as this command's option:
    ``--measure prec``, not ``measure='prec'``."""
    try:
        check_measure(measure)
    except ValueError as exc:
        words = re.sub(r"\bmeasure='([^']*)'", r"--measure \1", str(exc))
        raise UsageError(re.sub(r"^measure must", "--measure must", words)) from exc


def _name(text: str) -> str:
    """An argparse type: a name this command knows (a measure, units, a check) in any case, as
    --example takes one (``--measure BROJA`` is ``--measure broja``)."""
    return text.lower()


def _max_vertices(text: str) -> int | str | None:
    """An argparse type: a positive integer, ``none`` for no limit, or ``auto`` (the measure's
    default, as ``max_vertices="auto"`` is from Python)."""
    word = text.strip().lower()
    if word in ("none", "auto"):
        return None if word == "none" else "auto"
    return checked(text, int, lambda count: count >= 1, "a positive integer, 'auto' or 'none'")


def _examples(args: argparse.Namespace) -> int:
    results = {name: pid(p, units=args.units) for name, p in examples.catalogue().items()}
    if args.json:
        print(json.dumps({name: r.to_dict() for name, r in results.items()}, indent=2))
    else:
        print(_table(results, args.units))
    return 0


def _sizes(text: str) -> tuple[int, ...]:
    return checked(text, lambda t: tuple(int(v) for v in t.split(",")),
                   lambda sizes: len(sizes) == 3 and min(sizes) >= 1, "three positive integers like 2,2,3")


def _seed(text: str) -> int:
    return checked(text, int, lambda seed: 0 <= seed <= SEED_MAX, "an integer from 0 to 2**32 - 1")


def _count(text: str) -> int:
    return checked(text, int, lambda count: count >= 1, "a positive integer")


def _fraction(low: float, high: float, *, high_included: bool) -> Callable[[str], float]:
    """An argparse type: a float in [low, high] or [low, high)."""
    interval = f"[{low:g}, {high:g}{']' if high_included else ')'}"

    def fraction(text: str) -> float:
        def inside(value: float) -> bool:
            return low <= value <= high and (high_included or value < high)

        return checked(text, float, inside, f"a number in {interval}") + 0.0  # -0 as 0

    return fraction


_CHECK_SEED = 0
"""The seed of the random joints of ``pidkit check`` without --seed: fixed, so that a check repeats
(from Python, ``random_state=None`` draws one, which the report records)."""
_CHECK_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "theorem-3.1": theorems.check_theorem_3_1,
    "theorem-3.2": theorems.check_theorem_3_2,
    "theorem-4.1": theorems.check_theorem_4_1,
}
"""The function of :mod:`pidkit.theorems` each check with options runs, whose defaults its help gives."""
_CHECK_KEYWORDS = {"n": "n", "sizes": "sizes", "sparsity": "sparsity", "seed": "random_state", "flip": "flip",
                   "measure": "measure"}
"""Each option of ``pidkit check``, by its namespace name, and the keyword it is of the check's function."""
_CHECK_TAKES: dict[str, tuple[str, ...]] = {
    "examples": (),
    "theorem-3.1": ("flip", "measure"),
    "theorem-3.2": ("n", "sizes", "sparsity", "seed"),
    "theorem-4.1": ("n", "sizes", "sparsity", "seed"),
}
"""The options each check takes; ``all`` takes every one."""


def _check_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The options given to ``pidkit check``, and only those: the rest are the check functions'
    own defaults. One the chosen check does not take is a ``UsageError`` (it was ignored:
    ``pidkit check examples --n 5`` ran as without)."""
    given = {name: value for name, value in vars(args).items() if name in _CHECK_KEYWORDS}
    for name in given:
        if args.which != "all" and name not in _CHECK_TAKES[args.which]:
            takers = ", ".join(check for check, takes in _CHECK_TAKES.items() if name in takes)
            raise UsageError(f"{args.which} takes no --{name} (only {takers} and all do); drop it")
    if "measure" in given:
        _check_measure(given["measure"])  # before `all` runs the examples
    return given


def _check_keywords(settings: dict[str, Any], check: str) -> dict[str, Any]:
    """The keywords of ``check``'s function: the options given that it takes, and the seed
    :data:`_CHECK_SEED` where it draws random joints and --seed was not given. What is not given
    is the function's own default, as from Python (without --sizes, each theorem's own shape:
    Theorem 3.2 merges two of the teacher's symbols, which needs n_t >= 3)."""
    takes = _CHECK_TAKES[check]
    keywords = {_CHECK_KEYWORDS[name]: value for name, value in settings.items() if name in takes}
    if "seed" in takes:
        keywords.setdefault("random_state", _CHECK_SEED)
    return keywords


def _python_defaults(option: str) -> str:
    """The default of ``option`` in the functions of the checks that take it, as the option is
    written: ``"20 for theorem-3.2, 50 for theorem-4.1"``, or one value where they agree."""
    values = {}
    for check, function in _CHECK_FUNCTIONS.items():
        if option in _CHECK_TAKES[check]:
            parameters = inspect.signature(function).parameters
            default = parameters[_CHECK_KEYWORDS[option]].default
            values[check] = ",".join(map(str, default)) if isinstance(default, tuple) else str(default)
    if len(set(values.values())) == 1:
        return next(iter(values.values()))
    return ", ".join(f"{value} for {check}" for check, value in values.items())


def _check(args: argparse.Namespace) -> int:
    settings = _check_settings(args)
    runs = {
        "examples": lambda: theorems.check_paper_examples(),
        "theorem-3.1": lambda: theorems.check_theorem_3_1(**_check_keywords(settings, "theorem-3.1")),
        "theorem-3.2": lambda: theorems.check_theorem_3_2(**_check_keywords(settings, "theorem-3.2")),
        "theorem-4.1": lambda: theorems.check_theorem_4_1(**_check_keywords(settings, "theorem-4.1")),
    }
    names = list(runs) if args.which == "all" else [args.which]
    try:
        reports = [runs[name]() for name in names]
    except TooManyVertices as exc:  # Theorem 4.1's own refusal, in this command's options' spelling
        remedy = sizes_remedy(lambda sizes: "--sizes " + ",".join(map(str, sizes)), "--max-vertices")
        # its measure named, not as --measure: this command's --measure is Theorem 3.1's
        raise UsageError(exc.explain(remedy=remedy, spell_measure=spell_measure("measure"))) from exc
    except (ImportError, TypeError, ValueError) as exc:
        raise UsageError(one_line(exc)) from exc
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        print("\n\n".join(repr(r) for r in reports))
    return 0 if all(r.passed for r in reports) else 1


_CHECK_DESCRIPTION = (
    "Each check runs its function of pidkit.theorems with that function's defaults, as from Python, "
    f"but for the seed of the random joints: {_CHECK_SEED} unless --seed is given, where Python draws "
    f"one. 'pidkit check theorem-3.2' is pidkit.check_theorem_3_2(random_state={_CHECK_SEED}); an "
    "option given is the keyword of its name (--seed is random_state, --sizes 2,3,3 is sizes=(2, 3, 3))."
)
"""How to repeat a check of ``pidkit check`` from Python."""


def get_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``pidkit`` command."""
    parser = StrictArgumentParser(  # the module's docstring, in plain text, is the description
        prog="pidkit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"pidkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug", action="store_true",
        help="show the full traceback of an error before its line (the exit status stays 2 or 1)",
    )

    dec = sub.add_parser(
        "decompose",
        parents=[common],  # type: ignore[list-item]  # any ArgumentParser is a parent (typeshed asks the subclass)
        help="decompose a joint p[y,t,s] (.npy or .json), the joints of several files, or an example"
    )
    dec.add_argument(
        "joints", nargs="*", metavar="JOINT",
        help="a .npy array or .json nested list p[y][t][s], or several (the files a shell glob names), each "
        "decomposed with the same options and printed under a heading naming it (with --json, one line of "
        "JSON per file, its path under \"file\"); a bad file is named on stderr, the others still run and "
        f"the exit status is 2. '{STDIN}' reads it from standard input, alone (JSON text or a .npy array's "
        f"bytes: python make_joint.py | pidkit decompose {STDIN})",
    )
    dec.add_argument("--example", help=f"a named example: {', '.join(examples.catalogue())} (or an alias: "
                     f"{', '.join(f'{alias} = {name}' for alias, name in examples.ALIASES.items())})")
    dec.add_argument(
        "--measure", type=_name, default="broja",
        help=f"redundancy measure, in any case: {', '.join(MEASURES)} (default: broja)",
    )
    dec.add_argument("--units", type=_name, choices=("bits", "nats"), default="bits", help="(default: bits)")
    dec.add_argument(
        "--axes", type=_axes, default=_FILE_AXES, metavar="ORDER",
        help="the order of a joint file's axes, a permutation of y (target), t and s (the sources), e.g. "
        "tsy for p[t][s][y] as dit and many papers write it (target last); the joint is reordered to "
        f"p[y][t][s] before it is solved, and a refusal indexes it so (default: {_FILE_AXES})",
    )
    dec.add_argument(
        "--max-vertices", type=_max_vertices, default=argparse.SUPPRESS, metavar="N|auto|none",
        help="--measure gh and prec: refuse a joint whose polytope could have more than N vertices "
        f"(default: {MAX_VERTICES['gh']} for gh, {MAX_VERTICES['prec']} for prec, about a minute); "
        "'auto' is that default; 'none' enumerates whatever the size",
    )
    dec.add_argument("--normalize", action="store_true",
                     help="rescale a joint that does not sum to 1; on a table of counts the atoms are "
                          "the plug-in estimate, and a warning on stderr gives its expected bias "
                          "where that is a sizeable share")
    dec.add_argument("--json", action="store_true",
                     help="print machine-readable JSON (for several files, JSON Lines)")
    dec.add_argument("--include-q", action="store_true",
                     help="with --json: add the optimal joint, left out by default as it can run to "
                          "hundreds of lines: BROJA's q[y][t][s] as \"q\" (null for the other measures), "
                          "and gh's p(q, y, t, s) as \"q_joint\" in its diagnostics")
    dec.set_defaults(func=_decompose)

    exa = sub.add_parser(
        "examples",
        parents=[common],  # type: ignore[list-item]  # any ArgumentParser is a parent (typeshed asks the subclass)
        help="print the PID table of every named example",
    )
    exa.add_argument("--units", type=_name, choices=("bits", "nats"), default="bits", help="(default: bits)")
    exa.add_argument("--json", action="store_true", help="print machine-readable JSON")
    exa.set_defaults(func=_examples)

    chk = sub.add_parser(
        "check",
        parents=[common],  # type: ignore[list-item]  # any ArgumentParser is a parent (typeshed asks the subclass)
        help="check the RID paper's Examples 1-3 and Theorems 3.1, 3.2, 4.1 (exit 1 if violated)",
        description=_CHECK_DESCRIPTION,
    )
    chk.add_argument(
        "which",
        nargs="?",
        type=_name,
        default="all",
        choices=("all", "examples", "theorem-3.1", "theorem-3.2", "theorem-4.1"),
        help="which check to run (default: all)",
    )
    # No defaults in the namespace: _check_settings tells the options given from those not.
    given_only = argparse.SUPPRESS
    chk.add_argument(
        "--n", type=_count, default=given_only,
        help=f"random joints for 3.2 and 4.1 (default: {_python_defaults('n')})",
    )
    chk.add_argument(
        "--sizes", type=_sizes, default=given_only,
        help=f"n_y,n_t,n_s for 3.2 and 4.1 (default: {_python_defaults('sizes')})",
    )
    chk.add_argument(
        "--sparsity", type=_fraction(0, 1, high_included=False), default=given_only,
        help=f"3.2 and 4.1: zero-cell probability, in [0, 1) (default: {_python_defaults('sparsity')})",
    )
    chk.add_argument(
        "--seed", type=_seed, default=given_only,
        help=f"3.2 and 4.1: random_state of the joints (default: {_CHECK_SEED}, so that a run repeats; "
             "the Python functions draw a fresh one)",
    )
    chk.add_argument(
        "--flip", type=_fraction(0, 1, high_included=True), default=given_only,
        help=f"Theorem 3.1: P(Y != Z), in [0, 1] (default: {_python_defaults('flip')})",
    )
    chk.add_argument(
        "--measure", type=_name, default=given_only,
        help=f"Theorem 3.1: Red measure (default: {_python_defaults('measure')})",
    )
    chk.add_argument("--json", action="store_true", help="print machine-readable JSON")
    chk.set_defaults(func=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pidkit`` command with ``argv`` (default: the process arguments); the exit status.

    0 on success; 1 when a solver could not certify its answer or ``check`` found a violation;
    2 for bad input (argparse's own errors included), reported in one line on stderr (after its
    traceback with ``--debug``, which changes no status); 130 on
    Ctrl-C; 141 (128 + SIGPIPE, as a shell reports it) when the reader of the output went away
    (``pidkit examples | head -1``), never 1, which would read as a failed computation.
    """
    # A character stdout cannot encode ('∩' on an ASCII or cp1252 stdout) is written escaped,
    # not raised as a UnicodeEncodeError, a ValueError that would read as bad input; a caller's
    # stream (main called in-process) gets its own setting back.
    stdout = sys.stdout
    errors = getattr(stdout, "errors", None)
    reconfigure = getattr(stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    try:
        return _run(argv)
    finally:
        if reconfigure is not None and errors is not None:
            reconfigure(errors=errors)


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = get_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or an argument error, already reported in one line
        return exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:  # before a command was read
        return _interrupted("pidkit")
    # Every line a subcommand prints names it, as argparse's own errors do: 'pidkit check: error:'.
    command = f"pidkit {args.command}"
    try:
        with one_line_warnings(command), info_notices(command):
            return args.func(args)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing left to report to
        return end_closed_output()
    except (UsageError, TypeError, ValueError, ImportError, OSError, MemoryError) as exc:
        if args.debug:  # more to read, not another outcome: a script still sees 2 for bad input
            traceback.print_exc()
        say_on_stderr(f"{command}: error: {one_line(exc)}")
        return 2
    except SolverError as exc:
        if args.debug:
            traceback.print_exc()
        say_on_stderr(f"{command}: solver failed: {one_line(exc)}")
        return 1
    except KeyboardInterrupt:
        return _interrupted(command)


def _interrupted(command: str) -> int:
    """Report Ctrl-C in one line naming ``command``; the exit status 130 (128 + SIGINT), as a shell's."""
    say_on_stderr(f"{command}: interrupted")
    return 130


if __name__ == "__main__":
    sys.exit(main())
