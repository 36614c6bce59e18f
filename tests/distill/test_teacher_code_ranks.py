"""Under torchrun, a registered teacher whose builder reads a value of its process (the
``LOCAL_RANK`` of its device) is keyed by rank 0's fingerprint in every process: each process
keyed it by its own, so that rank 1 named another teacher folder than rank 0's, the one rank 0
trains or reuses."""

from __future__ import annotations

import textwrap

import pytest
from tiny_runs import in_two_processes

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# one process of a run of 2 (gloo, torchrun's variables): its teacher's builder defaults to its
# own device; it trains (or reuses) the teacher under argv[1]
RANK = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from torch import nn
    from tiny_runs import tiny
    from pidkit_distill import register_model, tap_features, train_teacher
    from pidkit_distill.training.teacher import teacher_code

    @register_model("my-teacher")
    def build(*, num_classes, in_channels, device=f"cpu:{os.environ['LOCAL_RANK']}"):
        return tap_features(nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(),
                                          nn.Linear(8, num_classes)), layers=["1"])

    path = train_teacher(tiny(Path(sys.argv[1]), "model.teacher=my-teacher",
                              "teacher.source=trained", "teacher.epochs=1"))
    print(json.dumps([path.parent.name, teacher_code("my-teacher")]))
""")


def test_every_process_keys_its_teacher_by_rank_0s_fingerprint(tmp_path):
    rank_0, rank_1 = in_two_processes(RANK, [[str(tmp_path)]] * 2)
    assert rank_1 == rank_0 and len(rank_0[1]) == 16
    assert [p.name for p in tmp_path.iterdir()] == [rank_0[0]]
    assert (tmp_path / rank_0[0] / "teacher.pt").is_file()
