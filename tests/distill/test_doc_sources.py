"""The distillation guide, the RID preset notes and the trainer's docstrings state their facts:
they point at no file that users do not have (the maintainers' notes on the authors' code)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SHIPPED = [ROOT / "docs" / "distill.md", ROOT / "docs" / "rid-presets.md",
           *sorted((ROOT / "pidkit_distill").rglob("*.py"))]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_to_the_maintainers_notes(path):
    # 'see ../shared/KD-RID-NOTES.md §1.3', '(KD-RID-NOTES §1.4)': a file not in the package,
    # the repository's docs or the documentation site
    text = path.read_text(encoding="utf-8")
    assert "KD-RID-NOTES" not in text and "../shared/" not in text
