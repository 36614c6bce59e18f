"""Under torchrun, a process of ``pidkit-distill train-teacher`` killed without a word (SIGKILL,
the OOM-killer) as the teacher's run is trained or reused, outside its epochs, stops the run
with the survivor's one line and status 1 (task 308's ``run._peer_end_named`` around
``trained_teacher_file``), not gloo's "Connection closed by peer" traceback."""

from __future__ import annotations

import re
import textwrap

from tiny_runs import TINY, command_lines, torchrun_command

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
    teachers = [item for item in TINY if item.split("=")[0] not in STUDENTS_ONLY]
    proc = torchrun_command("train-teacher", tmp_path / "kill_one.py", INJECT,
                            [*teachers, "teacher.epochs=1", f"run.out_dir={tmp_path}"])
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert command_lines(proc) == [
        "pidkit-distill train-teacher: training failed: another process of the run ended "
        "without a message while training or reusing the teacher, outside its epochs; its "
        "connections closed: it was killed (SIGKILL, the OOM-killer) or its machine went down; "
        "torchrun's summary names its rank, and the kernel's log (dmesg) says whether the "
        "OOM-killer ended it"], proc.stderr[-3000:]
    assert "]: Traceback" not in proc.stderr, proc.stderr[-3000:]
    statuses = {int(rank): int(status) for rank, status in re.findall(
        r"rank +: (\d) \(local_rank: \d\)\n +exitcode +: (-?\d+)", proc.stderr)}
    assert statuses[1] == -9 and statuses[0] in (1, -15), proc.stderr[-3000:]
