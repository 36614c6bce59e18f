"""The table of pidkit_distill.training's modules, in its docstring, lists each of them once."""

from __future__ import annotations

import re
from pathlib import Path

import pidkit_distill.training as training


def test_the_training_package_docstring_lists_every_module_it_holds():
    # joining and data_fingerprints were split out of runtime and teacher and missed the table
    on_disk = sorted(path.stem for path in Path(training.__file__).parent.glob("*.py")
                     if path.stem != "__init__")
    listed = re.findall(r"^``(\w+)``\s", training.__doc__, flags=re.MULTILINE)
    assert sorted(listed) == on_disk


def test_the_loop_section_of_the_docs_lists_every_module_too():
    # data_fingerprints, joining, amp_resume and resume_neighbours were missing from docs/distill.md
    on_disk = sorted(path.stem for path in Path(training.__file__).parent.glob("*.py")
                     if path.stem != "__init__")
    docs = Path(__file__).resolve().parents[2] / "docs" / "distill.md"
    section = docs.read_text(encoding="utf-8").split("\n## The loop\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(\w+)\.py` \|", section, flags=re.MULTILINE)
    assert sorted(listed) == on_disk


def test_the_epoch_lines_row_names_the_audit_line_and_the_note_of_its_cost():
    # bd2bb940 moved the audit line and its notes into epoch_lines; its row still said only
    # "the epoch's printed line and the pace of a long run"
    row = training.__doc__.split("\n``epoch_lines``", 1)[1].split("\n``", 1)[0]
    assert "the audit's line" in row and "audits that take most of the run" in row
