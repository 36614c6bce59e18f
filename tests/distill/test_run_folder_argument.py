"""load_student and load_run_teacher take their run_dir alike (students.run_folder_path): the
review of t-385 (F1) found load_run_teacher's own copy of the unwrapping refusing a bytes path
("TypeError ... (a str or Path); got bytes") and any RunSummary-like record but RunSummary,
both of which load_student took."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import load_run_teacher, load_student, train


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return train(tiny(tmp_path_factory.mktemp("runs"), "run.epochs=1", "run.name=r")).run_dir


def weights(net: torch.nn.Module) -> dict[str, torch.Tensor]:
    return net.state_dict()


@pytest.mark.parametrize("given", [os.fsencode, lambda path: SimpleNamespace(run_dir=path)],
                         ids=["bytes path", "record with a run_dir"])
def test_both_loaders_take_a_bytes_path_and_a_record_with_a_run_dir(run_dir, given):
    by_str = {"student": load_student(str(run_dir)), "teacher": load_run_teacher(str(run_dir))}
    by_given = {"student": load_student(given(run_dir)),
                "teacher": load_run_teacher(given(run_dir))}
    for which, net in by_str.items():
        expected, got = weights(net), weights(by_given[which])
        assert expected.keys() == got.keys() and expected
        assert all(torch.equal(got[key], value) for key, value in expected.items()), which


@pytest.mark.parametrize("refused", [3, ["runs/x"], None], ids=["int", "list", "None"])
def test_both_loaders_refuse_what_is_no_run_folder_in_one_words(refused):
    words = {}
    for load in (load_student, load_run_teacher):
        with pytest.raises(TypeError) as error:
            load(refused)
        words[load.__name__] = str(error.value)
    assert words["load_student"] == words["load_run_teacher"] == (  # as write_report's
        "run_dir: a run is given by its folder (a str, bytes or Path), its RunRecords or the "
        f"RunSummary that train returned; got {refused!r} ({type(refused).__name__})")
