"""Under torchrun, a process of ``pidkit-distill train-teacher`` killed without a word (SIGKILL,
the OOM-killer) as the teacher's run is trained or reused, outside its epochs, stops the run
with the survivor's one line and status 1 (task 308's ``run._peer_end_named`` around
``trained_teacher_file``), not gloo's "Connection closed by peer" traceback."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

from tiny_runs import TINY, command_env

# imported by every process (--import): rank 1 kills itself where the teacher's run starts, as
# rank 0 asks every process whether its teacher.pt is there (its first collective call there)
INJECT = textwrap.dedent("""
    import os, signal
    from pidkit_distill.training import run

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if os.environ["RANK"] == "1":
        run.trained_teacher_file = killed
""")

STUDENTS_ONLY = {"model.student", "teacher.source", "run.audit_every"}
"""Keys of TINY that train-teacher warns it does not read."""


def test_a_process_killed_as_the_teacher_is_trained_stops_the_run_with_one_line(tmp_path):
    (tmp_path / "kill_one.py").write_text(INJECT)
    teachers = [item for item in TINY if item.split("=")[0] not in STUDENTS_ONLY]
    sets = [arg for item in [*teachers, "teacher.epochs=1", f"run.out_dir={tmp_path}"]
            for arg in ("--set", item)]
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         "-m", "pidkit_distill", "train-teacher", "--import", str(tmp_path / "kill_one.py"),
         *sets], env={**command_env(), "OMP_NUM_THREADS": "1"}, capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert [text for text in proc.stderr.splitlines() if text.startswith("pidkit-distill")] == [
        "pidkit-distill train-teacher: training failed: another process of the run ended "
        "without a message while training or reusing the teacher, outside its epochs; its "
        "connections closed: it was killed (SIGKILL, the OOM-killer) or its machine went down; "
        "torchrun's summary names its rank, and the kernel's log (dmesg) says whether the "
        "OOM-killer ended it"], proc.stderr[-3000:]
    assert "]: Traceback" not in proc.stderr, proc.stderr[-3000:]
    statuses = {int(rank): int(status) for rank, status in re.findall(
        r"rank +: (\d) \(local_rank: \d\)\n +exitcode +: (-?\d+)", proc.stderr)}
    assert statuses[1] == -9 and statuses[0] in (1, -15), proc.stderr[-3000:]
