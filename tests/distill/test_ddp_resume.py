"""A run of several processes resumes from rank 0's checkpoint in every process, also where
``run.out_dir`` is on each node's own disk (only rank 0 writes the run folder)."""

from __future__ import annotations

import textwrap
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch
from tiny_runs import in_two_processes
from torch import nn

from pidkit_distill.training.checkpoint import restore_checkpoint, rng_state
from pidkit_distill.training.runtime import Runtime

# one process of a run of 2, on a "node" whose run.out_dir is its own (argv[1]), with more
# settings (argv[2:])
# (and the sizes of the files it received or sent: the bytes of read_by_main's broadcasts)
NODE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import torch, torch.distributed as dist
    from tiny_runs import tiny
    from pidkit_distill.training import train

    sent, send = [], dist.broadcast
    def counted(tensor, *args, **kwargs):
        if tensor.dtype == torch.uint8:
            sent.append(tensor.numel())
        return send(tensor, *args, **kwargs)
    dist.broadcast = counted
    summary = train(tiny(Path(sys.argv[1]), "run.epochs=3", "run.stop_after=1",
                         "run.resume=true", *sys.argv[2:]))
    print(json.dumps([[record["epoch"] for record in summary.history], sent]))
""")


def _run_of_two(out_dirs: list[Path], *settings: str) -> list[list[Any]]:
    """Start the run in two processes (gloo, torchrun's variables), each with its own
    ``run.out_dir``; return the epochs of each one's history, and the sizes of the files it
    sent or received (one piece each: smaller than read_by_main's pieces)."""
    return in_two_processes(NODE, [[str(out_dir), *settings] for out_dir in out_dirs])


def test_processes_whose_out_dirs_differ_resume_from_rank_0s_checkpoint(tmp_path):
    # each process read checkpoint.pt from its own disk: rank 1, whose node-local folder holds
    # none (rank 0 writes it), trained epoch 1 again while rank 0 trained epoch 2 (other
    # samples, other optimizer states; without run.stop_after, one epoch more than rank 0,
    # waiting in a collective call that rank 0 never made)
    out_dirs = [tmp_path / "node0", tmp_path / "node1"]
    assert _run_of_two(out_dirs) == [[[1], []], [[1], []]]
    size = (out_dirs[0] / "synthetic-bas-ut-s0" / "checkpoint.pt").stat().st_size
    # rank 1's history: [1] before; rank 0 sent its checkpoint's bytes, which rank 1 lacks
    # (before, pickled: broadcast_object_list, 4 times the file in each process's memory)
    assert _run_of_two(out_dirs) == [[[1, 2], [size]], [[1, 2], [size]]]
    assert not (out_dirs[1] / "synthetic-bas-ut-s0" / "checkpoint.pt").exists()


def test_processes_that_share_the_run_folder_read_the_checkpoint_each_not_through_rank_0(
        tmp_path):
    # rank 0 pickled its checkpoint to every process (broadcast_object_list) also where they
    # all read the same folder: for a 1 GB checkpoint 3 to 4 GB more host memory in every
    # process (8 on a node of 8 GPUs) and 57 s instead of 7 s (2 gloo processes, 2 cores)
    assert _run_of_two([tmp_path, tmp_path]) == [[[1], []], [[1], []]]
    assert _run_of_two([tmp_path, tmp_path]) == [[[1, 2], []], [[1, 2], []]]  # 1 object before


def test_a_trained_teacher_and_a_student_init_run_reach_nodes_whose_disks_lack_them(tmp_path):
    # rank 0 alone writes the cached teacher.pt and the student_init (BAS) run's checkpoint:
    # rank 1, reading its own node's out_dir, stopped the run with "teacher file '.../node1/
    # .../teacher.pt' does not exist" (and TED's "checkpoint '.../node1/...bas-init/
    # checkpoint.pt' does not exist"); rank 0 sends them (teacher, BAS's student, TED's
    # checkpoint on resume), and every process takes rank 0's way to resume
    out_dirs = [tmp_path / "node0", tmp_path / "node1"]
    settings = ["teacher.source=trained", "teacher.epochs=1", "method.name=ted"]
    first = _run_of_two(out_dirs, *settings)
    teacher = next(out_dirs[0].glob("teacher-*/teacher.pt")).stat().st_size
    bas = (out_dirs[0] / "synthetic-ted-tt-s0.bas-init" / "checkpoint.pt").stat().st_size
    assert first == [[[1], [teacher, teacher, bas]]] * 2  # to the BAS run and to TED's, then BAS's
    ted = (out_dirs[0] / "synthetic-ted-tt-s0" / "checkpoint.pt").stat().st_size
    assert _run_of_two(out_dirs, *settings) == [[[1, 2], [ted]]] * 2
    assert not list(out_dirs[1].glob("*/*.pt"))


def _restored_with(processes_before: int, runtime: Runtime) -> None:
    """restore_checkpoint of a checkpoint written by ``processes_before`` processes after
    epoch 4, into a run of ``runtime``."""
    generator = torch.Generator().manual_seed(0)
    module = nn.Linear(2, 2)
    saved = {"module": module.state_dict(), "optimizers": {}, "schedulers": {},
             "rng": [rng_state(generator)] * processes_before, "epoch": 4, "best_acc": 0.5,
             "best_epoch": 3, "history": [], "audit": []}
    restore_checkpoint(saved, module=module, optimizers={}, schedulers={},
                       loader_generator=generator, runtime=runtime)


def test_a_run_resumed_with_another_number_of_processes_is_told_what_changes():
    # it said "checkpoint was written by 2 process(es), resuming with 1: the data order is kept
    # but random streams differ": not whether that is allowed, nor that the shares' BatchNorm
    # statistics and the sums change too, nor how to resume the run as it was trained
    with pytest.warns(RuntimeWarning) as caught:
        _restored_with(2, Runtime.single())
    assert [str(warning.message) for warning in caught] == [
        "checkpoint was written by 2 processes, after epoch 4, and the run resumes with one "
        "process: allowed, as data.batch_size is the global batch (the same batches in the same "
        "order), but each process's share of a batch changes, and with it the BatchNorm "
        "statistics (unless run.sync_bn = true), the order of the gradients' sums and the random "
        "streams: the epochs trained from here on differ from an uninterrupted run's beyond "
        "rounding; resume with torchrun --nproc_per_node 2 to continue the run as it was trained"]
    with pytest.warns(RuntimeWarning, match="written by one process, after epoch 4, and the run "
                      "resumes with 2 processes: .* resume with one process \\(no torchrun"):
        _restored_with(1, replace(Runtime.single(), world_size=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _restored_with(2, replace(Runtime.single(), world_size=2))


def test_each_epoch_records_the_processes_that_trained_it(tmp_path):
    # nothing in metrics.jsonl, config.json or summary.json said how many processes trained a
    # run, nor which epochs of a run resumed with another count had which
    import json

    from tiny_runs import tiny

    from pidkit_distill.training import train

    assert _run_of_two([tmp_path, tmp_path]) == [[[1], []], [[1], []]]
    with pytest.warns(RuntimeWarning, match="written by 2 processes, after epoch 1"):
        train(tiny(tmp_path, "run.epochs=3", "run.stop_after=1", "run.resume=true"))
    metrics = (tmp_path / "synthetic-bas-ut-s0" / "metrics.jsonl").read_text().splitlines()
    assert [(line["epoch"], line["processes"]) for line in map(json.loads, metrics)] == [
        (1, 2), (2, 1)]
