"""The pidkit-distill command imports PyTorch (and scikit-learn) only once a command needs it:
its help, its option mistakes and the configuration's values are reported at once (the package
imported everything eagerly, and a mistyped option waited ~5 s for its one line)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tiny_runs import command_env

import pidkit_distill

# Runs pidkit-distill's main() on each command line in one process, and says after each whether
# torch or scikit-learn was imported by then.
SCRIPT = textwrap.dedent("""
    import contextlib, io, json, sys
    import pidkit_distill, pidkit_distill.cli
    results = []
    for argv in json.loads(sys.argv[1]):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            try:
                status = pidkit_distill.cli.main(argv)
            except SystemExit as exit_:
                status = exit_.code
        heavy = sorted({"torch", "sklearn"} & set(sys.modules))
        results.append([argv, status, err.getvalue(), heavy])
    print(json.dumps(results))
""")

COMMAND_LINES = [
    # argv, exit status, start of the line on stderr
    (["--help"], 0, ""),
    (["report", "--help"], 0, ""),
    (["demo", "--help"], 0, ""),
    (["--version"], 0, ""),
    (["train", "--epcohs", "3"], 2, "pidkit-distill train: error: unrecognized arguments: "
                                    "--epcohs 3. Did you mean '--epochs'?"),
    (["train-teacher", "--epcohs", "3"], 2, "pidkit-distill train-teacher: error: "
                                            "unrecognized arguments: --epcohs 3."),
    (["train-teacher", "--help"], 0, ""),
    (["train-teacher", "--epochs", "3"], 2, "pidkit-distill train-teacher: error: --run.epochs/"
                                          "--epochs is the student's, not used by "
                                          "train-teacher; pass --teacher.epochs"),
    (["trian"], 2, "pidkit-distill: error: argument COMMAND: invalid choice: 'trian'"),
    (["train", "--epochs", "three"], 2, "pidkit-distill train: error: --epochs three: config "
                                        "key 'run.epochs' expects an int, got 'three' (str); "
                                        "e.g. --epochs 30"),
    (["train", "--set", "run.epochs", "3"], 2, "pidkit-distill train: error: argument --set: "
                                               "takes KEY=VALUE as one word, e.g. --set "
                                               "run.epochs=3; got 'run.epochs', with no '=': "
                                               "write --set run.epochs=VALUE"),
    (["train", "--set", "run.epoch=3"], 2, "pidkit-distill train: error: unknown config key "
                                           "'run.epoch'"),
    (["train", "--config", "no-such.toml"], 2, "pidkit-distill train: error: config file "
                                               "'no-such.toml' does not exist"),
    (["report", "no-such-run"], 2, "pidkit-distill report: error: 'no-such-run' does not exist"),
    (["train", "--import", "no_such_module_of_yours"], 2,
     "pidkit-distill train: error: --import no_such_module_of_yours: no module named"),
    # a misspelt name of the package's own (they waited for torch, ~4-8 s under load)
    (["train", "--data", "digts"], 2, "pidkit-distill train: error: --data digts: not a "
                                      "known dataset; choose one of ['cifar10', 'cifar100', "
                                      "'digits', 'synthetic'], or register your own with "
                                      "pidkit_distill.data.register_dataset"),
    (["train", "--method", "rdi"], 2, "pidkit-distill train: error: --method rdi: not a known "
                                      "method"),
    (["train", "--model.student", "wrn16-1"], 2, "pidkit-distill train: error: --model.student "
                                                 "wrn16-1: not a known model"),
    # a misspelt name is told as typed, in capitals too (the registry's spelling, name='digts',
    # was shown before task 257)
    (["train-teacher", "--data", "Digts"], 2, "pidkit-distill train-teacher: error: --data "
                                              "Digts: not a known dataset"),
    (["train-teacher", "--model.teacher", "digits-teacher2"], 2,
     "pidkit-distill train-teacher: error: --model.teacher digits-teacher2: not a known model"),
]


def test_help_and_mistakes_need_no_torch(tmp_path):
    argvs = [argv for argv, _, _ in COMMAND_LINES]
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(argvs)], cwd=tmp_path,
                          env=command_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(proc.stdout)
    for (argv, status, line), (_, got_status, err, heavy) in zip(COMMAND_LINES, results,
                                                                 strict=True):
        assert (got_status, heavy) == (status, []), (argv, err)
        assert err.startswith(line) and err.count("\n") == (1 if line else 0), (argv, err)


def test_the_package_imports_its_names_when_first_used(tmp_path):
    script = textwrap.dedent("""
        import sys
        import pidkit_distill
        print("torch" in sys.modules, "tap_features" in dir(pidkit_distill))
        # what tab completion lists: not the names the lazy __init__ imports for itself
        print(sorted({"Any", "ModuleType", "TYPE_CHECKING", "annotations", "importlib"}
                     & set(dir(pidkit_distill))))
        from pidkit_distill import TrainingError, train
        print("torch" in sys.modules, pidkit_distill.training.train is train,
              issubclass(TrainingError, Exception))
        namespace = {}
        exec("from pidkit_distill import *", namespace)
        print(sorted(set(pidkit_distill.__all__) - set(namespace)))
        try:
            pidkit_distill.trian
        except AttributeError as err:
            print(err)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=command_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout.splitlines() == [
        "False True", "[]", "True True True", "[]",
        "module 'pidkit_distill' has no attribute 'trian'"], proc.stderr[-3000:]


def test_type_checkers_see_the_names_that_the_package_imports_when_used():
    # type checkers and IDEs read the `if TYPE_CHECKING:` imports, not __getattr__'s table
    tree = ast.parse(Path(pidkit_distill.__file__).read_text(encoding="utf-8"))
    block = next(node for node in tree.body
                 if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    imported = {alias.name: node.module for node in block.body
                if isinstance(node, ast.ImportFrom) and node.level == 1 for alias in node.names}
    assert imported == pidkit_distill._SOURCES
    assert pidkit_distill.__all__ == sorted(imported)


def test_a_whole_report_needs_no_torch(tmp_path):
    # report.py imported atomic_write from training/checkpoint.py, which loaded torch (~5 s)
    # for a report that only reads JSON lines and draws figures
    from test_report import fake_run

    run = fake_run(tmp_path / "runs" / "x", epochs=2)
    argv = ["report", str(run), "--out", str(tmp_path / "rep")]
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps([argv])], cwd=tmp_path,
                          env=command_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [(_, status, err, heavy)] = json.loads(proc.stdout)
    assert (status, heavy, err) == (0, [], "")
    assert (tmp_path / "rep" / "report.md").read_text().startswith("# ")


BLOCKED = textwrap.dedent("""
    import sys
    sys.modules[sys.argv[1]] = None  # as if it were not installed
    import pidkit_distill.cli
    sys.exit(pidkit_distill.cli.main(sys.argv[2:]))
""")


def test_a_missing_optional_package_is_one_line_naming_the_extra(tmp_path):
    # without the distill extra, train, its --help and demo ended in a ModuleNotFoundError
    # traceback (exit 1); report without matplotlib likewise
    from test_report import fake_run

    run = fake_run(tmp_path / "runs" / "x", epochs=2)
    cases = [("torch", ["train", "--data", "digits"]), ("torch", ["train", "--help"]),
             ("torch", ["demo", "--epochs", "2"]),
             ("matplotlib", ["report", str(run), "--out", str(tmp_path / "rep")])]
    for blocked, argv in cases:
        proc = subprocess.run([sys.executable, "-c", BLOCKED, blocked, *argv], cwd=tmp_path,
                              env=command_env(), capture_output=True, text=True, timeout=120)
        assert (proc.returncode, proc.stderr) == (2, (
            f"pidkit-distill: error: this command needs {blocked}, which is not installed; "
            "install it with: pip install 'pidkit[distill]'\n")), argv
