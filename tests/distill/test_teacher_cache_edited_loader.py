"""A registered loader edited in place (a notebook's cell run again, its inputs scaled by 2)
gets a cached teacher of its own on a new run, as an edited builder does: the teacher's folder
is named by the fingerprint of its training samples too. Before, the new run was refused ("...
was trained on other samples of data.name='edited-blobs' than it has now ...: delete ... to
train it again"), and deleting the folder as told lost the teacher of the old data. The same
samples again find their teacher; a folder cached before the samples named it is still reused
on the samples it records (task 328, t-319's finding 4)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest
import torch
from torch.utils.data import TensorDataset

from pidkit_distill import (
    DatasetBundle,
    check_config,
    load_config,
    load_dataset,
    register_dataset,
    train,
    train_teacher,
    unregister_dataset,
)
from pidkit_distill.config.registered_record import registered_now
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.training.data_fingerprints import data_fingerprint
from pidkit_distill.training.rundir import REGISTRY_SOURCES
from pidkit_distill.training.teacher import read_teacher_file, teacher_file_of
from pidkit_distill.training.teacher_sources import keyed_teacher

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def loader(monkeypatch):
    """Register 'edited-blobs' (1x8x8 inputs, 4 classes) with its inputs scaled by the scale
    given, as a notebook's cell edited and run again registers it anew."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))

    def register(scale: float) -> None:
        def blobs(*, seed: int = 0) -> DatasetBundle:
            x = torch.randn(200, 64, generator=torch.Generator().manual_seed(seed)) * scale
            y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
            return DatasetBundle(TensorDataset(x[50:].view(-1, 1, 8, 8), y[50:]),
                                 TensorDataset(x[:50].view(-1, 1, 8, 8), y[:50]),
                                 num_classes=4, input_shape=(1, 8, 8))

        if "edited-blobs" in _LOADERS._entries:
            unregister_dataset("edited-blobs")
        register_dataset("edited-blobs")(blobs)

    return register


def _config(out_dir, name):
    return load_config(overrides=[
        "data.name=edited-blobs", "model.teacher=digits-teacher",
        "model.student=digits-student", "method.name=kd", "teacher.source=trained",
        "teacher.epochs=1", "run.epochs=1", "run.threads=1", "run.progress=false",
        "run.audit_every=0", "run.print_every=0", f"run.out_dir={out_dir}", f"run.name={name}"])


def _teacher_file(config):
    """The cached teacher's file of ``config`` for the samples the loader gives now, named as a
    run names it: with its data."""
    return teacher_file_of(config, data=load_dataset("edited-blobs"))


def _teachers(out_dir):
    """Each cached teacher's folder name and the fingerprint of the samples it records."""
    return {folder.name: read_teacher_file(folder / "teacher.pt")["train_fingerprint"]
            for folder in sorted(out_dir.glob("teacher-*"))}


def _samples(scale):
    x = torch.randn(200, 64, generator=torch.Generator().manual_seed(0)) * scale
    y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
    return data_fingerprint(TensorDataset(x[50:].view(-1, 1, 8, 8), y[50:]))


def test_an_edited_loader_trains_its_own_teacher_and_the_old_samples_find_theirs(
        tmp_path, loader, capsys):
    loader(1.0)
    train(_config(tmp_path, "a"))
    first = _teacher_file(_config(tmp_path, "a"))
    written = first.read_bytes()
    loader(2.0)  # the cell edited: inputs scaled by 2
    train(_config(tmp_path, "b"))  # was refused: "... trained on other samples ..."
    second = _teacher_file(_config(tmp_path, "b"))
    assert second != first and second.is_file()
    assert _teachers(tmp_path) == {first.parent.name: _samples(1.0),
                                   second.parent.name: _samples(2.0)}
    assert first.read_bytes() == written  # the old data's teacher kept as it was
    capsys.readouterr()
    loader(1.0)  # the edit undone: the first teacher again, nothing trained
    train(_config(tmp_path, "c"))
    out = capsys.readouterr().out
    assert f"reusing the teacher digits-teacher trained before with the same settings: {first}" \
        in out
    assert "training the teacher" not in out
    assert len(_teachers(tmp_path)) == 2


def _name_before_samples(config):
    """The teacher's folder name as it was before the samples named it: the hash of its key
    without them."""
    teacher = _teacher_file(config).parent.name
    settings = json.loads(json.dumps(read_teacher_file(_teacher_file(config))["config"]))
    settings["run"].pop("name")
    key = keyed_teacher(settings, registered_now(settings, REGISTRY_SOURCES))
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]
    return f"{teacher.rsplit('-', 1)[0]}-{digest}"


def test_a_teacher_cached_before_the_samples_named_its_folder_is_reused_on_its_samples(
        tmp_path, loader, capsys):
    loader(1.0)
    train(_config(tmp_path, "a"))
    trained = _teacher_file(_config(tmp_path, "a")).parent
    old = tmp_path / _name_before_samples(_config(tmp_path, "a"))
    trained.rename(old)  # the folder a version before this one wrote: its key's old name
    capsys.readouterr()
    train(_config(tmp_path, "b"))  # the same samples: the old folder's teacher
    out = capsys.readouterr().out
    assert f"reusing the teacher digits-teacher trained before with the same settings: " \
           f"{old / 'teacher.pt'}" in out
    assert _teachers(tmp_path) == {old.name: _samples(1.0)}
    loader(2.0)  # other samples: a teacher of their own beside it, where they were refused
    train(_config(tmp_path, "c"))
    new = _teacher_file(_config(tmp_path, "c")).parent
    assert _teachers(tmp_path) == {old.name: _samples(1.0), new.name: _samples(2.0)}
    loader(1.0)  # back to the old samples: the old folder again
    data = load_dataset("edited-blobs")
    assert teacher_file_of(_config(tmp_path, "d"), data=data).parent == old
    shutil.rmtree(old)  # gone: the samples' own folder is the one to train in
    assert teacher_file_of(_config(tmp_path, "d"), data=data).parent.name not in (old.name,
                                                                               new.name)


def test_a_stopped_teachers_run_leaves_edited_samples_a_folder_of_their_own(
        tmp_path, loader, capsys):
    # the stopped run's checkpoint is of the old samples, refused on resume (task 324) with the
    # advice to delete the folder; other training samples are another teacher's folder
    loader(1.0)
    config = _config(tmp_path, "a")
    train_teacher(config)
    stopped = _teacher_file(config)
    stopped.unlink()  # as a run killed before its teacher.pt was written leaves it
    loader(2.0)
    capsys.readouterr()
    path = train_teacher(config)
    assert path.parent != stopped.parent and (stopped.parent / "checkpoint.pt").is_file()
    assert f"training the teacher digits-teacher for 1 epochs -> {path}" in capsys.readouterr().out


def test_the_check_reads_the_samples_own_teacher_whatever_a_call_without_data_names(
        tmp_path, loader, capsys):
    # teacher_file_of without the data does not call the loader: it names a folder of these
    # settings that holds a teacher, as the disk has them; the check, which loads the data,
    # the samples' own
    loader(1.0)
    train(_config(tmp_path, "a"))
    first = _teacher_file(_config(tmp_path, "a"))
    loader(2.0)
    train(_config(tmp_path, "b"))
    second = _teacher_file(_config(tmp_path, "b"))
    assert teacher_file_of(_config(tmp_path, "c")) in (first, second)
    second.write_bytes(first.read_bytes())  # the samples' own folder holds a copied teacher
    with pytest.raises(ValueError, match=re.escape(
            f"teacher file '{second}' was trained on other samples of data.name='edited-blobs'")):
        check_config(_config(tmp_path, "c"))
    assert not (tmp_path / "c").exists()
