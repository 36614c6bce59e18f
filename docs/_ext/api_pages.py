"""Sphinx extension: one API page per public name, generated from each package's ``__all__``.

For every package named in the ``api_packages`` setting this writes, when the builder starts,
``api/generated/PACKAGE.rst`` (the package's docstring and a table of its public names with their
one-line summaries, grouped by kind) and ``api/generated/PACKAGE.NAME.rst`` for each name in
``PACKAGE.__all__``. A public module (``pidkit.estimate``) gets a page documenting its own
``__all__``; names it shares with the package link to the package-level page instead of being
documented twice. A name added to ``__all__`` appears on the next build; a removed one disappears.

Files are rewritten only when their text changes, so an incremental build re-reads nothing it
does not have to.

Docstrings name objects by the path they are defined at (``pidkit.redundancy.MEASURES``, ``CHAIN``
inside :mod:`pidkit.theorems`) while the pages document them where users import them
(``pidkit.REDUNDANCY_MEASURES``). A cross-reference Sphinx cannot resolve is therefore looked up
by import: if the object it names is documented under another name, the link goes there; if it
exists but has no page (a private helper), it is shown as code without a link; only a name that
does not import at all (a typo, a renamed function) stays a warning, so an error under ``-W``.
"""

from __future__ import annotations

import importlib
import inspect
import types
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.inspect import object_description

GENERATED = Path("api") / "generated"

# Kinds in the order the package page lists them: (heading, autodoc directive).
KINDS = {
    "function": ("Functions", "autofunction"),
    "class": ("Classes", "autoclass"),
    "exception": ("Exceptions", "autoexception"),
    "module": ("Modules", "automodule"),
    "data": ("Constants", "autodata"),
}


# Filled while the pages are written: id(object) -> (object, name it is documented under), and
# docname -> modules that define the objects on that page (where their docstrings were written).
DOCUMENTED: dict[int, tuple[Any, str]] = {}
PAGE_MODULES: dict[str, set[str]] = {}


def note(obj: Any, name: str, *docnames: str) -> None:
    """Record that ``obj`` is documented as ``name`` and written about on pages ``docnames``."""
    container = isinstance(obj, (tuple, list, dict, frozenset))
    if isinstance(obj, (types.ModuleType, type)) or callable(obj) or (container and obj):
        DOCUMENTED.setdefault(id(obj), (obj, name))  # never small ints or empty tuples: ids shared
    if isinstance(obj, types.ModuleType):
        defined_in = obj.__name__
    else:
        defined_in = getattr(obj, "__module__", None)
    for docname in docnames if defined_in else ():
        PAGE_MODULES.setdefault(docname, set()).add(defined_in)


def kind_of(obj: Any) -> str:
    """The autodoc kind of a public object: function, class, exception, module or data."""
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def summary(obj: Any) -> str:
    """The first sentence-paragraph of the object's own docstring, on one line; a constant's value
    as autodoc shows it (a set's members sorted, not in the order of this run's string hashes)."""
    if kind_of(obj) == "data":
        value = object_description(obj)
        return f"``{value}``" if len(value) < 80 else ""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


def title(text: str) -> str:
    """A reST section title (the text as a literal, the underline long enough)."""
    text = f"``{text}``"
    return f"{text}\n{'=' * len(text)}\n"


def role(kind: str) -> str:
    return {"function": "func", "module": "mod", "data": "data"}.get(kind, "class")


def table(rows: list[tuple[str, ...]]) -> str:
    """A two-column list-table of (reference, summary) rows."""
    lines = [".. list-table::", "   :widths: 30 70", ""]
    for ref, text in rows:
        lines += [f"   * - {ref}", f"     - {text}"]
    return "\n".join(lines) + "\n"


def object_directive(qualname: str, obj: Any) -> str:
    """The autodoc directive that documents ``obj`` in full as ``qualname``.

    Classes list their members, and their bases when they have any besides ``object``.
    """
    kind = kind_of(obj)
    options = ""
    if kind in ("class", "exception"):
        options = "   :members:\n"
        if obj.__bases__ != (object,):
            options += "   :show-inheritance:\n"
    return f".. {KINDS[kind][1]}:: {qualname}\n{options}"


def module_page(package: str, name: str, module: types.ModuleType) -> str:
    """The page of a public submodule: its docstring, a table of its ``__all__``, then each name.

    Names the package also exports link to their package-level page; the others are documented
    here in full.
    """
    top = importlib.import_module(package)
    docname = page_name(f"{package}.{name}")
    rows: list[tuple[str, str, str]] = []
    own: list[str] = []
    for member in getattr(module, "__all__", []):
        obj = getattr(module, member)
        kind = kind_of(obj)
        if member in top.__all__ and getattr(top, member) is obj:
            rows.append((member, f":{role(kind)}:`~{package}.{member}`", summary(obj)))
        else:
            qualname = f"{module.__name__}.{member}"
            rows.append((member, f":{role(kind)}:`~{qualname}`", summary(obj)))
            own.append(object_directive(qualname, obj))
            note(obj, qualname, docname)
    rows.sort(key=lambda row: row[0].lower())
    return "\n".join(
        [
            title(f"{package}.{name}"),
            f".. automodule:: {module.__name__}\n   :no-members:\n",
            table([row[1:] for row in rows]),
            *own,
        ]
    )


def name_page(package: str, name: str, obj: Any) -> str:
    """The page of one public name of ``package``."""
    kind = kind_of(obj)
    if kind == "module":
        return module_page(package, name, obj)
    return "\n".join(
        [title(f"{package}.{name}"), f".. currentmodule:: {package}\n", object_directive(name, obj)]
    )


def package_page(package: str, module: types.ModuleType) -> str:
    """The package's index page: its docstring, a table per kind, a hidden toctree."""
    parts = [title(package), f".. automodule:: {package}\n   :no-members:\n"]
    by_kind: dict[str, list[tuple[str, str, str]]] = {kind: [] for kind in KINDS}
    for name in module.__all__:
        obj = getattr(module, name)
        kind = kind_of(obj)
        by_kind[kind].append((name, f":{role(kind)}:`~{package}.{name}`", summary(obj)))
    for kind, rows in by_kind.items():
        if rows:
            heading = KINDS[kind][0]
            rows.sort(key=lambda row: row[0].lower())
            parts += [f"{heading}\n{'-' * len(heading)}\n", table([row[1:] for row in rows])]
    entries = "\n".join(f"   {package}.{name}" for name in sorted(module.__all__, key=str.lower))
    parts.append(f".. toctree::\n   :hidden:\n\n{entries}\n")
    return "\n".join(parts)


def pages(package: str) -> dict[str, str]:
    """Every generated page of ``package``: file stem -> reST text."""
    module = importlib.import_module(package)
    if not hasattr(module, "__all__"):
        raise ValueError(f"api_packages: {package!r} has no __all__; define it to list its API.")
    out = {package: package_page(package, module)}
    note(module, package, page_name(package))
    for name in module.__all__:
        obj = getattr(module, name)
        out[f"{package}.{name}"] = name_page(package, name, obj)
        # The package page quotes every summary line, so it reads in every defining module too.
        note(obj, f"{package}.{name}", page_name(f"{package}.{name}"), page_name(package))
    return out


def page_name(stem: str) -> str:
    """The docname of a generated page."""
    return (GENERATED / stem).as_posix()


def write_pages(app: Sphinx) -> None:
    """Write the pages of every package in ``api_packages``; delete pages of removed names."""
    folder = Path(app.srcdir) / GENERATED
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str] = {}
    for package in app.config.api_packages:
        wanted.update(pages(package))
    for stem, text in wanted.items():
        path = folder / f"{stem}.rst"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for path in folder.glob("*.rst"):
        if path.stem not in wanted:
            path.unlink()


MISSING = object()


def locate(path: str) -> Any:
    """The object a dotted path names: the longest importable module prefix, then attributes.

    Unlike :func:`pydoc.locate` this imports ``pidkit.redundancy`` as the module even though the
    package attribute of that name is the function ``redundancy``. Returns ``MISSING`` if none.
    """
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except (ImportError, ValueError):
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr, MISSING)
            if obj is MISSING:
                return MISSING
        return obj
    return MISSING


def resolve_by_import(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    """Resolve a Python reference Sphinx did not find through the object it imports as."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    module, cls = node.get("py:module"), node.get("py:class")
    contexts = [module, *sorted(PAGE_MODULES.get(node["refdoc"], ()))]
    if module and cls:
        contexts.insert(0, f"{module}.{cls}")  # a method named inside its class's docstring
    for candidate in [target, *(f"{context}.{target}" for context in contexts if context)]:
        obj = locate(candidate)
        if obj is MISSING:
            continue
        if id(obj) in DOCUMENTED:
            name = DOCUMENTED[id(obj)][1]
            domain = env.domains["py"]
            return domain.resolve_xref(env, node["refdoc"], app.builder, "obj", name, node, contnode)
        return contnode  # a real object without a page of its own: code, no link
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("api_packages", [], "env", types=[list])
    # Before autosummary and the reading of sources.
    app.connect("builder-inited", write_pages, priority=400)
    app.connect("missing-reference", resolve_by_import)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
