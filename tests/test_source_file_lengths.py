"""The house rule that no Python file of the packages or their tests is longer than 600 lines
(pidkit_distill/training/teacher.py had grown to 613)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parents[1]
MOST_LINES = 600


def test_no_python_file_of_the_packages_or_tests_is_longer_than_600_lines():
    files = [path for folder in ("pidkit", "pidkit_distill", "tests")
             for path in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 100  # the folders were found
    too_long = {str(path.relative_to(ROOT)): count for path in files
                if (count := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES}
    assert too_long == {}
