"""A data set of the user's own that refuses an option's value names the option typed (task
268): its loader's ``ValueError("n must be >= 8; got 2")`` was told as any error of its code,
``data: the loader registered as 'own-range' failed: ValueError: n must be >= 8; got 2 (an
error of the loader's own code; ...)``, where the package's own data sets' refusals name the
option (``--data.options test_fraction=2: ...``, tasks 261 and 266)."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import TensorDataset

from pidkit_distill.cli import main
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data import (
    DatasetBundle,
    load_dataset,
    register_dataset,
    unregister_dataset,
)

SMALL_RUN = ["--model.teacher", "synthetic-teacher", "--model.student", "synthetic-student",
             "--teacher", "untrained", "--epochs", "1", "--audit-every", "0",
             "--run.threads", "1"]
OLD_WRAPPING = ("data.name: the loader registered as 'own-range' failed: {error} (an error of the "
                "loader's own code; its traceback is this error's cause, which pidkit-distill "
                "shows with --debug)\n")


@pytest.fixture
def own_range():
    """The data set 'own-range' of a user's own, whose loader checks its options n and width:
    a plain ValueError for n, a ConfigEntryError of its own wording for width, a TypeError for
    a str n, and a KeyError for labels='missing'."""

    @register_dataset("own-range")
    def load(*, seed=0, n=64, width=8, labels="parity"):
        if isinstance(n, str):
            raise TypeError(f"n must be an int; got {n!r}")
        if n < width:
            raise ValueError(f"n must be >= {width}; got {n}")
        if width > 16:
            raise ConfigEntryError(f"a width of {width} leaves no room for the samples; keep "
                                   "it at 16 or less.", {"width": width}, entries=("width",))
        y = {"parity": torch.arange(n) % 2}[labels]
        x = torch.randn(n, width, generator=torch.Generator().manual_seed(seed))
        return DatasetBundle(TensorDataset(x, y), TensorDataset(x, y), num_classes=2,
                             input_shape=(width,))

    yield
    unregister_dataset("own-range")


def _line(argv, tmp_path, capsys):
    """The error line of ``pidkit-distill train`` on 'own-range' with ``argv``, which must fail
    with status 2 and no output."""
    status = main(["train", "--data", "own-range", *argv, *SMALL_RUN,
                   "--out-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert not (tmp_path / "runs").exists()
    return err.removeprefix("pidkit-distill train: error: ")


def test_a_plain_value_error_of_an_option_typed_names_it(own_range, tmp_path, capsys):
    line = _line(["--data.options", "n=2"], tmp_path, capsys)
    assert line == "--data.options n=2: n must be >= 8; got 2 (the loader registered as " \
                   "'own-range')\n"


def test_a_plain_type_error_of_an_option_typed_names_it(own_range, tmp_path, capsys):
    line = _line(["--data.options", "n=few"], tmp_path, capsys)
    assert line == "--data.options n=few: n must be an int; got 'few' (the loader registered " \
                   "as 'own-range')\n"


def test_a_users_config_entry_error_names_the_option_typed(own_range, tmp_path, capsys):
    # its own wording, the loader named before its full stop
    line = _line(["--data.options", "width=20", "--data.options", "n=64"], tmp_path, capsys)
    assert line == "--data.options width=20: a width of 20 leaves no room for the samples; " \
                   "keep it at 16 or less (the loader registered as 'own-range').\n"


def test_an_error_about_no_option_typed_keeps_its_wrapping(own_range, tmp_path, capsys):
    # n's check refuses the default n=64 for the width typed: n was not typed, nothing to name
    named = _line(["--data.options", "n=6"], tmp_path, capsys)
    not_typed = _line(["--data.options", "width=80"], tmp_path, capsys)
    not_a_refusal = _line(["--data.options", "labels=missing"], tmp_path, capsys)
    assert named == "--data.options n=6: n must be >= 8; got 6 (the loader registered as " \
                    "'own-range')\n"
    assert not_typed == OLD_WRAPPING.format(error="ValueError: n must be >= 80; got 64")
    assert not_a_refusal == OLD_WRAPPING.format(error="KeyError: 'missing'")


def test_the_teachers_data_options_are_named_too(own_range, tmp_path, capsys):
    line = _line(["--teacher.data_options", "n=3"], tmp_path, capsys)
    assert line == "--teacher.data_options n=3: n must be >= 8; got 3 (the loader registered " \
                   "as 'own-range')\n"


def test_debug_shows_the_loaders_own_error_as_the_cause(own_range, tmp_path):
    with pytest.raises(ConfigEntryError) as caught:
        main(["train", "--data", "own-range", "--data.options", "n=2", *SMALL_RUN,
              "--out-dir", str(tmp_path / "runs"), "--debug"])
    causes = []
    error: BaseException | None = caught.value
    while error is not None:
        causes.append(error)
        error = error.__cause__
    user_error = causes[-1]
    assert (type(user_error), str(user_error)) == (ValueError, "n must be >= 8; got 2")


def test_load_dataset_raises_the_entry_error_of_the_option(own_range):
    with pytest.raises(ConfigEntryError) as caught:
        load_dataset("own-range", n=2)
    refusal = caught.value
    assert (str(refusal), refusal.entries, refusal.key, refusal.value) == (
        "n must be >= 8; got 2 (the loader registered as 'own-range')", ("n",), None, {"n": 2})
    assert (type(refusal.__cause__), str(refusal.__cause__)) == (
        ValueError, "n must be >= 8; got 2")


def test_a_user_s_options_may_share_a_name_with_the_call_s_own_keywords():
    # call_registered took the loader's options as keyword arguments beside its own (key, role,
    # passed, user_options): a data set with an option called 'key' failed with "TypeError:
    # call_registered() got multiple values for keyword argument 'key'", as did a model
    # builder's keyword 'key' or 'builder' in build_model.
    from pidkit_distill.models import build_model, register_model, unregister_model

    @register_dataset("own-keywords")
    def load(*, seed=0, key="a", role=1):
        x = torch.full((8, 4), float(role))
        return DatasetBundle(train=TensorDataset(x, torch.zeros(8, dtype=torch.long)),
                             test=TensorDataset(x, torch.zeros(8, dtype=torch.long)),
                             num_classes=2, input_shape=(4,))

    @register_model("own-keywords-net")
    def build(*, num_classes, in_channels, key=3, builder=1):
        return build_model("synthetic-student", num_classes=num_classes + key - 3 + builder - 1,
                           in_channels=in_channels)

    try:
        bundle = load_dataset("own-keywords", key="b", role=2)
        assert bundle.train[0][0].tolist() == [2.0] * 4
        net = build_model("own-keywords-net", num_classes=2, in_channels=4, key=4, builder=2)
        assert net.eval()(torch.zeros(1, 4)).shape == (1, 4)
    finally:
        unregister_dataset("own-keywords")
        unregister_model("own-keywords-net")
