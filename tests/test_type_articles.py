"""Messages that say what type a value is use the article English expects ("an int", not "a int")."""

from collections import OrderedDict

import numpy as np
import pytest

import pidkit
from pidkit._validate import type_with_article


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, "an int"),
        (np.zeros(2), "an ndarray"),
        (object(), "an object"),
        (OrderedDict(), "an OrderedDict"),
        (np.int64(1), "an int64"),
        (np.uint8(1), "a uint8"),
        (2.5, "a float"),
        ("x", "a str"),
        ({1}, "a set"),
    ],
)
def test_type_with_article(value, expected):
    assert type_with_article(value) == expected


def test_to_frame_names_an_int():
    with pytest.raises(TypeError, match=r"^results\[0\] is an int, not a result with to_dict\(\)"):
        pidkit.to_frame([3])


def test_unhashable_label_is_an_ordered_dict():
    y = np.empty(2, dtype=object)
    y[0], y[1] = OrderedDict(), 1
    with pytest.raises(TypeError, match=r"the one at index 0 is an OrderedDict: convert lists"):
        pidkit.joint_from_samples(y, [0, 1], [0, 1])


def test_mapping_of_labels_is_an_ordered_dict():
    with pytest.raises(TypeError, match=r"^y is an OrderedDict, whose iteration gives its keys"):
        pidkit.joint_from_samples(OrderedDict(a=0, b=1), [0, 1], [0, 1])
