"""A refusal of the teacher's data options names the table that gave the entry at fault (task
274). The teacher's data is loaded with ``data.options`` and ``teacher.data_options`` on top; a
refusal there was told under ``teacher.data_options`` even where the entry at fault was typed in
``data.options`` (``--data.options n=12 --teacher.data_options target=joint`` said
``teacher.data_options: n must be >= 16 ...``, naming no option typed, as if target were wrong).
It now names ``--data.options n=12`` and says that the teacher's data, the combination, is
refused while the student's data passed. The message names no student (task 280): it said
"the student's data, data.options alone, is fine" in ``train-teacher`` too, which trains none."""

from __future__ import annotations

import sys
import textwrap

import pytest

from pidkit_distill import check_config, load_config
from pidkit_distill.cli import main
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data import unregister_dataset
from pidkit_distill.training.loaders import DataError, load_data

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SMALL_RUN = ["--teacher", "untrained", "--epochs", "1", "--audit-every", "0",
             "--run.threads", "1"]

# a data set of the user's own whose loader refuses n below 4 samples a class: 2 classes, or 4
# with target='joint'
JOINT_RANGE = textwrap.dedent("""
    import torch
    from torch.utils.data import TensorDataset

    from pidkit_distill import DatasetBundle, register_dataset


    @register_dataset("joint-range")
    def load(*, seed=0, n=64, target="y"):
        classes = 4 if target == "joint" else 2
        if n < 4 * classes:
            raise ValueError(f"n must be >= {4 * classes} for {classes} classes; got {n}")
        x = torch.randn(n, 6, generator=torch.Generator().manual_seed(seed))
        y = torch.arange(n) % classes
        return DatasetBundle(TensorDataset(x, y), TensorDataset(x, y), num_classes=classes,
                             input_shape=(6,))
""")


@pytest.fixture
def joint_range(tmp_path, monkeypatch):
    """The module ``joint_range_data`` in the current folder (``--import joint_range_data``),
    imported: its data set 'joint-range' registered; unregistered and forgotten afterwards."""
    (tmp_path / "joint_range_data.py").write_text(JOINT_RANGE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    __import__("joint_range_data")
    yield
    unregister_dataset("joint-range")
    del sys.modules["joint_range_data"]


def _refusal(tmp_path, *overrides):
    """The error of check_config on ``overrides``, which must be a ConfigEntryError."""
    config = load_config(overrides=[*overrides, f"run.out_dir={tmp_path / 'runs'}",
                                    "run.epochs=1", "run.audit_every=0"])
    with pytest.raises(ConfigEntryError) as caught:
        check_config(config)
    return caught.value


def _line(argv, tmp_path, capsys):
    """The error line of ``pidkit-distill train ARGV``, which must fail with status 2, one line
    on stderr and nothing written."""
    status = main(["train", *argv, *SMALL_RUN, "--out-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert (status, out, err.count("\n")) == (2, "", 1)
    assert not (tmp_path / "runs").exists()
    return err.removeprefix("pidkit-distill train: error: ")


def test_an_entry_of_data_options_refused_only_with_the_teachers_is_data_options(tmp_path):
    # 0.001 of 4000 keeps 4 samples: one a class for the student's 2, too few for the teacher's 8
    refusal = _refusal(tmp_path, "data.name=synthetic", "data.options.num_classes=2",
                       "data.options.train_fraction=0.001", "teacher.data_options.num_classes=8")
    assert (type(refusal), refusal.key, refusal.entries) == (
        ConfigEntryError, "data.options", ("train_fraction",))
    assert str(refusal) == (
        "data.options: the teacher's data (data.options with teacher.data_options "
        "num_classes=8 on top; data.options alone is fine): "
        "train_fraction=0.001 keeps 4 of 4000 training samples, fewer than the 8 classes; use "
        "train_fraction >= 0.0019.")


def test_entries_of_both_tables_at_fault_name_both(tmp_path):
    refusal = _refusal(tmp_path, "data.name=synthetic", "data.options.dim=8",
                       "data.options.nuisance_bits=2", "teacher.data_options.nuisance_bits=6",
                       "teacher.data_options.target=joint")
    assert (refusal.key, refusal.entries) == ("data.options", ("dim",))
    # only the teacher's entry at fault is told, not target
    assert str(refusal) == (
        "data.options: the teacher's data (data.options with teacher.data_options "
        "nuisance_bits=6 on top; data.options alone is fine): dim must be "
        "at least num_classes + nuisance_bits = 10; got dim=8.")


def test_a_registered_loaders_refusal_names_the_table_that_gave_the_entry(joint_range,
                                                                           tmp_path):
    common = ("data.name=joint-range", "model.teacher=synthetic-teacher",
              "model.student=synthetic-student", "teacher.data_options.target=joint")
    from_data = _refusal(tmp_path, *common, "data.options.n=12")
    from_teacher = _refusal(tmp_path, *common, "data.options.n=64", "teacher.data_options.n=12")
    assert (from_data.key, from_data.entries, str(from_data)) == (
        "data.options", ("n",),
        "data.options: the teacher's data (data.options with teacher.data_options "
        "target='joint' on top; data.options alone is fine): n must be >= "
        "16 for 4 classes; got 12 (the loader registered as 'joint-range')")
    assert (from_teacher.key, from_teacher.entries, str(from_teacher)) == (
        "teacher.data_options", ("n",),
        "teacher.data_options: n must be >= 16 for 4 classes; got 12 (the loader registered as "
        "'joint-range')")
    # --debug's chain still ends at the loader's own error
    cause = from_data
    while cause.__cause__ is not None:
        cause = cause.__cause__
    assert (type(cause), str(cause)) == (ValueError, "n must be >= 16 for 4 classes; got 12")


def test_the_command_names_the_option_typed_in_either_table(joint_range, tmp_path, capsys):
    imported = ["--import", "joint_range_data", "--data", "joint-range", "--model.teacher",
                "synthetic-teacher", "--model.student", "synthetic-student",
                "--teacher.data_options", "target=joint"]
    from_data = _line([*imported, "--data.options", "n=12"], tmp_path, capsys)
    from_teacher = _line([*imported, "--data.options", "n=64", "--teacher.data_options", "n=12"],
                         tmp_path, capsys)
    assert from_data == (
        "--data.options n=12: the teacher's data (data.options with teacher.data_options "
        "target='joint' on top; data.options alone is fine): n must be >= "
        "16 for 4 classes; got 12 (the loader registered as 'joint-range')\n")
    assert from_teacher == ("--teacher.data_options n=12: n must be >= 16 for 4 classes; got 12 "
                            "(the loader registered as 'joint-range')\n")


def test_the_command_names_a_built_in_data_sets_option_typed(tmp_path, capsys):
    line = _line(["--data", "synthetic", "--data.options", "num_classes=2", "--set",
                  "data.options.train_fraction=0.001", "--teacher.data_options", "num_classes=8"],
                 tmp_path, capsys)
    assert line == (
        "--set data.options.train_fraction=0.001: the teacher's data (data.options with "
        "teacher.data_options num_classes=8 on top; data.options alone is fine): "
        "train_fraction=0.001 keeps 4 of 4000 training samples, fewer than the 8 "
        "classes; use train_fraction >= 0.0019.\n")


def test_loading_the_teachers_data_names_the_table_too(joint_range):
    # the run's own load (after the check: a loader whose answer changed) says it alike
    config = load_config(overrides=["data.name=joint-range", "data.options.n=12",
                                    "teacher.data_options.target=joint"])
    assert len(load_data(config).train) == 12  # the student's data is fine
    with pytest.raises(DataError) as caught:
        load_data(config, teacher=True)
    assert str(caught.value) == (
        "data.options: the teacher's data (data.options with teacher.data_options "
        "target='joint' on top; data.options alone is fine): n must be >= "
        "16 for 4 classes; got 12 (the loader registered as 'joint-range')")


def test_train_teacher_says_it_with_no_student(tmp_path, capsys):
    # it said "the student's data, data.options alone, is fine" in a command that trains none
    status = main(["train-teacher", "--data", "synthetic", "--data.options", "num_classes=2",
                   "--set", "data.options.train_fraction=0.001", "--teacher.data_options",
                   "num_classes=8", "--teacher.epochs", "1", "--run.threads", "1",
                   "--out-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err == (
        "pidkit-distill train-teacher: error: --set data.options.train_fraction=0.001: the "
        "teacher's data (data.options with teacher.data_options num_classes=8 on top; "
        "data.options alone is fine): train_fraction=0.001 keeps 4 of 4000 training samples, "
        "fewer than the 8 classes; use train_fraction >= 0.0019.\n")
    assert not (tmp_path / "runs").exists()
