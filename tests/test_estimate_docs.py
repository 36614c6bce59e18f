"""The examples of ``pidkit.estimate``'s docstrings and of docs/estimate.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

from pidkit.estimate import pid_from_representations


def test_the_docstring_example_prints_what_it_claims_under_a_plain_doctest():
    import doctest

    runner = doctest.DocTestRunner(optionflags=0)  # no NUMBER flag: -0.0 is not 0.0
    for test in doctest.DocTestFinder().find(pid_from_representations):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_the_quick_start_runs_as_written(capsys):
    # docs/estimate.md's first code block, as a user pastes it into a notebook: it once used y,
    # t_feat and s_feat without defining them (a NameError). Bootstrap replicates are cut to 2.
    text = (Path(__file__).resolve().parents[1] / "docs" / "estimate.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert code.count("bootstrap=50") == 1 and code.count("bootstrap=200") == 1
    namespace: dict = {}
    code = code.replace("bootstrap=50", "bootstrap=2").replace("bootstrap=200", "bootstrap=2")
    exec(compile(code, "docs/estimate.md", "exec"), namespace)
    assert capsys.readouterr().out.startswith(
        "RepresentationPID(broja, n=1000, |Y|x|T|x|S| = 10x10x10, status=optimal, "
        "bias_correction=eb-extrapolation-kink)\n"
    )
    res, g = namespace["res"], namespace["g"]
    assert res.settings["bootstrap"] == 2 and set(res.intervals) == set(res.plugin)
    assert g.settings["estimator"] == "gaussian" and g.settings["bias_correction"] == "wishart"


def test_the_docs_runnable_example_passes_as_a_plain_doctest():
    import doctest

    text = (Path(__file__).resolve().parents[1] / "docs" / "estimate.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]
    assert len(blocks) == 1
    test = doctest.DocTestParser().get_doctest(blocks[0], {}, "estimate.md", "docs/estimate.md", 0)
    runner = doctest.DocTestRunner(optionflags=0)
    runner.run(test)
    assert runner.summarize(verbose=False) == (0, 8)


# Names in docs/estimate.md's module table that say what a module works on, not what it holds.
_DESCRIBED_NOT_HELD = {"clusterer", "Pipeline", "Projector", "Discretizer"}


def test_the_module_table_lists_every_module_with_the_names_it_holds():
    # "One job per module": the table said correction held kink_fraction, which lives in
    # pidkit.estimate.kink, a module the table left out.
    import importlib

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "estimate.md").read_text(encoding="utf-8")
    table = text.split("| module | what it holds |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|") for line in table.strip().splitlines()[1:]]
    listed = {row[1].strip().strip("`"): row[2] for row in rows}
    modules = {path.stem for path in (root / "pidkit" / "estimate").glob("*.py")} - {"__init__"}
    assert set(listed) == modules
    for module_name, cell in listed.items():
        module = importlib.import_module(f"pidkit.estimate.{module_name}")
        names = set(re.findall(r"`([A-Za-z_]\w*)`", cell)) - _DESCRIBED_NOT_HELD
        assert not {n for n in names if not hasattr(module, n)}, module_name
