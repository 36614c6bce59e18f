"""The code of the documentation imports pidkit_distill's public names by their public paths,
as the docstrings do (test_public_paths): a user pastes it. docs/distill.md's example of your own
models imported load_config from pidkit_distill.config_text, a module outside the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_public_paths import private_paths

ROOT = Path(__file__).parents[2]
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in
               [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
               if "_build" not in path.parts)
# a fenced block of Python: ```python, ```pycon or a notebook page's ```{code-cell} python
BLOCK = re.compile(r"^```(?:python|pycon|\{code-cell\} python)[^\n]*\n(.*?)^```", re.S | re.M)


def code_blocks(text: str) -> list[str]:
    """The Python blocks of a Markdown page."""
    return BLOCK.findall(text)


def test_the_blocks_are_found():
    assert code_blocks("x\n```python\nimport a\n```\n```bash\nls\n```\n"
                       "```{code-cell} python\nimport b\n```\n") == ["import a\n", "import b\n"]
    assert {"README.md", "docs/distill.md", "docs/tutorials/audit.md"} <= set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_the_docs_code_imports_public_paths(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    assert [found for block in code_blocks(text) for found in private_paths(block)] == []
