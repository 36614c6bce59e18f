"""Memory running out anywhere in a run (a training step, the evaluation, the audit) is one line
saying where and what was saved, exit 1, not torch's traceback in every process."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_runs import TINY, tiny
from torch import nn
from torch.utils.data import TensorDataset

import pidkit_distill.audit.layer_pid as audit_module
from pidkit_distill import DatasetBundle, TrainingError, get_method, tap_features
from pidkit_distill.cli import main
from pidkit_distill.methods.bas import BAS
from pidkit_distill.training import Runtime, fit

GPU_FULL = "CUDA out of memory. Tried to allocate 2.00 GiB"


def out_of_memory_in_eval_mode(monkeypatch, role: str, method: str, call: int) -> None:
    """Make the ``call``-th call of ``role``'s (the student's or the teacher's) ``method``
    (``forward``: the evaluation; ``forward_features``: the audit) in eval mode raise torch's
    OutOfMemoryError, as a GPU too small for data.eval_batch_size does."""
    init = BAS.__init__
    calls = itertools.count(1)

    def watched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        net = getattr(self, role)
        run = getattr(net, method)

        def short_of_memory(*inputs, **options):
            if not net.training and next(calls) == call:
                raise torch.OutOfMemoryError(GPU_FULL)
            return run(*inputs, **options)

        setattr(net, method, short_of_memory)

    monkeypatch.setattr(BAS, "__init__", watched)


SAVED = "saved: {ckpt} holds the run after epoch 1 (resume with run.resume=true)"
NOTHING = "nothing was saved (no epoch had completed)"


@pytest.mark.parametrize(("role", "method", "call", "said"), [
    ("teacher", "forward", 1, f"while evaluating the teacher before epoch 1; {NOTHING}; lower "
     "data.eval_batch_size"),
    ("student", "forward", 2, f"while evaluating the student in epoch 2; {SAVED}; lower "
     "data.eval_batch_size"),
    ("student", "forward_features", 1, f"while auditing the untrained networks; "
     f"{NOTHING}; lower audit.max_samples or data.eval_batch_size"),
    # the evaluation's forward passes go through forward_features too: audit of epoch 0,
    # evaluation of epochs 1 and 2, then the audit of epoch 2
    ("student", "forward_features", 4, f"while auditing the networks in epoch 2; {SAVED}; lower "
     "audit.max_samples or data.eval_batch_size"),
], ids=["teacher-evaluation", "student-evaluation", "audit-before-training", "audit-of-epoch-2"])
def test_out_of_memory_in_the_evaluation_or_the_audit_is_one_line(tmp_path, capsys, monkeypatch,
                                                                  role, method, call, said):
    # only a training step's became a TrainingError: in evaluate or the audit (one batch of
    # data.eval_batch_size, 512 by default) it was torch's OutOfMemoryError traceback
    out_of_memory_in_eval_mode(monkeypatch, role, method, call)
    sets = [arg for item in [*TINY, "run.epochs=3", "run.audit_every=2", f"run.out_dir={tmp_path}"]
            for arg in ("--set", item)]
    assert main(["train", *sets]) == 1
    ckpt = tmp_path / "synthetic-bas-ut-s0" / "checkpoint.pt"
    assert capsys.readouterr().err == (
        "pidkit-distill train: training failed: out of memory (OutOfMemoryError) "
        f"{said.format(ckpt=ckpt)}\n")


def test_out_of_memory_evaluating_the_teacher_of_a_complete_run_says_so(
        tmp_path, capsys, monkeypatch):
    # a complete run resumed evaluates its teacher before it finds nothing to train: out of
    # memory there said "in epoch 3" of a run of 2 epochs, then "in epoch 2", done before
    sets = [arg for item in [*TINY, "run.epochs=2", f"run.out_dir={tmp_path}"]
            for arg in ("--set", item)]
    assert main(["train", *sets]) == 0
    out_of_memory_in_eval_mode(monkeypatch, "teacher", "forward", 1)
    capsys.readouterr()
    assert main(["train", *sets, "--resume"]) == 1
    ckpt = tmp_path / "synthetic-bas-ut-s0" / "checkpoint.pt"
    assert capsys.readouterr().err == (
        "pidkit-distill train: training failed: out of memory (OutOfMemoryError) while "
        f"evaluating the teacher after the last epoch; saved: {ckpt} holds the run after epoch 2 "
        "(rerunning the same command continues it); lower data.eval_batch_size\n")


def test_numpys_memory_error_in_the_audit_is_one_line(tmp_path, capsys, monkeypatch):
    # the audit's clustering on the host runs out as numpy does (its _ArrayMemoryError, a
    # MemoryError that calls itself one): the same line as torch's, with the audit's advice
    def too_big(*args, **kwargs):
        return np.empty((10**7, 10**7))  # 728 TiB: numpy refuses it at once

    monkeypatch.setattr(audit_module, "pid_from_representations", too_big)
    sets = [arg for item in [*TINY, "run.epochs=1", "run.audit_every=1", f"run.out_dir={tmp_path}"]
            for arg in ("--set", item)]
    assert main(["train", *sets]) == 1
    assert capsys.readouterr().err == (
        "pidkit-distill train: training failed: out of memory (MemoryError) while auditing the "
        f"untrained networks; {NOTHING}; lower audit.max_samples or "
        "data.eval_batch_size\n")


class _NotMain(Runtime):
    """A process other than rank 0, alone: it writes nothing (as on a node of its own)."""

    @property
    def is_main(self) -> bool:
        return False


def test_a_process_other_than_rank_0_names_the_checkpoint_rank_0_saved(tmp_path, monkeypatch):
    # a process other than rank 0 looked for checkpoint.pt on its own disk: with run.out_dir on
    # node-local disks it said "nothing was saved (1 epoch(s) completed, but none was
    # checkpointed yet ...)" where rank 0 named the checkpoint that holds epoch 1
    torch.manual_seed(0)
    x = torch.randn(96, 4)
    y = (x[:, 0] > 0).long()
    bundle = DatasetBundle(TensorDataset(x[:64], y[:64]), TensorDataset(x[64:], y[64:]),
                           num_classes=2, input_shape=(4,))

    def mlp(width: int) -> nn.Module:
        return tap_features(nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2)),
                            layers=["1"])

    module = get_method("bas")(mlp(8), mlp(16), sample_input=x[:2], num_classes=2)
    calls, forward = itertools.count(1), BAS.forward

    def step_3_short_of_memory(self, *args, **kwargs):  # 2 steps an epoch: epoch 2, step 1
        if next(calls) == 3:
            raise torch.OutOfMemoryError(GPU_FULL)
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(BAS, "forward", step_3_short_of_memory)
    config = tiny(tmp_path, "method.name=bas", "run.epochs=3", "data.batch_size=32")
    run_dir = Path(tmp_path) / "run"
    with pytest.raises(TrainingError) as info:
        fit(config, module, bundle, run_dir, _NotMain(torch.device("cpu"), 0, 1, 0, False))
    assert not (run_dir / "checkpoint.pt").exists()  # rank 0's disk is another
    assert str(info.value) == (
        "out of memory (OutOfMemoryError) in epoch 2, step 1 of 2; saved: "
        f"{run_dir / 'checkpoint.pt'} holds the run after epoch 1 (resume with run.resume=true); "
        "lower data.batch_size")


def test_the_package_names_the_out_of_memory_error_every_supported_torch_has():
    """setup.cfg allows torch 2.1, whose only out-of-memory class is ``torch.cuda.OutOfMemoryError``
    (``torch.OutOfMemoryError``, its device-independent name since 2.5, is the same class): an
    ``except (MemoryError, torch.OutOfMemoryError)`` there raises AttributeError instead of
    catching the error it is for."""
    import pidkit_distill

    assert torch.cuda.OutOfMemoryError is getattr(torch, "OutOfMemoryError", torch.cuda.OutOfMemoryError)
    package = Path(pidkit_distill.__file__).parent
    newer = [str(path.relative_to(package)) for path in sorted(package.rglob("*.py"))
             if "torch.OutOfMemoryError" in path.read_text(encoding="utf-8")]
    assert newer == []
