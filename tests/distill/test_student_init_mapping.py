"""The checkpoint of a ``student_init`` run (TED starts from the trained BAS student) is read
mapped (``mmap``) for the student's weights, and the run holds no mapping of it while it trains:
not of the run folder's file (rank 0), nor of the copy in its temporary folder that a process
whose disk lacks the file received from rank 0, which would take the whole checkpoint's room
there (memory, on a tmpfs) until the run ends."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tiny_runs import in_two_processes

# one process of a TED run of 2, on a "node" whose run.out_dir is its own (argv[1]/nodeRANK)
# and whose temporary folder is argv[1]/tmpRANK; it prints, for each run it trains (the BAS
# run, then TED's), the files below argv[1] it holds mapped as that run's training starts, and
# the epochs TED's run completed
NODE = textwrap.dedent("""
    import json, os, sys, tempfile
    from pathlib import Path
    from tiny_runs import tiny
    import pidkit_distill.training.run as run
    from pidkit_distill.training import train

    rank, top = int(os.environ["RANK"]), sys.argv[1]
    tempfile.tempdir = str(Path(top) / f"tmp{rank}")
    os.mkdir(tempfile.tempdir)
    mapped, fit = [], run.fit

    def fit_noting_maps(config, *args, **kwargs):
        lines = Path("/proc/self/maps").read_text().splitlines()
        held = sorted({line.split(None, 5)[5] for line in lines if top in line})
        mapped.append([config.run.name, [name.replace(top, "TOP") for name in held]])
        return fit(config, *args, **kwargs)

    run.fit = fit_noting_maps
    summary = train(tiny(Path(top) / f"node{rank}", "method.name=ted", "run.name=ted",
                         "method.params.stage1_epochs=1", "run.epochs=2"))
    print(json.dumps([mapped, summary.epochs_done]))
""")


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="reads Linux's /proc/self/maps")
def test_the_student_init_run_s_checkpoint_is_not_held_mapped_while_the_run_trains(tmp_path):
    # the student's weights were views of the whole mapped file, so TED's processes held it
    # mapped through every epoch: rank 0 'TOP/node0/ted.bas-init/checkpoint.pt', rank 1 its
    # received copy 'TOP/tmp1/#NNN (deleted)', the size of the checkpoint (teacher, optimizer
    # states and all), in $TMPDIR until the run ended
    rank_0, rank_1 = in_two_processes(NODE, [[str(tmp_path)]] * 2)
    expected = [[["ted.bas-init", []], ["ted", []]], 2]
    assert {"rank 0": rank_0, "rank 1": rank_1} == {"rank 0": expected, "rank 1": expected}
    # rank 1 trained from rank 0's BAS checkpoint, which its own disk lacks: it received a copy
    assert (tmp_path / "node0" / "ted.bas-init" / "checkpoint.pt").is_file()
    assert not (tmp_path / "node1" / "ted.bas-init" / "checkpoint.pt").exists()
