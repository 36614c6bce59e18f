"""examples.unq names the source a capital letter meant: the docs write the sources T and S, and
unq("T") said only "source must be 't' or 's'", where every other choice of pidkit suggests one."""

import pytest

import pidkit


def test_unq_names_the_source_a_capital_letter_meant() -> None:
    with pytest.raises(ValueError, match=r"^source must be 't' or 's'; got 'T'\. Did you mean 't'\? "
                                         r"Options are case-sensitive\.$"):
        pidkit.examples.unq("T")
    with pytest.raises(TypeError, match=r"^source must be 't' or 's'; got None \(NoneType\)\.$"):
        pidkit.examples.unq(None)
    r = pidkit.pid(pidkit.examples.unq("s"))
    assert [r.red, r.uni_t, r.uni_s, r.syn] == pytest.approx([0.0, 0.0, 1.0, 0.0], abs=1e-9)
