"""Every line the pidkit command prints about a subcommand names the subcommand, as argparse's own
errors do: 'pidkit check: error: ...' beside 'pidkit check: error: argument --n: ...'. The errors
found after parsing (a bad --measure, a check refusing an option, a solver's failure) began
'pidkit: error:' instead."""

import pytest

import pidkit.cli
from pidkit import SolverError
from pidkit.cli import main


@pytest.mark.parametrize(("argv", "line"), [
    (["decompose", "--example", "and", "--measure", "foo"],
     "pidkit decompose: error: "
     "--measure must be one of ['broja', 'wedge', 'gh', 'prec', 'mmi', 'gh-target-only', "
     "'gh-function-of-t', 'gh-function-of-s']; got 'foo'."),
    # the message repeated the command: 'pidkit: error: decompose: give either ...'
    (["decompose"], "pidkit decompose: error: "
     "give either a joint file or --example NAME, not both or neither"),
    (["check", "--measure", "foo"],
     "pidkit check: error: "
     "--measure must be one of ['broja', 'wedge', 'gh', 'prec', 'mmi', 'gh-target-only', "
     "'gh-function-of-t', 'gh-function-of-s']; got 'foo'."),
    # ... and 'pidkit: error: check examples takes no --n ...'
    (["check", "examples", "--n", "5"],
     "pidkit check: error: examples takes no --n (only theorem-3.2, theorem-4.1 and all do); drop it"),
])
def test_an_error_after_parsing_names_the_subcommand(capsys, argv, line):
    assert main(argv) == 2
    assert capsys.readouterr().err == line + "\n"


@pytest.mark.parametrize("command", ["decompose", "examples", "check"])
def test_the_prefix_is_argparse_own(capsys, command):
    assert main([command, "--bogus"]) == 2
    assert capsys.readouterr().err.startswith(f"pidkit {command}: error: unrecognized arguments: --bogus")


@pytest.mark.parametrize(("raised", "status", "line"), [
    (ValueError("a bad joint"), 2, "pidkit examples: error: a bad joint"),
    (SolverError("gh: no certificate"), 1, "pidkit examples: solver failed: gh: no certificate"),
    (KeyboardInterrupt(), 130, "pidkit examples: interrupted"),
])
def test_the_examples_command_names_itself(capsys, monkeypatch, raised, status, line):
    def fail(*args, **kwargs):
        raise raised

    monkeypatch.setattr(pidkit.cli, "pid", fail)
    assert main(["examples"]) == status
    assert capsys.readouterr().err == line + "\n"
