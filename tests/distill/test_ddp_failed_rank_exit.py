"""A process of a torchrun run that fails ends with the command's status, its files whole (task
293): it exits with its gloo group alive (destroying the group after an error can hang), and
Python's finalization of such a process can abort (pytorch/pytorch#190489: ``terminate called
without an active exception``, exit -6 in torchrun's summary instead of the status). The
command now ends such a process with ``os._exit`` once its output is flushed and its atexit
handlers have run, so finalization never runs. The abort is rare; the data set's module here
stands in for it with an object that aborts the process as finalization deletes it."""

from __future__ import annotations

import json
import re
import textwrap

import torch
from tiny_runs import command_lines, torchrun_command

MODULE = textwrap.dedent('''
    import os

    import torch
    from torch.utils.data import Dataset

    from pidkit_distill import DatasetBundle, register_dataset


    class Blobs(Dataset):
        """8 inputs, 2 classes (labels i % 2); a label of 7 once the file ``after`` exists."""

        def __init__(self, n, after):
            self.x = torch.randn(n, 8, generator=torch.Generator().manual_seed(n))
            self.after = after

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            late = self.after is not None and os.path.exists(self.after)
            return self.x[i], 7 if late else i % 2


    @register_dataset("late-label")
    def blobs(*, seed=0):
        # rank 1's training samples, once the run's first checkpoint is written: in epoch 2
        after = os.environ["LATE_LABEL_AFTER"] if os.environ.get("RANK") == "1" else None
        return DatasetBundle(Blobs(64, after), Blobs(60, None), num_classes=2,
                             input_shape=(8,))


    class AbortsAtFinalization:
        """As the bug's gloo threads do, as Python finalizes the process."""

        def __del__(self):
            os.write(2, b"terminate called without an active exception\\n")
            os.abort()


    HELD = AbortsAtFinalization()
''')

LINE = re.compile(r"pidkit-distill train \(rank 1 of 2\): error: data\.name: sample \d+ of the "
                  r"data set's train split has label 7, outside \[0, 2\) \(its num_classes=2\); "
                  r"labels must be integers in \[0, 2\): ")


def test_a_failed_rank_exits_with_the_commands_status_and_its_files_whole(tmp_path):
    runs = tmp_path / "runs"
    proc = torchrun_command(
        "train", tmp_path / "late_label.py", MODULE, [],
        "--data", "late-label", "--data.batch_size", "16", "--model.teacher",
        "synthetic-teacher", "--model.student", "synthetic-student", "--teacher", "untrained",
        "--epochs", "3", "--run.threads", "1", "--run.print_every", "0", "--out-dir",
        str(runs), "--run.name", "r",
        env={"LATE_LABEL_AFTER": str(runs / "r" / "checkpoint.pt")})
    assert proc.returncode == 1, proc.stderr[-3000:]  # torchrun's: a process failed
    # each process's exit status, as torchrun's summary lists them: the failed one's is the
    # command's (-6 where finalization ran); the other's, stopped in a collective call with
    # it, is the command's too, or torchrun's SIGTERM
    statuses = {int(rank): int(status) for rank, status in re.findall(
        r"rank +: (\d) \(local_rank: \d\)\n +exitcode +: (-?\d+)", proc.stderr)}
    assert statuses[1] == 2 and statuses.get(0, 1) in (1, -15), proc.stderr[-3000:]
    assert "terminate called" not in proc.stderr
    said = command_lines(proc)
    assert len(said) == 1 and LINE.match(said[0]), proc.stderr[-3000:]
    run_dir = runs / "r"
    for name in ("metrics.jsonl", "audit.jsonl"):  # whole lines, each a JSON record
        text = (run_dir / name).read_text()
        assert text.endswith("\n")
        records = [json.loads(line) for line in text.splitlines()]
        assert records and {record["epoch"] for record in records} <= {0, 1}
    metrics = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in metrics] == [1]
    assert torch.load(run_dir / "checkpoint.pt", weights_only=True)["epoch"] == 1
