"""The training loop: :func:`fit` runs the epochs (each one's steps and evaluation are in
:mod:`pidkit_distill.training.epoch_steps`).

Read it top to bottom:

* :func:`fit` makes one optimizer (SGD or AdamW) and one learning-rate scheduler per optimizer
  group of a module (a :class:`~pidkit_distill.methods.Distiller`, or the teacher's
  :class:`~pidkit_distill.training.SupervisedModel`), resumes from the run folder's
  checkpoint, then runs the epochs: train, step the schedulers, evaluate, audit, save (every
  ``run.checkpoint_every`` epochs and after the last), log.
* :func:`~pidkit_distill.training.train_one_epoch` steps only the optimizer of the module's
  phase of that epoch.
* :func:`~pidkit_distill.training.evaluate` measures a network's held-out loss and accuracy.
* :mod:`~pidkit_distill.training.best_epoch` chooses the best epoch (on the validation split of
  ``data.val_fraction`` where there is one) and stops early (``run.early_stop``);
  :mod:`~pidkit_distill.training.epoch_lines` makes the epoch's printed lines.

Epochs are counted from 0 inside the loop (``module.phase(epoch)``, ``forward(..., epoch=)``);
every record written to disk carries ``"epoch": k`` meaning "after k completed epochs", so the
audit at ``epoch == 0`` describes the networks before training. Printed lines and error messages
count epochs from 1, as the records do.

A loss that becomes NaN or infinite (or weights, by an epoch's last step), or memory running
out (in a step, the evaluation, the audit or the check of the teacher's outputs before the first
epoch), stops the run with a :class:`~pidkit_distill.TrainingError` that names the epoch and
step (or what the run was doing) and what was saved; an interrupt (Ctrl-C) with a
:class:`~pidkit_distill.TrainingInterrupted` that names the epoch, what was saved and how to
resume (both in :mod:`pidkit_distill.training.outcomes`). An error of any type that the data set
raised as its samples were read (:func:`~pidkit_distill.training.outcomes.data_read_failure`)
and a refusal of the audit (samples of one class that the check did not read) are the run's
TrainingError too, recorded in its folder as the others are. A loss term that jumps by two
orders of magnitude (:mod:`pidkit_distill.loss_jumps`) and a student that falls to chance
(:mod:`pidkit_distill.chance`) are warned of once, in a line under the epoch's, and the run goes on.
So are, once, audits that took most of the run's time (each audit line says its own:
:class:`~pidkit_distill.training.epoch_lines.AuditLines`), and, on stderr, a CPU run with
``run.threads`` unset whose epoch took far longer than the earlier ones while the machine got
busy (:func:`_busy_since_line`).
"""

from __future__ import annotations

import sys
import time
import warnings
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Any, cast

import torch
import torch.distributed as dist
from threadpoolctl import threadpool_limits
from torch import nn

from pidkit.utils import person_is_watching
from pidkit_distill.chance import fell_to_chance, fell_to_chance_warning
from pidkit_distill.config import TrainConfig
from pidkit_distill.devices import cpu_load
from pidkit_distill.loss_jumps import jumped_terms, loss_jump_warnings
from pidkit_distill.methods.subclass_checks import check_phase_groups
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.signals import interrupts_deferred
from pidkit_distill.training.audit_checks import audit_refusal_failing_run
from pidkit_distill.training.best_epoch import (
    VALIDATION,
    choose_best,
    early_stop_line,
    finished_summary,
    has_best,
    loop_state,
    stopped_early_at,
    stops_early,
    write_best,
)
from pidkit_distill.training.checkpoint import restore_checkpoint, save_checkpoint, unsaved_epochs_line
from pidkit_distill.training.checkpoint_fit import trained_with
from pidkit_distill.training.epoch_lines import AuditLines, epoch_line, pace_line
from pidkit_distill.training.epoch_steps import evaluate, memory_checked, train_one_epoch
from pidkit_distill.training.file_sharing import read_by_main
from pidkit_distill.training.late_files import file_refused_late
from pidkit_distill.training.loaders import (
    ShardedBatchSampler,
    batch_sampler,
    eval_loader,
    train_loader,
)
from pidkit_distill.training.lost_peers import failure_of_lost_peer, failure_of_peer_sigterm
from pidkit_distill.training.model_checks import models_resolved
from pidkit_distill.training.optim import make_optimizer, make_scheduler
from pidkit_distill.training.outcomes import (
    TrainingError,
    TrainingInterrupted,
    data_read_failure,
    failure_leaving,
    out_of_memory_reading,
    outside_epochs,
)
from pidkit_distill.training.peer_stopped import as_stopped
from pidkit_distill.training.resume import resume_point
from pidkit_distill.training.rundir import RunFolder
from pidkit_distill.training.runtime import Runtime, wrap_for_ddp
from pidkit_distill.training.teacher_outputs import check_teacher_outputs, teacher_described
from pidkit_distill.training.trained_module import TrainedModule

__all__ = ["fit"]

# the times its fastest earlier epoch of its phase an epoch takes for the load to be read again:
# above what epochs differ by under a steady load, below a busy machine's 15x-40x (t-334)
_SLOWER = 4.0


def fit(config: TrainConfig, module: nn.Module, bundle: Any, run_dir: Path,
        runtime: Runtime, *, teacher_bundle: Any = None, validation: Any = None) -> RunSummary:
    """Optimizers, schedulers, resume, then the epochs: train, evaluate, audit, save, log.

    Parameters
    ----------
    config : TrainConfig
        The run's configuration (checked). A ``model.teacher`` or ``model.student`` of
        ``"auto"`` is recorded as the data set's own model, as
        :func:`~pidkit_distill.training.check_config` resolves it.
    module : nn.Module
        The module to train, a :class:`~pidkit_distill.methods.Distiller` or a
        :class:`~pidkit_distill.training.SupervisedModel` (or one of your own with what they
        have): ``optimizer_groups()``, ``phase(epoch)``, ``forward(x, y, epoch=)`` returning a
        :class:`~pidkit_distill.methods.StepOutput`, ``loss_labels()`` (how the epoch line names
        the loss terms), a ``student`` attribute (the network that is evaluated and saved), and
        ``params`` and ``preset`` (``None`` where it has none), which ``summary.json`` records.
    bundle : DatasetBundle
        The data.
    run_dir : Path
        The run folder; its checkpoint is continued when ``run.resume`` is true (under
        torchrun, rank 0's: :func:`~pidkit_distill.training.file_sharing.read_by_main`).
    runtime : Runtime
        Device and processes.
    teacher_bundle : DatasetBundle, optional
        The teacher's data where ``teacher.data_options`` makes it other than ``bundle``
        (``bundle`` is it otherwise): the data that names the cached teacher's file
        (:func:`~pidkit_distill.training.teacher_sources.teacher_file_of`) in a refusal of the
        teacher's outputs.
    validation : Dataset, optional
        The validation split (``data.val_fraction``): evaluated every epoch, it chooses the
        best epoch, whose weights are kept as ``RUN_DIR/best.pt``, and ``run.early_stop`` watches
        it (:mod:`~pidkit_distill.training.best_epoch`); ``None``: the best test accuracy.

    Returns
    -------
    RunSummary
        Last and best held-out accuracy, the best epoch, the epochs done, the per-epoch
        ``history`` (the records of ``metrics.jsonl``) and the ``audit`` records.

    Raises
    ------
    TrainingError
        The loss became NaN or infinite, or memory ran out; its line and hint are recorded in
        the run folder's ``summary.json`` (:meth:`~pidkit_distill.training.rundir.RunFolder.record_failure`),
        which the report reads.
    ConfigEntryError
        A model of ``"auto"`` for a registered data set without a pair of models.
    TrainingInterrupted
        An interrupt (Ctrl-C, a :class:`KeyboardInterrupt`) came after the run folder was set up.

    Examples
    --------
    What :func:`~pidkit_distill.training.train` runs once the data, the models and the method
    are built; here with data and models of your own (the sign of the first of four inputs):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import torch
    >>> from torch import nn
    >>> from torch.utils.data import TensorDataset
    >>> from pidkit_distill import DatasetBundle, get_method, load_config, tap_features
    >>> from pidkit_distill.training import Runtime, fit
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randn(160, 4)
    >>> y = (x[:, 0] > 0).long()
    >>> bundle = DatasetBundle(TensorDataset(x[:128], y[:128]), TensorDataset(x[128:], y[128:]),
    ...                        num_classes=2, input_shape=(4,))
    >>> def mlp(width):
    ...     net = nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2))
    ...     return tap_features(net, layers=["1"])
    >>> module = get_method("bas")(mlp(8), mlp(16), sample_input=x[:2], num_classes=2)
    >>> config = load_config(overrides=[
    ...     "method.name=bas", "run.epochs=5", "data.batch_size=16", "optim.lr=0.2",
    ...     "run.audit_every=0", "run.print_every=0", "run.progress=false", "run.checkpoint_every=5"])
    >>> tmp = tempfile.TemporaryDirectory()
    >>> run_dir = Path(tmp.name) / "my-run"
    >>> summary = fit(config, module, bundle, run_dir, Runtime.single())
    >>> summary.epochs_done, [record["epoch"] for record in summary.history]
    (5, [1, 2, 3, 4, 5])
    >>> [record["test_acc"] for record in summary.history]     # 32 held-out samples
    [0.6875, 0.8125, 0.9375, 0.9375, 0.9375]
    >>> summary.best_acc, summary.best_epoch, summary.last_acc
    (0.9375, 3, 0.9375)
    >>> sorted(path.name for path in run_dir.iterdir())
    ['audit.jsonl', 'checkpoint.pt', 'config.json', 'metrics.jsonl', 'summary.json']
    >>> tmp.cleanup()
    """
    config = models_resolved(config, teacher_only=config.method.name == "teacher")
    device = runtime.device
    trained = cast(TrainedModule, module)  # what the docstring asks of module beside nn.Module's
    module.to(device)
    if device.type == "cuda":
        module.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # a keyword of Module.to that torch's overloads omit
    groups = trained.optimizer_groups()
    optimizers = {name: make_optimizer(params, config, name) for name, params in groups.items()}
    schedulers = {name: make_scheduler(opt, config, name, len(groups))
                  for name, opt in optimizers.items()}
    loader_generator = torch.Generator().manual_seed(config.run.seed)
    state = loop_state(validated=validation is not None)
    folder = RunFolder(run_dir, is_main=runtime.is_main)
    # what each checkpoint records of the code and data the run trains with (rank 0 writes it)
    code_and_data = trained_with(config, teacher=getattr(module, "teacher", None) is not None,
                                 data=bundle) if runtime.is_main else None
    # rank 0's checkpoint, in every process (also where run.out_dir is on each node's disk)
    try:  # read whole, before any epoch: memory running out here is the run's one-line failure
        with file_refused_late("run.resume"):  # replaced or changed since check_config read it
            saved = read_by_main(runtime, folder.checkpoint,
                                 partial(resume_point, config=config, data=bundle))
    except MemoryError as err:
        raise out_of_memory_reading(folder.checkpoint) from err
    if saved is not None:
        with file_refused_late("run.resume"):  # its tensors do not fit the networks built now
            state = restore_checkpoint(saved, module=module, optimizers=optimizers,
                                       schedulers=schedulers, loader_generator=loader_generator,
                                       runtime=runtime, path=folder.checkpoint)
        if runtime.is_main:
            nothing_left = " (the run is complete: nothing to train)" \
                if state["epoch"] == config.run.epochs else ""
            if stopped_early_at(state) is not None:
                nothing_left = " (the run stopped early, run.early_stop: nothing to train)"
            print(f"resumed {folder.checkpoint} after epoch {state['epoch']}{nothing_left}",
                  flush=True)
    elif runtime.is_main and (logged := folder.logged_epochs()):
        print(unsaved_epochs_line(folder.path, logged, config), flush=True)
    end = config.run.epochs
    if config.run.stop_after:
        end = min(end, state["epoch"] + config.run.stop_after)
    if stopped_early_at(state) is not None:
        end = state["epoch"]
    epochs_saved = state["epoch"] if saved is not None else None  # what checkpoint.pt holds
    running = state["epoch"] + 1  # the epoch in progress (1-based), for an interrupt's message
    outside = outside_epochs(running, end)
    first_done = state["epoch"] + 1  # the first epoch of this invocation: its time sets the pace
    # what the run does outside its epochs, for an error's or an interrupt's message (None: in
    # epoch `running`, or after it)
    doing: str | None = outside
    # the last epoch done and its audits while their lines are not printed: an error or an
    # interrupt prints them before it says where it stopped
    unprinted: tuple[dict[str, Any], list[dict[str, Any]], float] | None = None
    # how the epoch line names the loss terms: with their weights where the method says them
    # (KD's "0.1*ce"), else by their keys in metrics.jsonl
    labels = trained.loss_labels()
    # the audit lines, their notes each printed once in a run, and the audits' time
    audit_lines = AuditLines(config, bundle.num_classes)
    # a CPU run on torch's threads reads the load again at its first epoch far slower than the
    # earlier ones (init_runtime read it before the run's own threads worked), once
    reread_load = device.type == "cpu" and not config.run.threads
    try:
        try:
            train_data = train_loader(bundle.train, config, runtime, loader_generator)
            if state["epoch"] < end:  # a teacher that fails the run is refused
                # before it, in every process together; a process that fails here alone (its
                # share of the batch unreadable, memory running out) stops the others as in an
                # epoch (a collective call)
                doing = f"while checking the teacher's outputs {outside}"
                with memory_checked(doing, epoch=None, hint=_CHECK_HINT):
                    check_teacher_outputs(
                        module, train_data, epoch=state["epoch"], device=device,
                        amp=config.run.amp, runtime=runtime, teacher=_teacher_named(
                            config, module, bundle, teacher_bundle,
                            folder.checkpoint if saved is not None else None))
                doing = outside
            folder.start(config, state["history"], state["audit"])
            model = wrap_for_ddp(module, runtime, sync_bn=config.run.sync_bn,
                                 find_unused_parameters=len(groups) > 1)  # a phase leaves groups unused
            test_data = eval_loader(bundle.test, config, runtime)
            val_data = None if validation is None else eval_loader(validation, config, runtime)
            teacher = getattr(module, "teacher", None)
            teacher_acc = None
            if teacher is not None and getattr(module, "teacher_num_logits", 0) == bundle.num_classes:
                # a resumed run that is complete evaluates its teacher too: no epoch comes after it
                doing = f"while evaluating the teacher {outside}"
                with memory_checked(doing, epoch=None, hint=_EVAL_HINT):
                    teacher_acc = evaluate(teacher, test_data, device=device, amp=config.run.amp,
                                           runtime=runtime)["acc"]
                doing = outside
            audit_enabled = teacher is not None and config.run.audit_every > 0
            if audit_enabled and state["epoch"] == 0 and not state["audit"]:
                doing = "while auditing the untrained networks"
                with memory_checked(doing, epoch=None, hint=_AUDIT_HINT), audit_lines.timed():
                    state["audit"] += _audit(module, bundle, config, folder, runtime, epoch=0)
                folder.append("audit.jsonl", state["audit"])
                doing = outside
                if runtime.is_main and config.run.print_every and state["audit"]:
                    # before the first epoch's line
                    audit_lines.print_audit(state["audit"], audit_lines.last_s)

            for epoch in range(state["epoch"], end):
                start, running, doing = time.perf_counter(), epoch + 1, None
                sampler = batch_sampler(train_data)
                assert isinstance(sampler, ShardedBatchSampler)  # train_loader's, always
                sampler.set_epoch(epoch)
                if hasattr(bundle.train, "set_epoch"):
                    bundle.train.set_epoch(epoch)  # per-epoch augmentation draws (CIFAR)
                phase = trained.phase(epoch)  # check_config checked it; fit() may be called without
                name = getattr(module, "method_name", "") or type(module).__name__
                check_phase_groups(name, {phase: epoch}, optimizers)
                lrs = {name: opt.param_groups[0]["lr"] for name, opt in optimizers.items()}
                stats = train_one_epoch(model, train_data, optimizers[phase], epoch=epoch,
                                        device=device, amp=config.run.amp,
                                        grad_clip=config.optim.grad_clip, runtime=runtime,
                                        progress=config.run.progress and runtime.is_main,
                                        num_classes=bundle.num_classes,
                                        teacher_source=config.teacher.source)
                with warnings.catch_warnings():
                    # the groups not trained this epoch have not stepped yet; their lr still follows
                    # the epoch count, which is what we want
                    warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
                    for scheduler in schedulers.values():
                        scheduler.step()
                with memory_checked("while evaluating the student", epoch=running, hint=_EVAL_HINT):
                    test = evaluate(trained.student, test_data, device=device, amp=config.run.amp,
                                    runtime=runtime)
                    val = None if val_data is None else evaluate(
                        trained.student, val_data, device=device, amp=config.run.amp,
                        runtime=runtime)
                done = epoch + 1
                improved = choose_best(state, epoch=done, phase=phase, test_acc=test["acc"],
                                       val_acc=None if val is None else val["acc"],
                                       student=trained.student)  # a filter epoch: never
                # a teacher's run (method teacher) trains its one group, "student" (the network
                # the loop trains), which is the teacher: its records and lines say so
                shown = "teacher" if config.method.name == "teacher" else phase
                record = {"epoch": done, "phase": shown, "lr": lrs, "train_loss": stats["loss"],
                          "train_losses": stats["losses"], "train_acc": stats["acc"],
                          "test_loss": test["loss"], "test_acc": test["acc"], "test_n": test["n"],
                          "test_majority": test["majority"],  # chance, which the report names
                          # None until an epoch has trained the student (RID's warm-up)
                          "best_acc": state["best_acc"] if has_best(state) else None,
                          "teacher_acc": teacher_acc,
                          # the processes that trained the epoch (torchrun's WORLD_SIZE): a run
                          # resumed with another count keeps each epoch's own
                          "processes": runtime.world_size,
                          "time_s": round(time.perf_counter() - start, 3)}
                if val is not None:
                    record.update(val_loss=val["loss"], val_acc=val["acc"],
                                  best_val_acc=state[VALIDATION]["best_val_acc"]
                                  if has_best(state) else None)
                best = {"epoch": state["best_epoch"], "test_acc": state["best_acc"]} \
                    if has_best(state) else None
                if fell_to_chance(best, record) and not any(  # said once in a run
                        "fell_to_chance_from" in earlier for earlier in state["history"]):
                    record["fell_to_chance_from"] = best
                if jumped := jumped_terms(state["history"], record):  # each term once in a run
                    record["loss_jumped"] = jumped
                state["history"].append(record)
                state["epoch"] = done
                audit_lines.epoch_trained(record["time_s"])
                if stops_early(state, config, trained.phase):
                    end = done  # its checkpoint and line, as the last epoch's
                audited: list[dict[str, Any]] = []
                last = done == config.run.epochs or stopped_early_at(state) == done  # audited too
                if audit_enabled and (done % config.run.audit_every == 0 or last):
                    with memory_checked("while auditing the networks", epoch=running,
                                         hint=_AUDIT_HINT), audit_lines.timed():
                        audited = _audit(module, bundle, config, folder, runtime, epoch=done)
                    state["audit"] += audited
                with interrupts_deferred():  # an interrupt must not split the checkpoint from its record
                    if done % config.run.checkpoint_every == 0 or done == end:
                        save_checkpoint(folder.checkpoint, config=config, module=module,
                                        optimizers=optimizers, schedulers=schedulers,
                                        loader_generator=loader_generator, state=state,
                                        runtime=runtime, num_classes=bundle.num_classes,
                                        input_shape=bundle.input_shape,
                                        trained_with=code_and_data, epochs_saved=epochs_saved)
                        epochs_saved = done
                    if improved and val is not None:
                        write_best(folder, state)
                    # after the checkpoint, the epoch's line then its audit's: a write that fails
                    # leaves no audit of an epoch that metrics.jsonl lacks (a resume rewrites both)
                    folder.append("metrics.jsonl", [record])
                    folder.append("audit.jsonl", audited)
                if runtime.is_main and config.run.print_every:
                    unprinted = (record, audited, audit_lines.last_s)
                    if _printed(done, end, config.run.print_every):
                        unprinted = None
                        _print_epoch(record, audited, audit_lines.last_s, config, labels,
                                     audit_lines)
                    if done == first_done and (pace := pace_line(record, end, device)):
                        print(pace, flush=True)
                    if reread_load and (slowed := _slowed_epoch(state["history"], first_done)):
                        reread_load = False
                        if busy := _busy_since_line(*slowed):
                            print(busy, file=sys.stderr, flush=True)
                if runtime.is_main:  # the warnings, under the epoch's line
                    step = {"lr": config.optim.lr, "grad_clip": config.optim.grad_clip}
                    for line in loss_jump_warnings(record, **step):
                        print(line, flush=True)
                    if audited and (cost := audit_lines.cost_line()):  # once, under any print_every
                        print(cost, flush=True)
                    if "fell_to_chance_from" in record:
                        print(fell_to_chance_warning(record["fell_to_chance_from"], record, **step),
                              flush=True)
                    if stopped_early_at(state) == done:
                        print(early_stop_line(state, config, trained.phase), flush=True)
                if stopped_early_at(state) == done:
                    break
            return finished_summary(config, module, state, folder, run_dir, teacher_acc)
        except Exception as err:  # what was saved: every process counts the epochs it saved
            failure = err if isinstance(err, TrainingError) else data_read_failure(
                err, config.data.name, doing=doing, running=running, epochs_saved=epochs_saved,
                resume=config.run.resume)
            if failure is None and isinstance(err, RuntimeError):  # another process gone
                failure = failure_of_lost_peer(err, runtime, doing, running)
            if failure is None:
                raise
            checkpoint = None if epochs_saved is None else folder.checkpoint
            failed = failure.replaced(checkpoint=checkpoint, epochs_saved=epochs_saved or 0,
                                      resume=config.run.resume, epochs_done=state["epoch"])
            folder.record_failure(failed)  # the report says why it stopped
            raise failed from err
    except KeyboardInterrupt as interrupt:
        # torchrun sends SIGTERM to every process once one has died: it may reach this one as
        # its failure is made (a collective call failed as the other went), or before
        leaving = failure_leaving(interrupt)
        failure = leaving or failure_of_peer_sigterm(interrupt, runtime, doing, running)
        if failure is None and isinstance(stopped := as_stopped(interrupt, runtime), TrainingError):
            failure = stopped  # the SIGTERM followed another process's recorded failure
        if failure is not None:  # caused by torchrun's SIGTERM where it found the peer gone
            failed = failure.replaced(
                checkpoint=None if epochs_saved is None else folder.checkpoint,
                epochs_saved=epochs_saved or 0, resume=config.run.resume,
                epochs_done=state["epoch"])
            folder.record_failure(failed)
            raise failed from leaving or interrupt
        raise TrainingInterrupted(run_dir, epoch=None if doing else running, doing=doing or "",
                                  epochs_saved=epochs_saved, resume=config.run.resume,
                                  epochs_done=state["epoch"]) from interrupt
    finally:
        if unprinted is not None:
            _print_epoch(*unprinted, config, labels, audit_lines)


def _teacher_named(config: TrainConfig, module: nn.Module, bundle: Any, teacher_bundle: Any,
                   checkpoint: Path | None) -> str:
    """The teacher of ``module`` as a refusal of its outputs names it
    (:func:`~pidkit_distill.training.teacher_outputs.teacher_described`, its cached file named
    by the teacher's data: ``teacher_bundle`` under ``teacher.data_options``, else ``bundle``);
    nothing for a module without a teacher to check (a teacher's own run:
    :func:`~pidkit_distill.training.teacher_outputs.check_teacher_outputs`)."""
    if getattr(module, "teacher_features", None) is None:
        return ""
    data = teacher_bundle if config.teacher.data_options else bundle
    return teacher_described(config, checkpoint, data=data)


_CHECK_HINT = "lower data.batch_size"
_EVAL_HINT = "lower data.eval_batch_size"
_AUDIT_HINT = "lower audit.max_samples or data.eval_batch_size"


def _audit(module: nn.Module, bundle: Any, config: TrainConfig, folder: RunFolder,
           runtime: Runtime, *, epoch: int) -> list[dict[str, Any]]:
    """Run the PID audit on rank 0: its records, each naming the run (:func:`fit` appends them
    to ``audit.jsonl`` after the epoch's checkpoint and line)."""
    records: list[dict[str, Any]] = []
    if runtime.is_main:
        from pidkit_distill.audit.layer_pid import audit_distiller

        limits = threadpool_limits(config.run.threads) if config.run.threads else nullcontext()
        with limits, audit_refusal_failing_run(epoch):
            records = audit_distiller(module, bundle.test, epoch=epoch, settings=config.audit,
                                      device=runtime.device,
                                      batch_size=config.data.eval_batch_size,
                                      progress=None if config.run.progress else False)
        for record in records:
            record["run"] = folder.path.name
    if runtime.distributed:
        dist.barrier()
    return records


def _printed(done: int, end: int, every: int) -> bool:
    """Whether the line of the ``done``-th epoch is printed: every ``every`` epochs
    (``run.print_every``) and the last one of the invocation (``end``); none when ``every`` is 0.
    (An error or interrupt prints the last epoch done, if not yet: :func:`fit`.)

    Examples
    --------
    >>> [done for done in range(1, 11) if _printed(done, 10, 4)]
    [4, 8, 10]
    >>> [done for done in range(1, 11) if _printed(done, 10, 0)]
    []
    """
    return every > 0 and (done % every == 0 or done == end)


def _slowed_epoch(history: list[dict[str, Any]],
                  first: int) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The last epoch of ``history`` and the fastest earlier one of its phase trained since
    epoch ``first`` (this invocation's), where the last took :data:`_SLOWER` times as long or
    more; else ``None``.

    >>> history = [{"epoch": epoch, "phase": "student", "time_s": seconds}
    ...            for epoch, seconds in ((1, 2.6), (2, 2.0), (3, 8.1))]
    >>> [record["epoch"] for record in _slowed_epoch(history, 1)]
    [3, 2]
    >>> _slowed_epoch(history, 3) is None  # epochs 1 and 2 ran before a resume
    True
    """
    *earlier, last = history
    same = [record for record in earlier
            if record["epoch"] >= first and record["phase"] == last["phase"]]
    fastest = min(same, key=lambda record: record["time_s"], default=None)
    if fastest is None or not 0 < _SLOWER * fastest["time_s"] <= last["time_s"]:
        return None
    return last, fastest


def _busy_since_line(record: dict[str, Any], fastest: dict[str, Any]) -> str | None:
    """The line of a CPU run on torch's one thread per core (``run.threads`` unset) whose epoch
    ``record`` took far longer than ``fastest`` (:func:`_slowed_epoch`) where the load average
    of the last minute, less the run's own threads, is at least the CPU cores this process may
    use (:func:`~pidkit_distill.devices.cpu_load`), as the run's first line says at its start
    where the machine is busy then; ``None`` where it is less, not known, where torch runs one
    thread or where no person watches stderr."""
    threads = torch.get_num_threads()
    if threads < 2 or not person_is_watching():
        return None
    load, cores = cpu_load() or (0.0, 0)
    if not cores or load - threads < cores:
        return None
    return (f"warning: epoch {record['epoch']} took {record['time_s']:.1f}s, "
            f"{record['time_s'] / fastest['time_s']:.0f} times epoch {fastest['epoch']}'s "
            f"{fastest['time_s']:.1f}s: the load average is {load:.1f} on {cores} CPU core(s), "
            f"{threads} of it at most this run's, and run.threads is 0 (torch's one thread per "
            "core), whose threads then wait on each other; stop the run and resume it with "
            "--resume --run.threads 1 (run.resume=true, run.threads=1: a resume may change it)")


def _print_epoch(record: dict[str, Any], audited: list[dict[str, Any]], audit_s: float,
                 config: TrainConfig, labels: dict[str, str], audit_lines: AuditLines) -> None:
    """An epoch's line, its loss terms named by ``labels``
    (:func:`~pidkit_distill.training.epoch_lines.epoch_line`), and, under it, if audited, the
    line of its audit's innermost layer, which took ``audit_s`` seconds, and the notes on it
    (:meth:`~pidkit_distill.training.epoch_lines.AuditLines.print_audit`)."""
    print(epoch_line(record, config, labels), flush=True)
    if audited:
        audit_lines.print_audit(audited, audit_s)
