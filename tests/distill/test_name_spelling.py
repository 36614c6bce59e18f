"""A registered name given in another spelling (``--data Digits``, ``DIGITS-TEACHER``) is the
registered one everywhere: the configuration holds it as the registry spells it, so the run
folder, the teacher's cached folder, config.json and resuming see one name (they used the
spelling as typed: a second teacher was trained, a second run folder made, a resume refused).
And a checkpoint that cannot be read when resuming says how to go on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tiny_runs import TINY, tiny

from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.config import (
    DataConfig,
    MethodConfig,
    ModelConfig,
    TrainConfig,
    config_from_dict,
    config_to_dict,
)
from pidkit_distill.config_text import load_config
from pidkit_distill.training import train
from pidkit_distill.training.checkpoint import check_resumable
from pidkit_distill.training.resume import resume_point
from pidkit_distill.training.rundir import run_dir_of
from pidkit_distill.training.teacher import teacher_run_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")

NAMES = {"data": {"name": "digits"}, "model": {"teacher": "digits-teacher", "student": "wrn-16-1"},
         "method": {"name": "rid"}}
SPELT = {"data": {"name": " Digits"}, "model": {"teacher": "DIGITS-TEACHER", "student": "WRN-16-1"},
         "method": {"name": "RID "}}


def names_of(config: TrainConfig) -> dict[str, dict[str, str]]:
    return {section: {key: getattr(getattr(config, section), key) for key in keys}
            for section, keys in NAMES.items()}


def test_every_way_of_setting_a_name_holds_the_registry_spelling(tmp_path):
    toml = tmp_path / "spelt.toml"
    toml.write_text("".join(f"[{section}]\n" + "".join(f'{key} = "{value}"\n'
                                                        for key, value in keys.items())
                            for section, keys in SPELT.items()))
    overrides = [f"{section}.{key}={value}" for section, keys in SPELT.items()
                 for key, value in keys.items()]
    argv = ["train", "--data", " Digits", "--model.teacher", "DIGITS-TEACHER",
            "--set", "model.student=WRN-16-1", "--method", "RID "]
    built = TrainConfig(data=DataConfig(name=" Digits"),
                        model=ModelConfig(teacher="DIGITS-TEACHER", student="WRN-16-1"),
                        method=MethodConfig(name="RID "))
    assigned = TrainConfig()
    assigned.data.name, assigned.method.name = " Digits", "RID "
    assigned.model.teacher, assigned.model.student = "DIGITS-TEACHER", "WRN-16-1"
    for config in (built, assigned, config_from_dict(SPELT), load_config(toml),
                   load_config(overrides=overrides),
                   config_from_args(get_args_parser().parse_args(argv))):
        assert names_of(config) == NAMES
        assert {s: {k: config_to_dict(config)[s][k] for k in NAMES[s]} for s in NAMES} == NAMES
    assert load_config(overrides=["method.preset=paper"]).method.preset == "paper"  # no name


def test_the_run_and_teacher_folders_are_those_of_the_registry_spelling():
    spelt = load_config(overrides=["data.name=Digits", "model.teacher=DIGITS-TEACHER"])
    assert run_dir_of(spelt) == Path("runs/digits-bas-tt-s0")  # was runs/Digits-bas-tt-s0
    assert teacher_run_config(spelt).run.name == teacher_run_config(TrainConfig()).run.name


def test_the_teacher_folder_of_lower_case_names_keeps_its_hash(tmp_path, monkeypatch):
    # the folders `--data digits` trained its teacher into before names were normalised: on one
    # thread (one_torch_thread), that of run.threads=1, as torch's own count is keyed since
    # t-457; and the one of run.threads=0 before that, found where it holds a teacher.pt
    monkeypatch.chdir(tmp_path)  # its own runs folder
    config = load_config(overrides=["data.name=digits"])
    assert teacher_run_config(config).run.name == "teacher-digits-digits-teacher-s0-e30-cffaf929"
    short = load_config(overrides=["data.name=digits", "teacher.epochs=1"])
    assert teacher_run_config(short).run.name == "teacher-digits-digits-teacher-s0-e1-e713bf68"
    for name in ("teacher-digits-digits-teacher-s0-e30-1a80e5c4",
                 "teacher-digits-digits-teacher-s0-e1-86d8f982"):
        (tmp_path / "runs" / name).mkdir(parents=True)
        (tmp_path / "runs" / name / "teacher.pt").write_bytes(b"")
    assert teacher_run_config(config).run.name == "teacher-digits-digits-teacher-s0-e30-1a80e5c4"
    assert teacher_run_config(short).run.name == "teacher-digits-digits-teacher-s0-e1-86d8f982"


def test_a_teacher_trained_for_one_spelling_is_reused_for_another(tmp_path):
    lower = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.epochs=1",
                 "run.name=lower")
    train(lower)
    upper = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.epochs=1",
                 "run.name=upper", "data.name=SYNTHETIC", "model.teacher=Synthetic-Teacher")
    train(upper)
    teachers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("teacher-"))
    assert len(teachers) == 1 and teachers[0].startswith("teacher-synthetic-synthetic-teacher-")
    recorded = json.loads((tmp_path / "upper" / "config.json").read_text())
    assert (recorded["data"]["name"], recorded["model"]["teacher"]) == (
        "synthetic", "synthetic-teacher")


def test_recorded_names_of_another_spelling_are_the_same_configuration():
    config = load_config(overrides=["data.name=digits", "method.name=rid",
                                    "model.teacher=digits-teacher"])  # as check_config has it
    saved = config_to_dict(config)
    saved["data"]["name"], saved["method"]["name"] = "DIGITS", " Rid"
    saved["model"]["teacher"] = "Digits-Teacher"
    check_resumable(saved, config, Path("runs/full/checkpoint.pt"))  # it raised
    saved["data"]["name"] = "SYNTHETIC"
    with pytest.raises(ValueError, match=r"configuration changed \(data.name: 'synthetic' -> "
                                         r"'digits'\)"):
        check_resumable(saved, config, Path("runs/full/checkpoint.pt"))


def test_a_checkpoint_of_another_version_is_told_apart_from_a_changed_configuration():
    # a key the checkpoint lacks was `optim.grad_clip: None -> 100.0; restore those values`,
    # and none of the configuration's values is None; a changed key did not say which keys
    # a resume may change
    config = load_config(overrides=["optim.lr=0.1"])
    saved = config_to_dict(config)
    del saved["optim"]["grad_clip"]
    saved["run"]["epochs"], saved["audit"]["window"] = 40, 3
    with pytest.raises(ValueError) as err:
        check_resumable(saved, config, Path("runs/x/checkpoint.pt"))
    assert str(err.value) == (
        "cannot resume 'runs/x/checkpoint.pt': the configuration changed (run.epochs: 40 -> 30); "
        "restore those values or start a new run (another run.name; a resume may change only "
        "data.eval_batch_size, data.num_workers, run.checkpoint_every, run.device, "
        "run.join_timeout, run.print_every, run.progress, run.resume, "
        "run.stop_after, run.threads, when the audit runs and its intervals (audit.bootstrap, "
        "audit.confidence, run.audit_every), teacher.source from one file to another, and "
        "run.out_dir / run.name with --resume to find a moved or renamed folder: --resume "
        "RUN_DIR takes both from RUN_DIR and refuses them beside it); and its checkpoint was "
        "written by an older "
        "pidkit-distill, before the key(s) optim.grad_clip existed, so whether the run trained as "
        "they say now (optim.grad_clip = 100.0) is not known; resume it with the version that "
        "wrote it, or start a new run (another run.name); and its checkpoint was written by a "
        "newer pidkit-distill, with key(s) this version does not know (audit.window = 3); resume "
        "it with that version")


def test_a_run_folder_written_with_another_spelling_resumes(tmp_path):
    """A run folder of the spelling as typed, made before names were normalised, resumes."""
    first = tiny(tmp_path, "run.name=Synthetic-bas-ut-s0", "run.epochs=2", "run.stop_after=1")
    train(first)
    checkpoint = tmp_path / "Synthetic-bas-ut-s0" / "checkpoint.pt"
    saved = torch.load(checkpoint, weights_only=True)
    saved["config"]["data"]["name"] = "Synthetic"  # as the run recorded it then
    saved["config"]["method"]["name"] = "BAS"
    torch.save(saved, checkpoint)
    again = tiny(tmp_path, "run.name=Synthetic-bas-ut-s0", "run.epochs=2", "run.resume=true",
                 "data.name=SYNTHETIC")  # and method.name=bas: each another spelling
    summary = train(again)
    assert summary.epochs_done == 2
    lines = (tmp_path / "Synthetic-bas-ut-s0" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 cut off"], ids=["empty", "cut-off"])
def test_a_checkpoint_that_cannot_be_read_says_how_to_go_on(tmp_path, capsys, content):
    run_dir = tmp_path / "cut"
    run_dir.mkdir()
    (run_dir / "checkpoint.pt").write_bytes(content)
    checkpoint = str(run_dir / "checkpoint.pt")
    fix = (f"; the run cannot continue from it: delete {checkpoint!r} and run again (with or "
           "without --resume) to train the run from epoch 1, or keep it and start a new run "
           "(another run.name)")
    with pytest.raises(ValueError) as refused:
        resume_point(run_dir / "checkpoint.pt", tiny(tmp_path, "run.name=cut", "run.resume=true"))
    assert str(refused.value).startswith(f"checkpoint {checkpoint!r} is not a file written by "
                                         "torch.save; expected a pidkit_distill checkpoint")
    assert str(refused.value).endswith(fix)
    argv = ["train", *(arg for item in TINY for arg in ("--set", item)),
            "--out-dir", str(tmp_path), "--run.name", "cut", "--resume"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith(f"{fix}\n")
    (run_dir / "checkpoint.pt").unlink()  # as it says
    assert main(argv) == 0


def test_a_teacher_file_that_recorded_its_name_in_another_spelling_fits():
    """A teacher file written before names were stored lower-cased records 'DIGITS-TEACHER':
    it holds model.teacher='digits-teacher' (it was refused with "set model.teacher=
    DIGITS-TEACHER", which the lower-cased configuration could never satisfy); another
    model's file is still refused."""
    from pidkit_distill.data import describe_dataset
    from pidkit_distill.models import build_model
    from pidkit_distill.training.teacher_files import check_teacher_file

    spec = describe_dataset("digits")
    weights = build_model("digits-teacher", num_classes=10, in_channels=1).state_dict()
    check_teacher_file({"model": weights, "name": "DIGITS-TEACHER"}, Path("t.pt"),
                       model="digits-teacher", spec=spec)
    with pytest.raises(ValueError, match=r"holds a 'wrn-16-1', but model\.teacher is 'digits-teacher'"):
        check_teacher_file({"model": weights, "name": "wrn-16-1"}, Path("t.pt"),
                           model="digits-teacher", spec=spec)


def stopped_run(out_dir: Path, folder: str) -> Path:
    """A run of TINY stopped after epoch 1 of 2 in ``out_dir/folder``, recording its data set
    and method as an earlier version did, as typed ('SYNTHETIC', 'BAS')."""
    train(tiny(out_dir, f"run.name={folder}", "run.epochs=2", "run.stop_after=1"))
    checkpoint = out_dir / folder / "checkpoint.pt"
    saved = torch.load(checkpoint, weights_only=True)
    saved["config"]["data"]["name"], saved["config"]["method"]["name"] = "SYNTHETIC", "BAS"
    torch.save(saved, checkpoint)
    return out_dir / folder


@pytest.mark.parametrize("typed", ["SYNTHETIC", "synthetic"])
def test_the_same_command_resumes_a_run_folder_it_named_before(tmp_path, typed):
    """`--data SYNTHETIC` wrote runs/SYNTHETIC-bas-ut-s0 before names were held lower-cased, and
    its stop said "rerun with --resume to continue": the same command continues that folder (it
    printed "holds no checkpoint: this run starts at epoch 1" and trained a second run in
    runs/synthetic-bas-ut-s0)."""
    before = stopped_run(tmp_path, "SYNTHETIC-bas-ut-s0")
    again = tiny(tmp_path, f"data.name={typed}", "run.epochs=2", "run.resume=true")
    assert run_dir_of(again) == before
    assert train(again).epochs_done == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SYNTHETIC-bas-ut-s0"]
    lines = (before / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]


def test_a_run_folder_of_another_spelling_is_taken_only_where_it_is_the_one_run(tmp_path):
    config = tiny(tmp_path, "method.name=rid")
    derived = tmp_path / "synthetic-rid-ut-s0"
    assert run_dir_of(config) == derived  # no folder at all
    (tmp_path / "Synthetic-rid-ut-s0").mkdir()  # the user's own folder, no run in it
    assert run_dir_of(config) == derived
    spaced = stopped_run(tmp_path, "spaced").rename(tmp_path / " Synthetic-RID -ut-s0")
    assert run_dir_of(config) == spaced  # of data.name=' Synthetic' and method.name='RID '
    stopped_run(tmp_path, "SYNTHETIC-rid-ut-s0")  # two: which one is not known
    assert run_dir_of(config) == derived
    derived.mkdir()  # the folder of the default name comes first
    assert run_dir_of(config) == derived
    assert run_dir_of(tiny(tmp_path / "none", "method.name=rid")) == (
        tmp_path / "none" / "synthetic-rid-ut-s0")


def test_a_method_stopped_in_its_init_run_continues_the_init_folder_it_named_before(tmp_path):
    """TED stopped while it trained its BAS student, before names were held lower-cased, left
    runs/SYNTHETIC-ted-ut-s0 holding only its lock and SYNTHETIC-ted-ut-s0.bas-init: the same
    command continues that init run (it trained another, in synthetic-ted-ut-s0.bas-init)."""
    train(tiny(tmp_path, "method.name=ted", "run.name=SYNTHETIC-ted-ut-s0", "run.epochs=2"))
    main_run = tmp_path / "SYNTHETIC-ted-ut-s0"
    for path in main_run.iterdir():
        if path.name != ".lock":
            path.unlink()
    again = tiny(tmp_path, "method.name=ted", "data.name=SYNTHETIC", "run.epochs=2",
                 "run.resume=true")
    assert run_dir_of(again) == main_run
    assert train(again).epochs_done == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "SYNTHETIC-ted-ut-s0", "SYNTHETIC-ted-ut-s0.bas-init"]


def test_a_folder_of_another_spelling_that_cannot_be_looked_into_is_not_taken(tmp_path,
                                                                             monkeypatch):
    from test_unreadable_folders import refuse_looks_into

    other = tmp_path / "SYNTHETIC-bas-ut-s0"  # another user's, or no permission
    other.mkdir()
    refuse_looks_into(other, monkeypatch)
    assert run_dir_of(tiny(tmp_path)) == tmp_path / "synthetic-bas-ut-s0"  # a PermissionError


@pytest.mark.parametrize(("source", "near"), [("Untrained", "untrained"), ("TRAINED", "trained"),
                                              ("trainde", "trained")])
def test_a_misspelt_teacher_keyword_is_told_the_keywords(tmp_path, capsys, source, near):
    # it was "teacher file 'Untrained' does not exist; expected a teacher: a dict whose 'model'
    # entry is a state dict of tensors ...", which names no keyword
    assert main(["train", *(f"--set={item}" for item in TINY), "--out-dir", str(tmp_path),
                 f"--set=teacher.source={source}"]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: teacher.source: teacher file {source!r} does not exist; "
        "teacher.source is 'trained', 'untrained' (as written, in lower case) or the path of a "
        f"teacher file. Did you mean {near!r}?\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("source", ["pretrained.pt", "trained.pt", "teachers/trained"])
def test_a_missing_teacher_file_is_not_told_a_keyword(tmp_path, capsys, source):
    # a path with a suffix or a folder names a file: it was told "Did you mean 'trained'?"
    assert main(["train", *(f"--set={item}" for item in TINY), "--out-dir", str(tmp_path),
                 f"--set=teacher.source={source}"]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: teacher.source: teacher file {source!r} does not exist; "
        "expected a teacher: a dict whose 'model' entry is a state dict of tensors (as "
        "`pidkit-distill train-teacher` writes), or such a state dict itself\n")
