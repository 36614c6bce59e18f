"""pidkit_distill.audit is a package: its face exports the names audit.py exported, its
docstring's table lists each of its modules once, no module is left at the old flat paths
(audit_records.py, audit_inputs.py and held_out_fixes.py beside cli.py), and reading a run's
audit records still imports neither PyTorch nor scikit-learn."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pidkit_distill.audit as audit
from pidkit_distill.audit import layer_pid

OLD_MODULES = ["audit_inputs", "audit_records", "held_out_fixes"]


def test_the_audit_package_docstring_lists_every_module_it_holds():
    on_disk = sorted(path.stem for path in Path(audit.__file__).parent.glob("*.py")
                     if path.stem != "__init__")
    listed = re.findall(r"^``(\w+)``\s", audit.__doc__, flags=re.MULTILINE)
    assert sorted(listed) == on_disk
    # audit.py's own code is layer_pid.py's, beside audit_inputs, audit_records and held_out_fixes
    assert on_disk == ["held_out_fixes", "input_checks", "layer_pid", "records"]


def test_the_package_exports_what_audit_py_exported():
    assert audit.__all__ == ["ATOMS", "audit_clusters", "audit_distiller", "audit_networks",
                             "collect_features"]
    assert {name: getattr(audit, name) for name in audit.__all__} == {
        name: getattr(layer_pid, name) for name in audit.__all__}
    assert audit.ATOMS == ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts")


def test_a_name_the_package_does_not_export_is_refused_by_name():
    with pytest.raises(AttributeError, match=r"'pidkit_distill\.audit' has no attribute 'audit'"):
        audit.audit  # noqa: B018


@pytest.mark.parametrize("name", OLD_MODULES)
def test_no_module_is_left_at_the_old_paths(name):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"pidkit_distill.{name}")


def test_reading_audit_records_imports_no_torch_until_the_audit_is_asked_for():
    # the report reads records.py; the face imports layer_pid (torch, scikit-learn) on first use
    code = ("import sys; import pidkit_distill.audit.records; import pidkit_distill.report; "
            "heavy = lambda: sorted(m for m in ('torch', 'sklearn') if m in sys.modules); "
            "print(heavy()); from pidkit_distill.audit import audit_networks; print(heavy())")
    said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.splitlines()
    assert said == ["[]", "['sklearn', 'torch']"]
