"""A configuration's slips from Python (t-421's notebook walk): overrides given as a dict, which
were told "'run.epochs' is not of the form section.key=value" (its keys were read as the
overrides), and the refusal of audit.layers that said "(a int)"."""

from __future__ import annotations

import ast

import pytest

from pidkit_distill import TrainConfig, apply_overrides, check_config, load_config


@pytest.mark.parametrize(("overrides", "spelt"), [
    ({"run.epochs": 2}, "['run.epochs=2']"),
    ({"run.epochs": 2, "run.progress": False, "audit.layers": [0, 1], "data.name": "digits"},
     "['run.epochs=2', 'run.progress=False', 'audit.layers=[0, 1]', 'data.name=digits']"),
    # a table's entries, one override each
    ({"data.options": {"n_train": 64, "augment": True}},
     "['data.options.n_train=64', 'data.options.augment=True']"),
])
def test_overrides_given_as_a_dict_are_told_the_list_to_pass(overrides, spelt):
    told = f"overrides must be a sequence of 'key=value' strings, not a dict: pass {spelt}"
    for read in (lambda: load_config(overrides=overrides),
                 lambda: apply_overrides(TrainConfig(), overrides)):
        with pytest.raises(TypeError) as refused:
            read()
        assert str(refused.value) == told


def test_the_list_told_for_a_dict_sets_what_the_dict_meant():
    overrides = {"run.epochs": 2, "run.progress": False, "audit.layers": [0, 1],
                 "run.out_dir": "/tmp/my runs", "method.params": {"lambda2": 0.5}}
    with pytest.raises(TypeError) as refused:
        apply_overrides(TrainConfig(), overrides)
    spelt = ast.literal_eval(str(refused.value).rpartition("pass ")[2])  # as the user pastes it
    config = apply_overrides(TrainConfig(), spelt)
    assert (config.run.epochs, config.run.progress, config.audit.layers, config.run.out_dir,
            config.method.params) == (2, False, [0, 1], "/tmp/my runs", {"lambda2": 0.5})


@pytest.mark.parametrize(("layers", "what"), [(1, "an int"), ((0, 1), "a tuple"),
                                              ("0", "a str"), ({0: 1}, "a dict")])
def test_audit_layers_of_another_type_are_named_with_their_article(layers, what):
    config = TrainConfig()
    config.audit.layers = layers
    with pytest.raises(TypeError) as refused:
        check_config(config)
    assert str(refused.value) == (
        "config key 'audit.layers' must be a list of distinct layer indices >= 0 ([] = every "
        f"layer), got {layers!r} ({what})")
