"""A teacher whose outputs on the training data are NaN, infinite or huge is refused as the run
starts, before any epoch (task 294): a teacher file of finite weights scaled up passes the
teacher-file check, and its students' loss failed at epoch 1, step 1 (exit 1), after the run
folder's config.json was written, named by re-reading the training loader. A healthy
teacher's run trains as it did, its random streams untouched by the check."""

from __future__ import annotations

import random
import textwrap

import pytest
import torch
from test_teacher_caused_loss_failure import TINY_ARGS, huge_teacher_file
from tiny_runs import RID, comparable, in_two_processes, tiny
from torch.utils.data import Dataset, TensorDataset

from pidkit_distill import DatasetBundle, register_dataset, train, unregister_dataset
from pidkit_distill.cli import main
from pidkit_distill.training import loop

pytestmark = pytest.mark.usefixtures("one_torch_thread")

REFUSED = (
    "pidkit-distill train: error: teacher.source: the teacher's outputs on the training data "
    "are {found} (its {where}, on the run's first training batch), so no epoch was trained: "
    "check the teacher (teacher file '{path}'): its weights (huge or broken weights give such "
    "outputs) and that it was trained on inputs scaled as these are\n")
EVERY_OUTPUT = "logits, distilled layers [0, 1, 2] and pooled features"


@pytest.mark.parametrize(("method", "scale", "found", "where"), [
    ("kd", 1e30, "NaN and infinite", EVERY_OUTPUT),
    ("vid", 1e30, "NaN and infinite", EVERY_OUTPUT),
    ("rid", 1e30, "NaN and infinite", EVERY_OUTPUT),
    # finite, but |logit| ~1e32: VID's squares of its features overflowed at step 1
    ("kd", 1e6, "as large as 1.4e+32", "logits, distilled layers [1, 2] and pooled features"),
    ("vid", 1e6, "as large as 1.4e+32", "logits, distilled layers [1, 2] and pooled features"),
])
def test_a_teacher_with_huge_outputs_is_refused_before_any_epoch(tmp_path, capsys, method,
                                                                   scale, found, where):
    path = huge_teacher_file(tmp_path, scale)
    method_args = [arg for item in RID for arg in ("--set", item)] if method == "rid" \
        else ["--method", method]
    out_dir = tmp_path / "runs"
    status = main(["train", *TINY_ARGS, "--teacher", str(path), *method_args, "--epochs", "4",
                   "--out-dir", str(out_dir)])
    assert (status, capsys.readouterr()) == (2, ("", REFUSED.format(found=found, where=where,
                                                                    path=path)))
    # nothing of the run written: its folder holds the lock that the run took, as where its data
    # is refused when loaded, so the same command with a sound teacher starts it anew
    run_dir = next(out_dir.iterdir())
    assert [p.name for p in run_dir.iterdir()] == [".lock"]
    sound = huge_teacher_file(tmp_path, 1.0)
    assert main(["train", *TINY_ARGS, "--teacher", str(sound), *method_args, "--epochs", "4",
                 "--out-dir", str(out_dir)]) == 0
    assert len((run_dir / "metrics.jsonl").read_text().splitlines()) == 4


class RandomlyShifted(Dataset):
    """A training set whose every read draws from torch's, Python's and numpy's global streams,
    as transforms of one's own do (a random shift of the inputs)."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        import numpy as np

        shift = torch.rand(()) + random.random() + float(np.random.rand())  # noqa: NPY002
        return self.x[index] + shift, self.y[index]


@pytest.fixture
def shifted_blobs():
    """The data set 'shifted-blobs' (12 inputs, 4 classes) read through :class:`RandomlyShifted`,
    registered for the test."""
    @register_dataset("shifted-blobs")
    def load(seed: int = 0) -> DatasetBundle:
        x = torch.randn(160, 12, generator=torch.Generator().manual_seed(seed))
        y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
        return DatasetBundle(RandomlyShifted(x[:96], y[:96]), TensorDataset(x[96:], y[96:]),
                             num_classes=4, input_shape=(12,))
    yield
    unregister_dataset("shifted-blobs")


@pytest.mark.parametrize("method", ["kd", "rid"])
def test_a_healthy_teacher_is_checked_and_its_run_trains_as_without_the_check(
        tmp_path, monkeypatch, shifted_blobs, method):
    checked, check = [], loop.check_teacher_outputs

    def counted(*args, **kwargs):
        checked.append(kwargs["epoch"])
        return check(*args, **kwargs)

    def run(name: str) -> list[dict]:
        config = tiny(tmp_path, *(RID if method == "rid" else [f"method.name={method}"]),
                      "run.epochs=4", f"run.name={name}", "run.print_every=0")
        config.data.name, config.data.options = "shifted-blobs", {}
        return comparable(train(config).history)

    monkeypatch.setattr(loop, "check_teacher_outputs", counted)
    with_check = run("checked")
    assert checked == [0]  # once, before epoch 1
    monkeypatch.setattr(loop, "check_teacher_outputs", lambda *args, **kwargs: None)
    assert with_check == run("unchecked")


# one process of a run of 2 (gloo) on 'loud-blobs', whose one loud sample (its inputs 1e20 times
# the others') is in rank 1's share of the first training batch: the refusal, or the summary
LOUD_RUN = textwrap.dedent("""
    import json, sys
    import torch
    from torch.utils.data import TensorDataset
    from pidkit_distill import DatasetBundle, register_dataset
    from pidkit_distill.config import TrainConfig
    from pidkit_distill.config_text import apply_overrides
    from pidkit_distill.training import train
    from pidkit_distill.training.loaders import DataError, ShardedBatchSampler

    @register_dataset("loud-blobs")
    def load(seed=0):
        x = torch.randn(160, 12, generator=torch.Generator().manual_seed(seed))
        y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
        loud = next(iter(ShardedBatchSampler(96, 32, rank=1, world_size=2)))[0]
        x[loud] *= 1e20
        return DatasetBundle(TensorDataset(x[:96], y[:96]), TensorDataset(x[96:], y[96:]),
                             num_classes=4, input_shape=(12,))

    config = apply_overrides(TrainConfig(), [
        "data.name=loud-blobs", "data.batch_size=32", "model.teacher=synthetic-teacher",
        "model.student=synthetic-student", "teacher.source=untrained", "method.name=vid",
        "run.epochs=2", "run.audit_every=0", "run.progress=false", "run.device=cpu",
        f"run.out_dir={sys.argv[1]}"])
    try:
        print(json.dumps(train(config).epochs_done))
    except DataError as err:
        print(json.dumps(str(err)))
""")


def test_every_process_refuses_a_teacher_whose_outputs_only_one_process_sees_huge(tmp_path):
    # each process runs the teacher on its own share of the first batch, and all are told the
    # worst: rank 0, whose share is sound, refuses with rank 1 instead of going on into a
    # collective call that rank 1 never makes
    refused = in_two_processes(LOUD_RUN, [[str(tmp_path)], [str(tmp_path)]])
    assert refused == [
        "teacher.source: the teacher's outputs on the training data are as large as 1.4e+20 "
        "(its logits, distilled layers [0, 1, 2] and pooled features, on the run's first "
        "training batch), so no epoch was trained: check the teacher (model.teacher "
        "'synthetic-teacher' untrained, at its initialisation of teacher.seed = 0): its weights "
        "(huge or broken weights give such outputs) and that it was trained on inputs scaled as "
        "these are"] * 2
