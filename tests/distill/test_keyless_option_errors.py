"""``apply_option_values`` with a refusal that names no configuration key: a
:class:`~pidkit_distill.ConfigEntryError` whose ``key`` is ``None`` (a registry's or a method's,
not yet named by the check that reads the configuration) has no option to name, so it is raised
as it is, not failed on (``None.rpartition``: an AttributeError) while looking for one."""

import argparse

import pytest

from pidkit_distill import ConfigEntryError, TrainConfig, cli_values


def test_a_refusal_naming_no_key_is_raised_as_it_is(monkeypatch):
    refusal = ConfigEntryError("n must be >= 8; got 2", {"n": 2}, entries=("n",))

    def refuse(config, overrides):
        raise refusal

    monkeypatch.setattr(cli_values, "apply_overrides", refuse)
    args = argparse.Namespace(overrides=["data.options.n=2"], config=None)
    with pytest.raises(ConfigEntryError) as caught:
        cli_values.apply_option_values(args, TrainConfig(), ["data.options.n=2"])
    assert caught.value is refusal
    assert (str(caught.value), caught.value.key) == ("n must be >= 8; got 2", None)
