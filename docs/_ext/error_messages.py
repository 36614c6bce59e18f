"""Sphinx extension: tables of error messages, produced by running the bad inputs at build time.

Two directives, for a page that lists what a user can get wrong and what to do about it:

``.. error-setup::``
    Python code run before the page's tables (imports, a good joint, sample arrays), and shown
    as a code block so that every row can be reproduced. All tables of a page share it.
``.. error-messages::``
    One table. Its content is rows separated by blank lines; a row is code lines, then a line
    ``fix: TEXT`` (continued on the lines below it) that says what to do. The code runs when the
    page is built and must raise or warn; a last code line ``$ pidkit ...`` or
    ``$ pidkit-distill ...`` is a command line, run in-process, whose stderr is the message and
    whose exit status is shown instead of an exception. Each table runs in a new empty folder,
    so files a row writes have short relative names. The table shows each row's code beside
    the exception (or warning, or exit status), its exact message and the fix.

    ``:covers: MODULE:NAME ...`` names tables of bad inputs in the test suite (a list or dict of
    rows whose last string is the message pattern, or a test function parametrized with a
    ``match`` argument). Every pattern must match the message of one of the table's rows, so a
    bad input the tests add and this page does not show fails the build. ``{name}`` in a
    pattern (the argument's name, filled in per entry point by the tests) matches any name.

A row that neither raises nor warns, a row without a fix, and a pattern no row shows are
warnings, hence errors under ``-W``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import shlex
import tempfile
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

COMMANDS = {"pidkit": "pidkit.cli", "pidkit-distill": "pidkit_distill.cli"}
NAMESPACE = "error_messages_namespace"  # key of the page's shared namespace in env.temp_data


@dataclass(frozen=True)
class Row:
    """One bad input: its code, what to do, and what running it gave."""

    code: str
    fix: str
    kind: str = ""  # "ValueError", "PluginBiasWarning (warning)", "exit 2"; "" when nothing was raised
    message: str = ""


def split_rows(lines: list[str]) -> list[tuple[str, str]]:
    """(code, fix) of each blank-line separated row of the directive's content."""
    rows, block = [], []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            starts = [k for k, text in enumerate(block) if text.startswith("fix:")]
            cut = starts[0] if starts else len(block)
            fix = " ".join(text.strip() for text in block[cut:])
            rows.append(("\n".join(block[:cut]), fix.removeprefix("fix:").strip()))
            block = []
    return rows


@contextlib.contextmanager
def inside(folder: str) -> Iterator[None]:
    """Run in ``folder`` and come back."""
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_command(line: str) -> tuple[str, str]:
    """Run ``$ pidkit ...`` in this process: (``"exit N"``, what it wrote to stderr)."""
    program, *argv = shlex.split(line.removeprefix("$").strip())
    if program not in COMMANDS:
        raise ValueError(f"unknown command {program!r}; the rows can run {sorted(COMMANDS)}")
    main = importlib.import_module(COMMANDS[program]).main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:  # argparse's own errors
            status = stop.code
    return ("" if status in (0, None) else f"exit {status}"), err.getvalue().strip()


def run_row(code: str, fix: str, namespace: dict[str, Any]) -> Row:
    """Run one row's code in ``namespace``; the exception, warning or exit status it gave."""
    lines = code.splitlines()
    command = lines.pop() if lines and lines[-1].startswith("$ ") else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile("\n".join(lines), "<error row>", "exec"), namespace)
            if command:
                kind, message = run_command(command)
                return Row(code, fix, kind, message)
        except Exception as error:  # what the row exists to show
            return Row(code, fix, type(error).__name__, str(error))
    if caught:
        warning = caught[-1]
        return Row(code, fix, f"{warning.category.__name__} (warning)", str(warning.message))
    return Row(code, fix)


def message_patterns(spec: str) -> list[tuple[str, str]]:
    """(row label, message pattern) of each row of the test table ``MODULE:NAME``."""
    module, _, name = spec.partition(":")
    table = getattr(importlib.import_module(module), name)
    rows: list[tuple[str, tuple[Any, ...]]] = []
    if callable(table):
        for mark in getattr(table, "pytestmark", []):
            if mark.name != "parametrize":
                continue
            names = mark.args[0]
            names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
            if "match" not in names:
                continue
            for k, values in enumerate(mark.args[1]):
                values = getattr(values, "values", values)  # pytest.param(...)
                rows.append((f"case {k}", (values[names.index("match")],)))
    elif isinstance(table, dict):
        rows = [(str(key), value if isinstance(value, tuple) else (value,)) for key, value in table.items()]
    else:
        rows = [(str(row[0]), tuple(row)) for row in table]
    patterns = []
    for label, values in rows:
        text = [value for value in values if isinstance(value, str)]
        if not text:
            raise ValueError(f"{spec}: row {label!r} holds no message pattern")
        patterns.append((label, text[-1].replace("{name}", r"\w+")))
    if not patterns:
        raise ValueError(f"{spec}: no rows with a message pattern found")
    return patterns


class ErrorSetup(SphinxDirective):
    """``.. error-setup::``: code shared by the page's tables, run and shown."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        namespace = self.env.temp_data.setdefault(NAMESPACE, {})
        try:
            exec(compile(code, f"<{self.env.docname}: error-setup>", "exec"), namespace)
        except Exception:  # reported as a build warning
            logger.warning("error-setup failed:\n%s", traceback.format_exc(), location=self.get_location())
        block = nodes.literal_block(code, code, language="python")
        return [block]


class ErrorMessages(SphinxDirective):
    """``.. error-messages::``: run each bad input, show its exact message and the fix."""

    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {"covers": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        namespace = self.env.temp_data.setdefault(NAMESPACE, {})
        with tempfile.TemporaryDirectory(prefix="pidkit-errors-") as folder, inside(folder):
            rows = [run_row(code, fix, namespace) for code, fix in split_rows(list(self.content))]
        for row in rows:
            first = row.code.splitlines()[-1] if row.code else "(empty row)"
            if not row.kind:
                self.warn(f"the row ending {first!r} raised, warned and exited with nothing")
            if not row.fix:
                self.warn(f"the row ending {first!r} has no 'fix:' line saying what to do")
        for spec in (self.options.get("covers") or "").split():
            try:
                patterns = message_patterns(spec)
            except Exception as error:  # reported as a build warning
                self.warn(f":covers: {spec}: {type(error).__name__}: {error}")
                continue
            for label, pattern in patterns:
                if not any(re.search(pattern, row.message) for row in rows):
                    self.warn(
                        f"{spec} row {label!r} checks an error no row of this table shows "
                        f"(pattern {pattern!r}); add a row that raises it"
                    )
        return [self.table(rows)]

    def warn(self, text: str) -> None:
        logger.warning("error-messages: %s", text, location=self.get_location())

    def table(self, rows: list[Row]) -> nodes.table:
        """Two columns: the input, then what it raised with its message and the fix."""
        table = nodes.table(classes=["error-messages", "colwidths-given"])
        group = nodes.tgroup(cols=2)
        table += group
        for width in (42, 58):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        head += self.table_row([nodes.paragraph(text=t)] for t in ("input", "error, and what to do"))
        body = nodes.tbody()
        for row in rows:
            command = row.code.splitlines()[-1].startswith("$ ") if row.code else False
            code = nodes.literal_block(row.code, row.code, language="console" if command else "python")
            fix, messages = self.parse_inline(row.fix, lineno=self.lineno)
            error = [
                nodes.paragraph("", "", nodes.literal(row.kind, row.kind)),
                nodes.literal_block(row.message, row.message, language="none"),
                nodes.paragraph("", "", nodes.strong("", "What to do: "), *fix),
                *messages,
            ]
            body += self.table_row([[code], error])
        group += head
        group += body
        return table

    @staticmethod
    def table_row(cells: Any) -> nodes.row:
        row = nodes.row()
        for content in cells:
            entry = nodes.entry()
            entry.extend(content)
            row += entry
        return row


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("error-setup", ErrorSetup)
    app.add_directive("error-messages", ErrorMessages)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

