"""``pidkit check theorem-4.1 --sizes`` too large for I_GH: the refusal names --sizes, the one
setting the command takes that changes it, not ``max_vertices=None`` or another measure."""

import pytest

from pidkit.cli import main


@pytest.mark.parametrize("which", ["theorem-4.1", "all"])
def test_sizes_too_large_for_gh_name_sizes(which, capsys):
    assert main(["check", which, "--sizes", "4,4,4", "--n", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pass smaller --sizes, such as the default 2,2,3" in err
    assert "measure='gh', one of the measures the theorem compares, could have up to" in err
    assert "max_vertices" not in err
