"""A teacher of ``run.threads`` 0 on the CPU is keyed and recorded by the threads torch used
(``torch.get_num_threads()``, set by ``OMP_NUM_THREADS`` or the cores), which change its numbers
as ``run.threads`` does (walk t-450 H1): the Quick start under ``OMP_NUM_THREADS=1`` and again
under torch's 2 threads shared the folder ``...-1a80e5c4``, and the second said "holds this very
teacher" of a file of other weights (test accuracy 0.9844 against 0.9911). A teacher cached
before the count was recorded keeps loading, taken as trained on this run's count, saying so."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import load_config, train_teacher
from pidkit_distill.data import describe_dataset
from pidkit_distill.training.teacher import check_cached_teacher, read_teacher_file
from pidkit_distill.training.teacher_sources import (
    keyed_teacher,
    teacher_run_config,
    teacher_run_settings,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TEACHER = ("teacher.source=trained", "teacher.epochs=1", "run.threads=0")


@pytest.fixture
def two_torch_threads() -> Iterator[None]:
    """torch on 2 threads for the test's second half (``one_torch_thread`` restores the count
    the test started with)."""
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(1)


def _old_name(config) -> str:
    """The folder an older pidkit named ``config``'s teacher by: its key without torch's count
    (no ``run`` numbers on the CPU in one process), hashed as that version hashed it."""
    key = keyed_teacher(teacher_run_settings(config), {}, numbers={})
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:8]
    return teacher_run_config(config).run.name.rsplit("-", 1)[0] + f"-{digest}"


def test_a_teacher_of_run_threads_0_records_torchs_own_count(tmp_path):
    path = train_teacher(tiny(tmp_path, *TEACHER))
    assert read_teacher_file(path)["run_numbers"] == {"threads": 1}
    assert read_teacher_file(path)["config"]["run"]["threads"] == 0


def test_under_two_threads_it_is_trained_again_and_not_called_this_very_teacher(
        tmp_path, capsys, request):
    one = train_teacher(tiny(tmp_path / "a", *TEACHER))
    before = one.read_bytes()
    capsys.readouterr()
    request.getfixturevalue("two_torch_threads")
    elsewhere = train_teacher(tiny(tmp_path / "b", *TEACHER))
    out, err = capsys.readouterr()
    assert "this very teacher" not in err
    assert f"training the teacher synthetic-teacher for 1 epochs -> {elsewhere}" in out
    assert elsewhere.parent.name != one.parent.name
    assert read_teacher_file(elsewhere)["run_numbers"] == {"threads": 2}
    a = tmp_path / "a"
    [note] = [line for line in err.splitlines() if line.startswith("note: ")]
    assert note == (
        f"note: {one} holds a teacher of these settings trained on 1 CPU thread(s), but torch "
        "uses 2 here (run.threads=0: its own count, set by OMP_NUM_THREADS or the cores), which "
        "gives a teacher other numbers in rounding, so it is trained again here in "
        f"{elsewhere.parent}; to reuse that one instead, stop this run (Ctrl-C, or interrupt the "
        f"kernel in a notebook) and rerun with run.threads=1 (--run.threads 1) and "
        f"run.out_dir={str(a)!r} (--out-dir {a})")
    # in the first teacher's own run.out_dir: a folder of its own, the first one untouched;
    # the teacher of 2 threads that b holds now is this very teacher
    beside = train_teacher(tiny(a, *TEACHER))
    out, err = capsys.readouterr()
    assert "reusing" not in out and beside.parent.parent == a and beside != one
    assert beside.parent.name == elsewhere.parent.name
    [note] = [line for line in err.splitlines() if line.startswith("note: ")]
    assert note.startswith(f"note: {elsewhere} holds this very teacher, trained before")
    assert one.read_bytes() == before


@pytest.mark.parametrize("count", [1, 2])
def test_torchs_own_count_is_the_teacher_of_that_count_set(tmp_path, count):
    torch.set_num_threads(count)  # one_torch_thread gives back 1
    own = train_teacher(tiny(tmp_path / "own", *TEACHER))
    torch.set_num_threads(1)  # run.threads sets it for the run alone
    pinned = train_teacher(tiny(tmp_path / "set", *TEACHER, f"run.threads={count}"))
    assert own.parent.name == pinned.parent.name
    ours, theirs = read_teacher_file(own)["model"], read_teacher_file(pinned)["model"]
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_the_quick_starts_old_folder_is_the_one_the_walk_found():
    assert _old_name(load_config(overrides=["data.name=digits"])) \
        == "teacher-digits-digits-teacher-s0-e30-1a80e5c4"


@pytest.mark.parametrize("record", ["empty", "none"])
def test_an_old_teacher_of_run_threads_0_keeps_loading_taken_as_this_runs_count(
        tmp_path, capsys, request, record):
    trained = train_teacher(tiny(tmp_path / "then", *TEACHER))
    config = tiny(tmp_path / "runs", *TEACHER)
    old = tmp_path / "runs" / _old_name(config)
    assert old.name != trained.parent.name
    shutil.copytree(trained.parent, old)
    saved = dict(read_teacher_file(old / "teacher.pt"))
    if record == "empty":  # what the version before this one wrote
        saved["run_numbers"] = {}
    else:  # and the versions before it, whose epochs record their processes
        del saved["run_numbers"]
    torch.save(saved, old / "teacher.new")  # by a new file: the one read is mapped (mmap)
    (old / "teacher.new").replace(old / "teacher.pt")
    before = (old / "teacher.pt").read_bytes()
    taken = (f"taking the teacher {old / 'teacher.pt'} as trained on this run's 1 CPU thread: "
             "an older pidkit did not record how many CPU threads torch used with "
             "run.threads=0 (its own count, set by OMP_NUM_THREADS or the cores), and another "
             f"count gives a teacher other numbers in rounding; delete {old} to train a "
             "teacher of 1 CPU thread instead")
    assert check_cached_teacher(read_teacher_file(old / "teacher.pt"), old / "teacher.pt",
                                config=config, spec=describe_dataset("synthetic"),
                                sizes_known=False) == taken
    capsys.readouterr()
    request.getfixturevalue("two_torch_threads")
    assert train_teacher(config) == old / "teacher.pt"
    out = capsys.readouterr().out
    assert out.startswith(taken.replace("1 CPU thread", "2 CPU threads") + "\n")
    assert "reusing the teacher" in out and "training the teacher" not in out
    assert (old / "teacher.pt").read_bytes() == before


def test_an_old_teacher_in_another_out_dir_is_named_as_this_one_trains(tmp_path, capsys):
    config = tiny(tmp_path / "runs", *TEACHER)
    other = tmp_path / "old"
    old = other / _old_name(config)
    shutil.copytree(train_teacher(tiny(tmp_path / "then", *TEACHER)).parent, old)
    shutil.rmtree(tmp_path / "then")  # else named first, as this very teacher
    saved = dict(read_teacher_file(old / "teacher.pt"))
    saved["run_numbers"] = {}  # what the version before this one wrote
    torch.save(saved, old / "teacher.new")  # by a new file: the one read is mapped (mmap)
    (old / "teacher.new").replace(old / "teacher.pt")
    capsys.readouterr()
    path = train_teacher(config)
    [note] = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert note == (
        f"note: {old / 'teacher.pt'} holds a teacher of these settings cached by an older "
        "pidkit, which did not record how many CPU threads torch used (run.threads=0: its own "
        "count, set by OMP_NUM_THREADS or the cores), and another count gives a teacher other "
        f"numbers in rounding, so it is trained again here on 1 CPU thread(s) in {path.parent}; "
        "to reuse that one instead, stop this run (Ctrl-C, or interrupt the kernel in a "
        f"notebook) and rerun with run.out_dir={str(other)!r} (--out-dir {other}), which takes "
        "it as trained on this run's count")
    assert path.parent.name != old.name
    assert train_teacher(tiny(other, *TEACHER)) == old / "teacher.pt"  # the advice reuses it
    assert "taking the teacher" in capsys.readouterr().out
