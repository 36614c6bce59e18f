"""A teacher's builder is fingerprinted from before a run first builds it, and walked only as a
check or a run starts and ends (a value it reads that is slow to walk, a list of a million items,
made every build of the run slower); a student's build that changes a value the teacher's
builder reads is not a change of the teacher. A student's builder was never walked; since its
checkpoints record its fingerprint (task 324, checkpoint_fit) it is walked as the teacher's is,
never at each build."""

from __future__ import annotations

import textwrap

import pytest
from test_teacher_code_key import TEACHER, run_cell
from tiny_runs import tiny

from pidkit_distill import check_config, train, train_teacher, unregister_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# Two builders that each read a value whose repr counts how often the fingerprint walked it.
PROBED = textwrap.dedent("""
    from torch import nn

    from pidkit_distill import register_model, tap_features


    class Probe:
        def __init__(self):
            self.reprs = 0

        def __repr__(self):
            self.reprs += 1
            return "Probe()"


    TEACHER_PROBE, STUDENT_PROBE = Probe(), Probe()


    def net(in_channels, num_classes):
        return tap_features(nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(),
                                          nn.Linear(8, num_classes)), layers=["1"])


    @register_model("my-teacher")
    def teacher(*, num_classes, in_channels):
        assert TEACHER_PROBE
        return net(in_channels, num_classes)


    @register_model("my-student")
    def student(*, num_classes, in_channels):
        assert STUDENT_PROBE
        return net(in_channels, num_classes)
""")

# A student's builder that appends to a list which the teacher's builder reads too.
SHARED = textwrap.dedent("""
    from torch import nn

    from pidkit_distill import register_model, tap_features

    BUILT = []


    def net(in_channels, num_classes):
        return tap_features(nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(),
                                          nn.Linear(8, num_classes)), layers=["1"])


    @register_model("my-teacher")
    def teacher(*, num_classes, in_channels):
        print(f"{len(BUILT)} students built before")
        return net(in_channels, num_classes)


    @register_model("my-student")
    def student(*, num_classes, in_channels):
        BUILT.append(num_classes)
        return net(in_channels, num_classes)
""")

OWN = ["model.teacher=my-teacher", "model.student=my-student", "teacher.source=trained",
       "teacher.epochs=1", "method.name=kd", "run.epochs=1"]


@pytest.fixture
def unregistered():
    """Unregister the test's two builders after it."""
    yield
    for name in ("my-teacher", "my-student"):
        unregister_model(name)


def test_a_students_builder_is_walked_only_as_the_teachers_is(tmp_path, unregistered, capsys):
    # every registered builder was walked at registration and twice around every registered
    # build: the student's too. It is fingerprinted for its checkpoints (task 324), as a check
    # and a run start and end, as the teacher's, whose folder is keyed by its fingerprint
    cell = run_cell(PROBED)
    check_config(tiny(tmp_path, *OWN))
    train(tiny(tmp_path, *OWN))
    assert cell["STUDENT_PROBE"].reprs == cell["TEACHER_PROBE"].reprs == 6


def test_a_student_changing_what_the_teacher_reads_keeps_its_teacher(tmp_path, unregistered,
                                                                      capsys):
    # train-teacher, then train in a fresh process (the cell run again): the teacher is keyed
    # as before the student's builds appended to the list it reads
    run_cell(SHARED)
    path = train_teacher(tiny(tmp_path, *OWN))
    run_cell(SHARED)
    train(tiny(tmp_path, *OWN))
    out = capsys.readouterr().out
    assert out.count("training the teacher my-teacher") == 1
    assert f"reusing the teacher my-teacher trained before with the same settings: {path}" in out


def test_a_check_and_a_run_walk_the_teachers_builder_as_they_start_and_end(tmp_path,
                                                                            unregistered, capsys):
    # it was walked at each ask and twice around each build: 20 times a train, 0.9 s each
    # for a builder that reads a list of a million items (7 times before f7beaff)
    cell = run_cell(PROBED)
    check_config(tiny(tmp_path, *OWN))
    assert cell["TEACHER_PROBE"].reprs == 2  # first asked for; the check ended
    train(tiny(tmp_path, *OWN))
    assert cell["TEACHER_PROBE"].reprs == 6  # its check's start and end, its run's
    train(tiny(tmp_path, *OWN, "method.name=bas"))
    assert (cell["TEACHER_PROBE"].reprs, cell["STUDENT_PROBE"].reprs) == (10, 10)


# A teacher whose network trains, in place, a tensor that its builder reads.
TRAINS_WHAT_IT_READS = textwrap.dedent("""
    import torch
    from torch import nn

    from pidkit_distill import register_model, tap_features

    WEIGHT = torch.full((8, 12), 0.1)


    @register_model("my-teacher")
    def build(*, num_classes, in_channels):
        first = nn.Linear(in_channels, 8)
        first.weight = nn.Parameter(WEIGHT)  # WEIGHT's memory, which the training changes
        return tap_features(nn.Sequential(first, nn.ReLU(), nn.Linear(8, num_classes)),
                            layers=["0"])
""")


def test_what_a_run_trains_in_place_is_not_the_teachers_code(tmp_path, capsys):
    # the same command twice in one process trained a second teacher: the tensor's repr, in
    # the fingerprint, had changed in the first run, as a setting of the user's does
    cell = run_cell(TRAINS_WHAT_IT_READS)
    try:
        config = tiny(tmp_path, *TEACHER)
        path = train_teacher(config)
        assert cell["WEIGHT"].ne(0.1).any()  # trained in place
        assert train_teacher(config) == path
        out = capsys.readouterr().out
        assert out.count("training the teacher my-teacher") == 1
        assert "reusing the teacher my-teacher" in out
        cell["WEIGHT"].fill_(0.2)  # a setting of the user's, between two runs
        assert train_teacher(config) != path
    finally:
        unregister_model("my-teacher")
