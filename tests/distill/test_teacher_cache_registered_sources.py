"""A cached teacher of a model the user registered is the teacher of that module's code: two
projects that register different models under one name (``my-net``, of the same shapes) and
train into one runs root each train their own teacher, where the second reused the first's
(its folder was named by the settings alone, which the two share), and a teacher file of the
other module's model is refused, naming both modules. The package's own names keep the teacher
folders they had."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
from test_report_registered_sources import data_project, record, train_in, train_on_data
from tiny_runs import tiny

from pidkit_distill.training.teacher import read_teacher_file, teacher_run_config

# A project's module registering its own network under the name every project uses: the two
# projects' networks differ in their activation only, so that their weights have one shape.
MY_MODELS = textwrap.dedent("""
    from torch import nn

    from pidkit_distill import register_model, tap_features


    @register_model("my-net")
    def build(*, num_classes, in_channels):
        net = nn.Sequential(nn.Linear(in_channels, 8), nn.{activation}(),
                            nn.Linear(8, 8), nn.{activation}(), nn.Linear(8, num_classes))
        return tap_features(net, layers=["1", "3"])
""")

# The same network, its builder registered as a functools.partial (whose own module is
# functools).
MY_PARTIAL_MODELS = textwrap.dedent("""
    from functools import partial

    from torch import nn

    from pidkit_distill import register_model, tap_features


    def build(*, num_classes, in_channels, width):
        net = nn.Sequential(nn.Linear(in_channels, width), nn.{activation}(),
                            nn.Linear(width, width), nn.{activation}(),
                            nn.Linear(width, num_classes))
        return tap_features(net, layers=["1", "3"])


    register_model("my-net")(partial(build, width=8))
""")

# The student trains with a teacher trained (and cached) for my-net.
TEACHER = ("--set", "method.name=kd", "--set", "model.teacher=my-net", "--set",
           "teacher.source=trained", "--set", "teacher.epochs=1")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def project(tmp_path: Path, name: str, activation: str, template: str = MY_MODELS) -> Path:
    """A project's folder holding its ``my_models.py`` (``my-net`` with ``activation``, written
    from ``template``)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "my_models.py").write_text(template.format(activation=activation))
    return folder


def teachers(runs: Path) -> dict[str, str]:
    """Each cached teacher under ``runs``: its folder's name, and the module its file records
    for ``model.teacher``."""
    return {folder.name: read_teacher_file(folder / "teacher.pt")["config"]["recorded"][
                "registered"]["model.teacher"]
            for folder in sorted(runs.glob("teacher-*"))}


def test_two_projects_my_net_teachers_are_two_teachers(tmp_path, monkeypatch, capsys):
    # b's my-net reused a's cached teacher, its folder named by the settings alone:
    # 'reusing the teacher my-net trained before with the same settings'
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    a, b = project(tmp_path, "a", "ReLU"), project(tmp_path, "b", "Tanh")
    first = train_in(monkeypatch, a, runs, "a1", 1, *TEACHER)
    second = train_in(monkeypatch, b, runs, "b1", 1, *TEACHER)
    out = capsys.readouterr().out
    assert out.count("training the teacher my-net") == 2 and "reusing" not in out
    assert sorted(teachers(runs).values()) == [str(here / name / "my_models.py") for name in "ab"]
    assert [record(run) for run in (first, second)] == [
        {"registered": {key: str(here / name / "my_models.py")
                        for key in ("model.teacher", "model.student")}} for name in "ab"]
    # a's project again reuses its own
    train_in(monkeypatch, a, runs, "a2", 2, *TEACHER)
    assert "reusing the teacher my-net" in capsys.readouterr().out


def test_two_projects_my_net_partials_are_two_teachers(tmp_path, monkeypatch, capsys):
    # a builder registered as functools.partial was recorded as coming from functools.py,
    # whichever project registered it: b reused a's teacher ('reusing the teacher my-net'),
    # and the report made the two projects one experiment
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    a, b = (project(tmp_path, name, activation, MY_PARTIAL_MODELS)
            for name, activation in (("a", "ReLU"), ("b", "Tanh")))
    first = train_in(monkeypatch, a, runs, "a1", 1, *TEACHER)
    second = train_in(monkeypatch, b, runs, "b1", 1, *TEACHER)
    assert capsys.readouterr().out.count("training the teacher my-net") == 2
    assert [record(run)["registered"]["model.student"] for run in (first, second)] == [
        str(here / name / "my_models.py") for name in "ab"]


def test_two_projects_my_data_teachers_are_two_teachers(tmp_path, monkeypatch, capsys):
    # b's my-data (other samples, of the same sizes) found a's teacher in the folder its
    # settings name, and was refused: 'error: ... was trained on other samples of
    # data.name='my-data' than it has now ... delete .../teacher-my-data-... to train it
    # again', a's teacher to be deleted for b's run
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    teacher = ("--set", "method.name=kd", "--set", "teacher.source=trained", "--set",
               "teacher.epochs=1")
    assert [train_on_data(monkeypatch, data_project(tmp_path, name, offset), runs, name, 1,
                          *teacher) for name, offset in (("a", 0), ("b", 100))] == [0, 0]
    assert capsys.readouterr().out.count("training the teacher synthetic-teacher") == 2
    assert sorted(read_teacher_file(folder / "teacher.pt")["config"]["recorded"]["registered"]
                  ["data.name"] for folder in runs.glob("teacher-*")) == [
        str(here / name / "my_data.py") for name in "ab"]


def test_a_teacher_file_of_the_other_modules_my_net_is_refused(tmp_path, monkeypatch, capsys):
    # a's teacher.pt copied into b's teacher folder: its settings and shapes fit, and it was
    # reused; now refused in one line naming both modules
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    a, b = project(tmp_path, "a", "ReLU"), project(tmp_path, "b", "Tanh")
    train_in(monkeypatch, a, runs, "a1", 1, *TEACHER)
    train_in(monkeypatch, b, runs, "b1", 1, *TEACHER)
    folders = {module: name for name, module in teachers(runs).items()}
    ours = runs / folders[str(here / "b/my_models.py")]
    shutil.copyfile(runs / folders[str(here / "a/my_models.py")] / "teacher.pt",
                    ours / "teacher.pt")
    capsys.readouterr()
    with pytest.raises(AssertionError):  # main(...) == 2, not 0
        train_in(monkeypatch, b, runs, "b2", 2, *TEACHER)
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert (f"holds the teacher of model.teacher='my-net' registered by "
            f"{here / 'a/my_models.py'}, but this run's 'my-net' is registered by "
            f"{here / 'b/my_models.py'}: one name, two modules' code; it is the teacher cached "
            f"for these settings: delete {ours} to train it again") in err


def test_the_packages_models_keep_their_teacher_folders(tmp_path):
    # the folder-name hash covers registered names' modules only: a teacher of the package's
    # names, cached before, is found where it was (run.threads unset: a thread count set is
    # keyed too, task 339; torch's own count is since t-457, and a folder cached before it,
    # where it holds a teacher.pt, is found where it was while none of the count is cached)
    before = ["teacher-synthetic-synthetic-teacher-s0-e30-a4cb157a",
              "teacher-digits-digits-teacher-s0-e3-a7009fe9"]
    configs = [tiny(tmp_path, "teacher.source=trained", "run.threads=0", *extra)
               for extra in ([], ["teacher.epochs=3", "data.name=digits",
                                  "model.teacher=digits-teacher"])]
    assert not {teacher_run_config(config).run.name for config in configs} & set(before)
    for name in before:
        (tmp_path / name).mkdir()
        (tmp_path / name / "teacher.pt").write_bytes(b"")
    assert [teacher_run_config(config).run.name for config in configs] == before
