"""``pidkit-distill train --import MODULE``: the models, data sets and methods a module of the
user's registers can be named on the command line (the command knew the built-in names only),
from a console script, which, unlike ``python -m``, does not have the current folder on its
path; and what goes wrong is one line naming ``--import``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import traceback
from pathlib import Path

import pytest
from tiny_runs import TINY, command_env

from pidkit_distill.cli import main

# The user's module: a dataset, a teacher, a student and a method, and a file per process that
# imported it (under torchrun each process runs the command).
MY_MODULE = textwrap.dedent("""
    import os
    from pathlib import Path

    import torch
    from torch import nn
    from torch.utils.data import TensorDataset

    from pidkit_distill import DatasetBundle, register_dataset, register_method, register_model
    from pidkit_distill import tap_features
    from pidkit_distill.methods.bas import BAS

    Path(f"imported-by-rank-{os.environ.get('RANK', '0')}").touch()


    def mlp(width, d_in, classes):
        return nn.Sequential(nn.Linear(d_in, width), nn.ReLU(), nn.Linear(width, width),
                             nn.ReLU(), nn.Linear(width, classes))


    @register_dataset("imp-blobs")
    def blobs(*, seed: int = 0):
        g = torch.Generator().manual_seed(seed)
        y = torch.arange(160) % 3
        x = torch.randn(160, 6, generator=g) + 2.0 * nn.functional.one_hot(y, 6).float()
        return DatasetBundle(TensorDataset(x[:96], y[:96]), TensorDataset(x[96:], y[96:]),
                             num_classes=3, input_shape=(6,))


    @register_model("imp-teacher")
    def teacher(*, num_classes, in_channels):
        return tap_features(mlp(16, in_channels, num_classes), layers=["1", "3"])


    @register_model("imp-student")
    def student(*, num_classes, in_channels):
        return tap_features(mlp(4, in_channels, num_classes), layers=["1", "3"])


    @register_method("imp-bas")
    class MyBAS(BAS):
        pass
""")

# Runs pidkit-distill as its console script does: from a script outside the current folder,
# so that the folder is not on sys.path.
LAUNCHER = "from pidkit_distill.cli import main\nraise SystemExit(main())\n"

RUN = ["--data", "imp-blobs", "--model.teacher", "imp-teacher", "--model.student",
       "imp-student", "--method", "imp-bas", "--teacher", "untrained", "--epochs", "2",
       "--run.stop_after", "1", "--data.batch_size", "32", "--run.progress", "false",
       "--run.threads", "1", "--run.device", "cpu", "--out-dir", "runs"]


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, list[str]]:
    """A folder holding the user's module (the current folder of the commands) and the command
    line of a console script."""
    work, bin_ = tmp_path / "work", tmp_path / "bin"
    work.mkdir()
    bin_.mkdir()
    (work / "my_models.py").write_text(MY_MODULE)
    (bin_ / "pidkit-distill").write_text(LAUNCHER)
    return work, [sys.executable, str(bin_ / "pidkit-distill")]


def command(project: tuple[Path, list[str]], *args: str) -> subprocess.CompletedProcess:
    work, launcher = project
    return subprocess.run([*launcher, *args], cwd=work, env=command_env(), capture_output=True,
                          text=True, timeout=300)


def test_imported_names_train_under_torchrun_list_and_resume_only_with_the_import(
        project, monkeypatch, capsys):
    # one subprocess per command that must import the module (each is a few seconds of start-up)
    work, launcher = project
    first = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         launcher[1], "train", "--import", "my_models", *RUN],
        cwd=work, env={**command_env(), "OMP_NUM_THREADS": "1"}, capture_output=True,
        text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    # under torchrun every process runs the command, so every process imports the module
    assert sorted(p.name for p in work.glob("imported-by-rank-*")) == [
        "imported-by-rank-0", "imported-by-rank-1"]
    assert first.stdout.count("run folder runs/imp-blobs-imp-bas-ut-s0; stopped after epoch 1 "
                              "of 2") == 1  # rank 0's line
    listed = command(project, "train", "--import", "my_models", "--list-methods")
    assert listed.returncode == 0, listed.stderr
    assert "imp-bas presets: paper*" in listed.stdout.splitlines()
    # the run folder names the data set and models: resuming it without the module (here in
    # this process, which has not imported it) says to pass --import
    monkeypatch.chdir(work)
    assert main(["train", *RUN, "--resume", "--run.stop_after", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("pidkit-distill train: error: --data imp-blobs: not a known dataset; ")
    assert err.endswith("or in a module that you pass to the pidkit-distill command with "
                        "--import MODULE (on every run that names it, resumed runs included).\n")
    # the same module given as its file resumes it (in one process: a warning says so)
    resumed = command(project, "train", "--import", "my_models.py", *RUN, "--resume",
                      "--run.stop_after", "0")
    assert resumed.returncode == 0, resumed.stderr
    assert ("checkpoint was written by 2 processes, after epoch 1, and the run resumes with one "
            "process: allowed") in resumed.stderr
    metrics = (work / "runs" / "imp-blobs-imp-bas-ut-s0" / "metrics.jsonl").read_text()
    assert [json.loads(line)["epoch"] for line in metrics.splitlines()] == [1, 2]


def test_train_teacher_imports_too(project):
    proc = command(project, "train-teacher", "--import", "my_models", "--data", "imp-blobs",
                   "--model.teacher", "imp-teacher", "--teacher.epochs", "1", "--out-dir",
                   "runs", "--run.progress", "false", "--run.threads", "1")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("teacher: runs/teacher-imp-blobs-imp-teacher-")


# --- mistakes: one line naming --import, exit 2 -----------------------------------------------

MODULES = {
    "my_models.py": "",
    "raises.py": "raise ValueError('no setting named lr2')\n",
    "needs_dep.py": "import not_installed_dependency_of_yours\n",
    "exits.py": "import sys\nsys.exit(3)\n",
    "random.py": "",  # the name of a module imported already
    "notes.txt": "",
    "pkg/__init__.py": "",
    "pkg/models.py": "",
    "pkg/relative.py": "from . import models\n",
}

BAD_IMPORTS = {
    # given: what the one line says after "pidkit-distill train: error: --import GIVEN: "
    "my_modls": "no module named 'my_modls' in the current folder ({cwd}) or on the Python "
                "path; give a module name as `python -m` takes it (my_models, mypkg.models) or "
                "the path of a .py file. Did you mean 'my_models'?",
    "pkg.modles": "no module named 'pkg.modles' in the current folder ({cwd}) or on the Python "
                  "path; give a module name as `python -m` takes it (my_models, mypkg.models) "
                  "or the path of a .py file. Did you mean 'pkg.models'?",
    "missing.py": "does not exist; give a .py file or a module name as `python -m` takes it "
                  "(my_models, mypkg.models)",
    "pkg/": "is a folder; give a .py file or a module name as `python -m` takes it (my_models, "
            "mypkg.models)",
    "./notes.txt": "not a .py file with a module's name (letters, digits and _); rename it, "
                   "e.g. my_models.py",
    "my-models": "not a module name (Python identifiers joined by '.', as `python -m` takes "
                 "it: my_models, mypkg.models) nor a .py file",
    "random.py": "the name 'random' is taken by {random}, which was imported instead; rename "
                 "the file",
    # the name of the current folder's random.py: it imported the standard library's silently
    "random": "the name 'random' is taken by {random}, which was imported instead; rename the "
              "file",
    "raises": "importing it raised ValueError: no setting named lr2 (an error in that module; "
              "--debug shows the traceback)",
    "needs_dep": "importing it raised ModuleNotFoundError: No module named "
                 "'not_installed_dependency_of_yours' (an import in that module; --debug shows "
                 "the traceback)",
    # a package's module given as a file has no package: its relative imports fail
    "pkg/relative.py": "importing it raised ImportError: attempted relative import with no known "
                       "parent package (it imports relatively: give it as a module of its "
                       "package, pkg.relative, from the folder above the package) (an error in "
                       "that module; --debug shows the traceback)",
    "exits": "importing it raised SystemExit: 3 (it exits when imported: put its script's "
             "code under `if __name__ == '__main__':`) (an error in that module; --debug shows "
             "the traceback)",
}


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """The current folder holding MODULES; sys.path restored afterwards."""
    for name, text in MODULES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield tmp_path
    for name in [n for n, m in sys.modules.items()
                 if str(getattr(m, "__file__", None) or "").startswith(str(tmp_path))]:
        del sys.modules[name]


@pytest.mark.parametrize("given", list(BAD_IMPORTS))
def test_a_bad_import_is_one_line_naming_it(given, modules, capsys):
    status = main(["train", "--import", given, *[f"--set={item}" for item in TINY]])
    out, err = capsys.readouterr()
    expected = BAD_IMPORTS[given].format(cwd=os.getcwd(), random=sys.modules["random"].__file__)
    assert (status, out) == (2, "")
    assert err == f"pidkit-distill train: error: --import {given}: {expected}\n"


def test_debug_shows_the_traceback_of_the_users_module(modules):
    with pytest.raises(ImportError, match=r"^--import raises: importing it raised ValueError") \
            as info:
        main(["train", "--import", "raises", "--debug"])
    cause = info.value.__cause__
    assert isinstance(cause, ValueError) and str(cause) == "no setting named lr2"
    assert traceback.extract_tb(cause.__traceback__)[-1].filename == str(modules / "raises.py")


def test_a_configuration_file_cannot_import(modules, capsys):
    (modules / "marks.py").write_text("open('imported', 'w').close()\n")
    (modules / "top.toml").write_text('import = ["marks"]\n')
    (modules / "run.toml").write_text('[run]\nimport = "marks"\n')
    assert main(["train", "--config", "top.toml"]) == 2
    err = capsys.readouterr().err
    assert "unknown config section(s) ['import']" in err
    assert "never imports code: pass the module to the command with --import MODULE" in err
    assert main(["train", "--config", "run.toml"]) == 2
    assert "unknown config key 'run.import'" in capsys.readouterr().err
    assert not (modules / "imported").exists()
