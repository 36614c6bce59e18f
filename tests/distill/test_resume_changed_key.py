"""A resume refused for a changed key says how to start a new run (task 278): it said "restore
those values or start a new run", and the run folder holds a checkpoint, which a new run of the
same name refuses to overwrite; the way is another run.name, as the refusal of an older
version's checkpoint says."""

from __future__ import annotations

from pathlib import Path

import pytest

from pidkit_distill import load_config
from pidkit_distill.config import config_to_dict
from pidkit_distill.training.checkpoint import check_resumable


def test_a_changed_key_names_the_way_to_a_new_run():
    saved = config_to_dict(load_config(overrides=["optim.lr=0.05"]))
    with pytest.raises(ValueError) as err:
        check_resumable(saved, load_config(overrides=["optim.lr=0.1"]),
                        Path("runs/x/checkpoint.pt"))
    assert str(err.value).startswith(
        "cannot resume 'runs/x/checkpoint.pt': the configuration changed (optim.lr: 0.05 -> "
        "0.1); restore those values or start a new run (another run.name; a resume may change "
        "only data.eval_batch_size, ")


def test_the_default_preset_named_is_no_change():
    # '--method kd' resumed with '--preset paper' (kd's default) was refused as the change
    # "method.preset: '' -> 'paper'"
    saved = config_to_dict(load_config(overrides=["method.name=kd"]))
    check_resumable(saved, load_config(overrides=["method.name=kd", "method.preset=paper"]),
                    Path("runs/x/checkpoint.pt"))
    named = config_to_dict(load_config(overrides=["method.name=rid", "method.preset=paper-mean"]))
    check_resumable(named, load_config(overrides=["method.name=rid"]),
                    Path("runs/x/checkpoint.pt"))


def test_another_preset_is_still_a_change():
    saved = config_to_dict(load_config(overrides=["method.name=rid"]))  # paper-mean
    with pytest.raises(ValueError, match=r"configuration changed \(method.preset: 'paper-mean' "
                                         r"-> 'paper'\)"):
        check_resumable(saved, load_config(overrides=["method.name=rid", "method.preset=paper"]),
                        Path("runs/x/checkpoint.pt"))


def test_a_checkpoint_from_before_a_key_existed_resumes_with_the_value_that_did_the_same():
    # audit.cluster_seeds was added with 1, the audit of every run written before it: a run
    # started before the upgrade could not be continued after it ("checkpoint lacks the key")
    saved = config_to_dict(load_config())
    del saved["audit"]["cluster_seeds"]
    path = Path("runs/x/checkpoint.pt")
    check_resumable(saved, load_config(), path)
    with pytest.raises(ValueError, match=r"\(audit\.cluster_seeds: 1 -> 3\)"):
        check_resumable(saved, load_config(overrides=["audit.cluster_seeds=3"]), path)
    del saved["audit"]["seed"]  # a key with no such value is still refused as missing
    with pytest.raises(ValueError, match=r"audit\.seed"):
        check_resumable(saved, load_config(), path)
