"""pidkit_distill.report is a package: its face exports the names report.py exported, its
docstring's table lists each of its modules once, and no module is left at the old flat paths
(report_table.py, figure_lines.py and the like beside cli.py)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import pidkit_distill.report as report
from pidkit_distill.report import folder, groups, table, write
from pidkit_distill.run_folders import damaged as damaged_runs
from pidkit_distill.run_folders import records as run_records

OLD_MODULES = ["report_caveats", "report_cells", "report_data", "report_failures", "report_figures",
               "report_folder", "report_groups", "report_loss_jumps", "report_pairs",
               "report_states", "report_table", "figure_accuracy", "figure_atoms", "figure_legend",
               "figure_lines", "figure_looks"]


def test_the_report_package_docstring_lists_every_module_it_holds():
    on_disk = sorted(path.stem for path in Path(report.__file__).parent.glob("*.py")
                     if path.stem != "__init__")
    listed = re.findall(r"^``(\w+)``\s", report.__doc__, flags=re.MULTILINE)
    assert sorted(listed) == on_disk
    # report.py's own code is write.py's, beside the 16 it imported, figure_losses.py and
    # group_audit.py (the seeds' audit, out of groups.py)
    assert len(on_disk) == 19


def test_the_package_exports_what_report_py_exported():
    assert report.__all__ == ["DamagedRun", "RunRecords", "default_out_dir", "group_table",
                              "load_run", "load_runs", "read_runs", "summary_table",
                              "write_report"]
    defined_in = {"DamagedRun": damaged_runs, "RunRecords": run_records, "load_run": run_records,
                  "load_runs": run_records, "read_runs": run_records, "default_out_dir": folder,
                  "group_table": groups, "summary_table": table, "write_report": write}
    assert {name: getattr(report, name) for name in report.__all__} == {
        name: getattr(module, name) for name, module in defined_in.items()}


@pytest.mark.parametrize("name", OLD_MODULES)
def test_no_module_is_left_at_the_old_paths(name):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"pidkit_distill.{name}")
