"""The report of seeds that ``run.early_stop`` ended at different epochs (t-490): each seed's
best acc over its own epochs, told by the states the report computed (not by reading each
``summary.json`` again) and from a config without ``run``."""

from __future__ import annotations

from pathlib import Path

from pidkit_distill.report.groups import seed_best_records
from pidkit_distill.run_folders.groups import RunGroup
from pidkit_distill.run_folders.records import RunRecords


def val_records(name: str, tests: list[float], vals: list[float],
                config: dict | None = None) -> RunRecords:
    """The records of a run ``name`` with a validation split, in a folder that does not exist
    (no summary.json to read): ``tests`` its held-out and ``vals`` its validation accuracy at
    epochs 1, 2, ...; ``config`` by default plans 10 epochs."""
    metrics = [{"epoch": e, "test_acc": test, "val_acc": val}
               for e, (test, val) in enumerate(zip(tests, vals, strict=True), 1)]
    return RunRecords(name, Path(f"/nonexistent/{name}"),
                      {"run": {"epochs": 10}} if config is None else config, metrics, [])


# stopped early after epochs 3 and 5 of 10: seed a's best validation epoch is 2 (held-out
# 0.70), b's 5 (0.82), which b reached after a stopped
STOPPED_A = ([0.50, 0.70, 0.65], [0.6, 0.8, 0.7])
STOPPED_B = ([0.50, 0.60, 0.66, 0.70, 0.82], [0.6, 0.7, 0.75, 0.8, 0.9])


def test_the_states_given_say_which_seeds_stopped_early_without_their_summary():
    group = RunGroup("kd", [val_records("a", *STOPPED_A), val_records("b", *STOPPED_B)])
    # finished ("" : run.early_stop ended each): each seed's own best epoch, b's after epoch 3
    best = seed_best_records(group, {"a": "", "b": ""})
    assert [(r["epoch"], r["test_acc"]) for r in best] == [(2, 0.70), (5, 0.82)]
    # b stopped (killed): over epochs 1-3, which both reached; b's best there is epoch 3
    best = seed_best_records(group, {"a": "", "b": "stopped"})
    assert [(r["epoch"], r["test_acc"]) for r in best] == [(2, 0.70), (3, 0.66)]
    # no states given: read from summary.json, which these runs lack, so not known to have
    # stopped early: over the epochs both reached, as before
    assert [r["epoch"] for r in seed_best_records(group)] == [2, 3]


def test_seeds_whose_config_names_no_run_epochs_are_finished():
    # a config without "run" (records a caller built): none known short of its epochs, as
    # stopped_early_at takes it, so each seed's best over all its epochs
    group = RunGroup("kd", [val_records("a", *STOPPED_A, config={}),
                            val_records("b", *STOPPED_B, config={})])
    assert [r["epoch"] for r in seed_best_records(group)] == [2, 5]
    assert [r["epoch"] for r in seed_best_records(group, {"a": "", "b": ""})] == [2, 5]
