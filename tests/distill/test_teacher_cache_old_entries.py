"""A teacher cached by an older version, which does not record the run settings that its
folder's name now hashes (``run_numbers``), is told by what it does record: the settings of its
run and the processes of each epoch in its folder's ``metrics.jsonl``; epochs that record no
number of processes (every teacher cached before 3 Dec) were trained by one process unless the
folder shows torchrun (``run.sync_bn`` set, a ``checkpoint.pt`` of several processes' random
states), and the run says in one line that it takes them so. A setting none of these tells (no
``run.threads`` in its record, a sign of torchrun) is no match for any run, not taken for its
unset value: the run says so in one line, offers ``--teacher PATH``, and trains nothing wrong.
A file that records ``run.device = "auto"`` is told by where it was trained, not by the
machine that reads it."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import train_teacher
from pidkit_distill.data import describe_dataset
from pidkit_distill.training.teacher import check_cached_teacher, read_teacher_file
from pidkit_distill.training.teacher_sources import teacher_run_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SPEC = describe_dataset("synthetic")


@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    """A teacher trained and cached by this version with the tiny settings (one thread)."""
    out_dir = tmp_path_factory.mktemp("cached")
    return train_teacher(tiny(out_dir, "teacher.source=trained", "teacher.epochs=1"))


def _rewrite(path, saved):
    """Write ``saved`` to ``path`` by a new file: the one read is mapped (``mmap``)."""
    torch.save(saved, path.with_suffix(".new"))
    path.with_suffix(".new").replace(path)


def _old_entry(cached, folder, *, run=None, processes=1):
    """A copy of ``cached``'s folder in ``folder`` as an older version left it: its
    ``teacher.pt`` without ``run_numbers`` (its run table replaced by ``run`` where given), and
    its ``metrics.jsonl``'s epochs recording ``processes`` (``None``: no such field)."""
    shutil.copytree(cached.parent, folder)
    path = folder / "teacher.pt"
    saved = dict(read_teacher_file(path))
    saved.pop("run_numbers", None)
    if run is not None:
        saved["config"] = {**saved["config"], "run": run}
    _rewrite(path, saved)
    lines = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    for line in lines:
        line.pop("processes")
        if processes is not None:
            line["processes"] = processes
    (folder / "metrics.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _refusal(path, config):
    with pytest.raises(ValueError) as err:
        check_cached_teacher(read_teacher_file(path), path, config=config, spec=SPEC,
                             sizes_known=False)
    return str(err.value)


def test_this_version_records_the_run_numbers_its_folder_is_named_by(cached):
    assert read_teacher_file(cached)["run_numbers"] == {"threads": 1}


def test_an_old_entry_that_tells_its_settings_is_reused(cached, tmp_path):
    path = _old_entry(cached, tmp_path / "old")
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    check_cached_teacher(read_teacher_file(path), path, config=config, spec=SPEC,
                         sizes_known=False)  # run.threads=1 recorded, one process per epoch


def test_an_old_entry_without_run_threads_is_no_match_for_the_default_run(cached, tmp_path):
    run = {k: v for k, v in read_teacher_file(cached)["config"]["run"].items() if k != "threads"}
    path = _old_entry(cached, tmp_path / "old", run=run)
    default = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.threads=0")
    assert _refusal(path, default) == (
        f"teacher file {str(path)!r} does not record the number of CPU threads it was trained "
        "with (an older version wrote it), which gives a teacher other numbers, so it is not "
        "taken for this run's 1 CPU thread; it is the teacher cached for these settings: delete "
        f"{path.parent} to train it again, or pass --teacher {path} to use it as it is")


def _taken_as_one(path, config):
    return check_cached_teacher(read_teacher_file(path), path, config=config, spec=SPEC,
                                sizes_known=False)


def test_an_old_entry_whose_epochs_record_no_processes_is_taken_as_one_process(cached, tmp_path):
    path = _old_entry(cached, tmp_path / "old", processes=None)
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    assert _taken_as_one(path, config) == (
        f"taking the teacher {path} as trained by one process (no torchrun): an older pidkit "
        "did not record the number of torchrun processes, and its folder shows no sign of "
        "torchrun")
    # a file that records its count, or epochs that record theirs, need no such line
    assert _taken_as_one(cached, config) is None
    assert _taken_as_one(_old_entry(cached, tmp_path / "told"), config) is None


def test_epochs_of_an_old_entry_recording_one_process_or_none_are_one_process(cached, tmp_path):
    path = _old_entry(cached, tmp_path / "old", processes=None)
    old = (path.parent / "metrics.jsonl").read_text()
    told = {**json.loads(old), "epoch": 2, "processes": 1}  # resumed by a version recording it
    (path.parent / "metrics.jsonl").write_text(old + json.dumps(told) + "\n")
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    assert _taken_as_one(path, config).startswith("taking the teacher")


def test_old_epochs_without_a_count_in_a_folder_showing_torchrun_are_no_match(cached, tmp_path):
    synced = {**read_teacher_file(cached)["config"]["run"], "sync_bn": True}
    path = _old_entry(cached, tmp_path / "synced", run=synced, processes=None)
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    assert _refusal(path, config) == (
        f"teacher file {str(path)!r} does not record the number of torchrun processes it was "
        "trained with (an older version wrote it; its run.sync_bn=True, which acts under "
        "torchrun alone, says torchrun trained it), which gives a teacher other numbers, so it "
        "is not taken for this run's one process (no torchrun); it is the teacher cached for "
        f"these settings: delete {path.parent} to train it again, or pass --teacher {path} to "
        "use it as it is")
    path = _old_entry(cached, tmp_path / "two", processes=None)
    checkpoint = path.parent / "checkpoint.pt"
    saved = torch.load(checkpoint, weights_only=True)
    _rewrite(checkpoint, {**saved, "rng": saved["rng"] * 2})  # the states of 2 processes
    assert "(an older version wrote it; its checkpoint.pt was written by 2 processes, so " \
           "torchrun trained it), which gives" in _refusal(path, config)


def test_a_run_finding_an_old_entry_of_no_count_reuses_it_saying_so(cached, tmp_path, capsys):
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    folder = tmp_path / teacher_run_config(config).run.name
    path = _old_entry(cached, folder, processes=None)
    before = path.read_bytes()
    assert train_teacher(config) == path
    out = capsys.readouterr().out
    assert out.startswith(f"taking the teacher {path} as trained by one process (no torchrun)")
    assert "reusing the teacher" in out and "training the teacher" not in out
    assert path.read_bytes() == before


def test_what_an_old_entry_tells_differs_is_said_before_what_it_does_not_tell(cached, tmp_path):
    path = _old_entry(cached, tmp_path / "old", processes=None)
    two = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.threads=2")
    assert "was trained with 1 CPU thread, but this run has 2 CPU threads, which gives a " \
           "teacher other numbers" in _refusal(path, two)


def test_an_old_entry_trained_by_two_processes_is_not_reused_by_one(cached, tmp_path):
    path = _old_entry(cached, tmp_path / "old", processes=2)
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    message = _refusal(path, config)
    assert "was trained with 2 torchrun processes, but this run has one process (no " \
           "torchrun), which gives a teacher other numbers" in message
    assert message.endswith(f"to train it again, or pass --teacher {path} to use it as it is")


@pytest.mark.parametrize("run", [None, "cpu", {"threads": "1", "device": 7, "amp": "no"}])
def test_an_old_entry_with_a_damaged_run_table_is_refused_in_one_line(cached, tmp_path, run):
    path = _old_entry(cached, tmp_path / "old", run=run)
    if run is None:  # no run table at all
        saved = read_teacher_file(path)
        _rewrite(path, {**saved, "config": {k: v for k, v in saved["config"].items()
                                            if k != "run"}})
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    message = _refusal(path, config)
    # run.sync_bn is not asked for: its metrics.jsonl says one process, where it does nothing
    assert f"teacher file {str(path)!r} does not record the number of CPU threads or " \
           "run.device or run.amp it was trained with (an older version wrote it), which gives " \
           "a teacher other numbers, so it is not taken for this run's 1 CPU thread, " \
           "run.device='cpu', run.amp=False; it is the teacher cached" in message
    assert "\n" not in message


def test_a_file_of_a_gpu_run_of_device_auto_is_not_a_cpu_teacher(cached, tmp_path):
    # this version records where "auto" trained; the record of its settings alone does not
    path = tmp_path / "gpu" / "teacher.pt"
    shutil.copytree(cached.parent, path.parent)
    saved = read_teacher_file(path)
    run = {**saved["config"]["run"], "device": "auto"}
    _rewrite(path, {**saved, "config": {**saved["config"], "run": run},
                    "run_numbers": {"threads": 1, "device": "cuda"}})
    cpu = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.device=cpu")
    assert "was trained with run.device='cuda', but this run has run.device='cpu'" \
        in _refusal(path, cpu)


def test_a_run_finding_an_old_entry_in_its_folder_stops_with_one_line(cached, tmp_path):
    default = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1", "run.threads=0")
    folder = tmp_path / teacher_run_config(default).run.name
    run = {k: v for k, v in read_teacher_file(cached)["config"]["run"].items() if k != "threads"}
    path = _old_entry(cached, folder, run=run)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"does not record the number of CPU threads it was "
                                         r"trained with"):
        train_teacher(default)
    assert path.read_bytes() == before  # neither reused nor overwritten
