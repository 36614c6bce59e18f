"""The example that ends the refusal of an option's value is one that does what the user was
after: for a key whose default, 0, turns its feature off, a value that turns it on.
``--data.val_fraction 1`` (or 50, a percentage) was told ``e.g. --data.val_fraction 0.0``,
which is no validation split at all (t-485's walk, item 8)."""

from __future__ import annotations

import pytest

from pidkit_distill import load_config
from pidkit_distill.cli import main
from pidkit_distill.config import config_fields

ERROR = "pidkit-distill train: error: "


@pytest.mark.parametrize(("argv", "line"), [
    (["--data.val_fraction", "1"], "--data.val_fraction 1: config key 'data.val_fraction' must "
     "be a finite number >= 0.0 and < 1.0; e.g. --data.val_fraction 0.1"),
    (["--data.val_fraction", "50"], "--data.val_fraction 50: config key 'data.val_fraction' "
     "must be a finite number >= 0.0 and < 1.0; e.g. --data.val_fraction 0.1"),
    (["--set", "data.val_fraction=-0.1"], "--set data.val_fraction=-0.1: config key "
     "'data.val_fraction' must be a finite number >= 0.0 and < 1.0; e.g. --set "
     "data.val_fraction=0.1"),
    (["--data.val_fraction", "tenth"], "--data.val_fraction tenth: config key "
     "'data.val_fraction' expects a float, got 'tenth' (str); e.g. --data.val_fraction 0.1"),
    (["--run.early_stop", "-1"], "--run.early_stop -1: config key 'run.early_stop' must be "
     ">= 0; e.g. --run.early_stop 5"),
    (["--optim.warmup_epochs", "-2"], "--optim.warmup_epochs -2: config key "
     "'optim.warmup_epochs' must be >= 0; e.g. --optim.warmup_epochs 5"),
    # 0 is no feature turned off here: the default stays the example
    (["--run.stop_after", "-1"], "--run.stop_after -1: config key 'run.stop_after' must be "
     ">= 0; e.g. --run.stop_after 0"),
    (["--run.threads", "-1"], "--run.threads -1: config key 'run.threads' must be >= 0; e.g. "
     "--run.threads 0"),
    (["--epochs", "0"], "--epochs 0: config key 'run.epochs' must be >= 1; e.g. --epochs 30"),
], ids=["val-1", "val-percent", "val-negative-set", "val-type", "early-stop", "warmup",
        "stop-after", "threads", "epochs"])
def test_a_refused_value_ends_with_an_example_that_does_what_was_meant(argv, line, capsys,
                                                                       tmp_path):
    assert main(["train", *argv, "--out-dir", str(tmp_path)]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{line}\n")
    assert list(tmp_path.iterdir()) == []


def test_the_keys_whose_default_turns_them_off_are_the_three_examples_change_for():
    # the rule reads the keys' help ("(0 = none", "(0 = never", "(0 = off"): a key added with
    # such a help gets an example of 0.1 (a share) or 5 (epochs), which must then be in range
    off = sorted(key for key, default, kind, text in config_fields()
                 if default == 0 and kind in (int, float)
                 and any(f"(0 = {word}" in text for word in ("none", "never", "off")))
    assert off == ["data.val_fraction", "optim.warmup_epochs", "run.early_stop"]
    config = load_config(overrides=["data.val_fraction=0.1", "optim.warmup_epochs=5",
                                    "run.early_stop=5"])
    assert (config.data.val_fraction, config.optim.warmup_epochs, config.run.early_stop) == (
        0.1, 5, 5)
