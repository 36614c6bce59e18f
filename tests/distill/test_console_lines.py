"""What a run prints: run.print_every thins the per-epoch lines (the files keep every epoch), and
a folder left by an earlier run says whose epochs it holds."""

from __future__ import annotations

import json

import pytest
from tiny_runs import tiny

from pidkit_distill.cli import main
from pidkit_distill.training import TrainingError, TrainingInterrupted, loop, train

# run.progress stays false (tiny's): the audits' lines printed only with progress bars on
AUDITED = ["run.audit_every=2", "audit.layers=[2]", "audit.clusters=3", "audit.pca_components=2"]


def _epoch_lines(out: str) -> list[str]:
    """The epoch lines (``[bas] epoch 3``) and audit lines (``  audit epoch 2 layer 2``)."""
    return [line.split(":")[0].split("/")[0] for line in out.splitlines()
            if line.startswith(("[bas] epoch ", "  audit epoch "))]


@pytest.mark.parametrize(("every", "expected"), [
    (1, ["  audit epoch 0 layer 2", "[bas] epoch 1", "[bas] epoch 2", "  audit epoch 2 layer 2",
         "[bas] epoch 3", "[bas] epoch 4", "  audit epoch 4 layer 2", "[bas] epoch 5",
         "  audit epoch 5 layer 2"]),
    (2, ["  audit epoch 0 layer 2", "[bas] epoch 2", "  audit epoch 2 layer 2", "[bas] epoch 4",
         "  audit epoch 4 layer 2", "[bas] epoch 5", "  audit epoch 5 layer 2"]),
    (0, []),
])
def test_print_every_thins_the_console_lines_and_the_files_keep_every_epoch(tmp_path, capsys,
                                                                             every, expected):
    # a 300-epoch run printed ~360 lines (one per epoch, one per audit) and nothing said fewer
    summary = train(tiny(tmp_path, "run.epochs=5", f"run.print_every={every}", *AUDITED))
    assert _epoch_lines(capsys.readouterr().out) == expected
    metrics = (summary.run_dir / "metrics.jsonl").read_text().splitlines()
    audits = (summary.run_dir / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in metrics] == [1, 2, 3, 4, 5]
    assert [json.loads(line)["epoch"] for line in audits] == [0, 2, 4, 5]


def test_print_every_counts_to_the_last_epoch_of_a_stopped_run_and_resumes_with_another(
        tmp_path, capsys):
    config = tiny(tmp_path, "run.epochs=6", "run.stop_after=3", "run.print_every=5")
    train(config)
    assert _epoch_lines(capsys.readouterr().out) == ["[bas] epoch 3"]  # the last of this call
    config.run.resume, config.run.print_every = True, 2  # the key may change on resume
    train(config)
    assert _epoch_lines(capsys.readouterr().out) == ["[bas] epoch 4", "[bas] epoch 6"]


@pytest.mark.parametrize(("stop", "raised"), [
    (KeyboardInterrupt(), TrainingInterrupted),
    (TrainingError("the training loss became nan", epoch=5, step=1, n_steps=2), TrainingError),
])
def test_an_interrupt_or_error_prints_the_last_epoch_done_first(tmp_path, capsys, monkeypatch,
                                                                  stop, raised):
    # with print_every=3, a run stopped in epoch 5 printed epoch 3's line and then its error:
    # epoch 4 (and its audit) went unseen, though it was the epoch the checkpoint holds
    config = tiny(tmp_path, "run.epochs=8", "run.print_every=3", *AUDITED)
    one_epoch = loop.train_one_epoch

    def stopped_in_epoch_5(model, loader, optimizer, *, epoch, **kwargs):
        if epoch == 4:
            raise stop
        return one_epoch(model, loader, optimizer, epoch=epoch, **kwargs)

    monkeypatch.setattr(loop, "train_one_epoch", stopped_in_epoch_5)
    with pytest.raises(raised):
        train(config)
    assert _epoch_lines(capsys.readouterr().out) == [
        "  audit epoch 0 layer 2", "[bas] epoch 3", "[bas] epoch 4", "  audit epoch 4 layer 2"]


def test_the_command_takes_print_every(tmp_path, capsys):
    status = main(["train", "--data", "synthetic", "--set", "data.options.n_train=64",
                   "--set", "data.options.n_test=32", "--model.teacher", "synthetic-teacher",
                   "--model.student", "synthetic-student", "--teacher", "untrained",
                   "--epochs", "4", "--audit-every", "0", "--run.threads", "1",
                   "--print-every", "3", "--out-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert _epoch_lines(out) == ["[bas] epoch 3", "[bas] epoch 4"]
    assert out.splitlines()[-1].startswith("last acc ")


@pytest.mark.parametrize("value", ["-1", "1.5"])
def test_a_bad_print_every_is_refused_naming_the_key(tmp_path, capsys, value):
    assert main(["train", "--print-every", value, "--out-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pidkit-distill train: error: --print-every {value}: config key "
                          "'run.print_every' ")
    assert err.count("\n") == 1
