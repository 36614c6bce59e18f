"""``load_config(path)`` refuses what ``pidkit-distill train --config path`` refuses, in the
same words, by the same check (task t-408): a method parameter that the method does not take
(one of another method's, or a misspelt one) or a value of one that it refuses, and an unknown
data set, model or method name, were accepted by ``load_config`` and refused only by the
command (or by ``train``, once the data was loaded)."""

from __future__ import annotations

import dataclasses

import pytest

from pidkit_distill import load_config
from pidkit_distill.cli import main
from pidkit_distill.methods import get_method

ERROR = "pidkit-distill train: error: "


def _parameters(method: str) -> list[str]:
    """The parameters that ``method`` takes: its Params dataclass's fields."""
    return sorted(field.name for field in dataclasses.fields(get_method(method).Params))


@pytest.mark.parametrize(("text", "told"), ids=[
    "another-method-s", "misspelt", "out-of-range", "method", "data", "model"], argvalues=[
    # a parameter of another method (KD's temperature) under RID
    ("[method]\nname = 'rid'\n[method.params]\ntemperature = 4.0\n",
     f"method.params: unknown parameter(s) ['temperature'] for method 'rid'; its parameters "
     f"are {_parameters('rid')}."),
    # a misspelt one, told the closest; an inline table is the same table
    ("[method]\nname = 'rid'\nparams = {lamda2 = 0.5}\n",
     f"method.params: unknown parameter(s) ['lamda2'] for method 'rid'; its parameters are "
     f"{_parameters('rid')}. Did you mean 'lambda2'?"),
    # a value the method refuses
    ("[method]\nname = 'kd'\n[method.params]\nalpha = 2.0\n",
     "method.params: alpha must be in [0, 1]; got 2.0."),
    ("[method]\nname = 'rdi'\n", "method.name: 'rdi' is not a known method; choose one of "),
    ("[data]\nname = 'digts'\n", "data.name: 'digts' is not a known dataset; choose one of "),
    ("[model]\nstudent = 'resnet'\n", "model.student: 'resnet' is not a known model; "),
])
def test_load_config_refuses_the_file_the_command_refuses_in_its_words(tmp_path, capsys, text,
                                                                        told):
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ValueError) as refused:  # a ConfigEntryTypeError is a ValueError too
        load_config(path)
    message = str(refused.value)
    assert message.startswith(f"config file {str(path)!r}: {told}")
    assert refused.value.key == told.split(":")[0]
    assert main(["train", "--config", str(path), "--out-dir", str(tmp_path / "runs")]) == 2
    assert capsys.readouterr().err == f"{ERROR}{message}\n"
    assert not (tmp_path / "runs").exists()


def test_an_entry_an_override_gave_is_told_without_the_file(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[method]\nname = 'rid'\n")
    with pytest.raises(TypeError) as refused:
        load_config(path, overrides=["method.params.temperature=4.0"])
    assert str(refused.value).startswith("method.params: unknown parameter(s) ['temperature'] "
                                         "for method 'rid'; ")
    with pytest.raises(TypeError, match=r"^method.params: unknown parameter\(s\) \['temprature'\] "
                                        r"for method 'kd'; .*Did you mean 'temperature'\?$"):
        load_config(overrides=["method.name=kd", "method.params.temprature=4.0"])


def test_the_file_s_right_parameters_and_an_override_that_mends_it_load(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[method]\nname = 'rid'\n[method.params]\nlambda2 = 0.5\n")
    assert load_config(path).method.params == {"lambda2": 0.5}
    path.write_text("[method]\nname = 'rid'\n[method.params]\ntemperature = 4.0\n")
    assert load_config(path, overrides=["method.name=kd"]).method.name == "kd"
