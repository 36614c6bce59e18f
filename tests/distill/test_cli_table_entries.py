"""One option sets one entry of a table option (task 278): ``--data.options
n_train=512,train_fraction=0.5`` was read as ``n_train = '512,train_fraction=0.5'`` and refused
as "n_train must be an int >= 1; got '512,train_fraction=0.5'", which did not say how to set
two entries (nor did the help say that the option repeats); ``--set`` the same."""

from __future__ import annotations

import pytest

from pidkit_distill.cli import config_from_args, main
from pidkit_distill.cli_parser import get_args_parser

ERROR = "pidkit-distill train: error: "


@pytest.mark.parametrize(("args", "expected"), [
    (["--data.options", "n_train=512,train_fraction=0.5"],
     "--data.options n_train=512,train_fraction=0.5: one option sets one entry, and this value "
     "holds 2 (n_train, train_fraction); pass each in an option of its own: --data.options "
     "n_train=512 --data.options train_fraction=0.5"),
    (["--method", "rid", "--method.params", "lambda1=2 lambda2=3"],
     "--method.params lambda1=2 lambda2=3: one option sets one entry, and this value holds 2 "
     "(lambda1, lambda2); pass each in an option of its own: --method.params lambda1=2 "
     "--method.params lambda2=3"),
    (["--method", "rid", "--set", "method.params.lambda1=2,lambda2=3"],
     "--set method.params.lambda1=2,lambda2=3: one option sets one entry, and this value holds "
     "2 (lambda1, lambda2); pass each in an option of its own: --set method.params.lambda1=2 "
     "--set method.params.lambda2=3"),
])
def test_several_entries_in_one_option_are_told_to_take_one_option_each(capsys, args, expected):
    assert main(["train", "--data", "synthetic", *args]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{expected}\n")


@pytest.mark.parametrize("entry", ["audit_layers=[0,1]", "name='a,b=c'", "target=joint"])
def test_a_list_a_quoted_string_or_one_value_is_one_entry(entry):
    args = get_args_parser().parse_args(["train", "--teacher.data_options", entry])
    assert list(config_from_args(args).teacher.data_options) == [entry.split("=")[0]]


def test_the_help_says_a_table_option_repeats(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ("--data.options NAME=VALUE extra keyword options for load_dataset (e.g. synthetic "
            "n_train) (repeatable: one NAME=VALUE each) (default: {})") in text
