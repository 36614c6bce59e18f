"""Keys added to the configuration after runs were written split no experiment, retrain no teacher.

optim.optimizer, optim.min_lr and optim.warmup_epochs came after runs had been written: a run of
an older version lacks them in config.json, and a cached teacher's folder hashed an optim section
without them. Read as the values that train as those runs trained
(key_history.VALUES_BEFORE_KEYS_EXISTED), the older seed and the newer one are one experiment in
the report, and the teacher's key is the one it had. Keys a run's optimizer or schedule never
reads (momentum and nesterov under AdamW; the milestones under a cosine schedule) tell no
experiment apart either.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from tiny_runs import tiny

from pidkit_distill import train
from pidkit_distill.config.key_history import VALUES_BEFORE_KEYS_EXISTED
from pidkit_distill.config.teacher_keys import teacher_key
from pidkit_distill.run_folders.groups import group_runs, unused_keys
from pidkit_distill.run_folders.records import load_runs

pytestmark = pytest.mark.usefixtures("one_torch_thread")

ADDED_OPTIM = sorted(k.split(".", 1)[1] for k in VALUES_BEFORE_KEYS_EXISTED if k.startswith("optim."))


def _as_written_before_the_keys(run_dir):
    path = run_dir / "config.json"
    config = json.loads(path.read_text())
    for key in ADDED_OPTIM:
        del config["optim"][key]
    path.write_text(json.dumps(config))


def test_a_seed_written_before_the_keys_joins_its_experiment(tmp_path, capsys):
    for seed in (1, 2):
        train(tiny(tmp_path, "run.epochs=1", f"run.name=s{seed}", f"run.seed={seed}"))
    capsys.readouterr()
    _as_written_before_the_keys(tmp_path / "s1")
    runs = load_runs([str(tmp_path / "s1"), str(tmp_path / "s2")])
    assert [(group.label, group.seeds) for group in group_runs(runs)] == [("bas", [1, 2])]


def test_a_key_at_its_value_before_it_existed_keeps_the_teachers_hash():
    before = {"data": {"name": "digits"}, "optim": {"lr": 0.05, "momentum": 0.9}}
    now = {"data": {"name": "digits"}, "optim": {**before["optim"], "optimizer": "sgd",
                                                  "min_lr": 0.0, "warmup_epochs": 0}}

    def digest(settings):
        return hashlib.sha256(json.dumps(teacher_key(settings, {})).encode()).hexdigest()

    assert ADDED_OPTIM == ["min_lr", "optimizer", "warmup_epochs"]
    assert digest(now) == digest(before)
    assert digest({**now, "optim": {**now["optim"], "optimizer": "adamw"}}) != digest(before)
    assert digest({**now, "optim": {**now["optim"], "warmup_epochs": 2}}) != digest(before)


@pytest.mark.parametrize(("optim", "unused"), [
    ({"optimizer": "adamw", "schedule": "paper"}, {"optim.momentum", "optim.nesterov"}),
    ({"optimizer": "sgd", "schedule": "cosine"},
     {"optim.milestones", "optim.milestone_unit", "optim.gamma"}),
    ({"optimizer": "sgd", "schedule": "paper"}, set()),
])
def test_keys_the_optimizer_or_schedule_never_reads_are_unused(optim, unused):
    config = {"teacher": {"source": "trained"}, "run": {"audit_every": 5}, "optim": optim}
    assert unused_keys(config) == unused
