"""A count below its minimum, given as a whole float, is not told to write it as an int (walk t-418)."""

import pytest

from pidkit_distill.models import build_model
from pidkit_distill.registry import whole_number_fix


@pytest.mark.parametrize(("value", "minimum", "fix"), [
    (1.0, 2, ""), (0.0, 1, ""), (-2.0, 2, ""), (2.0, 2, ": write n=2"), (4.0, None, ": write n=4"),
    (1.0, None, ": write n=1"),
])
def test_the_int_to_write_only_where_it_would_be_accepted(value, minimum, fix):
    assert whole_number_fix(value, "n", minimum=minimum) == fix


def test_build_model_with_no_classes_is_not_told_to_write_zero():
    with pytest.raises(ValueError, match=r"^num_classes must be a positive int; got 0\.0\.$"):
        build_model("mlp", num_classes=0.0)
