"""What a stopped run says it had done: the first process to stop under torchrun, where the run
was (before its first epoch, in an epoch's audit) and what was saved."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import torch.distributed as dist
from tiny_runs import command_env

# one attempt of a torchrun restart (--max_restarts): a new process joins the store of
# torchrun's agent (TORCHELASTIC_USE_AGENT_STORE), runs, and stops with the attempt's error.
# Its group has this one process, which the trainer takes for rank 0 of 2.
ATTEMPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tiny_runs import tiny
    from pidkit_distill.training import runtime

    runtime.world_size_from_env = lambda: 2
    run = runtime.init_runtime(tiny(Path(sys.argv[1])))
    first = runtime.first_stop(run, ValueError(f"attempt {sys.argv[2]} failed"))
    print(first.rank, first.message)
""")


def test_a_run_restarted_by_torchrun_reports_its_own_first_stop_not_the_attempts_before(
        tmp_path):
    # torchrun's agent keeps one store, and its keys, for every attempt, and each attempt's
    # processes counted their runs from 0: the key pidkit_distill/first_stop/0 was the attempt
    # before's, so the restarted run took that attempt's stop for its own ("attempt 0 failed")
    # and printed its cause
    agent = dist.TCPStore("127.0.0.1", 0, is_master=True, timeout=timedelta(seconds=30))
    env = {**command_env(), "RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1",
           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(agent.port),
           "TORCHELASTIC_USE_AGENT_STORE": "True", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), command_env()["PYTHONPATH"]])}
    said = []
    for attempt in ("0", "1"):
        proc = subprocess.run([sys.executable, "-c", ATTEMPT, str(tmp_path), attempt],
                              env={**env, "TORCHELASTIC_RESTART_COUNT": attempt},
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        said.append(proc.stdout.strip())
    assert said == ["0 attempt 0 failed", "0 attempt 1 failed"]
