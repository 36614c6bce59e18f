"""A run folder whose ``metrics.jsonl`` or ``config.json`` is a folder is told so from Python
too, as ``pidkit-distill report`` and ``--resume`` tell it (task 255): ``load_runs`` and
``load_run`` said "'RUN' is not a run folder (no metrics.jsonl)" (or, beside a checkpoint.pt,
that its metrics.jsonl is missing), sending the user looking for a missing file."""

from __future__ import annotations

import json

import pytest

from pidkit_distill.run_folders.records import load_run, load_runs


def _run(folder, *, checkpoint: bool = False):
    """A one-epoch run folder, written by hand."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({
        "data": {"name": "digits"}, "method": {"name": "bas", "params": {}},
        "teacher": {"source": "trained"}, "run": {"epochs": 1}}))
    (folder / "metrics.jsonl").write_text(json.dumps({"epoch": 1, "test_acc": 0.5}) + "\n")
    if checkpoint:
        (folder / "checkpoint.pt").write_bytes(b"")
    return folder


def _a_folder_in_place_of(path):
    path.unlink()
    (path / "inside").mkdir(parents=True)


# a sweep's folder holding a run whose config.json is a folder finds no run in it (its search
# looks for config.json files), as the report does
@pytest.mark.parametrize(("name", "through_sweep"), [
    ("metrics.jsonl", False), ("metrics.jsonl", True), ("config.json", False)])
def test_load_runs_says_a_run_file_is_a_folder(tmp_path, name, through_sweep):
    run = _run(tmp_path / "runs" / "a")
    _a_folder_in_place_of(run / name)
    with pytest.raises(IsADirectoryError) as info:
        load_runs([run.parent if through_sweep else run])
    assert str(info.value) == (f"cannot read '{run}/{name}': it is a folder, not a run's {name}: "
                               "move it away, then rerun the same command")


def test_load_run_beside_a_checkpoint_says_metrics_jsonl_is_a_folder(tmp_path):
    # beside config.json and checkpoint.pt, it said the metrics.jsonl was missing ("deleted or
    # moved?")
    run = _run(tmp_path / "a", checkpoint=True)
    _a_folder_in_place_of(run / "metrics.jsonl")
    with pytest.raises(IsADirectoryError, match=r"^cannot read '.*/a/metrics\.jsonl': it is a "
                                                r"folder, not a run's metrics\.jsonl: move it"):
        load_run(run)

