"""``pidkit check`` runs each check with its Python function's defaults, so that what the command
checked can be repeated from Python. It drew 50 joints with sparsity 0.3 for Theorem 3.2, whose
function draws 20 with sparsity 0.2: pidkit.check_theorem_3_2(random_state=0) was another check.
Only the seed differs, fixed at 0 where Python draws one, and the help says so."""

import json

import pidkit
from pidkit.cli import main


def test_theorem_3_2_from_the_command_is_the_function_with_seed_0(capsys):
    assert main(["check", "theorem-3.2", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    python = pidkit.check_theorem_3_2(random_state=0).to_dict()
    assert report == json.loads(json.dumps(python))
    assert len(report["rows"]) == 20 and report["details"]["sparsity"] == 0.2


def test_the_help_gives_the_functions_defaults_and_how_to_repeat_a_check(capsys):
    assert main(["check", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--n N random joints for 3.2 and 4.1 (default: 20 for theorem-3.2, 50 for theorem-4.1)" in text
    assert "(default: 0.2 for theorem-3.2, 0.3 for theorem-4.1)" in text
    assert "'pidkit check theorem-3.2' is pidkit.check_theorem_3_2(random_state=0)" in text


def test_the_seed_help_says_why_the_command_fixes_it(capsys):
    # it read '(default: 0, where Python draws one)', a contradiction until the description above
    assert main(["check", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("random_state of the joints (default: 0, so that a run repeats; the Python functions "
            "draw a fresh one)") in help_text
