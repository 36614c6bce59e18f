"""The name of the run that a method starts from (TED's ``RUN.bas-init``) is made in one place,
:func:`~pidkit_distill.starting_runs.starting_run_name` (the trainer's), and read in one,
:func:`~pidkit_distill.starting_runs.started_run_of`, by the three that recognise it: the check
of a configuration (such a run sets ``run.resume`` without a checkpoint: no notice), the resume's
look at the runs beside a run (the method's run continues it itself) and the report (it is no
seed of the user's runs of its method). Each read the name by a rule of its own, and they
disagreed: the check took ``RUN.-init`` (no method) for one, and the report split
``RUN.my.kd-init``, the starting run of a method named ``my.kd``, at its last dot and found no
run of the method ``kd``."""

from __future__ import annotations

import json

import pytest
from tiny_runs import tiny

from pidkit_distill.config import config_to_dict
from pidkit_distill.run_folders.records import starting_student_of
from pidkit_distill.starting_runs import started_run_of, starting_run_name
from pidkit_distill.training import check_config
from pidkit_distill.training.resume_neighbours import runs_beside

# (the run a method starts from it, the method): the default name, a run.name of the user's
# that holds a dot, a method whose registered name holds one (names take '.', '_' and '-')
MADE = [("synthetic-ted-ut-s0", "bas"), ("seed.1", "bas"), ("r", "my.kd"), ("a-b_c", "x-y")]


@pytest.mark.parametrize(("run", "method"), MADE)
def test_the_made_name_is_read_back_as_its_run_and_method(run, method):
    name = starting_run_name(run, method)
    assert name == f"{run}.{method}-init"
    assert started_run_of(name, method=method) == (run, method)
    assert started_run_of(name, method=method.upper()) == (run, method)  # an older config's case
    assert started_run_of(name) is not None  # the folder's name alone


@pytest.mark.parametrize(("run", "method"), MADE)
def test_the_report_reads_the_made_name_as_the_run_s_starting_student(run, method):
    config = {"run": {"name": starting_run_name(run, method)}, "method": {"name": method}}
    assert starting_student_of(config) == run
    assert starting_student_of({**config, "method": {"name": "vid"}}) is None  # not its method


@pytest.mark.parametrize(("run", "method"), MADE)
def test_the_check_gives_the_made_name_no_notice_of_a_missing_checkpoint(tmp_path, run, method):
    config = tiny(tmp_path, f"run.name={starting_run_name(run, method)}", "run.resume=true")
    assert check_config(config).notices == ()


def test_the_resume_names_no_starting_run_beside_a_run(tmp_path):
    config = tiny(tmp_path, "method.name=kd", "run.epochs=2")
    methods = sorted({method for _, method in MADE})
    for name in ("stopped", *(starting_run_name("stopped", method) for method in methods)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(json.dumps(config_to_dict(config)))
        (tmp_path / name / "checkpoint.pt").touch()
    assert [folder.name for folder, _ in runs_beside(config, tmp_path / "mine")] == ["stopped"]


def test_a_name_with_no_run_or_no_method_is_no_starting_run():
    for name in ("r.-init", ".bas-init", "-init", "r-init", "r.bas", "r.bas-init.x", ""):
        assert started_run_of(name) is None, name
        assert started_run_of(name, method="bas") is None, name
    assert started_run_of("r.-init", method="") is None
    assert starting_student_of({"run": {"name": "r.-init"}, "method": {"name": ""}}) is None


def test_the_check_notices_the_missing_checkpoint_of_a_run_named_with_no_method(tmp_path):
    # the check took 'RUN.-init' for a starting run, which no method's name makes: a resume
    # without a checkpoint is told so, as any other run.name is
    notices = check_config(tiny(tmp_path, "run.name=r.-init", "run.resume=true")).notices
    assert len(notices) == 1 and "holds no checkpoint" in notices[0]


def test_the_report_finds_the_starting_run_of_a_method_whose_name_holds_a_dot():
    # split at its last dot, 'r.my.kd-init' was the run 'r.my' of the method 'kd', not its own
    assert starting_student_of({"run": {"name": "r.my.kd-init"}, "method": {"name": "my.kd"}}) \
        == "r"
    assert starting_student_of({"run": {"name": "r.my.kd-init"}, "method": {"name": "kd"}}) \
        == "r.my"  # a run 'r.my' of the method kd: the last dot that the method leaves
