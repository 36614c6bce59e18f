"""Sphinx extension: reference tables of ``pidkit_distill`` generated from its registries.

Two directives, each rendered from the code at build time so that the pages follow the code:

``.. distill-methods::``
    every method in the registry (:func:`pidkit_distill.available_methods`): its class, what it
    starts from, and one table of its parameters with the value under every preset (resolved
    through ``Distiller.make_params``, so a preset that no longer validates fails the build) and
    the description from the ``Attributes`` section of its ``Params`` docstring.
``.. distill-config::``
    every configuration key of ``pidkit_distill.config.config_fields()`` grouped by section: type,
    default and help text.

A parameter without a description is a warning (so an error under ``-W``).
"""

from __future__ import annotations

import dataclasses
import importlib
import typing
from collections.abc import Iterable
from typing import Any

from docutils import nodes
from numpydoc.docscrape import NumpyDocString
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


def literal(value: Any) -> str:
    """A value as an inline literal (``repr``), safe inside a table cell."""
    text = repr(value).replace("`", "'")
    return f"``{text}``"


def type_name(kind: Any) -> str:
    """A short type name for tables: ``float``, ``str``, ``list``..."""
    return getattr(kind, "__name__", None) or str(kind).replace("typing.", "")


def first_paragraph(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line."""
    text = (doc or "").strip().split("\n\n", 1)[0]
    return " ".join(text.split())


def list_table(header: Iterable[str], rows: Iterable[Iterable[str]], widths: str = "auto") -> str:
    """A reST list-table with a header row."""
    lines = [".. list-table::", "   :header-rows: 1", f"   :widths: {widths}", ""]
    for row in [list(header), *map(list, rows)]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines) + "\n"


def field_descriptions(params_class: type) -> dict[str, str]:
    """Field name -> description, from the ``Attributes`` section of a Params docstring."""
    doc = NumpyDocString(params_class.__doc__ or "")
    return {item.name: " ".join(" ".join(item.desc).split()) for item in doc["Attributes"]}


class DistillMethods(SphinxDirective):
    """``.. distill-methods::``: the registry, one section per method."""

    def run(self) -> list[nodes.Node]:
        methods = importlib.import_module("pidkit_distill.methods")
        names = methods.available_methods()
        overview = [
            (
                f"`{name}`_",
                f":class:`~{cls.__module__}.{cls.__qualname__}`",
                ", ".join(f"``{p}``" for p in cls.presets),
                first_paragraph(cls.__doc__),
            )
            for name in names
            for cls in [methods.get_method(name)]
        ]
        parts = [list_table(["name", "class", "presets", "summary"], overview, "10 15 20 55")]
        for name in names:
            parts.append(self.method_section(name, methods.get_method(name)))
        return self.parse_text_to_nodes("\n".join(parts), allow_section_headings=True)

    def method_section(self, name: str, cls: type) -> str:
        qualname = f"{cls.__module__}.{cls.__qualname__}"
        heading = name
        parts = [f"{heading}\n{'-' * len(heading)}\n"]
        parts.append(f".. autoclass:: {qualname}\n   :no-members:\n   :show-inheritance:\n")
        if cls.student_init:
            parts.append(
                f"The student starts from a trained ``{cls.student_init}`` student of the same "
                "configuration (trained first when missing).\n"
            )
        fields = dataclasses.fields(cls.Params)
        if not fields:
            parts.append("No parameters.\n")
            return "\n".join(parts)
        described = field_descriptions(cls.Params)
        hints = typing.get_type_hints(cls.Params)
        presets = {preset: cls.make_params(preset=preset).to_dict() for preset in cls.presets}
        rows = []
        for f in fields:
            if f.name not in described:
                logger.warning(
                    "method %r: parameter %r has no description in the Attributes section of "
                    "%s's docstring",
                    name,
                    f.name,
                    cls.Params.__qualname__,
                    location=self.get_location(),
                )
            rows.append(
                [
                    f"``{f.name}``",
                    type_name(hints[f.name]),
                    *(literal(values[f.name]) for values in presets.values()),
                    described.get(f.name, ""),
                ]
            )
        header = ["parameter", "type", *(f"preset ``{p}``" for p in presets), "description"]
        parts.append(f"Parameters (``{cls.Params.__qualname__}``) and their value in each preset:\n")
        parts.append(list_table(header, rows))
        return "\n".join(parts)


class DistillConfig(SphinxDirective):
    """``.. distill-config::``: every configuration key, one table per section."""

    def run(self) -> list[nodes.Node]:
        config = importlib.import_module("pidkit_distill.config")
        sections: dict[str, list[list[str]]] = {}
        for key, default, kind, text in config.config_fields():
            section = key.split(".", 1)[0]
            sections.setdefault(section, []).append(
                [f"``{key}``", type_name(kind), literal(default), " ".join(text.split())]
            )
        defaults = config.TrainConfig()
        parts = []
        for section, rows in sections.items():
            parts.append(f"``[{section}]``\n{'-' * (len(section) + 6)}\n")
            parts.append(first_paragraph(type(getattr(defaults, section)).__doc__) + "\n")
            parts.append(
                list_table(["key", "type", "default", "meaning"], rows, "22 7 16 55")
            )
        return self.parse_text_to_nodes("\n".join(parts), allow_section_headings=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("distill-methods", DistillMethods)
    app.add_directive("distill-config", DistillConfig)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
