"""A cached teacher of a model the user registered is the teacher of that code: a builder edited
in place (a notebook's cell run again with ReLU made Tanh, the same shapes) trains its own
teacher, where it reused the one the code before had trained, ReLU weights in the Tanh network
('reusing the teacher t64 trained before with the same settings', the folder's name hashing
the registering module's path, which a notebook's ``__main__`` does not even have). The same
code reuses its teacher, in another process too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tiny_runs import TINY, command_env, tiny

from pidkit_distill import build_model, train_teacher, unregister_model
from pidkit_distill.code_fingerprint import code_fingerprint
from pidkit_distill.training.teacher import read_teacher_file, teacher_code

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# A notebook's cell registering its teacher: its hidden layers built by a helper of the notebook.
CELL = textwrap.dedent("""
    from torch import nn

    from pidkit_distill import register_model, tap_features

    WIDTH = {width}


    def hidden(width):
        return nn.Sequential(nn.Linear(width, WIDTH), nn.{activation}())


    @register_model("my-teacher")
    def build(*, num_classes, in_channels):
        return tap_features(nn.Sequential(hidden(in_channels), nn.Linear(WIDTH, num_classes)),
                            layers=["0"])
""")

# A module class built by a builder: what its forward does is the teacher's code too.
CLASS_CELL = textwrap.dedent("""
    from torch import nn


    class Net(nn.Module):
        def __init__(self, num_classes):
            super().__init__()
            self.fc = nn.Linear(4, num_classes)

        def forward(self, x):
            return self.fc(x).{activation}()


    def build(*, num_classes, in_channels):
        return Net(num_classes)
""")


# A builder that is an object holding its setting.
MAKER_CELL = textwrap.dedent("""
    class Maker:
        def __init__(self, activation):
            self.activation = activation

        def __call__(self, *, num_classes, in_channels):
            return (self.activation, num_classes)
""")


def run_cell(source: str, module: str = "notebook") -> dict:
    """The namespace of ``source`` run as the module ``module`` that has no file (as a
    notebook's ``__main__`` has none)."""
    namespace = {"__name__": module}
    exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def test_the_fingerprint_follows_the_code_not_where_it_is_written():
    relu = code_fingerprint(run_cell(CELL.format(width=8, activation="ReLU"))["build"])
    # the same cell run again (new objects), and moved down two lines with a comment
    assert code_fingerprint(run_cell(CELL.format(width=8, activation="ReLU"))["build"]) == relu
    moved = "# the teacher\n\n" + CELL.format(width=8, activation="ReLU")
    assert code_fingerprint(run_cell(moved)["build"]) == relu
    # the helper's activation, and the notebook's constant that the builder names, edited
    assert code_fingerprint(run_cell(CELL.format(width=8, activation="Tanh"))["build"]) != relu
    assert code_fingerprint(run_cell(CELL.format(width=16, activation="ReLU"))["build"]) != relu
    # a method of the class that the builder builds, edited
    assert (code_fingerprint(run_cell(CLASS_CELL.format(activation="relu"))["build"])
            != code_fingerprint(run_cell(CLASS_CELL.format(activation="tanh"))["build"]))
    # a callable object of a setting, which its class's code reads
    maker = run_cell(MAKER_CELL)["Maker"]
    assert code_fingerprint(maker("relu")) == code_fingerprint(maker("relu"))
    assert code_fingerprint(maker("relu")) != code_fingerprint(maker("tanh"))


def test_the_fingerprint_is_the_same_in_another_process():
    # a set constant's order and a default's memory address differ from process to process
    script = CLASS_CELL.format(activation="relu") + textwrap.dedent("""
        from pidkit_distill.code_fingerprint import code_fingerprint

        def other(*, num_classes, in_channels, tags=object(), kinds={"a", "b", "c", "d"}):
            return build(num_classes=num_classes, in_channels=in_channels) if tags in kinds else None

        # a set of the notebook's functions and settings, each walked in the set's order
        BUILDERS = {build, other, frozenset({"e", "f", "g"}), "h"}

        def builders(*, num_classes, in_channels):
            return BUILDERS

        print(code_fingerprint(other), code_fingerprint(builders))
    """)
    prints = {subprocess.run([sys.executable, "-"], input=script, capture_output=True,
                             text=True, check=True,
                             env={**command_env(), "PYTHONHASHSEED": seed}).stdout
              for seed in ("1", "2")}
    assert len(prints) == 1 and [len(p) for p in prints.pop().split()] == [16, 16]


# The student's run trains (and caches) a teacher of my-teacher.
TEACHER = ["model.teacher=my-teacher", "teacher.source=trained", "teacher.epochs=1"]


@pytest.fixture
def notebook():
    """Run a notebook's cell that registers ``my-teacher``; unregistered after the test."""
    yield lambda activation: run_cell(CELL.format(width=8, activation=activation))
    unregister_model("my-teacher")


def test_a_builder_edited_in_place_trains_its_own_teacher(tmp_path, notebook, capsys):
    config = tiny(tmp_path, *TEACHER)
    notebook("ReLU")
    relu = train_teacher(config)
    notebook("Tanh")  # the cell edited and run again: the name is registered anew
    tanh = train_teacher(config)
    out = capsys.readouterr().out
    assert out.count("training the teacher my-teacher") == 2 and "reusing" not in out
    assert relu.parent != tanh.parent
    assert [str(read_teacher_file(path)["model"]["0.0.weight"].shape)
            for path in (relu, tanh)] == ["torch.Size([8, 12])"] * 2
    notebook("ReLU")  # and back: its teacher is reused
    assert train_teacher(config) == relu
    assert "reusing the teacher my-teacher" in capsys.readouterr().out
    # the ReLU teacher's file copied into the Tanh teacher's folder is refused
    notebook("Tanh")
    shutil.copyfile(relu, tanh)
    with pytest.raises(ValueError, match=(
            r"teacher file '.*teacher.pt' holds a teacher of model.teacher='my-teacher' built by "
            r"other code than the one registered now \(its builder, or code of yours that it "
            r"names, was edited since\); it is the teacher cached for these settings: delete "
            rf"{tanh.parent} to train it again")):
        train_teacher(config)


def test_the_same_code_reuses_its_teacher_in_another_process(tmp_path):
    # python - : a __main__ without a file, as a notebook's; another hash seed each time
    script = CELL.format(width=8, activation="ReLU") + textwrap.dedent(f"""
        import torch

        from pidkit_distill import load_config, train_teacher

        torch.set_num_threads(1)
        config = load_config(overrides={[*TINY, *TEACHER, f"run.out_dir={tmp_path}"]!r})
        print("teacher file", train_teacher(config))
    """)
    outs = [subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True,
                           check=True, env={**command_env(), "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert "training the teacher my-teacher" in outs[0] and "reusing" not in outs[0]
    assert "reusing the teacher my-teacher trained before with the same settings" in outs[1]
    files = [out.split("teacher file ")[-1].strip() for out in outs]
    assert files[0] == files[1] and os.path.isfile(files[0])
    assert Path(files[0]).parent.name.startswith("teacher-synthetic-my-teacher-s0-e1-")


# Code a builder reaches through a value, each with two versions: {0} is edited, the rest is not.
THROUGH_VALUES = {
    # a default argument that is a module class of the notebook's
    "default class": """
        from torch import nn

        class Block(nn.Module):
            def forward(self, x):
                return x.{0}()

        def build(*, num_classes, in_channels, block=Block):
            return block()
    """,
    # a notebook's table of its helpers
    "dict of helpers": """
        def act(x):
            return x.{0}()

        ACTIVATIONS = {{"act": act}}

        def build(*, num_classes, in_channels):
            return ACTIVATIONS["act"]
    """,
    # a notebook's settings as a dict and as a list
    "dict of settings": """
        CONFIG = {{"activation": "{0}", "width": 8}}

        def build(*, num_classes, in_channels):
            return CONFIG["activation"]
    """,
    "list of settings": """
        HIDDEN = ["{0}", 8]

        def build(*, num_classes, in_channels):
            return HIDDEN
    """,
    # an object of a class of the notebook's that the builder closes over
    "instance closed over": """
        class Act:
            def __call__(self, x):
                return x.{0}()

        def builder_of(act):
            def build(*, num_classes, in_channels):
                return act
            return build

        build = builder_of(Act())
    """,
    # a string constant that looks like an address
    "hex string": """
        def build(*, num_classes, in_channels):
            return int("0x{0}", 16)
    """,
}


@pytest.mark.parametrize("source", THROUGH_VALUES.values(), ids=THROUGH_VALUES)
def test_code_and_settings_reached_through_a_value_are_in_the_fingerprint(source):
    # each of these reused the teacher trained by the code before the edit
    def fingerprint(edit: str) -> str:
        return code_fingerprint(run_cell(textwrap.dedent(source).format(edit))["build"])

    assert fingerprint("relu") == fingerprint("relu")
    assert fingerprint("relu") != fingerprint("tanh")
    if "0x{0}" in source:
        assert fingerprint("10") != fingerprint("20")


def test_a_value_that_holds_itself_has_a_fingerprint():
    # it used to be a RecursionError from deep inside the walk
    cell = run_cell(textwrap.dedent("""
        class Node:
            def __init__(self):
                self.me = self

        def builder_of(values):
            def build(*, num_classes, in_channels):
                return values
            return build
    """))
    looped, table = [1], {"width": 8}
    looped.append(looped)
    table["me"] = table
    prints = {code_fingerprint(cell["builder_of"](value))
              for value in (looped, table, [looped, 2], cell["Node"]())}
    assert len(prints) == 4 and all(len(p) == 16 for p in prints)
    looped[0] = 3
    assert code_fingerprint(cell["builder_of"](looped)) not in prints


RECURSIVE = textwrap.dedent("""
    def helper(n):
        return helper(n - 1) if n else {0}

    data = {1}

    def train():
        return {1}

    def build(*, num_classes, in_channels):
        return helper(3), num_classes.data, in_channels.train()
""")


def test_a_script_imported_as_a_module_keeps_its_fingerprint_and_attributes_are_not_globals():
    # a recursive helper named the module it met twice in (a notebook's, or mymods when the
    # same code is imported); an attribute (.data, .train()) read the global of its name
    main = code_fingerprint(run_cell(RECURSIVE.format(1, 1), "notebook")["build"])
    assert code_fingerprint(run_cell(RECURSIVE.format(1, 1), "mymods")["build"]) == main
    assert code_fingerprint(run_cell(RECURSIVE.format(2, 1), "mymods")["build"]) != main
    assert code_fingerprint(run_cell(RECURSIVE.format(1, 2), "notebook")["build"]) == main


def test_a_teacher_file_records_the_fingerprint_its_folder_was_named_by(tmp_path, capsys):
    # a builder whose network trains a tensor it reads in place: the file recorded the
    # fingerprint taken after training, and the same code run again (a fresh process, the
    # tensor as it was) refused the teacher it had trained ('... built by other code than the
    # one registered now ...')
    cell = run_cell(textwrap.dedent("""
        import torch
        from torch import nn

        from pidkit_distill import register_model, tap_features

        def builder_of(weight):
            def build(*, num_classes, in_channels):
                first = nn.Linear(in_channels, 8)
                first.weight = nn.Parameter(weight)  # weight's memory, which training changes
                return tap_features(nn.Sequential(first, nn.ReLU(), nn.Linear(8, num_classes)),
                                    layers=["0"])
            return build

        weight = torch.full((8, 12), 0.1)
        register_model("my-teacher")(builder_of(weight))
    """))
    try:
        config = tiny(tmp_path, *TEACHER)
        path = train_teacher(config)
        assert cell["weight"].ne(0.1).any()  # trained in place
        cell["weight"].fill_(0.1)  # as a fresh process has it
        assert train_teacher(config) == path
        assert "reusing the teacher my-teacher" in capsys.readouterr().out
    finally:
        unregister_model("my-teacher")


# Builders that change a value they read at each build: a list they append to, a counter, a
# default argument they fill; and a setting of the notebook's that they read (WIDTH).
CHANGED_BY_BUILDS = textwrap.dedent("""
    from torch import nn

    from pidkit_distill import register_model, tap_features

    WIDTH = 8
    BUILT = []
    COUNT = 0


    def net(in_channels, num_classes):
        return tap_features(nn.Sequential(nn.Linear(in_channels, WIDTH), nn.ReLU(),
                                          nn.Linear(WIDTH, num_classes)), layers=["1"])


    @register_model("my-teacher")
    def appends(*, num_classes, in_channels):
        BUILT.append(num_classes)
        return net(in_channels, num_classes)


    @register_model("my-counted")
    def counts(*, num_classes, in_channels):
        global COUNT
        COUNT += 1
        return net(in_channels, num_classes)


    @register_model("my-cached")
    def caches(*, num_classes, in_channels, cache={}):
        cache[len(cache)] = num_classes
        return net(in_channels, num_classes)
""")


@pytest.fixture
def changed_by_builds():
    """The cell of builders that change what they read, run; unregistered after the test."""
    yield run_cell(CHANGED_BY_BUILDS)
    for name in ("my-teacher", "my-counted", "my-cached"):
        unregister_model(name)


def test_what_a_builder_changes_as_it_builds_is_not_its_code(changed_by_builds):
    # each build changed the fingerprint (the list's repr, the counter, the default's): every
    # run that built the teacher once more before taking it had another teacher folder
    registered = {name: teacher_code(name) for name in ("my-teacher", "my-counted", "my-cached")}
    for name in registered:
        for _ in range(3):
            build_model(name, num_classes=3, in_channels=12)
    assert {name: teacher_code(name) for name in registered} == registered
    assert changed_by_builds["BUILT"] == [3, 3, 3] and changed_by_builds["COUNT"] == 3
    # a setting of the notebook's that the builder reads, edited between builds, is another
    # teacher, which its builds leave as it is too
    changed_by_builds["WIDTH"] = 16
    edited = teacher_code("my-teacher")
    assert edited != registered["my-teacher"]
    build_model("my-teacher", num_classes=3, in_channels=12)
    assert teacher_code("my-teacher") == edited
    # the cell run again registers the builders anew, as a fresh process does
    run_cell(CHANGED_BY_BUILDS)
    assert teacher_code("my-teacher") == registered["my-teacher"]


def test_the_same_command_twice_in_one_process_reuses_its_teacher(tmp_path, changed_by_builds,
                                                                  capsys):
    # a sweep of students in one script, or a notebook's cell run twice: the second trained
    # another teacher (its folder named by the fingerprint after more builds)
    config = tiny(tmp_path, *TEACHER)
    first = train_teacher(config)
    assert train_teacher(config) == first
    out = capsys.readouterr().out
    assert out.count("training the teacher my-teacher") == 1
    assert "reusing the teacher my-teacher trained before with the same settings" in out
    assert [p.name for p in tmp_path.iterdir()] == [first.parent.name]
