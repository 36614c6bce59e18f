"""Several processes train like one: the sharded sampler (no padding) and 2-process gloo DDP."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny_runs import RID, command_env, in_two_processes, student_state, tiny
from torch import nn

from pidkit_distill.models import build_model
from pidkit_distill.training import run, train
from pidkit_distill.training.checkpoint import read_checkpoint
from pidkit_distill.training.loaders import ShardedBatchSampler


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 60), batch=st.integers(1, 17), world=st.integers(1, 5),
       drop_last=st.booleans(), epoch=st.integers(0, 3))
def test_shares_of_every_process_make_the_one_process_batches(n, batch, world, drop_last, epoch):
    try:
        samplers = [ShardedBatchSampler(n, batch, rank=r, world_size=world, seed=7,
                                        drop_last=drop_last) for r in range(world)]
    except ValueError as err:  # the last batch has fewer samples than processes, or none
        sizes = [batch] * (n // batch) + ([n % batch] if n % batch and not drop_last else [])
        assert not sizes or sizes[-1] < world, err
        return
    single = ShardedBatchSampler(n, batch, seed=7, drop_last=drop_last)
    for sampler in (*samplers, single):
        sampler.set_epoch(epoch)
    shares = [list(s) for s in samplers]
    batches = list(single)
    assert all(len(s) == len(batches) for s in shares)  # every process steps equally often
    for step, whole in enumerate(batches):
        parts = [share[step] for share in shares]
        # contiguous shares, in rank order, nothing repeated, sizes within one of each other
        assert list(itertools.chain(*parts)) == whole
        assert min(map(len, parts)) >= 1 and max(map(len, parts)) - min(map(len, parts)) <= 1
        # DDP averages the processes' gradients of scale * (mean loss of the share): every
        # sample then weighs 1 / (global batch size), as in one process
        for sampler, part in zip(samplers, parts, strict=True):
            weight = sampler.loss_scale(step) / (world * len(part))
            assert weight == pytest.approx(1 / len(whole))
    seen = list(itertools.chain(*batches))
    assert len(seen) == len(set(seen)) == (n - n % batch if drop_last else n)


def test_a_last_batch_too_small_to_share_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"last training batch holds 1 sample.*for 2 "
                                         r"processes.*data.drop_last=true"):
        ShardedBatchSampler(9, 4, rank=0, world_size=2)
    assert len(ShardedBatchSampler(9, 4, rank=0, world_size=2, drop_last=True)) == 2


# --- 2-process gloo DDP against one process ------------------------------------------------
# BAS on a model without BatchNorm (the synthetic MLPs with their BatchNorm layers replaced by
# identities), and RID (BatchNorm in the student and in its filters) with BatchNorm synchronised
# over the processes (run.sync_bn, on CPU through gloo). The global batch of 25 neither divides
# the 96 training samples nor splits evenly over 2 processes, so unequal shares and the smaller
# last batch are exercised.


def no_bn_build(name: str, **kw) -> nn.Module:
    model = build_model(name, **kw)
    for block in getattr(model, "blocks", []):
        block[1] = nn.Identity()
    return model


EXTRA = ["run.epochs=4", "data.batch_size=25"]
CASES = {"no-bn": ["method.name=bas"], "sync-bn": [*RID, "run.sync_bn=true"]}

DDP_SCRIPT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import torch
    import torch.distributed as dist
    dist.init_process_group("gloo")  # one group for both runs (train() then leaves it alone)
    sys.path.insert(0, {tests!r})
    import test_ddp
    from tiny_runs import tiny
    from pidkit_distill.models import build_model
    from pidkit_distill.training import run, train
    from pidkit_distill.training.checkpoint import read_checkpoint
    results = {{}}
    for case, extra in test_ddp.CASES.items():
        run.build_model = test_ddp.no_bn_build if case == "no-bn" else build_model
        summary = train(tiny(Path({out!r}) / case, *test_ddp.EXTRA, *extra))
        if os.environ["RANK"] == "0":
            state = read_checkpoint(summary.run_dir / "checkpoint.pt")["student"]
            results[case] = {{"history": summary.history, "student": state}}
    if os.environ["RANK"] == "0":
        torch.save(results, {result!r})
    dist.barrier()  # neither process leaves the group while the other still works
    dist.destroy_process_group()
""")


@pytest.fixture(scope="module")
def two_process_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ddp")
    script, result = tmp / "ddp_run.py", tmp / "ddp_result.pt"
    script.write_text(DDP_SCRIPT.format(tests=str(Path(__file__).parent), out=str(tmp / "ddp"),
                                        result=str(result)))
    env = {**command_env(), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script)], env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return torch.load(result, weights_only=True)


@pytest.mark.parametrize("case", list(CASES))
def test_two_process_gloo_ddp_equals_one_process(case, two_process_runs, tmp_path, monkeypatch):
    if case == "no-bn":
        monkeypatch.setattr(run, "build_model", no_bn_build)
    single = train(tiny(tmp_path, *EXTRA, *CASES[case]))
    ddp = two_process_runs[case]
    phases = ["filter", "filter", "student", "student"] if case == "sync-bn" else ["student"] * 4
    assert [r["phase"] for r in single.history] == phases
    assert len(ddp["history"]) == len(single.history) == 4
    for a, b in zip(ddp["history"], single.history, strict=True):
        for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
            assert abs(a[key] - b[key]) <= 1e-6, (key, a[key], b[key])
    one = student_state(single.run_dir)
    assert all(torch.allclose(ddp["student"][k].float(), one[k].float(), atol=1e-5)
               for k in one)
    if case == "sync-bn":  # the running statistics are those of the global batches too
        assert torch.allclose(ddp["student"]["blocks.0.1.running_var"],
                              one["blocks.0.1.running_var"], atol=1e-6)
    assert read_checkpoint(single.run_dir / "checkpoint.pt")["epoch"] == 4


# one process of a run of 2 on digits (a convolution of one input channel first), printing the
# warnings it met that name strides
DIGITS_WARNINGS = textwrap.dedent("""
    import json, sys, warnings
    from pidkit_distill.config import TrainConfig
    from pidkit_distill.config_text import apply_overrides
    from pidkit_distill.training import train

    config = apply_overrides(TrainConfig(), [
        "data.name=digits", "teacher.source=untrained", "run.epochs=1", "run.audit_every=0",
        "run.progress=false", "run.threads=1", "run.device=cpu", f"run.out_dir={sys.argv[1]}"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train(config)
    print(json.dumps([str(w.message)[:45] for w in caught if "strides" in str(w.message)]))
""")


def test_the_documented_digits_run_under_torchrun_says_nothing_of_grad_strides(tmp_path):
    # DDP warned 'Grad strides do not match bucket view strides ... may impair performance' in
    # every torchrun of the digits models: their first convolution's weight, of one input
    # channel, gets its gradient in strides that differ only where a dimension has size 1 (the
    # same memory), as do 1x1 kernels'
    assert in_two_processes(DIGITS_WARNINGS, [[str(tmp_path)], [str(tmp_path)]]) == [[], []]


def test_a_warning_of_the_networks_in_every_step_is_shown_once_per_epoch(monkeypatch):
    # 25a91c8's filter of DDP's strides warning was a warnings.catch_warnings() around each
    # step's backward(): entering it forgets which warnings were shown, so a warning that the
    # network (or torch) gives in every step, shown once per epoch before, was shown each step
    import warnings

    from pidkit_distill import get_method, tap_features
    from pidkit_distill.training import train_one_epoch

    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()

    def mlp(width: int) -> nn.Module:
        net = nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2))
        net[0].register_forward_hook(
            lambda *_: warnings.warn("a note of my network", UserWarning, stacklevel=1))
        return tap_features(net, layers=["1"])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # building the module runs the networks once
        module = get_method("kd")(mlp(8), mlp(16), sample_input=x[:2], num_classes=2, alpha=0.5)
    optimizer = torch.optim.SGD(module.optimizer_groups()["student"], lr=0.5)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    shown = []
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # Python's own: once per place that warns
        monkeypatch.setattr(warnings, "showwarning", lambda message, *_: shown.append(str(message)))
        train_one_epoch(module, loader, optimizer, epoch=0, device=torch.device("cpu"))
    assert shown == ["a note of my network"]  # 4 steps, one warning (it was 4)


# the held-out pass of each process of a run of 2 (eval_loader's shares) on a held-out set of
# 5 samples (labels 1, 1, 0, 1, 2: rank 0 sees 1, 0, 2 and rank 1 sees 1, 1) and on one of 1
# sample, which leaves rank 1 no batch at all
EVALUATE_SHARES = textwrap.dedent("""
    import json
    import torch
    import torch.distributed as dist
    from torch.utils.data import TensorDataset
    from pidkit_distill.config import TrainConfig
    from pidkit_distill.training import evaluate
    from pidkit_distill.training.loaders import eval_loader
    from pidkit_distill.training.runtime import Runtime

    dist.init_process_group("gloo")
    runtime = Runtime(torch.device("cpu"), dist.get_rank(), 2, dist.get_rank(), False)
    torch.manual_seed(0)
    net, x = torch.nn.Linear(4, 3), torch.randn(5, 4)
    results = [evaluate(net, eval_loader(TensorDataset(x[:n], y), TrainConfig(), runtime),
                        device=torch.device("cpu"), runtime=runtime)
               for n, y in ((5, torch.tensor([1, 1, 0, 1, 2])), (1, torch.tensor([2])))]
    dist.destroy_process_group()
    print(json.dumps(results))
""")


def test_the_held_out_majority_share_is_that_of_the_whole_set_in_every_process():
    # a held-out set smaller than the run's processes hung the run at its first evaluation:
    # the process without a held-out batch summed an empty count of the classes, the others
    # one of 3, and gloo waited for sizes that never matched
    whole = [{"n": 5, "majority": 3 / 5}, {"n": 1, "majority": 1.0}]
    ranks = in_two_processes(EVALUATE_SHARES, [[], []])
    assert [[{key: result[key] for key in ("n", "majority")} for result in rank]
            for rank in ranks] == [whole, whole]
    assert ranks[0] == ranks[1]  # loss and accuracy too
