"""Only a teacher's builder is fingerprinted, and from before a run first builds it: a student's
builder is never walked (a value it reads that is slow to walk, a list of a million items,
made every build of the run slower), and a student's build that changes a value the teacher's
builder reads is not a change of the teacher."""

from __future__ import annotations

import textwrap

import pytest
from test_teacher_code_key import run_cell
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


def test_a_students_builder_is_never_fingerprinted(tmp_path, unregistered, capsys):
    # every registered builder was walked at registration and twice around every registered
    # build: the student's, which names no folder, too
    cell = run_cell(PROBED)
    check_config(tiny(tmp_path, *OWN))
    train(tiny(tmp_path, *OWN))
    assert cell["STUDENT_PROBE"].reprs == 0
    assert cell["TEACHER_PROBE"].reprs > 0  # the teacher's folder is keyed by its fingerprint


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
