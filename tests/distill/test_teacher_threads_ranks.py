"""Under torchrun, a teacher of ``run.threads`` 0 on the CPU is keyed by rank 0's thread count
(``torch.get_num_threads()``) in every process: each process keyed it by its own, so that a rank
on another count (another ``OMP_NUM_THREADS``) named another teacher folder than rank 0's, the
one rank 0 trains or reuses, and, once they shared it, refused rank 0's file as trained on
another count."""

from __future__ import annotations

import textwrap

import pytest
from tiny_runs import in_two_processes

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# one process of a run of 2 (gloo, torchrun's variables) on 1 + RANK torch threads: it trains
# the teacher under argv[1], then reuses it
RANK = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    import torch
    from tiny_runs import tiny
    from pidkit_distill import train_teacher
    from pidkit_distill.training.teacher import read_teacher_file

    torch.set_num_threads(1 + int(os.environ["RANK"]))
    config = tiny(Path(sys.argv[1]), "teacher.source=trained", "teacher.epochs=1",
                  "run.threads=0")
    trained, reused = train_teacher(config), train_teacher(config)
    print(json.dumps([trained.parent.name, reused.parent.name,
                      read_teacher_file(trained)["run_numbers"], torch.get_num_threads()]))
""")


def test_every_process_keys_its_teacher_by_rank_0s_thread_count(tmp_path):
    rank_0, rank_1 = in_two_processes(RANK, [[str(tmp_path)]] * 2)
    assert rank_0[:3] == rank_1[:3] and rank_0[0] == rank_0[1]
    assert rank_0[2] == {"threads": 1, "processes": 2}  # rank 0's count, as the folder's
    assert (rank_0[3], rank_1[3]) == (1, 2)  # each process's own count left as it was
    assert [p.name for p in tmp_path.iterdir()] == [rank_0[0]]
    assert (tmp_path / rank_0[0] / "teacher.pt").is_file()

