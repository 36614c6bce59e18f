"""The trained network of a run folder, back as a model: :func:`load_student`.

A run folder's ``checkpoint.pt`` holds the student's weights (the last epoch's, and, with a
validation split, the best epoch's), the run's configuration and the data's sizes; the network
is built again by name (:func:`~pidkit_distill.models.build_model`) for those sizes, so the
data set is not needed (CIFAR's files need not be on the machine).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

from pidkit.utils import did_you_mean
from pidkit_distill.config import TrainConfig, config_from_dict
from pidkit_distill.config.registered_record import recorded_registered
from pidkit_distill.data import describe_dataset
from pidkit_distill.devices import devices_here
from pidkit_distill.models import available_models, build_model, model_fingerprint
from pidkit_distill.registry import WRN_NAME, registry_key
from pidkit_distill.run_folders.files import checkpoint_written, read_metrics, read_run_config
from pidkit_distill.run_folders.records import RunRecords, given_run
from pidkit_distill.run_folders.search import did_you_mean_run_folder, holds_run, run_folders
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.run_folders.unwritten import unwritten_run
from pidkit_distill.training.best_epoch import BEST_FILE, VALIDATION
from pidkit_distill.training.checkpoint import read_checkpoint, recorded_sizes
from pidkit_distill.training.outcomes import out_of_memory_error

__all__ = ["STUDENT_WEIGHTS", "WRITTEN_BY_TRAIN", "load_student", "run_folder_path",
           "unregistered_model_refusal"]

STUDENT_WEIGHTS = ("last", "best")
"""The weights :func:`load_student` can give a run's student (its ``weights``): the last
checkpoint's, or the best epoch's."""

WRITTEN_BY_TRAIN = "written by train(config) or `pidkit-distill train`"
"""What wrote the run folder that :func:`load_student` and
:func:`~pidkit_distill.load_run_teacher` take, as their errors say it: they are called from
Python only, so Python's way comes first."""


def load_student(run_dir: str | bytes | os.PathLike[str] | RunRecords | RunSummary, *,
                 weights: str = "last", map_location: str | torch.device = "cpu") -> nn.Module:
    """The student that a run trained, read from its folder, ready to use.

    Reads ``RUN_DIR/checkpoint.pt`` (with ``torch.load(weights_only=True)``: a file holding
    anything but tensors and plain values is refused before anything in it runs; its tensors
    mapped, ``mmap=True``, so that only the student's weights are read of it), builds the
    run's ``model.student`` with :func:`~pidkit_distill.models.build_model` for the number of
    classes and input channels of the run's data, which the checkpoint records, loads the
    weights strictly and returns the model in eval mode. A checkpoint written before the sizes
    were recorded takes them from the run's data (:func:`~pidkit_distill.data.describe_dataset`),
    which must then be readable: digits and synthetic always are, CIFAR needs its files, a data
    set of your own its registration. A teacher's run folder (method ``teacher``:
    ``pidkit-distill train-teacher``'s, or the cached teacher under ``run.out_dir``) gives the
    teacher. The caller's random state is left as it was.

    ``weights="last"`` (the default) gives the last checkpoint's student: after a complete run,
    the student of the last epoch, whose held-out accuracy is ``summary.json``'s ``last_acc``.
    ``weights="best"`` gives the student of the run's best epoch (``summary.json``'s
    ``best_epoch``), whose held-out accuracy is ``best_acc``: in a run with a validation split
    (``data.val_fraction > 0``), the epoch of the best validation accuracy, whose weights the
    checkpoint keeps (the weights ``RUN_DIR/best.pt`` holds too); in a run without one, the
    epoch of the best held-out accuracy, whose weights are kept only where it is the last
    checkpoint's epoch (else the run's best student is refused: it was not kept).

    For a model of your own, the checkpoint records a fingerprint of its builder's code
    (:func:`~pidkit_distill.models.model_fingerprint`). Where the builder registered now has
    other code (a notebook's cell edited and run again: ``ReLU`` made ``Tanh``), the weights are
    loaded all the same, as ``torch.load`` and scikit-learn's models of another version load,
    but with a :class:`RuntimeWarning`: the network is not the one the weights were trained in,
    and its outputs are not the run's (its accuracy is not ``last_acc``). A change that leaves
    the network as it was (a variable renamed) changes the fingerprint too, so it is a warning,
    not a refusal: restore the code the run was trained with to have its student, or ignore the
    warning where you know the network is the same. A builder edited to other shapes is refused
    (the weights do not fit). Resuming such a run is refused
    (:func:`~pidkit_distill.train`).

    Parameters
    ----------
    run_dir : str, bytes, path, RunSummary or RunRecords
        A run folder written by ``pidkit-distill train`` or :func:`~pidkit_distill.train`
        (``run.out_dir/run.name``), or the ``RunSummary`` that ``train`` returned or the
        ``RunRecords`` of :func:`~pidkit_distill.load_runs`,
        for their folder (as :func:`~pidkit_distill.write_report` takes them).
    weights : {"last", "best"}, default="last"
        Which of the run's students: the last checkpoint's (``last_acc``), or the best
        epoch's (``best_acc``).
    map_location : str or torch.device, default="cpu"
        The device the model is moved to (``"cuda"``, ``"cuda:1"``, ...).

    Returns
    -------
    torch.nn.Module
        The network :func:`~pidkit_distill.models.build_model` gives (``model(x)`` returns the
        logits, ``model.forward_features(x)`` the distilled features), in eval mode. For a
        model of your own, that is the :class:`~pidkit_distill.models.TappedModel` around it;
        its ``.model`` is your own module, with the same weights (to export, say).

    Raises
    ------
    ValueError
        ``run_dir`` is no folder or no run folder, holds no checkpoint yet (the run stopped
        before its first one) or none any more (deleted, or not copied with the folder: its
        ``metrics.jsonl`` records an epoch its train wrote one by), or a checkpoint that is
        damaged, not safe to load or does not fit its model; the run's model is one of your own
        not registered in this process (run the code that registers it first), or the
        checkpoint does not record the data's sizes and the run's data cannot be described
        here; ``map_location`` is not a device this machine has; ``weights`` is neither
        ``"last"`` nor ``"best"`` (the message names the one meant), or is ``"best"`` for a run
        that has no best epoch yet (no epoch checkpointed trained the student: RID's warm-up)
        or has no validation split and a best epoch that is not its last checkpoint's (its
        weights were not kept).
    TypeError
        ``run_dir`` is none of a path, a ``RunSummary`` and a ``RunRecords``.
    OSError
        The checkpoint could not be read (no permission, a failing disk): the message names it
        and the system's reason.
    MemoryError
        Memory ran out while the checkpoint was read: the message names it.

    Warns
    -----
    RuntimeWarning
        The checkpoint is older than the last epoch ``metrics.jsonl`` records (the run stopped,
        or is still training, between checkpoints of ``run.checkpoint_every``): the warning
        names the epoch of the student (of a teacher's run, the teacher) returned and its
        held-out accuracy; with ``weights="best"``, only where an epoch after the checkpoint
        was better than the best epoch it keeps, which the warning names. Or
        ``model.student``'s builder has other code than the run was trained with (see above).

    Examples
    --------
    >>> import tempfile
    >>> import torch
    >>> from pidkit_distill import load_config, load_student, train
    >>> tiny = ["data.name=synthetic", "data.options.n_train=64", "data.options.n_test=32",
    ...         "model.teacher=synthetic-teacher", "model.student=synthetic-student",
    ...         "teacher.source=untrained", "run.audit_every=0",
    ...         f"run.out_dir={tempfile.mkdtemp()}"]
    >>> cfg = load_config(overrides=[*tiny, "run.epochs=1", "run.name=doc"])
    >>> summary = train(cfg)                                      # doctest: +ELLIPSIS
    [bas] epoch 1/1 ...
    >>> student = load_student(summary.run_dir)
    >>> student.training, student(torch.zeros(5, 32)).shape   # 32 inputs, 4 classes
    (False, torch.Size([5, 4]))

    The best epoch's student, in a run that chose it on a validation split:

    >>> cfg = load_config(overrides=[*tiny, "data.val_fraction=0.25", "run.epochs=3",
    ...                              "run.name=doc-val"])
    >>> summary = train(cfg)                                      # doctest: +ELLIPSIS
    [bas] epoch 1/3 ...
    >>> best = load_student(summary.run_dir, weights="best")   # of epoch summary.best_epoch
    >>> best.training, summary.selected_on
    (False, 'validation')
    """
    if weights not in STUDENT_WEIGHTS:
        hint = did_you_mean(weights, STUDENT_WEIGHTS) if isinstance(weights, str) else ""
        raise ValueError(f"weights={weights!r} is neither 'last' (the student of the last "
                         "checkpoint, whose held-out accuracy is summary.json's last_acc) nor "
                         f"'best' (the student of the best epoch, best_acc).{hint}")
    path = run_folder_path(run_dir)
    checkpoint = path / "checkpoint.pt"
    if not checkpoint.is_file():
        raise ValueError(_no_checkpoint(path))
    # mapped: of the whole training state (the teacher, the optimizers), only the student's
    # weights are read, as they are copied into the model
    try:
        saved = read_checkpoint(checkpoint, mmap=True)
    except ValueError as err:
        raise ValueError(f"run_dir: {err}") from None
    except MemoryError as err:
        refused = out_of_memory_error(checkpoint, what="checkpoint", then="call load_student again")
        raise MemoryError(f"run_dir: {refused}") from err
    try:
        config = config_from_dict(_without_run_name(saved["config"]))
    except (TypeError, ValueError) as err:
        raise ValueError(f"run_dir: checkpoint {str(checkpoint)!r} holds no run configuration ({err})"
                         "; the file is damaged") from None
    name = config.model.student
    state = _best_weights(path, saved, config) if weights == "best" else saved["student"]
    if not isinstance(state, dict):
        held = "best epoch's student" if weights == "best" else "'student'"
        raise ValueError(f"run_dir: checkpoint {str(checkpoint)!r} holds no student weights (its "
                         f"{held} is a {type(state).__name__}, not a state dict); the file "
                         "is damaged")
    try:
        recorded = recorded_sizes(saved, checkpoint)
    except ValueError as err:
        raise ValueError(f"run_dir: {err}") from None
    sizes = _data_sizes(path, config) if recorded is None else {
        "num_classes": recorded["num_classes"], "in_channels": recorded["input_shape"][0]}
    try:
        with torch.random.fork_rng(devices=[]):  # building draws initial weights
            model = build_model(name, **sizes)
    except (TypeError, ValueError) as err:
        if refusal := unregistered_model_refusal(path, "student", name, err, again="load_student"):
            raise ValueError(refusal) from None
        raise ValueError(f"run_dir {str(path)!r}: its student model.student={name!r} cannot be "
                         f"built for {sizes}: {err}") from None
    try:
        model.load_state_dict(state)
    except RuntimeError as err:
        detail = " ".join(str(err).split())
        raise ValueError(f"run_dir: checkpoint {str(checkpoint)!r}: its student weights do not fit "
                         f"model.student={name!r} ({detail[:300]}); the file is damaged, or "
                         f"{name!r} is registered with another builder than the run's") from None
    behind = _better_since(path, saved) if weights == "best" else _behind_the_logs(path, saved)
    if behind:
        warnings.warn(behind, RuntimeWarning, stacklevel=2)
    edited = _edited_builder(saved, name)
    if edited:
        warnings.warn(f"run_dir {str(path)!r}: {edited}", RuntimeWarning, stacklevel=2)
    return _moved(model, map_location).eval()


def run_folder_path(run_dir: str | bytes | os.PathLike[str] | RunRecords | RunSummary) -> Path:
    """The path of the run folder that ``run_dir`` names: a path (str, bytes or Path, ``~``
    expanded), a ``RunRecords``' folder, or a ``RunSummary``'s (anything with a ``run_dir``
    path); whether a folder is there is left to the caller.

    Parameters
    ----------
    run_dir : str, bytes, path, RunSummary or RunRecords
        The run folder, as :func:`load_student` and
        :func:`~pidkit_distill.load_run_teacher` take it.

    Returns
    -------
    pathlib.Path
        The folder's path.

    Raises
    ------
    TypeError
        ``run_dir`` is none of these; the message names the type given.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> run_folder_path(b"runs/x").as_posix()
    'runs/x'
    >>> run_folder_path(SimpleNamespace(run_dir="runs/y")).as_posix()  # a RunSummary's
    'runs/y'
    >>> run_folder_path(3)
    Traceback (most recent call last):
    ...
    TypeError: run_dir: a run is given by its folder (a str, bytes or Path), its RunRecords or \
the RunSummary that train returned; got 3 (int)
    """
    given = given_run(run_dir, "run_dir")
    return given.path if isinstance(given, RunRecords) else Path(given).expanduser()


def _edited_builder(saved: dict[str, Any], name: str) -> str | None:
    """What a warning says where the builder of the model ``name`` registered now has other
    code than the one the checkpoint ``saved`` records the fingerprint of; ``None`` where it
    has the same, or the checkpoint records none (the package's own model, or a checkpoint
    written before fingerprints were recorded)."""
    recorded = saved.get("trained_with")
    before = recorded.get("model.student") if isinstance(recorded, dict) else None
    now = model_fingerprint(name)
    if not isinstance(before, str) or now is None or now == before:
        return None
    return (f"model.student={name!r} is registered with other code than the run was trained "
            f"with (its builder's fingerprint is {now}, the checkpoint's {before}): its weights "
            "are loaded into a network they were not trained in, whose outputs (and accuracy) "
            "are not the run's; restore the code the run was trained with to have its student")


def _no_checkpoint(path: Path) -> str:
    """The error for a folder ``path`` without ``checkpoint.pt`` to load: why, and what to do."""
    named = f"run_dir {str(path)!r}"
    if not path.exists():
        return (f"{named} does not exist; pass a run folder {WRITTEN_BY_TRAIN}"
                f"{did_you_mean_run_folder(path)}")
    if not path.is_dir():
        inside = holds_run(path.parent)  # its checkpoint.pt, say
        return (f"{named} is a file, not a run folder; pass "
                + (f"the run folder it is in, {str(path.parent)!r}" if inside else
                   f"a run folder {WRITTEN_BY_TRAIN}"))
    if (path / "config.json").is_file():
        try:
            config = read_run_config(path)
        except ValueError as err:  # not a run's config.json (a model folder's), or damaged
            return f"run_dir: {err}"
        except OSError:  # not readable: the run's settings are not known
            config = {}
        every = (config.get("run") or {}).get("checkpoint_every", "N")
        metrics = _logged_epochs(path) or []
        done = metrics[-1]["epoch"] if metrics else 0
        if config and checkpoint_written(path, config, done):
            return (f"{named} holds no checkpoint.pt, though its train had written one by epoch "
                    f"{done}, the last its metrics.jsonl records (run.checkpoint_every = "
                    f"{every}): it was deleted or not copied with the folder; pass the run "
                    "folder where its checkpoint.pt is (a resume here trains the run again "
                    "from epoch 1)")
        return (f"{named} holds no checkpoint.pt: the run stopped (or is still training) before "
                f"its first checkpoint (written every run.checkpoint_every = {every} epoch(s) and "
                "after the last), so there is no trained student yet; resume the run or train it "
                "again")
    if unwritten := unwritten_run(path, once_written="load its student once the run has "
                                  "written its first checkpoint.pt"):
        return f"{named} holds no run: {unwritten}"
    held = run_folders(path)
    listed = f"; it holds run folders: pass one, such as {str(held[0])!r}" if held else ""
    return (f"{named} is not a run folder (no config.json, no checkpoint.pt); pass a folder "
            f"{WRITTEN_BY_TRAIN} (run.out_dir/run.name){listed}")


def _logged_epochs(path: Path) -> list[dict[str, Any]] | None:
    """The epoch records of the ``metrics.jsonl`` of the run folder ``path``, without a warning
    for a cut-off last line (the report's to tell); ``None`` where it cannot be read (loading
    the student does not need it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return read_metrics(path)
    except (OSError, ValueError):
        return None


def _behind_the_logs(path: Path, saved: dict[str, Any]) -> str | None:
    """What to say when the network (student, or a teacher's run's teacher) of the checkpoint
    ``saved`` of the run folder ``path`` is older than the last epoch its ``metrics.jsonl``
    records (a run stopped, or still training, between two checkpoints of
    ``run.checkpoint_every``): which epoch's network it is, with
    that epoch's held-out accuracy, and what to do; ``None`` when it is the last epoch's, or
    where ``metrics.jsonl`` cannot be read (loading the student does not need it)."""
    metrics = _logged_epochs(path)
    if metrics is None:
        return None
    epoch = saved["epoch"]
    # read_metrics refuses a record whose epoch or accuracy is no number; a checkpoint that
    # another tool wrote may hold no epoch number
    last = metrics[-1]["epoch"] if metrics else None
    if last is None or not isinstance(epoch, int) or last <= epoch:
        return None
    accuracy = {m["epoch"]: m["test_acc"] for m in metrics}
    network, later = _between_checkpoints(saved)

    def after(at: int) -> str:
        acc = accuracy.get(at)
        return f"epoch {at}" + ("" if acc is None else f" (held-out accuracy {acc:.4f})")

    return (f"run_dir {str(path)!r}: this is the {network} after {after(epoch)}, the last "
            f"checkpointed, but metrics.jsonl records the run up to {after(metrics[-1]['epoch'])}"
            f"{later}")


def _better_since(path: Path, saved: dict[str, Any]) -> str | None:
    """What to say when an epoch that the ``metrics.jsonl`` of the run folder ``path`` records
    after the checkpoint ``saved`` (a run stopped, or still training, between two checkpoints)
    was better than the best epoch the checkpoint keeps: on the validation accuracy where the
    run has a split, else on the held-out accuracy; ``None`` where none was, or where
    ``metrics.jsonl`` cannot be read."""
    metrics = _logged_epochs(path)
    epoch = saved["epoch"]
    if metrics is None or not isinstance(epoch, int):
        return None
    chosen = saved.get(VALIDATION)
    key, best, what = (("val_acc", chosen["best_val_acc"], "validation") if isinstance(chosen, dict)
                       else ("test_acc", saved["best_acc"], "held-out"))
    since = [m for m in metrics if m["epoch"] > epoch and isinstance(m.get(key), (int, float))
             and not isinstance(m[key], bool) and m[key] > best]
    if not since:
        return None
    better = max(since, key=lambda m: m[key])  # the first of a tie, as the trainer chooses
    network, later = _between_checkpoints(saved)
    return (f"run_dir {str(path)!r}: this is the {network} of epoch {saved['best_epoch']} "
            f"({what} accuracy {best:.4f}), the best of the {epoch} epoch(s) checkpointed, but "
            f"metrics.jsonl records a better epoch since, epoch {better['epoch']} ({what} "
            f"accuracy {better[key]:.4f}){later}")


def _between_checkpoints(saved: dict[str, Any]) -> tuple[str, str]:
    """The network of the checkpoint ``saved`` (``"student"``, or a teacher's run's
    ``"teacher"``) and the end of a warning that it is older than the epochs ``metrics.jsonl``
    records: why, and how to have a later epoch's."""
    every = (saved["config"].get("run") or {}).get("checkpoint_every", "N")
    teacher = (saved["config"].get("method") or {}).get("name") == "teacher"
    network, resume = (("teacher", "run `pidkit-distill train-teacher` again with the same "
                        "settings (it resumes the teacher's run)") if teacher else
                       ("student", "resume a stopped run (run.resume=true)"))
    return network, (": the run stopped, or is still training, between checkpoints (written "
                     f"every run.checkpoint_every = {every} epoch(s) and after the last); for a "
                     f"later epoch's {network}, {resume} or wait for the next checkpoint of a "
                     "running one")


def _best_weights(path: Path, saved: dict[str, Any], config: TrainConfig) -> Any:
    """The student's weights at the best epoch that the checkpoint ``saved`` of the run folder
    ``path`` (of configuration ``config``) keeps: with a validation split, the weights the
    checkpoint keeps for it (:data:`VALIDATION`, as ``best.pt``), else the checkpoint's student
    where its epoch is the best; what the checkpoint holds there is the caller's to check (a
    damaged file's may be no weights).

    Raises
    ------
    ValueError
        No epoch of the checkpoint trained the student (RID's warm-up), so there is no best
        epoch; or the run has no validation split and its best epoch is not the checkpoint's:
        its weights were not kept.
    """
    chosen, epoch, best = saved.get(VALIDATION), saved["epoch"], saved["best_epoch"]
    if best == 0:  # only an epoch that trains the student can be the best (has_best)
        raise ValueError(f"run_dir {str(path)!r}: weights='best': none of the {epoch} epoch(s) "
                         "the checkpoint holds trained the student (RID's warm-up and filter "
                         "epochs, TED's stage 1, train the method's filters), so the run has no "
                         "best epoch yet; pass weights='last' for the student as it is, or "
                         "resume the run (run.resume=true) to train it")
    if config.data.val_fraction or isinstance(chosen, dict):  # every checkpoint of a split's run
        return chosen.get("student") if isinstance(chosen, dict) else None
    if best == epoch:
        return saved["student"]  # the last checkpoint's epoch is the best
    raise ValueError(f"run_dir {str(path)!r}: weights='best': the run has no validation split "
                     "(data.val_fraction = 0), so its train kept the student of its last "
                     f"checkpoint, epoch {epoch}, not that of its best epoch, {best} (best_acc, "
                     "the best held-out accuracy); pass weights='last' for the last "
                     "checkpoint's student, or train with a validation split "
                     "(data.val_fraction = 0.1, say), whose best epoch's weights are kept (the "
                     f"checkpoint's, and {BEST_FILE})")


def _data_sizes(path: Path, config: TrainConfig) -> dict[str, int]:
    """``num_classes`` and ``in_channels`` of the data of the run in folder ``path``
    (:func:`describe_dataset`), for a checkpoint that does not record them.

    Raises
    ------
    ValueError
        The data cannot be described here (CIFAR's files missing, a data set of your own not
        registered); the message names ``path`` and says what to do.
    """
    try:
        spec = describe_dataset(config.data.name, root=config.data.root or None,
                                seed=config.data.seed, **config.data.options)
    except (OSError, TypeError, ValueError) as err:
        detail = " ".join(str(err).split())
        raise ValueError(
            f"run_dir {str(path)!r}: its checkpoint.pt does not record the data's sizes (it was "
            "written before checkpoints did), and the run's data "
            f"(data.name={config.data.name!r}) cannot be described here to give them "
            f"({detail[:300]}); call load_student where the run's data can be read (a data set "
            "of your own registered first)") from None
    return {"num_classes": spec.num_classes, "in_channels": int(spec.input_shape[0])}


def _moved(model: nn.Module, map_location: str | torch.device) -> nn.Module:
    """``model`` on the device ``map_location``.

    Raises
    ------
    ValueError
        ``map_location`` is no device, or one this machine does not have.
    """
    try:
        return model.to(torch.device(map_location))
    except (RuntimeError, AssertionError, TypeError) as err:
        detail = " ".join(str(err).split())
        raise ValueError(f"map_location={map_location!r} is not a device the student can be "
                         f"moved to ({detail[:200]}); {devices_here()}") from None


def _without_run_name(data: Any) -> Any:
    """A checkpoint's configuration without ``run.name``, which loading its student does not
    read: a run named by a path (``a/b``, which the checks refuse since a0f3a51) still loads."""
    if isinstance(data, dict) and isinstance(data.get("run"), dict):
        return {**data, "run": {key: value for key, value in data["run"].items()
                                if key != "name"}}
    return data


def unregistered_model_refusal(path: Path, role: str, name: str, err: Exception, *,
                               again: str) -> str:
    """The refusal of the run folder ``path`` whose ``role`` model (``"student"``,
    ``"teacher"``) ``name`` could not be built because no model of that name is registered in
    this process, with the builder's error ``err`` and the function to call ``again`` once it
    is; ``""`` where the name is known (``err`` is then some other fault). Where the run's
    ``config.json`` records the module of the user's that registered it
    (:func:`~pidkit_distill.config.registered_record.recorded_registered`), the refusal names it.

    Examples
    --------
    >>> from pathlib import Path
    >>> err = ValueError("name='own' is not a known model")
    >>> print(unregistered_model_refusal(Path("runs/a"), "teacher", "own", err,
    ...                                  again="load_run_teacher"))
    run_dir 'runs/a': its teacher model.teacher='own' is not known in this process: name='own' \
is not a known model (in a notebook: import or run the code that registers it, then call \
load_run_teacher again)
    >>> unregistered_model_refusal(Path("runs/a"), "teacher", "digits-teacher", err, again="f")
    ''
    """
    key = registry_key(name)
    if WRN_NAME.match(key) or key in available_models():
        return ""
    try:
        source = recorded_registered(read_run_config(path)).get(f"model.{role}")
    except (OSError, ValueError):  # no config.json to say: the advice of any notebook
        source = None
    fix = ("in a notebook: import or run the code that registers it"
           if source in (None, "__main__") else
           f"this run registered it from {source}: import that module first")
    return (f"run_dir {str(path)!r}: its {role} model.{role}={name!r} is not known in this "
            f"process: {err} ({fix}, then call {again} again)")
