"""``run.device`` as a user spells it: in any case (``CPU``, ``Cuda``), held in lower case so
that the device checks and the runtime read it; anything else told the closest choice.
``CPU`` was refused with "must be one of ['auto', 'cpu', 'cuda']". A CUDA device with an index
(``cuda:1``): test_run_device_index.py."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import ConfigValueError, check_config, load_config
from pidkit_distill.cli import main
from pidkit_distill.config import RunConfig, TrainConfig, config_from_dict, config_to_dict


@pytest.mark.parametrize(("given", "held"), [
    ("CPU", "cpu"), (" Cuda ", "cuda"), ("AUTO", "auto"), ("cpu", "cpu")])
def test_a_device_in_any_case_is_held_in_lower_case(given, held):
    assert load_config(overrides=[f"run.device={given}"]).run.device == held
    assert RunConfig(device=given).device == held
    assert config_from_dict({"run": {"device": given}}).run.device == held
    config = TrainConfig()
    config.run.device = given
    assert config.run.device == held
    assert dataclasses.replace(config.run, device=given).device == held
    assert config_to_dict(config)["run"]["device"] == held


def test_upper_case_cpu_passes_the_check(tmp_path):
    assert check_config(tiny(tmp_path, "run.device=CPU")).config.run.device == "cpu"


def test_upper_case_cuda_reaches_the_device_checks(tmp_path, monkeypatch):
    # as "cuda" does: the checks compare the value with "cuda"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)  # no words on it in the message
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError) as refused:
        check_config(tiny(tmp_path, "run.device=CUDA"))
    assert str(refused.value) == ("run.device: 'cuda' was asked for, but this machine has no "
                                  "CUDA device; use run.device=cpu or auto")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    for key, value in {"RANK": 0, "LOCAL_RANK": 0, "WORLD_SIZE": 4, "LOCAL_WORLD_SIZE": 4,
                       "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": 29500}.items():
        monkeypatch.setenv(key, str(value))
    with pytest.raises(ValueError, match=r"^run\.device: on CUDA each process of a torchrun "
                                         r"takes its own GPU \(cuda:LOCAL_RANK\), but torchrun "
                                         r"started 4 processes"):
        check_config(tiny(tmp_path, "run.device=CUDA"))


@pytest.mark.parametrize(("device", "message"), [
    # torch.device refuses these: no index of its form
    ("cuda:01", "got 'cuda:01'. Did you mean 'cuda'?"),
    ("cuda:-1", "got 'cuda:-1'. Did you mean 'cuda'?"),
    ("cuda:", "got 'cuda:'. Did you mean 'cuda'?"),
    ("cdua", "got 'cdua'. Did you mean 'cuda'?"),
    ("gpu", "got 'gpu'. Did you mean 'cuda'?"),  # not 'cpu', the closest in spelling
    ("Atuo", "got 'atuo'. Did you mean 'auto'?"),
    ("nvidia", "got 'nvidia'"),
])
def test_nonsense_is_refused_with_the_closest_choice(device, message):
    with pytest.raises(ConfigValueError) as refused:
        load_config(overrides=[f"run.device={device}"])
    assert str(refused.value) == ("config key 'run.device' must be one of ['auto', 'cpu', "
                                  f"'cuda', 'cuda:N'], {message}")


def test_a_nonsense_device_from_the_command_gets_the_guess_or_an_example(tmp_path, capsys):
    assert main(["train", "--device", "CDUA", "--out-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("pidkit-distill train: error: --device CDUA: config key "
                                       "'run.device' must be one of ['auto', 'cpu', 'cuda', "
                                       "'cuda:N']. Did you mean 'cuda'?\n")
    assert main(["train", "--device", "nvidia", "--out-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == ("pidkit-distill train: error: --device nvidia: config key "
                                       "'run.device' must be one of ['auto', 'cpu', 'cuda', "
                                       "'cuda:N']; e.g. --device auto\n")
