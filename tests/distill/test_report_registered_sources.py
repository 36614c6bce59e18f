"""Where the names a user registered come from: a run records, in its config.json
(``recorded.registered``), the module each of its user's names came from, a resume keeps the
first start's, and the report tells apart the runs of two projects that register different
models under one name (they were the seeds of one experiment, averaged together)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_report_teacher_files import rows
from tiny_runs import TINY, command_env

from pidkit_distill import available_datasets, available_models, unregister_dataset, unregister_model
from pidkit_distill.cli import main
from pidkit_distill.registry import Registry
from pidkit_distill.run_folders.groups import group_runs, lacking_keys
from pidkit_distill.run_folders.records import RunRecords

# A project's module registering its own student under the name every project uses.
MY_MODELS = textwrap.dedent("""
    from torch import nn

    from pidkit_distill import register_model, tap_features


    @register_model("my-net")
    def build(*, num_classes, in_channels):
        net = nn.Sequential(nn.Linear(in_channels, {width}), nn.ReLU(),
                            nn.Linear({width}, {width}), nn.ReLU(),
                            nn.Linear({width}, num_classes))
        return tap_features(net, layers=["1", "3"])
""")


# A project's module registering its own data under the name every project uses: 96 samples of
# 12 features, two classes, drawn from the generator seeded with OFFSET + seed.
MY_DATA = textwrap.dedent("""
    import torch
    from torch.utils.data import TensorDataset

    from pidkit_distill import DatasetBundle, register_dataset


    @register_dataset("my-data")
    def load(*, seed=0):
        y = torch.arange(96) % 2
        x = torch.randn(96, 12, generator=torch.Generator().manual_seed({offset} + seed))
        return DatasetBundle(TensorDataset(x[:64] + y[:64, None], y[:64]),
                             TensorDataset(x[64:] + y[64:, None], y[64:]),
                             num_classes=2, input_shape=(12,))
""")


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def project(tmp_path: Path, name: str, width: int) -> Path:
    """A project's folder holding its ``my_models.py`` (a student of ``width`` hidden units)."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "my_models.py").write_text(MY_MODELS.format(width=width))
    return folder


def train_in(monkeypatch: pytest.MonkeyPatch, folder: Path, runs: Path, name: str, seed: int,
             *extra: str) -> Path:
    """The run folder of ``cd folder; pidkit-distill train --import my_models.py --model.student
    my-net --out-dir RUNS``, seed ``seed``; the module and its name are forgotten after it, as
    by the end of the command's process."""
    monkeypatch.chdir(folder)
    path = list(sys.path)
    args = ["train", "--import", "my_models.py", "--model.student", "my-net", "--out-dir",
            str(runs), *(part for setting in TINY if not setting.startswith("model.student")
                         for part in ("--set", setting)),
            "--set", f"run.seed={seed}", "--set", f"run.name={name}", "--epochs", "2", *extra]
    try:
        assert main(args) == 0
    finally:
        sys.path[:] = path
        sys.modules.pop("my_models", None)
        if "my-net" in available_models():
            unregister_model("my-net")
    return runs / name


def data_project(tmp_path: Path, name: str, offset: int) -> Path:
    """A project's folder holding its ``my_data.py`` (samples drawn from seed ``offset``)."""
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "my_data.py").write_text(MY_DATA.format(offset=offset))
    return folder


def train_on_data(monkeypatch: pytest.MonkeyPatch, folder: Path, runs: Path, name: str,
                  seed: int, *extra: str) -> int:
    """The exit status of ``cd folder; pidkit-distill train --import my_data.py --data.name
    my-data --out-dir RUNS`` (the package's synthetic models), seed ``seed``; the module and
    its name are forgotten after it, as by the end of the command's process."""
    monkeypatch.chdir(folder)
    path = list(sys.path)
    args = ["train", "--import", "my_data.py", "--data.name", "my-data", "--out-dir", str(runs),
            *(part for setting in TINY if not setting.startswith("data.")
              for part in ("--set", setting)),
            "--set", "data.batch_size=32", "--set", f"run.seed={seed}", "--set",
            f"run.name={name}", "--epochs", "1", *extra]
    try:
        return main(args)
    finally:
        sys.path[:] = path
        sys.modules.pop("my_data", None)
        if "my-data" in available_datasets():
            unregister_dataset("my-data")


def record(run_dir: Path) -> dict | None:
    """The ``recorded`` table of the config.json of ``run_dir``."""
    return json.loads((run_dir / "config.json").read_text()).get("recorded")


def test_two_projects_models_of_one_name_are_two_experiments(tmp_path, monkeypatch):
    # a/my_models.py and b/my_models.py each register their own my-net (8 and 4 hidden units):
    # the report made them one experiment, 'bas | 4 (1, 2, 3, 4)', averaging the two models'
    # seeds
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    folders = [train_in(monkeypatch, project(tmp_path, name, width), runs, f"{name}{seed}", seed)
               for name, width, seeds in (("a", 8, (1, 2)), ("b", 4, (3, 4))) for seed in seeds]
    monkeypatch.chdir(tmp_path)
    assert rows(folders) == [
        (f"| bas, recorded.registered.model.student={here / name / 'my_models.py'}", seeds)
        for name, seeds in (("a", "2 (1, 2)"), ("b", "2 (3, 4)"))]
    assert [record(folder) for folder in folders] == [
        {"registered": {"model.student": str(here / name / "my_models.py")}}
        for name in "aabb"]


def test_two_projects_data_sets_of_one_name_are_two_experiments(tmp_path, monkeypatch):
    # a/my_data.py and b/my_data.py each register their own my-data: one experiment before,
    # 'bas | 4 (1, 2, 3, 4)', the seeds of two data sets averaged
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    for name, offset, seeds in (("a", 0, (1, 2)), ("b", 100, (3, 4))):
        for seed in seeds:
            assert train_on_data(monkeypatch, data_project(tmp_path, name, offset), runs,
                                 f"{name}{seed}", seed) == 0
    monkeypatch.chdir(tmp_path)
    folders = [runs / name for name in ("a1", "a2", "b3", "b4")]
    assert rows(folders) == [
        (f"| bas, recorded.registered.data.name={here / name / 'my_data.py'}", seeds)
        for name, seeds in (("a", "2 (1, 2)"), ("b", "2 (3, 4)"))]
    assert record(folders[0]) == {"registered": {"data.name": str(here / "a/my_data.py")}}


def test_a_resumed_run_keeps_the_source_of_its_first_start(tmp_path, monkeypatch):
    # started in a, resumed in b with b's module of the same code: its networks are the
    # checkpoint's, so it records a's module, and stays a seed of a's experiment
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    a, b = (project(tmp_path, name, 8) for name in "ab")
    first = train_in(monkeypatch, a, runs, "a1", 1, "--set", "run.stop_after=1")
    train_in(monkeypatch, b, runs, "a1", 1, "--resume")
    assert [json.loads(line)["epoch"] for line in
            (first / "metrics.jsonl").read_text().splitlines()] == [1, 2]
    assert record(first) == {"registered": {"model.student": str(here / "a/my_models.py")}}
    second = train_in(monkeypatch, a, runs, "a2", 2)
    monkeypatch.chdir(tmp_path)
    assert rows([first, second]) == [("| bas", "2 (1, 2)")]


def test_a_registry_of_one_kind_made_later_hides_no_registered_name(tmp_path, monkeypatch):
    # a Registry of models made after the package's (a test's own) was the one asked where
    # my-net came from: holding no my-net, the run recorded nothing, and was again a seed of
    # every other project's my-net
    runs, here = tmp_path / "runs", Path(os.path.realpath(tmp_path))
    other = Registry("model", "register_model", builtin={})
    folder = train_in(monkeypatch, project(tmp_path, "a", 8), runs, "a1", 1)
    assert record(folder) == {"registered": {"model.student": str(here / "a/my_models.py")}}
    assert other.names() == []


def test_names_a_script_on_stdin_registers_come_from_main(tmp_path):
    # `python - < train.py`: __main__'s __file__ is '<stdin>', and the record was a path made up
    # of it, the current folder's '<stdin>' (another for each folder the script is piped in)
    script = textwrap.dedent("""
        from pidkit_distill import register_model
        from pidkit_distill.models import model_source


        @register_model("my-net")
        def build(*, num_classes, in_channels):
            return None


        print(model_source("my-net"))
    """)
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                          cwd=tmp_path, env=command_env(), timeout=120)
    assert (done.returncode, done.stdout) == (0, "__main__\n"), done.stderr


def run(name: str, seed: int, student: str = "my-net", source: str | None = None
        ) -> RunRecords:
    """A run's records of one epoch, with its student's recorded source where given."""
    config = {"method": {"name": "bas"}, "model": {"student": student},
              "run": {"seed": seed, "name": name}}
    if source is not None:
        config["recorded"] = {"registered": {"model.student": source}}
    return RunRecords(name, Path(name), config, [{"epoch": 1, "test_acc": 0.5}], [])


def test_a_run_recording_no_source_joins_the_one_experiment_it_agrees_with():
    # a run of an older version (no record) is a seed of the one experiment of its name, as it
    # was; beside two sources of that name, which of them it ran cannot be told: it stays alone,
    # with the report's note on the key it lacks
    one = group_runs([run("old", 1), run("a2", 2, source="/a/m.py"), run("a3", 3, source="/a/m.py")])
    assert [(group.legend, group.seeds) for group in one] == [("bas, 3 seeds", [1, 2, 3])]
    two = group_runs([run("old", 1), run("a2", 2, source="/a/m.py"), run("a3", 3, source="/a/m.py"),
                      run("b2", 2, source="/b/m.py"), run("b3", 3, source="/b/m.py")])
    assert [group.legend for group in two] == [
        "old", "bas, recorded.registered.model.student=/a/m.py, 2 seeds",
        "bas, recorded.registered.model.student=/b/m.py, 2 seeds"]
    assert [(a.legend, keys) for a, _, keys in lacking_keys(two)] == [
        ("old", ["recorded.registered.model.student"])] * 2


def test_old_runs_and_the_packages_names_group_as_before():
    groups = group_runs([run("old1", 1), run("old2", 2), run("p1", 1, student="wrn-16-1"),
                         run("p2", 2, student="wrn-16-1")])
    assert [(group.legend, group.seeds) for group in groups] == [
        ("bas, model.student=my-net, 2 seeds", [1, 2]),
        ("bas, model.student=wrn-16-1, 2 seeds", [1, 2])]
