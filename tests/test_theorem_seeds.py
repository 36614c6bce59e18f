"""check_theorem_3_2 and check_theorem_4_1 draw their random joints from random_state=None by
default and kept no record of the draw: a violation found that way could not be drawn again.
The seed drawn is now in details["random_state"], and passing it back repeats the check."""

import numpy as np

import pidkit


def test_theorem_4_1_records_the_seed_it_drew() -> None:
    first = pidkit.check_theorem_4_1(n=3)
    seed = first.details["random_state"]
    assert isinstance(seed, int) and 0 <= seed < 2**32
    again = pidkit.check_theorem_4_1(n=3, random_state=seed)
    assert again.details["values_bits"] == first.details["values_bits"]
    assert again.rows == first.rows
    assert pidkit.check_theorem_4_1(n=1, random_state=5).details["random_state"] == 5
    from_generator = pidkit.check_theorem_4_1(n=1, random_state=np.random.default_rng(0))
    assert from_generator.details["random_state"] is None


def test_theorem_3_2_records_the_seed_of_its_joints_and_merges() -> None:
    first = pidkit.check_theorem_3_2(n=4)
    seed = first.details["random_state"]
    assert isinstance(seed, int)
    again = pidkit.check_theorem_3_2(n=4, random_state=seed)
    assert again.rows == first.rows  # the same joints, and the same merges h (column Uni_h(T))
    assert pidkit.check_theorem_3_2(n=4, random_state=seed + 1).rows != first.rows
