"""A user's script under torchrun that runs the trainer twice (``train_teacher`` then ``train``):
the processes meet once, and the second run takes over the group the first one kept."""

from __future__ import annotations

import json
import subprocess
import sys

from tiny_runs import command_env

SCRIPT = """
import json, os, sys, time
import torch.distributed as dist
destroy = dist.destroy_process_group
def late_on_rank_0(*args, **kwargs):  # rank 0 slow to tear its group down, as on a busy machine
    if os.environ["RANK"] == "0":
        time.sleep(0.2)
    return destroy(*args, **kwargs)
dist.destroy_process_group = late_on_rank_0
from tiny_runs import tiny
from pidkit_distill import train, train_teacher
config = tiny(sys.argv[1], "teacher.source=trained", "teacher.epochs=1", "run.epochs=1",
              "run.join_timeout=30", "run.print_every=0")
train_teacher(config)
summary = train(config)
rank = int(os.environ["RANK"])
with open(os.path.join(sys.argv[1], f"rank-{rank}.json"), "w") as out:  # one file each: the
    json.dump({"rank": rank, "epochs": len(summary.history),        # ranks' shared stdout once
               "group_kept": dist.is_initialized()}, out)           # ran two lines into one
"""


def test_under_torchrun_a_script_trains_the_teacher_then_the_student(tmp_path):
    # each run made and destroyed its own group on torchrun's MASTER_PORT, whose store (the
    # agent's) outlived the first group with its keys: the second meeting read them, and rank 1
    # died in gloo's connectFullMesh ("Connection refused") or both waited run.join_timeout and
    # raised a JoinTimeout although both were there (3 of 3 runs, t-368)
    script = tmp_path / "two_runs.py"
    script.write_text(SCRIPT)
    env = command_env()
    env["PYTHONPATH"] = f"{script.parents[0]}:{__file__.rsplit('/', 1)[0]}:{env['PYTHONPATH']}"
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script), str(tmp_path / "runs")],
        env={**env, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    written = [json.loads((tmp_path / "runs" / f"rank-{rank}.json").read_text()) for rank in (0, 1)]
    assert written == [{"rank": rank, "epochs": 1, "group_kept": True} for rank in (0, 1)]
