"""``extrapolate(values, sizes)``'s hint follows ``values``' dimensions where its type holds them.

It was hinted ``numpy.ndarray | float`` whatever ``values`` was, so a user's mypy refused
``round(extrapolate([...], m), 3)`` though one value per size always gives a float. A sequence of
numbers now types as a float and a sequence of rows as an array; a numpy array, whose dimensions
numpy's hints do not hold reliably, keeps the union (an overload for 1-D arrays would also take
``np.zeros((3, 2)) / 2``, typed as of any shape, and call its array a float).
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate.extrapolation import extrapolate
from tests.mypy_reveals import mypy_on_script

pytest.importorskip("mypy", reason="mypy is in the dev extra")

SCRIPT = '''\
from typing import TYPE_CHECKING

import numpy as np

from pidkit.estimate.extrapolation import extrapolate

if TYPE_CHECKING:
    from typing_extensions import reveal_type

m = [400.0, 200.0, 100.0]
reveal_type(extrapolate([0.3, 0.5, 0.9], m))  # float
reveal_type(extrapolate((1, 2, 3), (450, 225, 112)))  # float
reveal_type(extrapolate([[0.3, 1.0], [0.5, 1.0], [0.9, 1.0]], m))  # ndarray
reveal_type(extrapolate(np.zeros((3, 2)) / 2, np.array(m)))  # ndarray | float
print(round(extrapolate([0.3, 0.5, 0.9], m), 3) + 1.0)
print(extrapolate([[0.3], [0.5], [0.9]], m).tolist())
'''


def test_a_users_mypy_reads_the_type_from_the_values(tmp_path):
    script = tmp_path / "extrapolate_hints.py"
    script.write_text(SCRIPT)
    errors, revealed, expected = mypy_on_script(script, tmp_path / "cache")
    assert errors == []
    assert len(expected) == 4
    assert revealed == expected


def test_the_types_it_promises_are_the_types_it_gives():
    m = [400.0, 200.0, 100.0]
    assert type(extrapolate([0.3, 0.5, 0.9], m)) is float
    assert type(extrapolate((1, 2, 3), (450, 225, 112))) is float
    rows = extrapolate([[0.3, 1.0], [0.5, 1.0], [0.9, 1.0]], m)
    assert isinstance(rows, np.ndarray) and rows.shape == (2,)
    assert extrapolate(np.zeros((3, 2)) / 2, np.array(m)).shape == (2,)
