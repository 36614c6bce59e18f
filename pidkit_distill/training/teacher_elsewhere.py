"""Where else a finished teacher lies as its own is about to be trained: the same teacher in
another ``run.out_dir`` (:func:`trained_elsewhere`, said by :func:`trained_elsewhere_note`), and,
for a teacher of ``run.threads`` 0 on the CPU, the teacher of these settings trained on another
count of CPU threads, or cached by an older pidkit that did not record its count
(:func:`other_threads_note`). Each is a line said before the training, never a reason not to
train: the run's folder is the user's choice.

Nothing here trains or reads a teacher (:mod:`~pidkit_distill.training.teacher` does); the
folders' names are :func:`~pidkit_distill.training.teacher_sources.teacher_run_config`'s.
"""

from __future__ import annotations

import itertools
import os
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

from pidkit_distill.config import RunConfig, TrainConfig
from pidkit_distill.training.teacher_sources import (
    run_numbers_now,
    teacher_run_config,
    teacher_run_settings,
)

__all__ = ["other_threads_note", "trained_elsewhere", "trained_elsewhere_note"]


_MOST_BESIDE = 256
"""How many entries of the folder that holds ``run.out_dir`` :func:`trained_elsewhere` looks
at, so that a ``run.out_dir`` in a crowded folder (``/tmp``, a home folder) stays cheap."""


def trained_elsewhere(run_dir: Path) -> list[Path]:
    """The finished ``teacher.pt`` files of the folders named as ``run_dir`` (the cached folder
    of a teacher, in its ``run.out_dir``) in the default ``run.out_dir`` (``runs``) and in the
    folders beside ``run_dir``'s ``run.out_dir`` (at most ``_MOST_BESIDE`` of them, one level
    deep): the same teacher, its folder's name hashing every setting that affects it, trained
    by a run of another ``run.out_dir``. ``run_dir``'s own folder is not among them; a folder
    that cannot be listed or read is left out.

    Examples
    --------
    >>> import tempfile
    >>> top = Path(tempfile.mkdtemp())
    >>> name = "teacher-digits-digits-teacher-s0-e1-0123abcd"
    >>> (top / "old" / name).mkdir(parents=True)
    >>> _ = (top / "old" / name / "teacher.pt").write_bytes(b"")
    >>> [str(path.relative_to(top)) for path in trained_elsewhere(top / "new" / name)]
    ['old/teacher-digits-digits-teacher-s0-e1-0123abcd/teacher.pt']
    """
    out_dir = run_dir.parent
    places = [Path(os.path.expanduser(RunConfig().out_dir)), *_folders_beside(out_dir)]
    seen = {os.path.realpath(out_dir)}
    found = []
    for place in places:
        real = os.path.realpath(place)
        if real in seen:
            continue
        seen.add(real)
        file = place / run_dir.name / "teacher.pt"
        try:
            if file.is_file():
                found.append(file)
        except OSError:
            continue
    return found


def _folders_beside(folder: Path) -> list[Path]:
    """The folders beside ``folder`` (in its parent, ``folder`` among them), sorted by name,
    of the first ``_MOST_BESIDE`` entries of the parent; none where it cannot be listed."""
    try:
        with os.scandir(folder.parent) as entries:
            names = [entry.name for entry in itertools.islice(entries, _MOST_BESIDE)
                     if entry.is_dir()]
    except OSError:
        return []
    return [folder.parent / name for name in sorted(names)]


def trained_elsewhere_note(run_dir: Path, *, for_student: bool) -> str | None:
    """The line said as the teacher of the cached folder ``run_dir`` starts training where
    another ``run.out_dir`` holds it finished (:func:`trained_elsewhere`): the first such file
    and how to reuse it, ``teacher.source`` (a student's run, ``for_student``) or
    ``run.out_dir``; ``None`` where none does. It is trained all the same: the run's folder is
    the user's choice. ``train(config)`` prints the line as the command does, so it names
    both spellings, the key (Python, a ``--config`` file) with the command's option after it,
    and both ways to stop (Ctrl-C, or interrupting a notebook's kernel).

    Examples
    --------
    >>> trained_elsewhere_note(Path("/nonexistent/runs/teacher-x"), for_student=True) is None
    True

    The folder ``a`` beside ``b`` holds the teacher finished:

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "a" / "teacher-x").mkdir(parents=True)
    >>> _ = (root / "a" / "teacher-x" / "teacher.pt").write_bytes(b"")
    >>> note = trained_elsewhere_note(root / "b" / "teacher-x", for_student=True)
    >>> print(note.replace(str(root), "TMP"))
    note: TMP/a/teacher-x/teacher.pt holds this very teacher, trained before with the same \
settings in another run.out_dir, and it is trained again here in TMP/b/teacher-x; to reuse it \
instead, stop this run (Ctrl-C, or interrupt the kernel in a notebook) and rerun with \
teacher.source='TMP/a/teacher-x/teacher.pt' (--teacher TMP/a/teacher-x/teacher.pt) or \
run.out_dir='TMP/a' (--out-dir TMP/a)
    """
    found = trained_elsewhere(run_dir)
    if not found:
        return None
    file, more = found[0], found[1:]
    out_dir = file.parent.parent
    also = f" (also in {len(more)} more: {', '.join(str(path) for path in more)})" if more else ""
    teacher = (f"teacher.source={str(file)!r} (--teacher {shlex.quote(str(file))}) or "
               if for_student else "")
    return (f"note: {file}{also} holds this very teacher, trained before with the same settings "
            f"in another run.out_dir, and it is trained again here in {run_dir}; to reuse it "
            "instead, stop this run (Ctrl-C, or interrupt the kernel in a notebook) and rerun "
            f"with {teacher}run.out_dir={str(out_dir)!r} (--out-dir {shlex.quote(str(out_dir))})")


def other_threads_note(config: TrainConfig, bundle: Any, samples: str | None, run_dir: Path, *,
                       for_student: bool, threads: int | None = None) -> str | None:
    """The line said as the teacher of ``config`` (``run.threads`` 0) starts training in
    ``run_dir`` on the CPU where its ``run.out_dir``, or another one (:func:`trained_elsewhere`),
    holds the teacher of these settings finished on another count of CPU threads (1 up to the
    cores, at least 64), or, in another ``run.out_dir``, cached by an older pidkit that did not
    record its count (its folder's name holds none): the first such file, the counts, and how
    to reuse it (``teacher.source``, for a student's run, ``run.threads`` or ``run.out_dir``).
    The count changes the teacher's numbers in rounding, so it has a folder of its own
    (:func:`~pidkit_distill.training.teacher_sources.teacher_run_numbers`), and a shell of
    ``OMP_NUM_THREADS=1`` and one of torch's count do not share their teachers. ``None`` where
    ``run.threads`` is set, on a GPU, or where none is found.

    Parameters
    ----------
    config : TrainConfig
        The student's run (or ``train-teacher``'s) configuration.
    bundle : DatasetBundle or None
        The teacher's data (a registered data set's teacher is in the folder of its samples).
    samples : str or None
        The fingerprint of its training samples.
    run_dir : Path
        The folder the teacher is trained in.
    for_student : bool
        A student's run needs the teacher: the note names ``teacher.source`` too.
    threads : int, optional
        The count the run keys its teacher by (under torchrun, rank 0's); torch's own,
        ``torch.get_num_threads()``, where it is not given.

    Examples
    --------
    An older pidkit cached the teacher in ``old``, in the folder of the name without the count:

    >>> import tempfile
    >>> from pidkit_distill import load_config
    >>> top = Path(tempfile.mkdtemp())
    >>> config = load_config(overrides=[f"run.out_dir={top / 'new'}", "run.device=cpu"])
    >>> before = top / "old" / teacher_run_config(config, threads=0).run.name
    >>> before.mkdir(parents=True)
    >>> _ = (before / "teacher.pt").write_bytes(b"")
    >>> run_dir = top / "new" / teacher_run_config(config, threads=2).run.name
    >>> note = other_threads_note(config, None, None, run_dir, for_student=False, threads=2)
    >>> print(note.replace(str(top), "TMP"))
    note: TMP/old/teacher-digits-digits-teacher-s0-e30-.../teacher.pt holds a teacher of these \
settings cached by an older pidkit, which did not record how many CPU threads torch used \
(run.threads=0: its own count, set by OMP_NUM_THREADS or the cores), and another count gives a \
teacher other numbers in rounding, so it is trained again here on 2 CPU thread(s) in \
TMP/new/teacher-digits-digits-teacher-s0-e30-...; to reuse that one instead, stop this run \
(Ctrl-C, or interrupt the kernel in a notebook) and rerun with run.out_dir='TMP/old' \
(--out-dir TMP/old), which takes it as trained on this run's count
    """
    now = run_numbers_now(teacher_run_settings(config), threads).get("threads")
    if config.run.threads or now is None:  # a count the user chose, or a GPU's teacher
        return None
    for count in (n for n in range(1, max(os.cpu_count() or 1, 64) + 1) if n != now):
        pinned = replace(config, run=replace(config.run, threads=count))
        folder = run_dir.parent / teacher_run_config(pinned, data=bundle,
                                                     fingerprint=samples).run.name
        found = [folder / "teacher.pt"] if (folder / "teacher.pt").is_file() else \
            trained_elsewhere(folder)
        if found:
            return (f"note: {found[0]} holds a teacher of these settings trained on {count} CPU "
                    f"thread(s), but torch uses {now} here (run.threads=0: its own count, set "
                    "by OMP_NUM_THREADS or the cores), which gives a teacher other numbers in "
                    f"rounding, so it is trained again here in {run_dir}; to reuse that one "
                    "instead, stop this run (Ctrl-C, or interrupt the kernel in a notebook) and "
                    f"rerun with {_reuse(found[0], run_dir, for_student=for_student, count=count)}")
    # this run.out_dir's own folder of that name is the run's where it holds a teacher
    # (teacher_run_config): only another run.out_dir's is left to name
    found = trained_elsewhere(run_dir.parent / teacher_run_config(
        config, data=bundle, fingerprint=samples, threads=0).run.name)
    if not found:
        return None
    return (f"note: {found[0]} holds a teacher of these settings cached by an older pidkit, which "
            "did not record how many CPU threads torch used (run.threads=0: its own count, set "
            "by OMP_NUM_THREADS or the cores), and another count gives a teacher other numbers "
            f"in rounding, so it is trained again here on {now} CPU thread(s) in {run_dir}; to "
            "reuse that one instead, stop this run (Ctrl-C, or interrupt the kernel in a "
            f"notebook) and rerun with {_reuse(found[0], run_dir, for_student=for_student)}, "
            "which takes it as trained on this run's count")


def _reuse(file: Path, run_dir: Path, *, for_student: bool, count: int | None = None) -> str:
    """The settings (key and option) that reuse the teacher file ``file`` instead of the one
    trained in ``run_dir``: ``teacher.source`` for a student's run (``for_student``), else or
    also ``run.threads=count`` where ``count`` is given, with ``run.out_dir`` where ``file``
    is in another one.

    Examples
    --------
    >>> file = Path("/a/teacher-x/teacher.pt")
    >>> _reuse(file, Path("/a/teacher-y"), for_student=False, count=2)
    'run.threads=2 (--run.threads 2)'
    >>> _reuse(file, Path("/b/teacher-y"), for_student=True)
    "teacher.source='/a/teacher-x/teacher.pt' (--teacher /a/teacher-x/teacher.pt), or \
run.out_dir='/a' (--out-dir /a)"
    """
    out_dir = file.parent.parent
    teacher = (f"teacher.source={str(file)!r} (--teacher {shlex.quote(str(file))}), or "
               if for_student else "")
    threads = f"run.threads={count} (--run.threads {count})" if count is not None else ""
    where = "" if out_dir == run_dir.parent else \
        f"run.out_dir={str(out_dir)!r} (--out-dir {shlex.quote(str(out_dir))})"
    return teacher + " and ".join(filter(None, [threads, where]))
