"""``--list-methods`` says what each preset other than the default sets (task 278): it listed
the presets' names and the default preset's parameters, so what ``--preset kd-rid`` or
``--preset cross-architecture`` changes was not to be found from the command line."""

from __future__ import annotations

from pidkit_distill.cli import main


def test_each_other_preset_lists_the_parameters_it_sets_otherwise(capsys):
    assert main(["train", "--list-methods"]) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("itrd   presets: paper*, cross-architecture")
    assert out[at + 1:at + 3] == ["       parameters: beta_corr=2.0, beta_mi=1.0, alpha=1.01",
                                  "       --preset cross-architecture: alpha=1.5"]
    assert "       --preset paper: reduction='sum'" in out
    assert "       --preset light-critic: critic_hidden=64" in out
    kd_rid = next(i for i, line in enumerate(out) if line.startswith("       --preset kd-rid: "))
    assert " ".join(line.strip() for line in out[kd_rid:kd_rid + 3]).startswith(
        "--preset kd-rid: lambda2=10.0, warmup_epochs=0, phase1_rounding='ceil', "
        "warmup='first-cycle', student_filter_hidden_factor=2, head_relu=True, ")
    at = out.index("kd     presets: paper*")  # one preset: none other listed
    assert out[at + 1:at + 3] == ["       parameters: temperature=4.0, alpha=0.9",
                                  "mimkd  presets: paper*, light-critic"]
