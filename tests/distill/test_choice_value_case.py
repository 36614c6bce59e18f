"""A choice value given in another case (``--audit.estimator Discrete``, ``schedule =
"Constant"``) is the choice, from every source (an option, a ``--config`` file,
``load_config``, ``config_from_dict``, a section class), held in its one spelling: a run given
it is the run given the lower-case spelling, which it resumes (task t-408). It was refused with
"Did you mean 'discrete'?". A value that spells no choice is refused as before."""

from __future__ import annotations

import json

import pytest
from tiny_runs import RID, TINY

from pidkit_distill import AuditConfig, OptimConfig, TrainConfig, load_config
from pidkit_distill.cli import main
from pidkit_distill.config import config_from_dict, config_to_dict

ERROR = "pidkit-distill train: error: "

CHOICES = [("optim.schedule", "Constant"), ("optim.schedule", "KD-RID-Effective"),
           ("optim.milestone_unit", "Fraction"), ("audit.cluster_rule", "FIXED"),
           ("audit.normalize", "None"), ("audit.estimator", "Gaussian"),
           ("audit.bias_correction", "EB-Extrapolation")]


@pytest.mark.parametrize(("key", "typed"), CHOICES)
def test_a_choice_in_another_case_is_the_choice_from_every_source(tmp_path, key, typed):
    section, name = key.split(".")
    expected = typed.lower()
    path = tmp_path / "c.toml"
    path.write_text(f"[{section}]\n{name} = {typed!r}\n")
    from_file, from_override = load_config(path), load_config(overrides=[f"{key}={typed}"])
    from_dict = config_from_dict({section: {name: typed}})
    built = TrainConfig()
    setattr(getattr(built, section), name, typed)
    lower = load_config(overrides=[f"{key}={expected}"])
    for config in (from_file, from_override, from_dict, built):
        assert config_to_dict(config) == config_to_dict(lower)
        assert getattr(getattr(config, section), name) == expected


def test_the_section_classes_hold_the_choice_as_spelt():
    audit = AuditConfig(estimator="GAUSSIAN", bias_correction="Wishart", cluster_rule="Auto")
    assert (audit.estimator, audit.bias_correction, audit.cluster_rule) == (
        "gaussian", "wishart", "auto")
    audit.check()
    assert OptimConfig(schedule="PAPER", milestone_unit="EPOCH").schedule == "paper"


@pytest.mark.parametrize(("option", "typed", "told"), [
    ("--optim.schedule", "Constnt", "config key 'optim.schedule' must be one of ['paper', "
                                    "'constant', 'cosine', 'kd-rid-effective']. Did you mean "
                                    "'constant'?"),
    ("--audit.estimator", "Gausian", "config key 'audit.estimator' must be one of ['discrete', "
                                     "'gaussian']. Did you mean 'gaussian'?"),
    # a correction of the other estimator, in capitals: held as it, then told whose it is
    ("--audit.bias_correction", "WISHART",
     "config key 'audit.bias_correction' must be one of ['auto', 'eb-extrapolation-kink', "
     "'eb-extrapolation', 'extrapolation', 'none'] with audit.estimator='discrete'. 'wishart' "
     "is a correction of audit.estimator 'gaussian': set audit.estimator gaussian, or "
     "audit.bias_correction auto"),
])
def test_a_value_that_spells_no_choice_is_still_refused(tmp_path, capsys, option, typed, told):
    argv = ["train", option, typed, "--out-dir", str(tmp_path / "runs")]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"{ERROR}{option} {typed}: {told}\n"


def test_a_run_given_capitals_is_the_run_given_lower_case_and_resumes_it(tmp_path, capsys):
    tiny = [item for setting in (*TINY, *RID[1:]) for item in ("--set", setting)]
    common = ["train", *tiny, "--epochs", "6", "--out-dir", str(tmp_path / "runs")]
    assert main([*common, "--method", "rid", "--optim.schedule", "constant",
                 "--audit.estimator", "gaussian", "--run.stop_after", "2"]) == 0
    (folder,) = (tmp_path / "runs").iterdir()
    before = json.loads((folder / "config.json").read_text())
    assert "stopped after epoch 2 of 6" in capsys.readouterr().out
    assert main([*common, "--method", "RID", "--optim.schedule", "Constant",
                 "--audit.estimator", "Gaussian", "--resume"]) == 0
    assert [path.name for path in (tmp_path / "runs").iterdir()] == [folder.name]
    after = json.loads((folder / "config.json").read_text())
    assert {key: after[key] for key in before if key != "run"} == {
        key: before[key] for key in before if key != "run"}
    assert (after["method"]["name"], after["optim"]["schedule"], after["audit"]["estimator"]) \
        == ("rid", "constant", "gaussian")
    epochs = [json.loads(line)["epoch"] for line in
              (folder / "metrics.jsonl").read_text().splitlines()
              if "epoch" in json.loads(line)]
    out = capsys.readouterr().out
    assert epochs[-1] == 6 and "after epoch 2" in out and "stopped after" not in out
