"""``train`` from a notebook: the caller's session is left as it was (a notebook goes on after a
run, on the threads and random streams it had), running a cell twice or stopping it says how to
go on in Python, and a stopped run leaves its folder free for the next cell."""

from __future__ import annotations

import contextlib
import os
import random
import signal
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_runs import tiny

from pidkit_distill.training import train, train_teacher
from pidkit_distill.training.checkpoint import read_checkpoint


def _draws() -> tuple[float, float, float]:
    return random.random(), float(np.random.random()), float(torch.rand(()))  # noqa: NPY002


def _seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002
    torch.manual_seed(seed)


def _stopped(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize(("call", "stopped"), [(train, False), (train_teacher, False), (train, True)],
                         ids=["train", "train_teacher", "stopped_train"])
def test_a_run_leaves_the_callers_threads_and_random_streams(tmp_path, monkeypatch, call, stopped):
    # train set torch.set_num_threads(run.threads) for good (a notebook's later cells ran on one
    # thread) and left the global streams seeded with run.seed; a stopped run leaves them too
    from pidkit_distill.training import loop

    if stopped:
        monkeypatch.setattr(loop, "train_one_epoch", _stopped)
    threads = torch.get_num_threads()
    wanted = 2 if threads == 1 else 1
    _seed(123)
    expected = _draws()
    _seed(123)
    try:
        with pytest.raises(KeyboardInterrupt) if stopped else contextlib.nullcontext():
            call(tiny(tmp_path, "run.epochs=1", "teacher.epochs=1", f"run.threads={wanted}"))
        assert torch.get_num_threads() == threads
        assert _draws() == expected
    finally:
        torch.set_num_threads(threads)


PYTHON_RESUME = ("In Python: set config.run.resume = True (or pass 'run.resume=true' in "
                 "load_config's overrides), then call train(config) again.")


def test_running_the_same_cell_twice_says_how_to_resume_from_python(tmp_path):
    # the refusal said only 'pass run.resume=true (--resume)', the command line's spelling; a
    # run stopped short of its epochs (a finished one is told it has nothing left to continue)
    config = tiny(tmp_path, "run.epochs=2", "run.name=cell", "run.stop_after=1")
    train(config)
    with pytest.raises(ValueError, match=r"^run\.name: run folder .* already holds a checkpoint; "
                                         r"pass run\.resume=true \(--resume\)") as refused:
        train(config)
    assert refused.value.__notes__ == [PYTHON_RESUME]
    config.run.resume = True  # what the note says
    assert train(config).epochs_done == 2


def test_a_stop_button_mid_epoch_keeps_the_checkpoint_frees_the_folder_and_says_how_to_go_on(
        tmp_path, monkeypatch):
    from pidkit_distill.methods import get_method
    from pidkit_distill.training import TrainingInterrupted
    from pidkit_distill.training.rundir import check_not_busy

    bas = get_method("bas")
    steps = iter(range(1, 100))
    forward = bas.forward

    def stop_button(self, x, *args, **kwargs):  # Jupyter's stop button sends the kernel SIGINT
        # 3 steps an epoch: epoch 2, step 2 (not counting the check's step on the meta device)
        if not x.is_meta and next(steps) == 5:
            signal.raise_signal(signal.SIGINT)
        return forward(self, x, *args, **kwargs)

    monkeypatch.setattr(bas, "forward", stop_button)
    fds = sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else []
    config = tiny(tmp_path, "run.epochs=3", "run.name=cell")
    with pytest.raises(TrainingInterrupted) as stopped:
        train(config)
    run_dir = tmp_path / "cell"
    assert str(stopped.value) == (
        f"interrupted during epoch 2 of {run_dir}; its checkpoint.pt holds the run after epoch "
        "1: rerun the same command with --resume (run.resume=true) to continue from there")
    assert stopped.value.__notes__ == [PYTHON_RESUME]
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == 1
    check_not_busy(run_dir)  # the live process holds no lock on the folder
    assert (sorted(os.listdir("/proc/self/fd")) if fds else []) == fds  # nor a file in it
    monkeypatch.undo()
    config.run.resume = True  # the next cell, as the note says
    summary = train(config)
    assert summary.epochs_done == 3
    assert [record["epoch"] for record in summary.history] == [1, 2, 3]


def test_load_runs_and_write_report_take_one_run_or_what_train_returned(tmp_path):
    # load_runs("runs/x") read each character as a folder ("'/' is not a run folder"), a Path
    # and a RunSummary raised "'PosixPath' / 'RunSummary' object is not iterable", and
    # write_report(summary) the latter
    from pidkit_distill import load_runs, write_report

    first = train(tiny(tmp_path, "run.epochs=1", "run.name=a"))
    second = train(tiny(tmp_path, "run.epochs=1", "run.name=b", "run.seed=1"))
    for one in (str(first.run_dir), first.run_dir, first):
        (run,) = load_runs(one)
        assert (run.name, run.path, len(run.metrics)) == ("a", first.run_dir, 1)
    assert [run.name for run in load_runs([first, second])] == ["a", "b"]
    assert [run.name for run in load_runs(s.run_dir for s in (first, second))] == ["a", "b"]
    assert write_report(first, out_dir=tmp_path / "report") == tmp_path / "report" / "report.md"
    with pytest.raises(TypeError) as refused:
        load_runs([first, None])
    assert str(refused.value) == ("paths: a run is given by its folder (a str, bytes or Path), "
                                  "its RunRecords or the RunSummary that train returned; got "
                                  "None (NoneType)")


def test_a_failure_with_a_checkpoint_says_how_to_resume_from_python():
    from pidkit_distill.training import TrainingError

    saved = TrainingError("the training loss became nan", epoch=3, step=5, n_steps=22,
                          checkpoint=Path("runs/x/checkpoint.pt"), epochs_saved=2,
                          hint="lower optim.lr")
    assert "(resume with run.resume=true)" in str(saved)
    assert saved.__notes__ == [PYTHON_RESUME]
    assert not hasattr(TrainingError("out of memory", epoch=1), "__notes__")  # nothing to resume


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"workers": "2"}, TypeError, "workers must be an int >= 1; got '2' (str)."),
    ({"workers": 0}, ValueError, "workers must be an int >= 1; got 0."),
    ({"epochs": "30"}, TypeError, "epochs must be an int >= 2; got '30' (str)."),
    ({"epochs": 2.5}, TypeError, "epochs must be an int >= 2; got 2.5 (float)."),
])
def test_the_demos_arguments_are_named(tmp_path, kwargs, error, message):
    # workers='2' was a ValueError, epochs='30' raised "unsupported operand type(s) for //" and
    # epochs=2.5 "config key 'run.epochs' expects an int, ...; fix the TOML file or the override"
    from pidkit_distill.demo import run_demo

    with pytest.raises(error) as refused:
        run_demo(out_dir=tmp_path / "demo", **kwargs)
    assert str(refused.value) == message
    assert not (tmp_path / "demo").exists()  # before any work


def test_the_summary_holds_the_last_audits_atoms(tmp_path):
    # a notebook had to pick them out of summary.audit by epoch and layer
    summary = train(tiny(tmp_path, "run.epochs=2", "run.audit_every=1", "audit.bootstrap=0"))
    last = summary.last_audit
    assert (last["epoch"], last["layer"]) == (2, max(r["layer"] for r in summary.audit))
    assert last == summary.audit[-1] and {"red", "uni_t", "uni_s", "syn"} <= last.keys()
    assert train(tiny(tmp_path, "run.epochs=1", "run.name=none")).last_audit is None


def test_a_run_folder_given_as_out_dir_says_how_to_continue_it_from_python(tmp_path):
    # the message names the command's --out-dir, --run.name and --resume only
    first = train(tiny(tmp_path, "run.epochs=2", "run.stop_after=1", "run.name=r"))
    config = tiny(first.run_dir, "run.epochs=2")  # out_dir=summary.run_dir, a slip
    with pytest.raises(ValueError, match="is itself a run folder") as refused:
        train(config)
    assert refused.value.__notes__ == [
        f"In Python: set config.run.out_dir = {str(tmp_path)!r}, config.run.name = 'r' and "
        "config.run.resume = True."]
    config.run.out_dir, config.run.name, config.run.resume = str(tmp_path), "r", True
    assert train(config).epochs_done == 2  # as the note says


def test_a_session_with_float64_as_default_dtype_trains_and_keeps_it(tmp_path):
    # torch.set_default_dtype(torch.float64) in a notebook made train fail inside torch
    # ("expected m1 and m2 to have the same dtype, but got: double != float")
    torch.set_default_dtype(torch.float64)
    try:
        summary = train(tiny(tmp_path, "run.epochs=1"))
        assert torch.get_default_dtype() == torch.float64
    finally:
        torch.set_default_dtype(torch.float32)
    assert summary.epochs_done == 1
    weights = read_checkpoint(summary.run_dir / "checkpoint.pt")["student"]
    assert {w.dtype for w in weights.values() if w.is_floating_point()} == {torch.float32}


def test_a_session_with_gradients_off_trains_and_keeps_them_off(tmp_path):
    # torch.set_grad_enabled(False), left by an inference cell, failed the first step with
    # "element 0 of tensors does not require grad and does not have a grad_fn"
    torch.set_grad_enabled(False)
    try:
        summary = train(tiny(tmp_path, "run.epochs=1"))
        assert not torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)
    assert summary.epochs_done == 1


def test_a_run_inside_inference_mode_trains_and_leaves_it_on(tmp_path):
    # an inference cell's torch.inference_mode() (or a decorated function calling train) failed
    # the first step with "element 0 of tensors does not require grad and does not have a grad_fn"
    with torch.inference_mode():
        summary = train(tiny(tmp_path, "run.epochs=1"))
        assert torch.is_inference_mode_enabled()
    assert summary.epochs_done == 1


def test_the_cuda_streams_are_given_back_when_the_run_first_initialises_cuda(monkeypatch):
    # only CUDA already initialised was kept: a notebook's first GPU use being the run's, the
    # run's seeds stayed in the CUDA streams (the caller's own torch.manual_seed lost)
    from pidkit_distill.training import runtime

    streams = {"state": ["caller's"]}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)
    monkeypatch.setattr(torch.cuda, "get_rng_state_all", lambda: list(streams["state"]))
    monkeypatch.setattr(torch.cuda, "set_rng_state_all",
                        lambda states: streams.update(state=list(states)))
    with runtime.caller_state_kept():
        streams["state"] = ["the run's"]  # what seed_everything does to them on a GPU
    assert streams["state"] == ["caller's"]


@pytest.fixture
def registries(monkeypatch):
    """Registrations made by a test end with it."""
    from pidkit_distill.data.registry import _LOADERS
    from pidkit_distill.models.registry import _MODELS

    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))


def _blobs(dtype: torch.dtype):
    from torch.utils.data import TensorDataset

    from pidkit_distill import DatasetBundle

    def load(*, seed: int = 0, n_train: int = 64, n_test: int = 32, dim: int = 12,
             nuisance_bits: int = 0) -> DatasetBundle:  # the options tiny() sets
        n = n_train + n_test
        x = torch.randn(n, dim, generator=torch.Generator().manual_seed(seed), dtype=dtype)
        y = torch.arange(n) % 4
        return DatasetBundle(TensorDataset(x[:n_train], y[:n_train]),
                             TensorDataset(x[n_train:], y[n_train:]), num_classes=4,
                             input_shape=(dim,))
    return load


def _mlp(dtype: torch.dtype):
    from torch import nn

    from pidkit_distill import tap_features

    def build(*, num_classes: int, in_channels: int) -> nn.Module:
        return tap_features(nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(),
                                          nn.Linear(8, num_classes)).to(dtype), layers=["1"])
    return build


@pytest.mark.parametrize("session", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_a_float64_model_of_ones_own_is_refused_naming_it(tmp_path, registries, session):
    # it failed the first step with torch's "mat1 and mat2 must have the same dtype, but got
    # Float and Double"; in a float64 session check_config built it as float64 and let it by
    from pidkit_distill import register_dataset, register_model
    from pidkit_distill.training import check_config

    register_dataset("own-f32")(_blobs(torch.float32))
    register_model("own-f32-mlp")(_mlp(torch.float32))
    register_model("own-f64-mlp")(_mlp(torch.float64))
    config = tiny(tmp_path, "data.name=own-f32", "model.teacher=own-f32-mlp",
                  "model.student=own-f64-mlp", "run.epochs=1")
    torch.set_default_dtype(session)
    try:
        with pytest.raises(ValueError) as refused:
            train(config)
        config.model.student = "own-f32-mlp"
        assert check_config(config).data.name == "own-f32"  # a float32 model passes
    finally:
        torch.set_default_dtype(torch.float32)
    assert str(refused.value) == (
        "model.student: 'own-f64-mlp' has torch.float64 weights, but the trainer trains in "
        "float32 (whatever torch's default dtype; run.amp=true for bf16 autocast on CUDA): build "
        "the model in float32, without .double(), .half() or a dtype= argument")


def test_float64_inputs_of_ones_own_are_refused_naming_the_data(tmp_path, registries):
    # torch.from_numpy(x) gives float64: the first step failed with torch's "mat1 and mat2 must
    # have the same dtype"
    from pidkit_distill import register_dataset, register_model

    register_dataset("own-f64")(_blobs(torch.float64))
    register_model("own-f32-mlp")(_mlp(torch.float32))
    with pytest.raises(ValueError) as refused:
        train(tiny(tmp_path, "data.name=own-f64", "model.teacher=own-f32-mlp",
                   "model.student=own-f32-mlp", "run.epochs=1"))
    assert str(refused.value) == (
        "data.name: data set 'own-f64': sample 0 of its train split has torch.float64 inputs, "
        "but the trainer trains in float32: return x.float() from its loader (torch.from_numpy "
        "keeps numpy's float64)")


def test_a_teachers_failed_run_says_the_teachers_key_and_that_rerunning_continues_it(
        tmp_path, monkeypatch):
    # it said "(resume with run.resume=true)", "set config.run.resume = True" and "lower
    # optim.lr": a teacher's run resumes by itself, and its learning rate is teacher.lr
    from pidkit_distill.training import TrainingError, loop

    one_epoch = loop.train_one_epoch

    def diverges_in_epoch_2(model, loader, optimizer, *, epoch, **kwargs):
        if epoch == 1:
            raise TrainingError("the training loss became NaN or infinite", epoch=2, step=1,
                                n_steps=3, hint="lower optim.lr or set optim.grad_clip (e.g. 100)")
        return one_epoch(model, loader, optimizer, epoch=epoch, **kwargs)

    monkeypatch.setattr(loop, "train_one_epoch", diverges_in_epoch_2)
    with pytest.raises(TrainingError) as failed:
        train_teacher(tiny(tmp_path, "teacher.epochs=3"))
    (checkpoint,) = tmp_path.glob("teacher-*/checkpoint.pt")
    assert str(failed.value) == (
        f"the training loss became NaN or infinite in epoch 2, step 1 of 3; saved: {checkpoint} "
        "holds the run after epoch 1 (rerunning the same command continues it); lower "
        "teacher.lr or set optim.grad_clip (e.g. 100)")
    assert failed.value.__notes__ == [
        "In Python: call the same function (train or train_teacher) with the same configuration "
        "again."]


def test_a_second_interrupt_while_the_session_is_given_back_waits_until_it_is(monkeypatch):
    # the stop button pressed twice: the second KeyboardInterrupt, landing among the restores,
    # left numpy's and torch's streams the run's
    from pidkit_distill.training import runtime

    setstate = random.setstate

    def pressed_again(state):
        signal.raise_signal(signal.SIGINT)
        setstate(state)

    _seed(11)
    expected = _draws()
    _seed(11)
    monkeypatch.setattr(random, "setstate", pressed_again)
    with pytest.raises(KeyboardInterrupt), runtime.caller_state_kept():
        runtime.seed_everything(0)
    monkeypatch.undo()
    assert _draws() == expected


def test_a_session_with_another_default_device_trains_and_keeps_it(tmp_path):
    # torch.set_default_device(...) put the trainer's CPU-side tensors there (with "meta", a
    # stand-in for "cuda" that needs no GPU: "can't convert meta device type tensor to numpy")
    torch.set_default_device("meta")
    try:
        summary = train(tiny(tmp_path, "run.epochs=1"))
        assert torch.get_default_device() == torch.device("meta")
    finally:
        torch.set_default_device(None)
    assert summary.epochs_done == 1 and 0.0 <= summary.last_acc <= 1.0
