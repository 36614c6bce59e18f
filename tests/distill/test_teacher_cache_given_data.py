"""The cached teacher's folder of a registered data set is named by the data the run loaded,
never by what the process named last (task 332): the teacher-only check named the folder of the
samples this process trained a teacher on before (a per-process memory), so after a loader was
edited it judged the old samples' folder; a name asked for without data followed that memory;
a run with ``teacher.data_options`` called the loader for the teacher's data twice (the check,
then the teacher); and under torchrun each process named the folder by its own samples, where
all now take rank 0's fingerprint."""

from __future__ import annotations

import json
import textwrap

import pytest
import torch
from tiny_runs import in_two_processes
from torch.utils.data import TensorDataset

from pidkit_distill import (
    DatasetBundle,
    check_config,
    load_config,
    register_dataset,
    train,
    train_teacher,
    unregister_dataset,
)
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.training.data_fingerprints import data_fingerprint
from pidkit_distill.training.teacher import read_teacher_file, teacher_file_of
from pidkit_distill.training.teacher_outputs import teacher_described

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CALLS: list[int] = []


def _blobs(scale: float, n: int) -> DatasetBundle:
    """``n`` samples (1x8x8 inputs scaled by ``scale``, 4 classes), 50 of them held out."""
    x = torch.randn(n, 64, generator=torch.Generator().manual_seed(0)) * scale
    y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
    return DatasetBundle(TensorDataset(x[50:].view(-1, 1, 8, 8), y[50:]),
                         TensorDataset(x[:50].view(-1, 1, 8, 8), y[:50]), num_classes=4,
                         input_shape=(1, 8, 8))


@pytest.fixture
def loader(monkeypatch):
    """Register 'given-blobs' with its inputs scaled by the scale given (a notebook's cell
    edited and run again); its calls are counted in ``CALLS`` (their ``n``)."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    CALLS.clear()

    def register(scale: float) -> None:
        def blobs(*, seed: int = 0, n: int = 200) -> DatasetBundle:
            CALLS.append(n)
            return _blobs(scale, n)

        if "given-blobs" in _LOADERS._entries:
            unregister_dataset("given-blobs")
        register_dataset("given-blobs")(blobs)

    return register


def _config(out_dir, name, *extra):
    return load_config(overrides=[
        "data.name=given-blobs", "model.teacher=digits-teacher",
        "model.student=digits-student", "method.name=kd", "teacher.source=trained",
        "teacher.epochs=1", "run.epochs=1", "run.threads=1", "run.progress=false",
        "run.audit_every=0", "run.print_every=0", f"run.out_dir={out_dir}", f"run.name={name}",
        *extra])


def test_the_teacher_only_check_names_the_folder_of_the_data_it_loaded(tmp_path, loader,
                                                                       capsys):
    loader(1.0)
    old = train_teacher(_config(tmp_path, "a")).parent
    loader(2.0)  # edited: the check loads these samples, whose teacher is not trained yet
    checked = check_config(_config(tmp_path, "a"), teacher_only=True)
    own = teacher_file_of(_config(tmp_path, "a"), data=_blobs(2.0, 200)).parent
    assert own != old and not own.exists()
    assert checked.run_dir == own  # was the old samples' folder, named in this process before
    capsys.readouterr()
    assert train_teacher(checked).parent == own
    assert f"training the teacher digits-teacher for 1 epochs -> {own}" in capsys.readouterr().out
    assert {f.name: read_teacher_file(f / "teacher.pt")["train_fingerprint"]
            for f in tmp_path.glob("teacher-*")} == {
        old.name: data_fingerprint(_blobs(1.0, 200).train),
        own.name: data_fingerprint(_blobs(2.0, 200).train)}


def test_a_folder_named_without_data_is_read_from_disk_not_from_the_last_data_named(
        tmp_path, loader, capsys):
    for scale in (1.0, 2.0):
        loader(scale)
        train_teacher(_config(tmp_path, "a"))
    config = _config(tmp_path, "a")
    folders = {scale: teacher_file_of(config, data=_blobs(scale, 200)) for scale in (1.0, 2.0)}
    assert folders[1.0] != folders[2.0] and all(f.is_file() for f in folders.values())
    after = []
    for scale in (1.0, 2.0, 1.0):
        teacher_file_of(config, data=_blobs(scale, 200))  # followed by the call below, before
        after.append(teacher_file_of(config))
    assert after == [min(folders.values())] * 3  # the first by name of those on disk


def test_a_refusal_of_the_teachers_outputs_names_the_file_of_the_data_given(tmp_path, loader,
                                                                           capsys):
    for scale in (1.0, 2.0):
        loader(scale)
        train_teacher(_config(tmp_path, "a"))
    config = _config(tmp_path, "a")
    for scale in (2.0, 1.0):  # whichever the disk names first
        path = teacher_file_of(config, data=_blobs(scale, 200))
        assert teacher_described(config, data=_blobs(scale, 200)) == (
            f"the cached teacher file {str(path)!r} (teacher.source = 'trained')")


def test_a_run_with_teacher_data_options_loads_the_teachers_data_once(tmp_path, loader, capsys):
    loader(1.0)
    summary = train(_config(tmp_path, "a", "teacher.data_options.n=180"))
    assert summary.epochs_done == 1
    assert CALLS == [200, 180]  # the teacher's data was loaded by the check and again: 180 twice
    teacher = teacher_file_of(_config(tmp_path, "a", "teacher.data_options.n=180"),
                              data=_blobs(1.0, 180))
    assert read_teacher_file(teacher)["n_train"] == 130


# one process of a run of 2 (gloo, torchrun's variables): its registered loader gives samples of
# its own rank (scaled by RANK + 1); it trains (or reuses) the teacher under argv[1]
RANK_SAMPLES = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    import torch
    import torch.distributed as dist
    from torch.utils.data import TensorDataset
    from pidkit_distill import DatasetBundle, load_config, register_dataset, train_teacher
    from pidkit_distill.training.teacher import read_teacher_file

    @register_dataset("rank-blobs")
    def blobs(*, seed=0):
        x = torch.randn(120, 64, generator=torch.Generator().manual_seed(seed))
        x = x * (int(os.environ["RANK"]) + 1)
        y = (x[:, 0] > 0).long()
        return DatasetBundle(TensorDataset(x[40:].view(-1, 1, 8, 8), y[40:]),
                             TensorDataset(x[:40].view(-1, 1, 8, 8), y[:40]), num_classes=2,
                             input_shape=(1, 8, 8))

    config = load_config(overrides=[
        "data.name=rank-blobs", "model.teacher=digits-teacher", "teacher.epochs=1",
        "data.batch_size=16", "run.threads=1", "run.progress=false", "run.device=cpu",
        f"run.out_dir={sys.argv[1]}"])
    # one group for both calls: a second meeting hangs if rank 0 destroys its first one late
    dist.init_process_group("gloo")
    paths = [train_teacher(config) for _ in range(2)]  # trained, then reused
    dist.barrier()  # neither process leaves the group while the other still works
    dist.destroy_process_group()
    print(json.dumps([p.parent.name for p in paths]
                     + [read_teacher_file(paths[0])["train_fingerprint"]]))
""")


def test_under_torchrun_every_process_names_the_folder_of_rank_0s_samples(tmp_path):
    rank_0, rank_1 = in_two_processes(RANK_SAMPLES, [[str(tmp_path)]] * 2)
    x = torch.randn(120, 64, generator=torch.Generator().manual_seed(0))
    rank_0_samples = data_fingerprint(TensorDataset(x[40:].view(-1, 1, 8, 8),
                                                    (x[40:, 0] > 0).long()))
    assert rank_1 == rank_0
    assert rank_0[0] == rank_0[1] and rank_0[2] == rank_0_samples
    assert [p.name for p in tmp_path.iterdir()] == [rank_0[0]]
    assert json.loads((tmp_path / rank_0[0] / "config.json").read_text())["data"]["name"] \
        == "rank-blobs"
