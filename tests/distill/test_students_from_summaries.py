"""load_student takes what a notebook holds after train or load_runs (task 276): the RunSummary
that train returned and a RunRecords, as write_report and load_runs do."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import load_runs, load_student, train


def test_load_student_takes_the_summary_train_returned_and_a_run_records(tmp_path):
    # s = train(cfg); load_student(s) was "TypeError: run_dir must be the path of a run folder
    # (a str, bytes or Path); got RunSummary", while write_report(s) took it
    summary = train(tiny(tmp_path, "run.audit_every=0", "run.name=r"))
    by_path = load_student(summary.run_dir)
    for given in (summary, load_runs(summary.run_dir)[0]):
        student = load_student(given)
        assert not student.training
        assert student.state_dict().keys() == by_path.state_dict().keys()
        assert all(torch.equal(student.state_dict()[k], v)
                   for k, v in by_path.state_dict().items())
    with pytest.raises(TypeError, match=r"^run_dir: a run is given by its folder \(a str, "
                                        r"bytes or Path\), its RunRecords or the RunSummary "
                                        r"that train returned; got \[.*\] \(list\)$"):
        load_student([summary.run_dir])
