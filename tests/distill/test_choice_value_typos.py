"""A misspelt choice of the configuration is told the choice it meant (t-400 finding 2):
``--optim.schedule constnt`` listed the choices and ended with an example of the default,
``e.g. --optim.schedule paper``, where ``run.device`` said ``Did you mean 'cuda'?``."""

from __future__ import annotations

import pytest

from pidkit_distill import ConfigValueError
from pidkit_distill.cli import main
from pidkit_distill.config import config_from_dict

ERROR = "pidkit-distill train: error: "
SCHEDULES = "['paper', 'constant', 'cosine', 'kd-rid-effective']"


@pytest.mark.parametrize(("args", "told"), [
    (["--optim.schedule", "constnt"], f"--optim.schedule constnt: config key 'optim.schedule' "
                                      f"must be one of {SCHEDULES}. Did you mean 'constant'?"),
    (["--set", "optim.schedule=kd-rid-efective"],
     f"--set optim.schedule=kd-rid-efective: config key 'optim.schedule' must be one of "
     f"{SCHEDULES}. Did you mean 'kd-rid-effective'?"),
    (["--optim.milestone_unit", "epochs"], "--optim.milestone_unit epochs: config key "
                                           "'optim.milestone_unit' must be one of ['fraction', "
                                           "'epoch']. Did you mean 'epoch'?"),
    # nothing close: the choices and an example, as before
    (["--optim.schedule", "step"], f"--optim.schedule step: config key 'optim.schedule' "
                                   f"must be one of {SCHEDULES}; e.g. --optim.schedule paper"),
    (["--set", "optim.schedule=cosin"], f"--set optim.schedule=cosin: config key "
                                        f"'optim.schedule' must be one of {SCHEDULES}. Did you "
                                        "mean 'cosine'?"),
    (["--optim.optimizer", "adam"], "--optim.optimizer adam: config key 'optim.optimizer' must "
                                    "be one of ['sgd', 'adamw']. Did you mean 'adamw'?"),
])
def test_a_misspelt_choice_typed_is_told_the_closest_in_one_line(capsys, args, told):
    assert main(["train", *args]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{told}\n")


def test_a_misspelt_choice_of_the_config_file_is_told_the_closest_naming_the_file(tmp_path,
                                                                                   capsys):
    path = tmp_path / "c.toml"
    path.write_text("[optim]\nschedule = 'Papr'\n")  # 'Paper', another case, is 'paper'
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}config file {str(path)!r}: config key 'optim.schedule' must be one of "
        f"{SCHEDULES}, got 'Papr'. Did you mean 'paper'?\n")


def test_a_misspelt_choice_from_python_is_told_the_closest():
    with pytest.raises(ConfigValueError) as refused:
        config_from_dict({"optim": {"schedule": "constnt"}})
    assert str(refused.value) == (f"config key 'optim.schedule' must be one of {SCHEDULES}, got "
                                  "'constnt'. Did you mean 'constant'?")
    assert (refused.value.key, refused.value.value, refused.value.advised) == (
        "optim.schedule", "constnt", True)
