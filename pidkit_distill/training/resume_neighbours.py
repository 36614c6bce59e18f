"""The runs beside a run folder that ``--resume`` found without a checkpoint: which one the user
may have meant to continue, in which options the command differs from it, and how to continue it.

``run.resume`` continues the run folder's checkpoint if there is one and starts the run at epoch
1 if there is none (torchrun's restarts of a job rely on that), with a notice. The folder's
default name is made of options (``DATA-METHOD[-PRESET]-tt|ut|tp-sSEED``), so a resume with
another ``run.seed``, ``method.name``, ``method.preset`` or ``teacher.source`` looks in another
folder than the run's, and one with a ``run.name`` of its own in that folder: the notice then
names the run folders beside it that hold a checkpoint of a run this command would continue but
for those options (:func:`runs_beside`), and what to set to continue each
(:func:`runs_beside_advice`, which the check of the configuration, ``check_config``, adds to
the notice: the command line and Python's ``train(config)`` print the same line).
"""

from __future__ import annotations

import itertools
import os
import shlex
from pathlib import Path
from typing import Any

from pidkit_distill.config import TrainConfig, config_to_dict
from pidkit_distill.run_folders.files import ended_train_epochs, read_run_config
from pidkit_distill.starting_runs import started_run_of
from pidkit_distill.training.checkpoint import resume_changes

__all__ = ["NAMING_KEYS", "runs_beside", "runs_beside_advice"]

# the keys that name a run folder by default: a resume that changed one of them looks elsewhere
NAMING_KEYS = ("method.name", "method.preset", "run.seed", "teacher.source")
# the entries of run.out_dir looked at, and the run folders named, at most
_ENTRIES = 1000
_NAMED = 3


def runs_beside(config: TrainConfig,
                run_dir: Path) -> list[tuple[Path, dict[str, tuple[Any, Any]]]]:
    """The run folders beside ``run_dir`` (among the first entries of its parent, ``run.out_dir``)
    that hold a ``checkpoint.pt`` of a run that has not done ``config.run.epochs`` (a run that
    ended has nothing to continue) and whose ``config.json`` differs from ``config`` in no key
    that a resume may not change (:func:`~pidkit_distill.training.checkpoint.resume_changes`)
    but those of :data:`NAMING_KEYS`; each with those keys' values there and in ``config``
    (``teacher.source`` among them where it names another file, which a resume may name only
    where it holds the run's teacher, so that the advice to continue it always does),
    sorted by how many keys differ, then by name. Folders that cannot be read are left out, and
    so are the runs that a method starts from (TED's ``RUN.bas-init``).

    Parameters
    ----------
    config : TrainConfig
        The configuration of the run that resumes.
    run_dir : Path
        Its run folder, which holds no checkpoint.

    Returns
    -------
    list of (Path, dict)
        Each run folder, and for each key in which ``config`` differs from it, the value there
        and in ``config`` (a method's default preset by its name); ``{}``: the same
        configuration, in a folder of another name.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> runs_beside(load_config(), Path("/nonexistent/digits-bas-tt-s0"))
    []
    """
    try:
        with os.scandir(run_dir.parent) as entries:
            folders = [Path(entry.path) for entry in itertools.islice(entries, _ENTRIES)
                       if entry.is_dir() and entry.name != run_dir.name
                       and started_run_of(entry.name) is None]
    except OSError:
        return []
    sections = config_to_dict(config)
    found = []
    for folder in folders:
        if not os.path.isfile(folder / "checkpoint.pt"):
            continue
        done = ended_train_epochs(folder)
        if done is not None and done >= config.run.epochs:  # a run that ended: none to continue
            continue
        try:
            saved = {key: value for key, value in read_run_config(folder).items()
                     if key in sections}
        except (OSError, ValueError):  # not a run's, or not readable: not one to continue
            continue
        old, new, changed = resume_changes(saved, config)
        if old.get("teacher.source") != new.get("teacher.source") \
                and "teacher.source" not in changed:
            # one file for another: only the run's own teacher.source always resumes it
            # (another must hold its teacher: check_resumed_teacher), so the advice restores it
            changed = sorted([*changed, "teacher.source"])
        if set(changed) <= set(NAMING_KEYS):
            if ({"method.name", "method.preset"} <= set(changed) and not config.method.preset
                    and not _raw_preset(saved)):
                changed.remove("method.preset")  # each method's default: no option to restore
            found.append((folder, {key: (old[key], new[key]) for key in changed}))
    return sorted(found, key=lambda item: (len(item[1]), item[0].name))


def _raw_preset(saved: dict[str, Any]) -> Any:
    """The ``method.preset`` that a run's ``config.json`` records (``""``: its default)."""
    method = saved.get("method")
    return method.get("preset", "") if isinstance(method, dict) else ""


def runs_beside_advice(config: TrainConfig, run_dir: Path) -> str:
    """The end of the notice that ``run.resume`` found no checkpoint in ``run_dir``: the run
    folders beside it that the user may have meant (:func:`runs_beside`, the first three), each
    with the options in which ``config`` differs from it and the options that continue it, as
    typed on the command line and as keys for Python or a ``--config`` file; ``""`` where there
    is no such folder.

    Parameters
    ----------
    config : TrainConfig
        The configuration of the run that resumes.
    run_dir : Path
        Its run folder, which holds no checkpoint.

    Returns
    -------
    str
        ``"; beside it, ..."``, or ``""``.

    Examples
    --------
    A run of seed 0 stopped after its first epoch (its ``config.json`` and ``checkpoint.pt``),
    and a resume of seed 1, which looks in another folder:

    >>> import json, tempfile
    >>> from pidkit_distill import load_config
    >>> from pidkit_distill.config import config_to_dict
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / "digits-bas-tt-s0").mkdir()
    >>> _ = (out / "digits-bas-tt-s0" / "config.json").write_text(
    ...     json.dumps(config_to_dict(load_config())))
    >>> _ = (out / "digits-bas-tt-s0" / "checkpoint.pt").write_bytes(b"")
    >>> print(runs_beside_advice(load_config(overrides=["run.seed=1"]), out / "digits-bas-tt-s1"))
    ; beside it, 'digits-bas-tt-s0' holds a run that differs in run.seed (0 there, 1 now): to \
continue it, pass --run.name digits-bas-tt-s0 --run.seed 0 with --resume \
(run.name='digits-bas-tt-s0', run.seed=0 in Python or a --config file)
    """
    beside = runs_beside(config, run_dir)
    if not beside:
        return ""
    said = [_run_beside(folder, differs) for folder, differs in beside[:_NAMED]]
    more = f"; and {len(beside) - _NAMED} more" if len(beside) > _NAMED else ""
    return "; beside it, " + "; ".join(said) + more


def _run_beside(folder: Path, differs: dict[str, tuple[Any, Any]]) -> str:
    """One run folder beside the resumed one: how it differs and what continues it, as options
    of the command line and as keys (Python, a ``--config`` file)."""
    options = " ".join([f"--run.name {shlex.quote(folder.name)}",
                        *(f"--{key} {shlex.quote(str(old))}" for key, (old, _) in differs.items())])
    keys = ", ".join([f"run.name={folder.name!r}",
                      *(f"{key}={old!r}" for key, (old, _) in differs.items())])
    how = ("holds a run of this configuration" if not differs else
           "holds a run that differs in " + ", ".join(
               f"{key} ({old!r} there, {new!r} now)" for key, (old, new) in differs.items()))
    return (f"{folder.name!r} {how}: to continue it, pass {options} with --resume ({keys} in "
            "Python or a --config file)")
