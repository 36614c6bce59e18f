"""A run resumed, or its student loaded, after the code of a registered builder or loader was
edited (task 324, from task 319's notebook walk). The checkpoint recorded no fingerprint of
either: a builder edited in place (``ReLU`` made ``Tanh``, the same shapes) took the old weights
without a word, on resume (a complete run rewrote summary.json's ``teacher_acc``) and in
``load_student``; a loader edited went on training on other samples; a builder edited to other
shapes failed in torch's ``load_state_dict`` (27 lines, exit 1) after the check passed. Now the
checkpoint records the fingerprints (``trained_with``), a resume with others is refused by the
check, ``load_student`` warns, and tensors that do not fit are one line, exit 2."""

from __future__ import annotations

import json
import warnings

import pytest
import torch
from tiny_runs import TINY, tiny
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill import (
    DatasetBundle,
    check_config,
    load_student,
    register_dataset,
    register_model,
    tap_features,
)
from pidkit_distill.cli import main
from pidkit_distill.code_fingerprint import code_fingerprint
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training import train, train_teacher
from pidkit_distill.training.checkpoint import atomic_save, read_checkpoint
from pidkit_distill.training.loaders import DataError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# the tiny synthetic data's vectors (dim 12 plus 2 nuisance bits) and its 4 classes, in networks
# of our own
SETTINGS = {"activation": nn.ReLU, "width": 8}
# the loader's (a dict of its own: a builder's fingerprint covers all of a dict it reads)
SPLIT = {"train_from": 64, "n_test": 64}
OWN = ["model.teacher=edit-teacher", "model.student=edit-student", "method.name=kd",
       "run.epochs=2", "run.print_every=0"]


def _net(width: int, num_classes: int, in_channels: int) -> nn.Module:
    net = nn.Sequential(nn.Linear(in_channels, width), SETTINGS["activation"](),
                        nn.Linear(width, num_classes))
    return tap_features(net, layers=["1"])


@pytest.fixture
def own_code(monkeypatch):
    """Builders 'edit-teacher' and 'edit-student' and the loader 'edit-blobs', registered for the
    test, which read SETTINGS and SPLIT (a notebook's cell, edited as the test changes them)."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    saved, split = dict(SETTINGS), dict(SPLIT)

    @register_model("edit-teacher")
    def edit_teacher(*, num_classes, in_channels):
        return _net(16, num_classes, in_channels)

    @register_model("edit-student")
    def edit_student(*, num_classes, in_channels):
        return _net(SETTINGS["width"], num_classes, in_channels)

    @register_dataset("edit-blobs")
    def edit_blobs(*, seed: int = 0):
        x = torch.randn(200, 6, generator=torch.Generator().manual_seed(seed))
        y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
        start, n_test = SPLIT["train_from"], SPLIT["n_test"]
        return DatasetBundle(TensorDataset(x[start:], y[start:]),
                             TensorDataset(x[:n_test], y[:n_test]), num_classes=4,
                             input_shape=(6,))

    yield
    SETTINGS.clear()
    SETTINGS.update(saved)
    SPLIT.update(split)


def _refusal(err: BaseException) -> str:
    """The message of a refused resume, without the path of the run folder."""
    text = str(err)
    return text[text.index("the code or data"):]


FIX = ("; its weights would go on in other networks or on other samples than they were trained "
       "in (a notebook's cell edited and run again, a module edited); restore the code (and "
       "data) the run was trained with, or start a new run (another run.name)")


def test_a_builder_edited_to_the_same_shapes_is_refused_on_resume(own_code, tmp_path):
    config = tiny(tmp_path, *OWN)
    first = train(config)
    summary = (first.run_dir / "summary.json").read_text()
    recorded = read_checkpoint(first.run_dir / "checkpoint.pt")["trained_with"]
    assert sorted(recorded) == ["data.test", "data.train", "model.student", "model.teacher"]
    assert all(isinstance(value, str) for value in recorded.values())
    SETTINGS["activation"] = nn.Tanh  # the cell edited and run again
    again = tiny(tmp_path, *OWN, "run.resume=true")
    with pytest.raises(ValueError) as checked:
        check_config(again)
    assert str(checked.value).startswith(
        f"run.resume: cannot resume {str(first.run_dir / 'checkpoint.pt')!r}: ")
    assert _refusal(checked.value) == (
        "the code or data it was trained with changed since its checkpoint was written: "
        "model.student's builder 'edit-student' (its code), model.teacher's builder "
        "'edit-teacher' (its code)" + FIX)  # both read the activation
    with pytest.raises(ValueError, match=r"model\.student's builder 'edit-student'"):
        train(again)
    # the complete run was not evaluated again: its summary is the one it wrote
    assert (first.run_dir / "summary.json").read_text() == summary
    SETTINGS["activation"] = nn.ReLU  # the code restored: the run resumes (nothing to train)
    assert train(again).epochs_done == 2


def test_load_student_of_an_edited_builder_warns(own_code, tmp_path):
    run_dir = train(tiny(tmp_path, *OWN)).run_dir
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_student(run_dir)  # the same code: no word
    SETTINGS["activation"] = nn.Tanh
    with pytest.warns(RuntimeWarning) as caught:
        student = load_student(run_dir)
    assert isinstance(student.model[1], nn.Tanh)  # loaded all the same
    message = str(caught[0].message)
    assert message.startswith(f"run_dir {str(run_dir)!r}: model.student='edit-student' is "
                              "registered with other code than the run was trained with (its "
                              "builder's fingerprint is ")
    assert message.endswith(": its weights are loaded into a network they were not trained in, "
                            "whose outputs (and accuracy) are not the run's; restore the code "
                            "the run was trained with to have its student")


@pytest.mark.parametrize(("edit", "samples"), [
    ({"n_test": 100}, "held-out"),  # 36 samples trained on in the held-out set
    ({"train_from": 80}, "training"),
    ({"train_from": 80, "n_test": 80}, "training and held-out")])
def test_a_loader_edited_is_refused_on_resume(own_code, tmp_path, edit, samples):
    data = ["data.name=edit-blobs", "data.options={}"]
    config = tiny(tmp_path, *OWN, *data, "run.epochs=3", "run.stop_after=1")
    run_dir = train(config).run_dir
    SPLIT.update(edit)  # the loader's cell edited and run again
    again = tiny(tmp_path, *OWN, *data, "run.epochs=3", "run.resume=true")
    with pytest.raises(ValueError) as checked:
        check_config(again)
    assert _refusal(checked.value) == (
        "the code or data it was trained with changed since its checkpoint was written: the "
        f"data set 'edit-blobs' (its {samples} samples)" + FIX)
    with pytest.raises(ValueError, match="the data set 'edit-blobs'"):
        train(again)
    assert [json.loads(line)["test_n"] for line in
            (run_dir / "metrics.jsonl").read_text().splitlines()] == [64]


def test_a_builder_edited_to_other_shapes_is_one_line_and_exit_2(own_code, tmp_path, capsys):
    options = [f"--set={option}" for option in [*TINY, *OWN]]
    command = ["train", *options, "--out-dir", str(tmp_path), "--run.stop_after", "1"]
    assert main(command) == 0
    SETTINGS["width"] = 16
    capsys.readouterr()
    assert main([*command, "--resume"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "model.student's builder 'edit-student' (its code)" in err


def _without_fingerprints(checkpoint) -> None:
    """``checkpoint`` as a version before fingerprints were recorded wrote it."""
    saved = read_checkpoint(checkpoint)
    del saved["trained_with"]
    atomic_save(saved, checkpoint)


def test_a_checkpoint_without_fingerprints_resumes_as_before(own_code, tmp_path):
    run_dir = train(tiny(tmp_path, *OWN, "run.epochs=3", "run.stop_after=1")).run_dir
    _without_fingerprints(run_dir / "checkpoint.pt")
    SETTINGS["activation"] = nn.Tanh  # not known to have changed: it resumes, as it did
    resumed = train(tiny(tmp_path, *OWN, "run.epochs=3", "run.resume=true"))
    assert resumed.epochs_done == 3
    assert "trained_with" in read_checkpoint(run_dir / "checkpoint.pt")  # recorded from now on


def test_tensors_that_do_not_fit_are_named_in_one_line(own_code, tmp_path):
    run_dir = train(tiny(tmp_path, *OWN, "run.epochs=3", "run.stop_after=1")).run_dir
    checkpoint = run_dir / "checkpoint.pt"
    _without_fingerprints(checkpoint)
    SETTINGS["width"] = 16
    with pytest.raises(DataError) as refused:
        train(tiny(tmp_path, *OWN, "run.epochs=3", "run.resume=true"))
    assert str(refused.value) == (
        f"run.resume: checkpoint {str(checkpoint)!r} does not fit the networks built now "
        "(student.0.bias has shape (8,), the model (16,); student.0.weight has shape (8, 12), "
        "the model (16, 12); student.2.weight has shape (4, 8), the model (4, 16)): their code "
        "changed since the run was trained (a builder of model.student or model.teacher "
        "edited); restore the code the run was trained with to continue it, or start a new run "
        "(another run.name)")


def test_a_student_that_changes_what_it_reads_as_it_builds_resumes(own_code, tmp_path):
    # the fingerprint is taken as the check starts, as the teacher's: what the builds change
    # (a list the builder appends to and reads) is not an edit of the code
    built = []

    @register_model("counting-student")
    def counting_student(*, num_classes, in_channels):
        built.append(len(built))
        return _net(SETTINGS["width"], num_classes, in_channels)

    own = [*OWN, "model.student=counting-student", "run.epochs=3"]
    run_dir = train(tiny(tmp_path, *own, "run.stop_after=1")).run_dir
    assert len(built) > 1
    del built[:]  # the cell run again in a new kernel: the list empty, as the run found it
    recorded = read_checkpoint(run_dir / "checkpoint.pt")["trained_with"]["model.student"]
    assert recorded == code_fingerprint(counting_student)  # as before the builds
    assert train(tiny(tmp_path, *own, "run.resume=true")).epochs_done == 3


def test_a_teachers_run_on_edited_data_says_to_delete_its_folder(own_code, tmp_path):
    # a teacher's run folder is named after its settings and training samples (other training
    # samples are another teacher's folder: test_teacher_cache_edited_loader): "another
    # run.name" is no way out of held-out samples edited
    config = tiny(tmp_path, *OWN, "data.name=edit-blobs", "data.options={}",
                  "teacher.source=trained", "teacher.epochs=1")
    teacher_file = train_teacher(config)
    teacher_file.unlink()  # as a run killed before its teacher.pt was written leaves it
    SPLIT["n_test"] = 48
    with pytest.raises(DataError) as refused:
        train_teacher(config)
    assert str(refused.value).endswith(
        "the data set 'edit-blobs' (its held-out samples); its weights would go on in other "
        "networks or on other samples than they were trained in (a notebook's cell edited and "
        "run again, a module edited); restore the code (and data) the run was trained with, or "
        f"delete {str(teacher_file.parent)!r} to train the teacher again")
