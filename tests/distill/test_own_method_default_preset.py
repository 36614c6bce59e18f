"""A method of the user's that declares no presets has one named ``default`` (walk t-467 L3): it
was ``paper``, which ``--list-methods`` and ``summary.json`` showed for a method that has no
paper. The shipped methods keep ``paper``, and a run of a user's method saved with the old name
(``method.preset`` ``"paper"``) still resumes: the configurations compare equal."""

from __future__ import annotations

import pytest
import torch
from own_distillers import LogitMatch, tapped_mlp

from pidkit_distill import load_config
from pidkit_distill.cli import main
from pidkit_distill.config import config_to_dict
from pidkit_distill.methods import get_method, register_method, unregister_method
from pidkit_distill.methods.bas import BAS
from pidkit_distill.methods.base import default_preset_of
from pidkit_distill.training.checkpoint import resume_changes


@pytest.fixture
def own_methods():
    register_method("own-plain")(type("OwnPlain", (LogitMatch,), {}))
    register_method("own-paper")(type("OwnPaper", (LogitMatch,), {
        "presets": {"default": {}, "paper": {}}}))
    register_method("own-bas")(type("OwnBAS", (BAS,), {}))
    yield
    for name in ("own-plain", "own-paper", "own-bas"):
        unregister_method(name)


def _preset_change(method: str, saved_preset: str, preset: str) -> list[str]:
    saved = config_to_dict(load_config(overrides=[f"method.name={method}",
                                                  f"method.preset={saved_preset}"]))
    return resume_changes(saved, load_config(overrides=[f"method.name={method}",
                                                        f"method.preset={preset}"]))[2]


@pytest.mark.usefixtures("own_methods")
def test_a_method_that_declares_no_presets_lists_default(capsys):
    assert main(["train", "--list-methods"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "own-plain presets: default*" in out
    assert "own-bas presets: paper*" in out  # a shipped method's subclass keeps its presets
    assert "own-paper presets: default*, paper" in out
    assert "kd     presets: paper*" in out
    assert "rid    presets: paper-mean*, kd-rid, paper" in out
    assert [default_preset_of(name) for name in ("own-plain", "own-bas", "bas", "ted", "vid",
                                                 "itrd", "mimkd", "rid")] == [
        "default", "paper", "paper", "paper", "paper", "paper", "paper", "paper-mean"]
    assert get_method("own-plain").presets == {"default": {}}
    plain = get_method("own-plain")(tapped_mlp(6), tapped_mlp(16), sample_input=torch.randn(2, 20),
                                    num_classes=4)
    assert plain.preset == "default"


@pytest.mark.usefixtures("own_methods")
@pytest.mark.parametrize(("method", "saved", "now", "changed"), [
    ("own-plain", "paper", "", []),          # the old name of its implicit preset resumes
    ("own-plain", "", "default", []),        # "" is the method's default, now "default"
    ("own-plain", "paper", "default", []),
    ("own-paper", "paper", "", ["method.preset"]),  # a "paper" of its own is another preset
    ("own-bas", "", "paper", []),            # a shipped method's default is still "paper"
    ("kd", "", "paper", []),
    ("rid", "paper", "", ["method.preset"]),  # RID's default is paper-mean, not paper
])
def test_a_saved_preset_compares_by_what_it_resolves_to(method, saved, now, changed):
    assert _preset_change(method, saved, now) == changed
