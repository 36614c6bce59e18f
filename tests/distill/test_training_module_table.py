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
