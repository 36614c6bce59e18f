"""What every command line of the package shares: :class:`StrictArgumentParser` (one-line
errors, no abbreviations, the closest option suggested), :func:`checked` (a typed option's
value), :func:`one_line` and :func:`one_line_warnings` (an error or a warning as one line), and
:func:`say_on_stderr` and :func:`end_closed_output` (the exit status kept when the output's
reader has gone). Used by the ``pidkit`` and ``pidkit-distill`` commands and the benchmarks.

Examples
--------
>>> from pidkit.command_line import one_line
>>> one_line(ValueError("two   words"))
'two words'
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn, TextIO, TypeVar

from ._names import closest, did_you_mean

__all__ = ["StrictArgumentParser", "checked", "end_closed_output", "one_line", "one_line_warnings",
           "say_on_stderr"]

T = TypeVar("T")

_PARSED_BY = "_pidkit_parsed_by"
"""The namespace attribute holding the innermost parser and the arguments it did not recognize."""


class StrictArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr (exit status 2) that point to
    the command's ``--help``, instead of the usage followed by the error; that takes no
    abbreviation of an option (``--jso`` is an error, not ``--json``), suggests the closest
    option, command or choice for a misspelt one, reports arguments a subcommand did not
    recognize as that subcommand's error, and for a value that argparse reads as an option
    (``--sizes -1,2,3``) says to write ``--sizes=-1,2,3``. Its subcommands' parsers are of this
    class too. Used by the pidkit and pidkit-distill commands and the benchmarks.

    Examples
    --------
    >>> parser = StrictArgumentParser(prog="demo")
    >>> _ = parser.add_argument("--json", action="store_true")
    >>> parser.parse_args(["--jso"])
    Traceback (most recent call last):
    ...
    SystemExit: 2
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self._given: list[str] = []  # the arguments being parsed

    def error(self, message: str) -> NoReturn:
        missing = re.fullmatch(r"argument (\S+): expected one argument", message)
        if missing:  # after the option, a value such as -1,2,3 that argparse reads as an option
            options = missing.group(1).split("/")
            given = self._given
            after = [given[i + 1] for i in range(len(given) - 1) if given[i] in options]
            # a value such as -1,2,3, not an option name such as --version (a parent's option)
            if (after and not after[0].startswith("--")
                    and after[0].split("=", 1)[0] not in self._option_string_actions):
                message += f" ({after[0]!r} reads as an option: write {options[-1]}={after[0]})"
        see = " See" if message.endswith("?") else "; see"  # after a suggestion, a new sentence
        self.exit(2, f"{self.prog}: error: {message}{see} '{self.prog} --help'\n")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._given = list(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(args, namespace)
        if not hasattr(parsed, _PARSED_BY):  # a subcommand's parser returns before its parent's
            setattr(parsed, _PARSED_BY, (self, list(extras)))
        return parsed, extras

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        misplaced = self._after_command(list(sys.argv[1:] if args is None else args))
        if misplaced:
            self.error(misplaced)
        parsed, extras = self.parse_known_args(args, namespace)
        inner, inner_extras = vars(parsed).pop(_PARSED_BY)
        if extras:
            parser = inner if inner_extras == extras else self
            parser.error(parser._unrecognized(extras))
        return parsed

    def _unrecognized(self, extras: list[str]) -> str:
        """The error for arguments this parser did not recognize, naming the option closest to
        the first unknown one."""
        options = [e.split("=", 1)[0] for e in extras if e.startswith("-")]
        takers = self._commands_taking(options[0]) if options else []
        if takers:  # 'pidkit --debug decompose': a command's option before the command
            return (f"unrecognized arguments: {' '.join(extras)}. {options[0]} is an option of "
                    f"{'the command' if len(takers) == 1 else 'the commands'} {', '.join(takers)}: "
                    f"put it after the command, e.g. '{self.prog} {takers[0]} {options[0]} ...'")
        hint = self.option_hint(extras) if options else self._together_hint()
        return f"unrecognized arguments: {' '.join(extras)}" + (f".{hint}" if hint else "")

    def _together_hint(self) -> str:
        """For arguments left over where this parser takes any number of a positional (argparse
        takes only the first run of them, ``pidkit decompose a.npy --json b.npy``): that they go
        together; ``""`` for a parser without one."""
        many = next((action for action in self._actions
                     if not action.option_strings and action.nargs in ("*", "+")), None)
        if many is None:
            return ""
        return (f" Give every {many.metavar or many.dest} together, all before or all after the options "
                f"(not some on each side)")

    def option_hint(self, extras: list[str]) -> str:
        """``" Did you mean '--x'?"`` for the first unknown option ``given`` of ``extras`` (the
        arguments not recognized, one an option): this parser's option that ``given`` begins
        (an abbreviation: ``--epo`` of ``--epochs``), else the closest by its name without the
        dashes that every option shares (with them, ``--import`` was close to ``--out``); or
        ``""``. A subclass may hint otherwise (pidkit-distill: a nested table's option).

        Parameters
        ----------
        extras : list of str
            The arguments this parser did not recognize, at least one of them an option.

        Returns
        -------
        str
            The hint, starting with a space, or ``""`` where no option is close.

        Examples
        --------
        >>> parser = StrictArgumentParser(prog="demo")
        >>> _ = parser.add_argument("--epochs")
        >>> parser.option_hint(["--epo", "3"]), parser.option_hint(["--epoch=3"])
        (" Did you mean '--epochs'?", " Did you mean '--epochs'?")
        >>> parser.option_hint(["--zzz"])
        ''
        """
        given = next(extra.split("=", 1)[0] for extra in extras if extra.startswith("-"))
        option = self.closest_option(given)
        return f" Did you mean {option!r}?" if option is not None else ""

    def closest_option(self, given: str) -> str | None:
        """This parser's option closest to the unknown option ``given``, by the rule of every
        suggestion (:func:`pidkit.utils.closest`: an abbreviation first, ``--epo`` of
        ``--epochs``) applied to the options' names without the dashes that every option shares
        (with them, ``--import`` was close to ``--out``); ``None`` where none is close.

        Parameters
        ----------
        given : str
            The unknown option, without its ``=VALUE``.

        Returns
        -------
        str or None
            The option as this parser spells it.

        Examples
        --------
        >>> parser = StrictArgumentParser(prog="demo")
        >>> _ = parser.add_argument("--epochs")
        >>> parser.closest_option("--epo"), parser.closest_option("--zzz")
        ('--epochs', None)
        """
        names = {option.lstrip("-"): option for option in self._option_string_actions}
        match = closest(given.lstrip("-"), list(names))
        return None if match is None else names[match]

    def _after_command(self, given: list[str]) -> str | None:
        """The error for an option of this parser's own (``--version``) given after its command,
        which does not take it (``pidkit decompose --version``), or ``None``."""
        commands = next((a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction)), {})
        at = next((i for i, arg in enumerate(given) if arg in commands), None)
        if at is None:
            return None
        command = commands[given[at]]
        args = given[at + 1:given.index("--") if "--" in given else len(given)]
        for before, arg in zip([None, *args], args, strict=False):
            option = arg.split("=", 1)[0]
            if option in self._option_string_actions and option not in command._option_string_actions:
                taker = command._option_string_actions.get(before or "")
                if taker is not None and taker.nargs is None:  # 'train --config --version':
                    return None  # in an option's value's place; argparse says the value is missing
                return (f"{option} is an option of '{self.prog}' itself, not of its command "
                        f"{given[at]}: put it before the command, as in '{self.prog} {option}'")
        return None

    def _commands_taking(self, option: str) -> list[str]:
        """The subcommands of this parser that take ``option``."""
        commands = next((a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction)), {})
        return [name for name, sub in commands.items() if option in sub._option_string_actions]

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            # A positional's bad value after an unknown option ('check --se 3') is most likely
            # that option's value: the unknown option is the error to report.
            given = self._given
            before = given[: given.index(value)] if not action.option_strings and value in given else []
            unknown = [a for a in before if a.startswith("-") and a.split("=", 1)[0] not in
                       self._option_string_actions and not self._negative_number_matcher.match(a)]
            if unknown:
                raise argparse.ArgumentError(None, self._unrecognized(unknown)) from None
            assert action.choices is not None  # argparse's check fails only on a value not among them
            hint = did_you_mean(value, [str(c) for c in action.choices]) if isinstance(value, str) else ""
            if not hint:
                raise
            raise argparse.ArgumentError(action, f"{exc.message}.{hint}") from None


def end_closed_output(stream: TextIO | None = None) -> int:
    """After a write to ``stream`` (default: stdout) found its reader gone (``| head``; stderr
    too with ``2>&1 | head``): point it at the null device, so that flushing it at exit raises
    nothing more, and return 141 (128 + SIGPIPE), the status a shell reports for a writer its
    pipe ended. Shared by both command lines."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, (sys.stdout if stream is None else stream).fileno())
    finally:
        os.close(null)  # the stream's descriptor now refers to the null device itself
    return 128 + signal.SIGPIPE


def say_on_stderr(line: str) -> None:
    """Print ``line`` on stderr; where stderr's reader has gone (``2>&1 | head``, a ``| tee``
    ended by the same Ctrl-C), point stderr at the null device instead, so that the command's
    exit status stays its own (a :class:`BrokenPipeError` let through would make it 1). Shared
    by both command lines. The line and its newline go in one write, so that, with
    ``PYTHONUNBUFFERED`` set, another process writing to the same stderr (torchrun's own log
    lines) cannot land between them."""
    try:
        sys.stderr.write(f"{line}\n")
        sys.stderr.flush()
    except BrokenPipeError:
        end_closed_output(sys.stderr)


@contextlib.contextmanager
def one_line_warnings(prefix: str, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Inside the block, each warning is one line, ``PREFIX: warning: TEXT``, on stderr (or given
    to ``say``), without the source line Python shows under it. Shared by both command lines.

    Examples
    --------
    >>> import warnings
    >>> with one_line_warnings("pidkit decompose", say=print):
    ...     warnings.warn("a slow joint", RuntimeWarning)
    pidkit decompose: warning: a slow joint
    """

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        text = f"{prefix}: warning: {one_line(message)}"
        if say is None:
            print(text, file=sys.stderr, flush=True)
        else:
            say(text)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@contextlib.contextmanager
def info_notices(prefix: str, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Inside the block, each INFO record of pidkit's loggers (a long vertex enumeration's notice,
    which a library call keeps silent) is one line, ``PREFIX: TEXT``, on stderr (or given to ``say``).

    Examples
    --------
    >>> import logging
    >>> with info_notices("pidkit decompose", say=print):
    ...     logging.getLogger("pidkit._polytope").info("up to %s vertices", "104,652")
    pidkit decompose: up to 104,652 vertices
    >>> logging.getLogger("pidkit._polytope").info("not shown outside the block")
    """

    class Say(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            (say or say_on_stderr)(f"{prefix}: {one_line(record.getMessage())}")

    logger = logging.getLogger("pidkit")
    handler, level = Say(logging.INFO), logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def one_line(message: BaseException | Warning | str) -> str:
    """``message`` (an exception, a warning or text) on one line, its whitespace runs as single
    spaces; an exception without text gives its type's name. Shared by both command lines.

    Examples
    --------
    >>> one_line(ValueError("a bad   value"))
    'a bad value'
    >>> one_line(KeyError())
    'KeyError'
    """
    return " ".join(str(message).split()) or type(message).__name__


def checked(text: str, convert: Callable[[str], T], accept: Callable[[T], bool], expected: str) -> T:
    """``convert(text)``, if it converts and ``accept`` takes it; else argparse's error for a bad
    value, ``expected EXPECTED; got 'TEXT'``. The check of every typed option of the pidkit
    command and of the benchmarks.

    Examples
    --------
    >>> checked("3", int, lambda n: n > 0, "a positive integer")
    3
    >>> checked("-3", int, lambda n: n > 0, "a positive integer")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a positive integer; got '-3'
    """
    try:
        value = convert(text)
    except ValueError:
        value = None
    if value is None or not accept(value):
        raise argparse.ArgumentTypeError(f"expected {expected}; got {text!r}")
    return value
