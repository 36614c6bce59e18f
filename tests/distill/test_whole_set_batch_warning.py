"""A teacher trained with a data.batch_size larger than its training set is warned, as it starts,
that each epoch is one step on the whole set (t-413 M2: 30 steps, held-out 0.47 against 0.92
with batches of 64); full-batch training chosen (batch = training set) is not."""

from __future__ import annotations

import pytest
from tiny_runs import tiny

from pidkit_distill import train_teacher
from pidkit_distill.data.batch_steps import whole_set_batch_warning

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_a_teacher_trained_with_a_batch_larger_than_its_data_is_warned_of(tmp_path, capfd):
    train_teacher(tiny(tmp_path, "teacher.source=trained", "teacher.epochs=2",
                       "data.batch_size=1000"))
    err = capfd.readouterr().err
    # 96 training samples: batches of 24 give 4 steps
    assert ("warning: data.batch_size=1000 is larger than the teacher's 96 training samples, so "
            "each epoch is one step on the whole set: its 2 epochs take 2 optimiser steps; lower "
            "data.batch_size (to 24, say: 4 steps per epoch) to train it in minibatches") in err
    train_teacher(tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1",
                       "data.batch_size=96"))  # full-batch training chosen: no warning of it
    # (that one step leaves the teacher at chance, which is warned of: test_teacher_at_chance)
    assert "warning: data.batch_size" not in capfd.readouterr().err


@pytest.mark.parametrize(("n_train", "batch_size", "said"), [
    (384, 100000, "(to 64, say: 6 steps per epoch)"), (10, 11, "(to 2, say: 5 steps per epoch)"),
    (3, 4, "(to 1, say: 3 steps per epoch)")])
def test_the_warning_suggests_a_batch_of_several_steps(n_train, batch_size, said):
    assert said in whole_set_batch_warning(n_train, batch_size, whose="its", epochs=1)
    assert whole_set_batch_warning(n_train, n_train, whose="its", epochs=1) == ""
