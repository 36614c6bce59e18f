"""Check the built site: API pages for every public name, executed tutorials, internal links.

``make docs`` runs ``python docs/check_site.py site`` after the build. It checks what the
builder itself cannot see:

* every name in ``pidkit.__all__``, ``pidkit.utils.__all__`` and ``pidkit_distill.__all__`` has
  its page under ``api/generated/`` with the object's anchor, and the package page links to it;
  every name of a public submodule (``pidkit.estimate``) is documented on that module's page;
  every registered distillation method and every configuration key appears on its reference
  page;
* every executed page (a notebook, or a MyST notebook: Markdown with ``file_format: mystnb``)
  has cell outputs and at least one figure, no traceback, and the results named in
  ``EXPECTED_OUTPUTS`` (numbers and verdicts the page exists to show);
* every relative link and image in every page leads to an existing file and, with a
  ``#fragment``, to an element with that id.

Each failure is printed on stderr; the last line counts checks passed and failed, and the exit
status is 1 if any failed. Run it as ``python docs/check_site.py [SITE_DIR]`` from the
repository root (default ``site``).
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from collections.abc import Callable, Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
API_PACKAGES = ("pidkit", "pidkit.utils", "pidkit_distill")

# Text that must appear in the cell outputs of an executed page (docname -> fragments).
EXPECTED_OUTPUTS: dict[str, tuple[str, ...]] = {
    "tutorials/quickstart": (
        "Red(Y:T,S)",
        "0.311278",
        "status 'optimal_inaccurate'",
        "optimal_inaccurate False",
        "statuses: ['optimal']",
    ),
    "notebooks/theorems": (
        "Examples 1-3: HELD",
        "Theorem 3.1: HELD",
        "Theorem 3.2: HELD",
        "Theorem 4.1: HELD",
        "0.122556",
    ),
    "which-measure": (
        "I_wedge <= I_GH <= I_prec <= BROJA <= MMI on all",
        "0.122556",
        "-0.118709",
        "chain Y -> T -> S: Gaussian PID of the covariance",
        "0.339036",
        "1.160964",
        "scalar target: Gaussian Red = min(I(Y;T), I(Y;S)) (MMI): HELD",
        "binning loses information: I(Y;T,S) of every binned estimate below the Gaussian one: HELD",
    ),
    "tutorials/audit": (
        "audits: HELD",
        "the four atoms sum to I(Y;T,S): HELD",
        "every audit's solve certified optimal: HELD",
        "RID leaves less of the teacher's knowledge to distil than BAS: HELD",
        "the plug-in's bias is largest in Syn(Y:T,S)",
    ),
    "tutorials/representations": (
        "0.672885",
        "the default halves the plug-in's total bias at every n: HELD",
        "for both (same teacher, same clusters): HELD",
        "the student with all labels leaves less of the teacher's knowledge undistilled: HELD",
        "I(Y;S) = 0.160964 bits (closed form)",
        "Red = min(I(Y;T), I(Y;S)), Uni(Y:T\\S) = their difference: HELD",
        "gaussian_pid:  red 0.748421, uni_t 0.388067, uni_s 0.000000, syn 0.000000",
        "the correction lowers the total bias at n = 125: HELD",
    ),
}
FORBIDDEN_OUTPUTS = ("Traceback", "VIOLATED")
"""Never in a page's outputs: an error and a failed check (and :data:`NEGATIVE_ZERO`)."""

NEGATIVE_ZERO = re.compile(r"(?<![\w.])[-\u2212]0(?:\.0*)?(?:[eE][-+]?\d+)?(?![\w.])")
"""Never in a page's outputs either: a zero printed with a minus sign, as a number of its own at any
precision ('-0.000000', '-0.00', '-0.', '-0', '-0.0e+00'), a value at rounding level below 0, which
the results themselves print as 0 (round, then add 0.0). Not '-0.0000001', a small negative number,
nor '-0.000000x' or '1e-0', which are not a zero of their own."""


def forbidden_in(text: str) -> list[str]:
    """What ``text`` (a page's outputs) holds that no output may: each forbidden word found, then
    the first negative zero, as they read.

    Examples
    --------
    >>> forbidden_in("syn -0.00, red -0.0000001, Traceback")
    ['Traceback', '-0.00']
    >>> forbidden_in("uni_s 0.000000, gap 1e-09, 2026-12-04")
    []
    """
    found = [word for word in FORBIDDEN_OUTPUTS if word in text]
    negative_zero = NEGATIVE_ZERO.search(text)
    return found + ([negative_zero.group()] if negative_zero else [])


class Page(HTMLParser):
    """What the checks need from one HTML page: ids, links, cell outputs and their figures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.outputs = 0
        self.figures = 0
        self.output_text: list[str] = []
        self.text: list[str] = []
        self._depth = 0  # nesting depth of the element stack inside a cell output, 0 outside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if "id" in attr:
            self.ids.add(attr["id"])
        for name in ("href", "src"):
            if attr.get(name):
                self.links.append(attr[name])
        if self._depth:
            if tag not in VOID_TAGS:
                self._depth += 1
            self.figures += tag == "img"
        elif tag == "div" and "cell_output" in attr.get("class", "").split():
            self.outputs += 1
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag not in VOID_TAGS:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._depth:
            self.output_text.append(data)


VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def parse(path: Path) -> Page:
    """The parsed page at ``path`` (read once while it is unchanged)."""
    stat = path.stat()
    return parse_version(path, stat.st_mtime_ns, stat.st_size)


@cache
def parse_version(path: Path, mtime_ns: int, size: int) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def html_of(site: Path, docname: str) -> Path:
    return site / f"{docname}.html"


# ------------------------------------------------------------------------------------ checks
Check = tuple[str, Callable[[], list[str]]]


def api_checks(site: Path) -> Iterator[Check]:
    """One check per public name: its page, its anchor, the package page's link to it."""
    for package in API_PACKAGES:
        module = importlib.import_module(package)
        index = site / "api" / "generated" / f"{package}.html"
        for name in module.__all__:
            yield f"API page of {package}.{name}", lambda p=package, n=name, i=index: api_page(site, i, p, n)


def api_page(site: Path, index: Path, package: str, name: str) -> list[str]:
    path = site / "api" / "generated" / f"{package}.{name}.html"
    if not path.exists():
        return [f"{path} is missing"]
    obj = getattr(importlib.import_module(package), name)
    module = isinstance(obj, types.ModuleType)
    anchor = f"module-{obj.__name__}" if module else f"{package}.{name}"
    errors = [] if anchor in parse(path).ids else [f"{path} has no anchor #{anchor}"]
    if not index.exists() or path.name not in {Path(urlsplit(h).path).name for h in parse(index).links}:
        errors.append(f"{index} does not link to {path.name}")
    if module:
        top = importlib.import_module(package)
        for member in getattr(obj, "__all__", []):
            shared = member in top.__all__ and getattr(top, member) is getattr(obj, member)
            if not shared and f"{obj.__name__}.{member}" not in parse(path).ids:
                errors.append(f"{path} does not document {obj.__name__}.{member}")
    return errors


def distill_checks(site: Path) -> Iterator[Check]:
    """Every registered method on the methods page; every config key on the config and CLI pages."""
    methods = importlib.import_module("pidkit_distill.methods")
    config = importlib.import_module("pidkit_distill.config")

    def registry() -> list[str]:
        page = parse(site / "api" / "methods.html")
        return [f"method {n!r} has no section" for n in methods.available_methods() if n not in page.ids]

    def keys() -> list[str]:
        text = "".join(parse(site / "api" / "config.html").text)
        cli = "".join(parse(site / "api" / "cli.html").text)
        errors = []
        for key, *_ in config.config_fields():
            if key not in text:
                errors.append(f"config key {key!r} missing from api/config.html")
            if f"--{key}" not in cli:
                errors.append(f"option --{key} missing from api/cli.html")
        return errors

    yield "methods registry page", registry
    yield "configuration and CLI pages", keys


def executed_sources() -> list[Path]:
    """The notebooks among the sources: ``.ipynb`` files and MyST notebooks."""
    skip = {"_build", "jupyter_execute", ".ipynb_checkpoints", "generated"}
    found = []
    for path in sorted(DOCS.rglob("*")):
        if skip & set(path.relative_to(DOCS).parts):
            continue
        if path.suffix == ".ipynb":
            found.append(path)
        elif path.suffix == ".md" and path.read_text(encoding="utf-8").startswith("---"):
            front = path.read_text(encoding="utf-8").split("---", 2)[1]
            if "file_format: mystnb" in front:
                found.append(path)
    return found


def tutorial_checks(site: Path) -> Iterator[Check]:
    """Each executed page: outputs, a figure, no traceback, and its expected results."""
    docnames = [source.relative_to(DOCS).with_suffix("").as_posix() for source in executed_sources()]
    for docname in sorted(set(docnames) | set(EXPECTED_OUTPUTS)):
        yield f"executed page {docname}", lambda d=docname: tutorial(site, d)


def tutorial(site: Path, docname: str) -> list[str]:
    path = html_of(site, docname)
    if not path.exists():
        return [f"{path} is missing"]
    page = parse(path)
    text = "".join(page.output_text)
    errors = []
    if not page.outputs:
        errors.append(f"{path}: no cell output (was the notebook executed?)")
    if not page.figures:
        errors.append(f"{path}: no figure in the outputs")
    errors += [f"{path}: output contains {word!r}" for word in forbidden_in(text)]
    errors += [
        f"{path}: output lacks {fragment!r}"
        for fragment in EXPECTED_OUTPUTS.get(docname, ())
        if fragment not in text
    ]
    return errors


def link_checks(site: Path) -> Iterator[Check]:
    """One check per page: every relative href/src resolves, fragments included.

    The theme's own template fragments under ``_static`` are not pages and are skipped.
    """
    for path in sorted(site.rglob("*.html")):
        if path.relative_to(site).parts[0] in ("_static", "_sources", "_images"):
            continue
        yield f"internal links of {path.relative_to(site)}", lambda p=path: links(p)


def links(path: Path) -> list[str]:
    errors = []
    for link in parse(path).links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
            continue
        target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            errors.append(f"{path}: broken link {link!r}")
        elif parts.fragment and target.suffix == ".html" and parts.fragment not in parse(target).ids:
            errors.append(f"{path}: link {link!r} names no element of {target.name}")
    return errors


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    site = Path(args[0] if args else "site").resolve()
    if not (site / "index.html").exists():
        print(f"check_site: {site} has no index.html; build the site first (make docs).", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    checks = [*api_checks(site), *distill_checks(site), *tutorial_checks(site), *link_checks(site)]
    failed = 0
    for name, check in checks:
        errors = check()
        failed += bool(errors)
        for error in errors:
            print(f"FAILED {name}: {error}", file=sys.stderr, flush=True)
    print(f"check_site: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
