"""The teacher cached for teacher.source = "trained" is reused only for the settings and the
data it was trained with: its teacher.pt records them (the data's sizes and a fingerprint of its
training samples), and a file that records others (copied from another teacher's folder, or
trained on data that changed since: CIFAR files replaced, a registered loader's data not held in
tensors) is refused in one line, where the names and shapes of its tensors passed. A registered
loader's samples of tensors name the teacher's folder: other samples get a teacher of their
own (test_teacher_cache_edited_loader)."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset, Subset, TensorDataset

from pidkit_distill import apply_overrides, load_config, register_dataset, train_teacher
from pidkit_distill.config.registered_record import registered_now
from pidkit_distill.data import DatasetBundle, describe_dataset, load_dataset, unregister_dataset
from pidkit_distill.training import Runtime, data_fingerprints
from pidkit_distill.training import teacher as teacher_module
from pidkit_distill.training.data_fingerprints import data_fingerprint
from pidkit_distill.training.loaders import DataError
from pidkit_distill.training.rundir import REGISTRY_SOURCES
from pidkit_distill.training.teacher import check_teacher_path, teacher_file_of
from pidkit_distill.training.teacher_sources import keyed_teacher, teacher_run_settings

SETTINGS = ["data.name=synthetic", "data.options.n_train=64", "data.options.n_test=32",
            "model.teacher=synthetic-teacher", "teacher.epochs=1", "run.progress=false",
            "run.device=cpu", "run.threads=1"]


def test_a_teacher_file_copied_from_another_teachers_folder_is_refused(tmp_path):
    # the copy was reused ("reusing the teacher synthetic-teacher trained before with the same
    # settings"), a teacher trained with teacher.lr=0.05 standing for one of teacher.lr=0.3
    config = load_config(overrides=[*SETTINGS, f"run.out_dir={tmp_path}"])
    trained = train_teacher(config)
    other = apply_overrides(config, ["teacher.lr=0.3"])
    copy = teacher_file_of(other)
    copy.parent.mkdir()
    shutil.copyfile(trained, copy)
    message = (f"teacher file '{copy}' was trained with teacher.lr=0.05, but these settings have "
               "teacher.lr=0.3: a file from another teacher's folder; it is the teacher cached "
               f"for these settings: delete {copy.parent} to train it again")
    with pytest.raises(ValueError) as err:
        train_teacher(other)
    assert str(err.value) == message
    # and before the run (check_config passes its configuration)
    with pytest.raises(ValueError) as err:
        check_teacher_path(copy, model="synthetic-teacher", spec=describe_dataset(
            "synthetic", n_train=64, n_test=32), cached=True, config=other)
    assert str(err.value) == message
    assert train_teacher(config) == trained  # its own folder's is reused


_SIZE = {"n_train": 96}


class _Points(Dataset):
    """Points and labels in a ``Dataset`` of one's own: no fingerprint (data_fingerprint)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.x[index], int(self.y[index])


def sized_blobs(*, seed: int = 0) -> DatasetBundle:
    """Points of 3 classes, as many to train on as ``_SIZE`` says, 64 to test on, in a
    ``Dataset`` of one's own."""
    n_train = _SIZE["n_train"]
    y = torch.arange(n_train + 64) % 3
    x = torch.randn(n_train + 64, 6, generator=torch.Generator().manual_seed(seed)) + y[:, None]
    return DatasetBundle(_Points(x[:n_train], y[:n_train]),
                         _Points(x[n_train:], y[n_train:]), num_classes=3, input_shape=(6,))


def test_a_teacher_trained_on_a_registered_data_set_that_changed_size_is_refused(tmp_path):
    # the same name and options: the same folder (data not held in tensors has no fingerprint
    # of its samples to name it), and the teacher trained on 96 samples was reused for the 48
    # that the loader gives now
    register_dataset("cache-blobs")(sized_blobs)
    try:
        config = load_config(overrides=[
            "data.name=cache-blobs", "model.teacher=synthetic-teacher", "teacher.epochs=1",
            "data.batch_size=32", "run.progress=false", "run.device=cpu", "run.threads=1",
            f"run.out_dir={tmp_path}"])
        path = train_teacher(config)
        _SIZE["n_train"] = 48
        with pytest.raises(ValueError) as err:
            train_teacher(config)
        saved = torch.load(path, weights_only=True)
        assert (saved["n_train"], saved["n_test"]) == (96, 64)
        assert str(err.value) == (
            f"teacher file '{path}' was trained on 96 training and 64 test samples of "
            "data.name='cache-blobs', which has 48 and 64 now (its loader changed?); it is the "
            f"teacher cached for these settings: delete {path.parent} to train it again")
    finally:
        _SIZE["n_train"] = 96
        unregister_dataset("cache-blobs")


def scaled_blobs(*, seed: int = 0, scale: float = 1.0) -> DatasetBundle:
    """Points of 3 classes, 96 to train on and 64 to test on; a NaN ``scale`` leaves them."""
    y = torch.arange(160) % 3
    x = torch.randn(160, 6, generator=torch.Generator().manual_seed(seed)) + y[:, None]
    x = x if scale != scale else x * scale
    return DatasetBundle(TensorDataset(x[:96], y[:96]), TensorDataset(x[96:], y[96:]),
                         num_classes=3, input_shape=(6,))


def test_a_teacher_trained_with_a_nan_option_is_reused(tmp_path, capsys):
    # the NaN recorded equals no NaN: "was trained with data.options.scale=nan, but these
    # settings have data.options.scale=nan", on every run after the one that trained it
    register_dataset("nan-blobs")(scaled_blobs)
    try:
        config = load_config(overrides=[
            "data.name=nan-blobs", "data.options.scale=nan", "model.teacher=synthetic-teacher",
            "teacher.epochs=1", "data.batch_size=32", "run.progress=false", "run.device=cpu",
            "run.threads=1", f"run.out_dir={tmp_path}"])
        path = train_teacher(config)
        capsys.readouterr()
        assert train_teacher(config) == path
        assert capsys.readouterr().out == (f"reusing the teacher synthetic-teacher trained "
                                           f"before with the same settings: {path}\n")
    finally:
        unregister_dataset("nan-blobs")


def test_a_process_whose_disk_lacks_the_teacher_rank_0_reuses_takes_rank_0s_way(tmp_path,
                                                                                monkeypatch):
    # torchrun across nodes, run.out_dir on each node's own disk: rank 0 found the cached
    # teacher and reused it, and rank 1 (where it is not) stopped the run with "[Errno 2] No
    # such file or directory: '.../teacher.pt'" reading it for the check
    config = load_config(overrides=[*SETTINGS, f"run.out_dir={tmp_path}"])
    monkeypatch.setattr(teacher_module, "from_main", lambda runtime, value: True)  # rank 0's answer
    rank_1 = Runtime(torch.device("cpu"), rank=1, world_size=2, local_rank=0, owns_group=False)
    bundle = load_dataset("synthetic", n_train=64, n_test=32)
    path = teacher_file_of(config)
    assert not path.exists()
    assert teacher_module.trained_teacher_file(config, bundle, rank_1) == path


@pytest.mark.parametrize("command", [
    ["train-teacher"],
    ["train", "--set", "model.student=synthetic-student", "--set", "run.epochs=1"]])
def test_a_copied_teacher_is_refused_by_the_command_before_the_run(tmp_path, capsys, command):
    # check_config did not pass its configuration to the check: the copy was found mid-run,
    # "training failed: teacher file ... delete ...", exit 1
    from pidkit_distill.cli import main

    config = load_config(overrides=[*SETTINGS, f"run.out_dir={tmp_path}"])
    trained = train_teacher(config)
    copy = teacher_file_of(apply_overrides(config, ["teacher.lr=0.3"]))
    copy.parent.mkdir()
    shutil.copyfile(trained, copy)
    capsys.readouterr()
    sets = [arg for item in [*SETTINGS, f"run.out_dir={tmp_path}", "teacher.lr=0.3"]
            for arg in ("--set", item)]
    assert main([*command, *sets]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ": error: " in err, err
    assert "was trained with teacher.lr=0.05, but these settings have teacher.lr=0.3" in err


_SHIFT = {"x": 0.0}


def shifted_blobs(*, seed: int = 0) -> DatasetBundle:
    """Points of 3 classes, 96 to train on and 64 to test on, moved by ``_SHIFT``."""
    y = torch.arange(160) % 3
    x = torch.randn(160, 6, generator=torch.Generator().manual_seed(seed)) + y[:, None]
    x = x + _SHIFT["x"]
    return DatasetBundle(TensorDataset(x[:96], y[:96]), TensorDataset(x[96:], y[96:]),
                         num_classes=3, input_shape=(6,))


SHIFTED = ["data.name=shifted-blobs", "model.teacher=synthetic-teacher", "teacher.epochs=1",
           "data.batch_size=32", "run.progress=false", "run.device=cpu", "run.threads=1"]


@pytest.fixture
def shifted():
    """The data set 'shifted-blobs' registered for the test, its samples unmoved."""
    register_dataset("shifted-blobs")(shifted_blobs)
    yield _SHIFT
    _SHIFT["x"] = 0.0
    unregister_dataset("shifted-blobs")


def _changed(path, name: str) -> str:
    return (f"teacher file '{path}' was trained on other samples of data.name={name!r} than it "
            "has now, of the same sizes: the data changed since the teacher was trained (a "
            "loader that returns other samples, data files replaced); it is the teacher cached "
            f"for these settings: delete {path.parent} to train it again")


def test_a_registered_data_set_whose_samples_changed_gets_a_teacher_of_its_own(tmp_path,
                                                                               shifted, capsys):
    # the same sizes: the teacher trained on the old samples was reused; then (task 324) it was
    # refused, saying to delete its folder, which lost the old samples' teacher
    config = load_config(overrides=[*SHIFTED, f"run.out_dir={tmp_path}"])
    path = train_teacher(config)
    saved = torch.load(path, weights_only=True)
    assert saved["train_fingerprint"] == data_fingerprint(load_dataset("shifted-blobs").train)
    shifted["x"] = 0.5
    other = train_teacher(config)
    assert other.parent != path.parent and path.is_file()
    assert torch.load(other, weights_only=True)["train_fingerprint"] == data_fingerprint(
        load_dataset("shifted-blobs").train)
    shifted["x"] = 0.0
    capsys.readouterr()
    assert train_teacher(config) == path  # the samples it was trained on: reused
    assert capsys.readouterr().out == (f"reusing the teacher synthetic-teacher trained before "
                                       f"with the same settings: {path}\n")


@pytest.mark.parametrize("command", [
    ["train-teacher"],
    ["train", "--set", "model.student=synthetic-student", "--set", "run.epochs=1",
     "--set", "run.audit_every=0"]])
def test_the_command_refuses_a_teacher_of_other_samples_before_the_run(tmp_path, capsys,
                                                                        shifted, command):
    # a teacher.pt copied into the folder of other samples (its name is theirs)
    from pidkit_distill.cli import main

    config = load_config(overrides=[*SHIFTED, f"run.out_dir={tmp_path}"])
    trained = train_teacher(config)
    shifted["x"] = 0.5
    path = teacher_file_of(config, data=load_dataset("shifted-blobs"))
    assert path.parent != trained.parent
    path.parent.mkdir()
    shutil.copyfile(trained, path)
    capsys.readouterr()
    before = sorted(tmp_path.iterdir())
    sets = [arg for item in [*SHIFTED, f"run.out_dir={tmp_path}"] for arg in ("--set", item)]
    assert main([*command, *sets]) == 2
    key = "teacher.source: " if command[0] == "train" else ""
    assert capsys.readouterr().err == (
        f"pidkit-distill {command[0]}: error: {key}{_changed(path, 'shifted-blobs')}\n")
    assert sorted(tmp_path.iterdir()) == before  # no student's run folder


def test_a_teacher_file_written_without_a_fingerprint_is_reused_as_before(tmp_path, capsys,
                                                                          shifted):
    # in the folder named before the samples named it (no fingerprint to name it by): reused on
    # data of its sizes, whatever its samples, as before
    config = load_config(overrides=[*SHIFTED, f"run.out_dir={tmp_path}"])
    trained = train_teacher(config)
    saved = torch.load(trained, weights_only=True)
    del saved["train_fingerprint"]
    path = tmp_path / _name_before_samples(config) / "teacher.pt"
    path.parent.mkdir()
    torch.save(saved, path)
    shutil.rmtree(trained.parent)
    shifted["x"] = 0.5  # not seen: the file says nothing of its samples
    capsys.readouterr()
    assert train_teacher(config) == path
    assert capsys.readouterr().out == (f"reusing the teacher synthetic-teacher trained before "
                                       f"with the same settings: {path}\n")


def _name_before_samples(config) -> str:
    """The name of the folder of ``config``'s teacher before its samples named it: the hash of
    its key without them."""
    settings = teacher_run_settings(config)
    key = keyed_teacher(settings, registered_now(settings, REGISTRY_SOURCES))
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]
    return f"{teacher_file_of(config).parent.name.rsplit('-', 1)[0]}-{digest}"


def test_a_cached_teacher_beside_logs_without_config_json_is_reused(tmp_path, capsys):
    # train-teacher refused the folder ("holds audit.jsonl, metrics.jsonl, summary.json but is
    # no run folder (it has no config.json): the run would write over them; choose another
    # run.name"), which has no run.name, though it only reads teacher.pt there; train reused it
    config = load_config(overrides=[*SETTINGS, f"run.out_dir={tmp_path}"])
    path = train_teacher(config)
    for name in ("config.json", "checkpoint.pt"):  # copied without them
        (path.parent / name).unlink()
    kept = {file.name: file.read_bytes() for file in path.parent.iterdir()}
    assert {"metrics.jsonl", "summary.json", "teacher.pt"} <= set(kept)
    capsys.readouterr()
    assert train_teacher(config) == path
    assert capsys.readouterr().out == (f"reusing the teacher synthetic-teacher trained before "
                                       f"with the same settings: {path}\n")
    assert {file.name: file.read_bytes() for file in path.parent.iterdir()} == kept


def test_a_teacher_trained_on_cifar_files_since_replaced_is_refused_when_loaded(
        tmp_path, capsys, monkeypatch):
    # the check only looks CIFAR's files up: the data is compared when the run loads it, before
    # the teacher is reused (exit status 2, as the check's errors)
    from test_cifar_files import _cifar10, _replace

    from pidkit_distill.cli import main
    from pidkit_distill.data import cifar

    folder = _cifar10(tmp_path)
    monkeypatch.setattr(cifar, "_CIFAR_SIZES", (15, 3))  # the miniature's, as described
    settings = ["data.name=cifar10", f"data.root={tmp_path}", "data.batch_size=5",
                "model.teacher=digits-teacher", "teacher.epochs=1", "run.progress=false",
                "run.device=cpu", "run.threads=1", f"run.out_dir={tmp_path / 'runs'}"]
    path = train_teacher(load_config(overrides=settings))
    other = np.random.default_rng(7).integers(0, 256, (3, 3072), dtype=np.uint8)
    _replace(folder / "data_batch_1", data=other)
    with pytest.raises(DataError) as err:
        train_teacher(load_config(overrides=settings))
    assert str(err.value) == _changed(path, "cifar10")
    capsys.readouterr()
    assert main(["train-teacher", *[arg for item in settings for arg in ("--set", item)]]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train-teacher: error: {_changed(path, 'cifar10')}\n")


def test_the_fingerprint_is_of_the_samples_and_of_every_kth_row_of_a_large_tensor(monkeypatch):
    x, y = torch.arange(40.0).reshape(10, 4), torch.arange(10) % 2
    whole = data_fingerprint(TensorDataset(x, y))
    assert whole == data_fingerprint(TensorDataset(x.clone(), y.clone()))
    assert whole != data_fingerprint(TensorDataset(x, 1 - y))  # labels count
    assert whole != data_fingerprint(TensorDataset(x.double(), y))  # and dtypes
    assert data_fingerprint(Subset(TensorDataset(x, y), [0, 2])) != data_fingerprint(
        Subset(TensorDataset(x, y), [0, 3]))
    assert data_fingerprint([(x[0], 0)]) is None  # a data set of its own: not at hand
    monkeypatch.setattr(data_fingerprints, "_FINGERPRINT_BYTES", 64)  # x, 160 bytes: rows 0, 3, 6, 9
    sampled = data_fingerprint(TensorDataset(x, y))
    moved = x.clone()
    moved[4] += 1
    assert data_fingerprint(TensorDataset(moved, y)) == sampled
    moved[3] += 1
    assert data_fingerprint(TensorDataset(moved, y)) != sampled


def test_a_data_set_of_tensors_without_plain_memory_has_no_fingerprint():
    # torch's "unsupported memory format option Contiguous" (sparse) or "Cannot copy out of
    # meta tensor" raised checking the configuration, or saving the teacher once trained
    x, y = torch.arange(40.0).reshape(10, 4), torch.arange(10) % 2
    assert data_fingerprint(TensorDataset(x.to_sparse(), y)) is None
    assert data_fingerprint(Subset(TensorDataset(x.to("meta"), y), [0, 1])) is None
    assert data_fingerprint(TensorDataset(x, y)) == data_fingerprint(TensorDataset(x.clone(), y))


def test_only_the_rows_hashed_are_copied_to_the_host(monkeypatch):
    # a tensor of the GPU was copied to the host whole, then sampled: 8 GiB of it, 8 GiB copied
    from torch.overrides import TorchFunctionMode

    copied = []

    class Copies(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if func is torch.Tensor.cpu:
                copied.append(tuple(args[0].shape))
            return func(*args, **(kwargs or {}))

    monkeypatch.setattr(data_fingerprints, "_FINGERPRINT_BYTES", 64)  # x, 160 bytes: rows 0, 3, 6, 9
    x, y = torch.arange(40.0).reshape(10, 4), torch.arange(10) % 2  # y, 80 bytes: every other
    with Copies():
        data_fingerprint(TensorDataset(x, y))
    assert copied == [(4, 4), (5,)]


def test_a_teacher_trained_on_a_trimmed_cifar_folder_is_reused(tmp_path, capsys):
    # a CIFAR folder of fewer images than the archive's 50,000 and 10,000 (a copy trimmed for a
    # quick test): check_config compared the teacher file's sizes with those, "was trained on 15
    # training and 3 test samples of data.name='cifar10', which has 50000 and 10000 now", and
    # the teacher trained again recorded 15 and 3 again. The sizes loaded are compared instead,
    # when the run loads them
    from test_cifar_files import _cifar10

    from pidkit_distill.cli import main

    folder = _cifar10(tmp_path)
    settings = ["data.name=cifar10", f"data.root={tmp_path}", "data.batch_size=5",
                "model.teacher=digits-teacher", "teacher.epochs=1", "run.progress=false",
                "run.device=cpu", "run.threads=1", f"run.out_dir={tmp_path / 'runs'}"]
    argv = ["train-teacher", *[arg for item in settings for arg in ("--set", item)]]
    path = train_teacher(load_config(overrides=settings))
    capsys.readouterr()
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith(
        f"reusing the teacher digits-teacher trained before with the same settings: {path}\n")
    shutil.rmtree(folder)  # trimmed further: 2 images a file
    _cifar10(tmp_path, n=2)
    message = (f"teacher file '{path}' was trained on 15 training and 3 test samples of "
               "data.name='cifar10', which has 10 and 2 now (its loader changed?); it is the "
               f"teacher cached for these settings: delete {path.parent} to train it again")
    with pytest.raises(DataError) as err:
        train_teacher(load_config(overrides=settings))
    assert str(err.value) == message
    assert main(argv) == 2
    assert capsys.readouterr().err == f"pidkit-distill train-teacher: error: {message}\n"


def test_a_subsets_indices_are_one_fingerprint_as_int32_or_int64():
    # int32 indices hashed as int32 gave another fingerprint than the same indices as int64, so
    # a loader that changed only the dtype of its Subset's indices had its teacher refused
    data = TensorDataset(torch.arange(12.0).reshape(6, 2), torch.tensor([0, 1, 0, 1, 0, 1]))
    written = "3a0208bcd6a274bd925e9ed0705252af"  # int64 indices' fingerprint in teacher files
    for indices in ([4, 0, 2], torch.tensor([4, 0, 2]), np.array([4, 0, 2]),
                    torch.tensor([4, 0, 2], dtype=torch.int32), np.array([4, 0, 2], np.int32)):
        assert data_fingerprint(Subset(data, indices)) == written
    assert data_fingerprint(Subset(data, np.array([4, 0, 3], np.int32))) != written


def test_a_subsets_mask_is_not_fingerprinted_as_the_indices_0_and_1():
    # casting every index dtype to int64 made a bool (or torch uint8) mask [True, False, True]
    # the fingerprint of the samples [1, 0, 1], which it does not select
    data = TensorDataset(torch.arange(12.0).reshape(6, 2), torch.tensor([0, 1, 0, 1, 0, 1]))
    samples = data_fingerprint(Subset(data, [1, 0, 1]))
    for mask in (torch.tensor([True, False, True]), np.array([True, False, True]),
                 torch.tensor([1, 0, 1], dtype=torch.uint8), [1.0, 0.0, 1.0]):
        assert data_fingerprint(Subset(data, mask)) != samples
    assert data_fingerprint(Subset(data, np.array([1, 0, 1], np.int16))) == samples
