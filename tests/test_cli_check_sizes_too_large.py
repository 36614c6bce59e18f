"""``pidkit check theorem-4.1 --sizes`` too large for I_GH: the refusal names --sizes, the one
setting the command takes that changes it, not ``max_vertices=None`` or another measure; the text
is ``check_theorem_4_1``'s (tests/test_vertex_refusals_name_their_caller.py), its options spelled
as the command takes them (--sizes, --max-vertices) and its measure as ``pidkit decompose`` names
one (measure gh, not Python's measure='gh', nor --measure gh: the command's
--measure is Theorem 3.1's)."""

import importlib.util

import pytest

from pidkit.cli import main

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("cdd") is None, reason="pycddlib (the exact extra) is not installed"
)


@pytest.mark.parametrize("which", ["theorem-4.1", "all"])
def test_sizes_too_large_for_gh_name_sizes(which, capsys):
    assert main(["check", which, "--sizes", "4,4,4", "--n", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pidkit check: error: measure gh on this 4x4x4 joint: the polytope of I_GH has ")
    assert err.endswith("Theorem 4.1 compares every measure of its chain, gh and prec among them, on each "
                        "joint and takes no --max-vertices: pass smaller sizes, such as the default --sizes "
                        "2,2,3.\n")
    assert "max_vertices" not in err and "measure=" not in err  # the options as this command spells them
