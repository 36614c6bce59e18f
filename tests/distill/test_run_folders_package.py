"""pidkit_distill.run_folders is a package: the seven modules that read run folders
(run_files.py, run_records.py, damaged_runs.py, ... beside cli.py) stand in it, its docstring's
table lists each of them once, no module is left at the old flat paths, and its face imports
none of them, so that the trainer's read of a run's files does not load the report's. (Not
``runs``: the .gitignore's ``runs/``, the trainer's default output folder, would hide it.)"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pidkit_distill
import pidkit_distill.run_folders as run_folders
from pidkit_distill.run_folders import summary

OLD_MODULES = ["damaged_runs", "run_files", "run_folder_search", "run_groups", "run_records",
               "run_summary", "unwritten_runs"]


def test_the_run_folders_package_docstring_lists_every_module_it_holds():
    on_disk = sorted(path.stem for path in Path(run_folders.__file__).parent.glob("*.py")
                     if path.stem != "__init__")
    listed = re.findall(r"^``(\w+)``\s", run_folders.__doc__, flags=re.MULTILINE)
    assert sorted(listed) == on_disk
    assert on_disk == ["damaged", "files", "groups", "records", "search", "summary", "unwritten"]


@pytest.mark.parametrize("name", OLD_MODULES)
def test_no_module_is_left_at_the_old_paths(name):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"pidkit_distill.{name}")


def test_the_package_s_run_summary_is_the_one_runs_defines():
    assert pidkit_distill.RunSummary is summary.RunSummary
    assert summary.RunSummary.__module__ == "pidkit_distill.run_folders.summary"


def test_reading_a_run_s_files_loads_neither_the_report_s_modules_nor_torch():
    code = ("import sys; import pidkit_distill.run_folders.files; "
            "print(sorted(m for m in sys.modules if m.startswith('pidkit_distill.run_folders')), "
            "sorted(m for m in ('torch', 'sklearn') if m in sys.modules))")
    said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout
    assert said == "['pidkit_distill.run_folders', 'pidkit_distill.run_folders.files'] []\n"
