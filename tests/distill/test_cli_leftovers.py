"""Small leftovers of the ``pidkit-distill`` command line (task 249): each bad input is one
line on stderr naming what is wrong and how to fix it, exit status 2."""

from __future__ import annotations

import pytest

from pidkit_distill.cli import main

EMPTY_KEY = ("pidkit-distill train: error: argument --set: got '=3', whose key (before '=') "
             "is empty; write KEY=VALUE, e.g. --set run.epochs=3; see "
             "'pidkit-distill train --help'\n")


def _empty_part(text: str, key: str) -> str:
    return (f"pidkit-distill train: error: argument --set: got {text!r}, whose key {key!r} has "
            "an empty part between dots; write SECTION.NAME=VALUE, e.g. --set run.epochs=3; "
            "see 'pidkit-distill train --help'\n")


@pytest.mark.parametrize(("text", "expected"), [
    ("=3", EMPTY_KEY),
    (" =3", EMPTY_KEY.replace("'=3'", "' =3'")),
    (".epochs=3", _empty_part(".epochs=3", ".epochs")),
    ("run.=3", _empty_part("run.=3", "run.")),
    ("run..epochs=3", _empty_part("run..epochs=3", "run..epochs")),
])
def test_a_set_with_an_empty_key_or_key_part_is_one_line(tmp_path, capsys, text, expected):
    # before: "unknown config key ''; known keys: [...]", a list of every key
    with pytest.raises(SystemExit) as stop:
        main(["train", "--data", "digits", "--out-dir", str(tmp_path), "--set", text])
    assert (stop.value.code, capsys.readouterr().err) == (2, expected)


@pytest.mark.parametrize("epochs", ["0", "1", "-3"])
def test_demo_epochs_below_two_names_the_option_typed(tmp_path, capsys, epochs):
    # before: 'pidkit-distill demo: error: epochs must be an int >= 2; got 0.', the Python name
    with pytest.raises(SystemExit) as stop:
        main(["demo", "--epochs", epochs, "--out-dir", str(tmp_path / "demo")])
    assert (stop.value.code, capsys.readouterr().err) == (2, (
        "pidkit-distill demo: error: argument --epochs: must be a whole number of at least 2 "
        f"(RID's schedule scaled to one epoch leaves its student none); got {epochs}, e.g. "
        "--epochs 2; see 'pidkit-distill demo --help'\n"))
    assert not (tmp_path / "demo").exists()


def _run_without_checkpoint(tmp_path) -> tuple[list[str], object]:
    """A finished one-epoch run whose checkpoint.pt is gone: a resume reads its metrics.jsonl."""
    from test_cli_data_errors import SMALL_RUN

    args = ["train", "--data", "synthetic", *SMALL_RUN, "--out-dir", str(tmp_path),
            "--run.name", "a"]
    assert main(args) == 0
    folder = tmp_path / "a"
    (folder / "checkpoint.pt").unlink()
    return [*args, "--resume"], folder


def test_a_resume_whose_metrics_jsonl_is_a_folder_is_one_line(tmp_path, capsys):
    # before: 'pidkit-distill train: error: [Errno 21] Is a directory: '.../metrics.jsonl''
    args, folder = _run_without_checkpoint(tmp_path)
    metrics = folder / "metrics.jsonl"
    metrics.unlink()
    metrics.mkdir()
    capsys.readouterr()
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: cannot read {str(metrics)!r}: it is a folder, not a "
        "run's metrics.jsonl: move it away, then rerun the same command\n")


def _denied_for(path):
    """``Path.read_text`` as a user without read access to ``path`` meets it (the tests run
    as root, for whom chmod 000 denies nothing)."""
    from pathlib import Path

    read_text = Path.read_text

    def read(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return read_text(self, *args, **kwargs)
    return read


@pytest.mark.parametrize("command", ["resume", "report"])
def test_an_unreadable_metrics_jsonl_is_one_line(tmp_path, capsys, monkeypatch, command):
    # before: "error: [Errno 13] Permission denied: '.../metrics.jsonl'", no fix named
    from pathlib import Path

    args, folder = _run_without_checkpoint(tmp_path)
    metrics = folder / "metrics.jsonl"
    capsys.readouterr()
    monkeypatch.setattr(Path, "read_text", _denied_for(metrics))
    if command == "report":
        args = ["report", str(folder)]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill {args[0]}: error: cannot read {str(metrics)!r}: Permission denied; ask "
        "for read access to it (or copy the run folder to a place you can read), then rerun "
        "the same command\n")


def test_a_run_folder_as_out_dir_is_told_the_options_quoted_for_a_shell(tmp_path, capsys):
    # before: "pass --out-dir '/tmp/.../my runs' --run.name \"bob's\"", Python's quoting, where
    # a --resume's advice quotes for the shell (shlex.quote); "bob's" pasted into a shell
    # opens a quote that never ends
    from test_cli_data_errors import SMALL_RUN

    runs = tmp_path / "my runs"
    args = ["train", "--data", "synthetic", *SMALL_RUN, "--out-dir", str(runs)]
    assert main([*args, "--run.name", "bob's", "--run.stop_after", "1", "--epochs", "2"]) == 0
    capsys.readouterr()
    assert main(["train", "--data", "synthetic", *SMALL_RUN, "--epochs", "2",
                 "--out-dir", str(runs / "bob's")]) == 2
    err = capsys.readouterr().err
    assert err.endswith(f"to continue that run pass --out-dir '{runs}' --run.name 'bob'\"'\"'s' "
                        "--resume, or choose another run.out_dir\n"), err


@pytest.mark.parametrize(("name", "given"), [("metrics.jsonl", "a"), ("metrics.jsonl", "."),
                                             ("config.json", "a")])
def test_a_report_of_a_run_file_that_is_a_folder_says_so_as_resume_does(tmp_path, capsys,
                                                                        monkeypatch, name, given):
    # task 251: 'report RUN' said "'RUN' is not a run folder (no metrics.jsonl)" where resume
    # says the file is a folder, and to move it away; so for a sweep's folder (.) holding it
    _, folder = _run_without_checkpoint(tmp_path)
    (folder / name).unlink()
    (folder / name).mkdir()
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert main(["report", given]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: cannot read 'a/{name}': it is a folder, not a run's "
        f"{name}: move it away, then rerun the same command\n")


@pytest.mark.parametrize("below", ["", "/report"])
def test_a_report_out_onto_a_file_names_the_file(tmp_path, capsys, below):
    # task 251 walk: 'report RUN --out FILE' said "cannot be created (File exists)" (under a
    # file: "(Not a directory)"), mkdir's words for a file in the way, not naming it
    _, folder = _run_without_checkpoint(tmp_path)
    (tmp_path / "notes").write_text("mine")
    capsys.readouterr()
    out = f"{tmp_path / 'notes'}{below}"
    assert main(["report", str(folder), "--out", out]) == 2
    assert capsys.readouterr() == ("", (
        f"pidkit-distill report: error: out_dir={out!r} cannot be created "
        f"({str(tmp_path / 'notes')!r} is a file, not a folder); choose another folder "
        "(--out)\n"))
    assert (tmp_path / "notes").read_text() == "mine"
