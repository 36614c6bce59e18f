"""Distillation methods: registry, optimizer groups, frozen teacher, one step, RID schedule."""

from __future__ import annotations

import copy
import dataclasses
import math

import pytest
import torch
from torch.nn import functional as F

from pidkit_distill.methods import Distiller, StepOutput, available_methods, get_method
from pidkit_distill.methods.base import _METHODS, register_method
from pidkit_distill.methods.blocks import eval_mode
from pidkit_distill.methods.kd import kd_loss
from pidkit_distill.methods.rid import rid_distance, rid_sigma_penalty
from pidkit_distill.methods.ted import ted_loss
from pidkit_distill.methods.vid import vid_nll
from pidkit_distill.models import build_model

OURS = ["bas", "kd", "vid", "ted", "rid"]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _pair(kind: str, seed: int = 0):
    torch.manual_seed(seed)
    if kind == "mlp":
        s = build_model("synthetic-student", num_classes=3, in_channels=6)
        t = build_model("synthetic-teacher", num_classes=3, in_channels=6, hidden=(16, 16, 16))
        x = torch.randn(12, 6)
    else:
        s = build_model("digits-student", num_classes=3, in_channels=1, widths=(4, 6, 8))
        t = build_model("digits-teacher", num_classes=3, in_channels=1, widths=(8, 12, 16))
        x = torch.randn(12, 1, 8, 8)
    y = torch.arange(12) % 3
    return s, t, x, y


def _build(method: str, kind: str, **params):
    s, t, x, y = _pair(kind)
    if method == "ted":
        params.setdefault("stage1_epochs", 2)
    if method == "rid":
        if params.get("preset") != "kd-rid":
            params.setdefault("warmup_epochs", 2)
        params.setdefault("cycle_epochs", 4)
        params.setdefault("filter_ratio", 0.5)
    return get_method(method)(s, t, sample_input=x, num_classes=3, **params), x, y


def _stage_epochs(method: str) -> list[int]:
    # one epoch of every stage under the schedules set in _build
    return {"ted": [0, 2], "rid": [0, 2, 4]}.get(method, [0])


CASES = [(m, k, e) for m in OURS for k in ("mlp", "cnn") for e in _stage_epochs(m)]


def _total(d: Distiller, x, y, epoch: int) -> torch.Tensor:
    out = d(x, y, epoch=epoch)
    assert isinstance(out, StepOutput)
    assert out.logits.shape == (len(x), 3)
    assert all(v.dim() == 0 for v in out.losses.values())
    return sum(out.losses.values())


@pytest.mark.parametrize(("method", "kind", "epoch"), CASES)
def test_one_step_of_the_phase_group_decreases_the_loss(method, kind, epoch):
    d, x, y = _build(method, kind)
    d.train()
    group = d.optimizer_groups()[d.phase(epoch)]
    opt = torch.optim.SGD(group, lr=1e-2)
    before = _total(d, x, y, epoch)
    opt.zero_grad()
    before.backward()
    opt.step()
    after = _total(d, x, y, epoch)
    assert torch.isfinite(before) and float(after.detach()) < float(before.detach())


@pytest.mark.parametrize(("method", "kind", "epoch"), CASES)
def test_gradients_reach_exactly_the_phase_group(method, kind, epoch):
    d, x, y = _build(method, kind)
    d.train()
    _total(d, x, y, epoch).backward()
    with_grad = {id(p) for p in d.parameters() if p.grad is not None and p.grad.abs().sum() > 0}
    group = {id(p) for p in d.optimizer_groups()[d.phase(epoch)]}
    assert with_grad == group
    assert all(p.grad is None for p in d.teacher.parameters())


@pytest.mark.parametrize("method", OURS)
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_every_trainable_parameter_is_in_exactly_one_group(method, kind):
    d, _, _ = _build(method, kind)
    groups = d.optimizer_groups()
    assert all(isinstance(v, list) and v for v in groups.values())
    teacher = {id(p) for p in d.teacher.parameters()}
    trainable = {id(p) for p in d.parameters() if p.requires_grad}
    assert not teacher & trainable
    assert all(not p.requires_grad for p in d.teacher.parameters())
    memberships: dict[int, int] = {}
    for params in groups.values():
        assert len({id(p) for p in params}) == len(params)  # no duplicates inside a group
        for p in params:
            memberships[id(p)] = memberships.get(id(p), 0) + 1
    assert set(memberships) == trainable
    shared = {id(p) for p in d.shared_parameters()}
    assert {k for k, n in memberships.items() if n > 1} == shared
    assert all(n <= 2 for n in memberships.values())
    if method == "ted":  # the student filter is trained in both TED stages
        assert shared == {id(p) for p in d.student_filters.parameters()}
    else:
        assert not shared
    assert d.phase(0) in groups


@pytest.mark.parametrize("method", OURS)
def test_teacher_stays_in_eval_mode_and_gets_no_gradient(method):
    d, x, y = _build(method, "cnn")
    d.train()
    assert d.training and d.student.training
    assert not any(m.training for m in d.teacher.modules())
    d.train(True)
    assert not d.teacher.training
    d.eval()
    assert not d.student.training
    d.train()
    stats = [b.clone() for b in d.teacher.buffers()]
    for epoch in _stage_epochs(method):
        _total(d, x, y, epoch).backward()
    assert all(p.grad is None for p in d.teacher.parameters())
    for before, after in zip(stats, d.teacher.buffers(), strict=True):
        torch.testing.assert_close(before, after)  # BatchNorm statistics untouched


def test_registry_lists_known_methods_on_unknown_names():
    assert set(OURS) <= set(available_methods())
    with pytest.raises(ValueError, match=r"^name='fitnet' is not a known method; choose one of "
                                         r"\[.*'bas'.*'rid'.*\], or register your own with "
                                         r"pidkit_distill.methods.register_method .* --import "
                                         r"MODULE .*\.$"):
        get_method("fitnet")
    with pytest.raises(ValueError, match=r"resumed runs included\)\. Did you mean 'rid'\?$"):
        get_method("rdi")
    assert get_method(" RID ") is get_method("rid")
    with pytest.raises(ValueError, match="already registered"):
        register_method("bas")(type("Dup", (Distiller,), {}))
    with pytest.raises(TypeError, match="decorates Distiller subclasses"):
        register_method("not-a-distiller")(object)


def test_register_method_shares_the_registry_of_models_and_data(monkeypatch):
    monkeypatch.setattr(_METHODS, "_entries", dict(_METHODS._entries))

    def own():
        class Own(Distiller):
            pass

        return Own

    first, again = own(), own()  # one class defined twice: a notebook cell run again
    assert register_method("own-method")(first).method_name == "own-method"
    assert register_method("own-method")(again) is get_method(" Own-Method ") is again
    with pytest.raises(ValueError, match=r"^register_method: method name 'bas' is already "
                                         r"registered \(to pidkit_distill\.methods\.bas\.BAS\); "
                                         r"choose another name\.$"):
        register_method("bas")(again)
    with pytest.raises(ValueError, match=r"^register_method: name must be a lower-case str of "
                                         r"letters, digits, .*\(it becomes part of a run folder's "
                                         r"name\), e\.g\. 'my-method'; got 'my/method'\.$"):
        register_method("my/method")
    with pytest.raises(TypeError, match=r"^register_method\('own-int'\) decorates Distiller "
                                        r"subclasses; got 3\.$"):
        register_method("own-int")(3)


def test_unknown_parameters_and_presets_are_errors():
    s, t, x, _ = _pair("mlp")
    with pytest.raises(TypeError, match=r"unknown parameter\(s\) \['lamda'\].*'lam'"):
        get_method("vid")(s, t, sample_input=x, num_classes=3, lamda=1.0)
    with pytest.raises(ValueError, match=r"preset='fast'.*\['kd-rid', 'paper', 'paper-mean'\]"):
        get_method("rid")(s, t, sample_input=x, num_classes=3, preset="fast")
    with pytest.raises(ValueError, match="filter_ratio"):
        get_method("rid").make_params(filter_ratio=1.5)
    with pytest.raises(ValueError, match="leaves no phase-1 epoch"):
        get_method("rid").make_params(filter_ratio=0.01)
    with pytest.raises(ValueError, match="warmup_epochs must be 0"):
        get_method("rid").make_params(preset="kd-rid", warmup_epochs=5)
    with pytest.raises(ValueError, match="epoch must be an int >= 0"):
        get_method("bas")(s, t, sample_input=x, num_classes=3).phase(-1)
    with pytest.raises(TypeError, match=r"student must be an nn\.Module with forward_features"):
        get_method("bas")(torch.nn.Linear(6, 3), t, sample_input=x, num_classes=3)


def test_each_of_several_misspelt_parameters_is_matched_by_name():
    # two misspellings said "Did you mean 'lambda2'? Did you mean 'lambda1'?", not which was which
    with pytest.raises(TypeError) as info:
        get_method("rid").make_params(lamda1=1.0, lamda2=0.5, zzz=1)
    assert str(info.value).endswith(
        "'warmup', 'warmup_epochs']. Did you mean 'lambda1' for 'lamda1'? Did you mean 'lambda2' "
        "for 'lamda2'?")


def test_kd_requires_matching_label_sets():
    s, _, x, _ = _pair("mlp")
    t = build_model("synthetic-teacher", num_classes=5, in_channels=6)
    with pytest.raises(ValueError, match="teacher outputs 5 logits and the task has 3 classes"):
        get_method("kd")(s, t, sample_input=x, num_classes=3)


def test_layer_pairing_mismatch_is_an_error():
    s, _, x, _ = _pair("mlp")
    t = build_model("synthetic-teacher", num_classes=3, in_channels=6, hidden=(16, 16))
    # it said "use models with the same number of layers": the fix is the layers tapped
    with pytest.raises(ValueError, match=r"teacher has 2 distilled layers and the student 3; tap as "
                                         r"many layers of each: pidkit_distill\.tap_features\(model, "
                                         r"layers=\[\.\.\.\]\) with as many names for both\.$"):
        get_method("vid")(s, t, sample_input=x, num_classes=3)


def test_kd_loss_matches_the_kl_formula():
    torch.manual_seed(0)
    s, t = torch.randn(5, 4), torch.randn(5, 4)
    p_t = torch.softmax(t / 3.0, 1)
    manual = (p_t * (p_t.log() - torch.log_softmax(s / 3.0, 1))).sum(1).mean() * 9.0
    torch.testing.assert_close(kd_loss(s, t, temperature=3.0), manual)


def test_vid_nll_is_the_gaussian_nll_up_to_a_constant():
    torch.manual_seed(0)
    t, mu = torch.randn(3, 2, 4, 4), torch.randn(3, 2, 4, 4)
    var = torch.tensor([0.5, 2.0])
    normal = torch.distributions.Normal(mu, var.sqrt().reshape(1, 2, 1, 1))
    expected = -normal.log_prob(t).mean() - 0.5 * math.log(2 * math.pi)
    torch.testing.assert_close(vid_nll(t, mu, var), expected)


def test_rid_terms_match_the_paper_and_kd_rid_formulas():
    torch.manual_seed(0)
    v, sigma = torch.randn(4, 3, 2, 5), torch.tensor([0.5, 1.0, 2.0])
    s4 = sigma.reshape(1, 3, 1, 1)
    # paper eq. (13): ||sigma||^2 + sum_{c,h,w} E[V^2 / sigma_c]
    paper = (sigma**2).sum() + (v**2 / s4).sum((1, 2, 3)).mean()
    got = rid_sigma_penalty(sigma, reduction="sum") + rid_distance(v, sigma, reduction="sum")
    torch.testing.assert_close(got, paper)
    # kd-rid: torch.mean(var**2 + d**2 / var) over batch, channels and positions
    kd_rid = (s4**2 + v**2 / s4).mean()
    got = rid_sigma_penalty(sigma, reduction="mean") + rid_distance(v, sigma, reduction="mean")
    torch.testing.assert_close(got, kd_rid)
    torch.testing.assert_close(ted_loss(v, torch.zeros_like(v)), (v**2).mean())


def test_sigma_is_positive_and_does_not_overflow():
    d, _, _ = _build("rid", "mlp")
    with torch.no_grad():
        d.raw_sigmas[0].fill_(-1e4)
        d.raw_sigmas[1].fill_(200.0)  # log(1 + exp(200)) overflows float32; softplus does not
    sig = [s.detach() for s in d.sigmas()]
    assert float(sig[0].min()) == pytest.approx(d.params.sigma_eps)
    assert torch.isfinite(sig[1]).all() and float(sig[1][0]) == pytest.approx(200.0 + 1e-3)
    torch.testing.assert_close(d.sigmas()[2], torch.full((8,), d.params.sigma_init))


def _paper_reading(epoch: int, n_w: int, q: int, r: float) -> str:
    """THEORY.md section 4, written independently: warm-up, then cycles of q epochs."""
    if epoch < n_w:
        return "warmup"
    cycle_start = n_w + ((epoch - n_w) // q) * q
    return "phase1" if epoch < cycle_start + math.floor(r * q) else "phase2"


def test_rid_paper_schedule():
    d, _, _ = _build("rid", "mlp", warmup_epochs=30, cycle_epochs=30, filter_ratio=0.25)
    stages = [d.stage(e) for e in range(300)]
    assert stages == [_paper_reading(e, 30, 30, 0.25) for e in range(300)]
    assert (stages.count("warmup"), stages.count("phase1"), stages.count("phase2")) == (
        30, 63, 207)
    assert [stages[e] for e in (29, 30, 36, 37, 59, 60, 66, 67, 299)] == [
        "warmup", "phase1", "phase1", "phase2", "phase2", "phase1", "phase1", "phase2", "phase2"]
    assert [d.phase(e) for e in (0, 30, 37)] == ["filter", "filter", "student"]
    ceil = _build("rid", "mlp", warmup_epochs=30, cycle_epochs=30, filter_ratio=0.25,
                  phase1_rounding="ceil")[0]
    assert [ceil.stage(e) for e in (37, 38)] == ["phase1", "phase2"]


def test_rid_kd_rid_schedule_matches_its_float_comparison():
    d, _, _ = _build("rid", "mlp", preset="kd-rid", cycle_epochs=30, filter_ratio=0.25)
    # kd-rid: filter phase iff epoch % steps_per_round < tf_step_ratio * steps_per_round (7.5);
    # its distillation term is on only from epoch >= steps_per_round (the first round warms up)
    for e in range(300):
        filter_phase = e % 30 < 0.25 * 30
        assert d.phase(e) == ("filter" if filter_phase else "student")
        expected = ("warmup" if e < 30 else "phase1") if filter_phase else "phase2"
        assert d.stage(e) == expected
    phases = [d.phase(e) for e in range(300)]
    assert (phases.count("filter"), phases.count("student")) == (80, 220)


def test_rid_presets_build_the_documented_modules():
    s, t, x, _ = _pair("cnn")
    paper = get_method("rid")(s, t, sample_input=x, num_classes=3, preset="paper")
    s2, t2, _, _ = _pair("cnn")
    kdr = get_method("rid")(s2, t2, sample_input=x, num_classes=3, preset="kd-rid")
    assert paper.params.reduction == "sum" and kdr.params.reduction == "mean"
    mean = get_method("rid").make_params(preset="paper-mean")
    assert mean == dataclasses.replace(paper.params, reduction="mean")
    assert (paper.params.lambda1, paper.params.lambda2) == (1.0, 1.0)
    assert (kdr.params.lambda1, kdr.params.lambda2) == (1.0, 10.0)
    # kd-rid's sigma = log(1 + exp(5)) + 1e-3 at initialisation
    torch.testing.assert_close(kdr.sigmas()[0], torch.full((4,), math.log1p(math.exp(5)) + 1e-3))
    for d, hidden_factor, relu in ((paper, 1, False), (kdr, 2, True)):
        for k, (ct, cs, hw) in enumerate(((8, 4, 64), (12, 6, 16), (16, 8, 16))):
            tf, sf, head = d.teacher_filters[k], d.student_filters[k], d.teacher_heads[k]
            assert (tf[0].in_channels, tf[0].out_channels, tf[3].out_channels) == (ct, ct, cs)
            assert (sf[0].in_channels, sf[0].out_channels) == (cs, hidden_factor * cs)
            assert sf[3].out_channels == cs and isinstance(tf[1], torch.nn.BatchNorm2d)
            assert head[-1].in_features == cs * hw and head[-1].out_features == 3
            assert any(isinstance(m, torch.nn.ReLU) for m in head) is relu
            assert d.raw_sigmas[k].shape == (cs,)


def test_rid_freezes_bn_statistics_of_frozen_parts_only_in_the_paper_preset():
    for preset, moves in (("paper", False), ("kd-rid", True)):
        d, x, y = _build("rid", "cnn", preset=preset)
        d.train()
        before = d.student.blocks[0][1].running_mean.clone()
        d(x, y, epoch=0)  # a filter-phase epoch: the student is frozen
        after = d.student.blocks[0][1].running_mean
        assert (not torch.equal(before, after)) is moves
        assert d.student.training  # mode restored after the frozen forward


def test_ted_needs_a_bas_student_and_drops_heads_in_stage_two():
    d, x, y = _build("ted", "mlp")
    assert type(d).student_init == "bas" and get_method("bas").student_init is None
    assert set(d(x, y, epoch=0).losses) == {"teacher_filter_ce", "student_filter_ce"}
    assert set(d(x, y, epoch=2).losses) == {"ce", "ted"}


def test_loss_keys_and_weights():
    d, x, y = _build("rid", "mlp", lambda1=2.0, lambda2=0.5)
    out = d(x, y, epoch=4)
    assert set(out.losses) == {"ce", "distill"}
    torch.testing.assert_close(out.losses["ce"], 2.0 * F.cross_entropy(out.logits, y))
    assert set(d(x, y, epoch=0).losses) == {"filter_ce"}
    assert set(d(x, y, epoch=2).losses) == {"filter_ce", "filter_distill"}
    v, x, y = _build("vid", "mlp", lam=0.0)
    out = v(x, y, epoch=0)
    assert float(out.losses["vid"].detach()) == 0.0
    k, x, y = _build("kd", "mlp", alpha=0.0)
    out = k(x, y, epoch=0)
    torch.testing.assert_close(out.losses["ce"], F.cross_entropy(out.logits, y))


@pytest.mark.parametrize("method", ["vid", "ted", "rid"])
def test_distillation_terms_are_float32_under_bf16_autocast(method):
    d, x, y = _build(method, "cnn")
    d = d.to(memory_format=torch.channels_last)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = d(x.to(memory_format=torch.channels_last), y, epoch=4)
    distill = {k: v for k, v in out.losses.items() if k in ("vid", "ted", "distill")}
    assert distill and all(v.dtype == torch.float32 for v in distill.values())
    sum(out.losses.values()).backward()
    assert all(torch.isfinite(p.grad).all() for p in d.parameters() if p.grad is not None)


# --- the fast formulations equal the textbook ones ------------------------------------------
# Each method computes its loss in a cheaper form (per-channel reductions, channels-last 1x1
# convolutions, no work a stage does not use). The references below are the literal formulas,
# element by element on the default layout, and run every module whether the stage needs it or
# not. Both run in float64, so any difference beyond rounding would be a change of the loss.


def _per_channel(w: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return w.reshape(1, -1, *([1] * (like.dim() - 2)))


def _reduce(e: torch.Tensor, reduction: str) -> torch.Tensor:
    return e.flatten(1).sum(1).mean() if reduction == "sum" else e.mean()


def _vid_reference(d, x, y, epoch):
    t = d.teacher.forward_features(x).layers
    s = d.student.forward_features(x)
    nll = sum(
        (0.5 * torch.log(_per_channel(v, a)) + (a - reg(b)) ** 2 / (2 * _per_channel(v, a))).mean()
        for a, b, reg, v in zip(t, s.layers, d.regressors, d.variances(), strict=True)
    )
    return s.logits, {"ce": F.cross_entropy(s.logits, y), "vid": d.params.lam * nll}


def _rid_reference(d, x, y, epoch):
    p, stage = d.params, d.stage(epoch)
    t = d.teacher.forward_features(x).layers
    student_frozen = p.freeze_bn_stats and stage != "phase2"
    with eval_mode(d.student, d.student_filters, enabled=student_frozen), \
            eval_mode(d.teacher_filters, enabled=p.freeze_bn_stats and stage == "phase2"):
        s = d.student.forward_features(x)
        ft = [f(a) for f, a in zip(d.teacher_filters, t, strict=True)]
        fs = [f(b) for f, b in zip(d.student_filters, s.layers, strict=True)]
    sig = d.sigmas()
    distance = [_reduce((a - b) ** 2 / _per_channel(w, a), p.reduction)
                for a, b, w in zip(ft, fs, sig, strict=True)]
    if stage == "phase2":
        penalty = [(w**2).sum() if p.reduction == "sum" else (w**2).mean() for w in sig]
        return s.logits, {"ce": p.lambda1 * F.cross_entropy(s.logits, y),
                          "distill": p.lambda2 * (sum(penalty) + sum(distance))}
    losses = {"filter_ce": sum(F.cross_entropy(g(a), y)
                               for g, a in zip(d.teacher_heads, ft, strict=True))}
    if stage == "phase1":
        losses["filter_distill"] = sum(distance)
    return s.logits, losses


def _ted_reference(d, x, y, epoch):
    p = d.params
    t = d.teacher.forward_features(x).layers
    stage1 = d.phase(epoch) == "filter"
    with eval_mode(d.student, enabled=p.freeze_bn_stats and stage1), \
            eval_mode(d.teacher_filters, enabled=p.freeze_bn_stats and not stage1):
        s = d.student.forward_features(x)
        ft = [f(a) for f, a in zip(d.teacher_filters, t, strict=True)]
    fs = [f(b) for f, b in zip(d.student_filters, s.layers, strict=True)]

    def head(g, z):
        return g.fc(z.flatten(2).mean(2) if z.dim() > 2 else z)

    if stage1:
        return s.logits, {
            "teacher_filter_ce": sum(F.cross_entropy(head(g, a), y)
                                     for g, a in zip(d.teacher_heads, ft, strict=True)),
            "student_filter_ce": sum(F.cross_entropy(head(g, b), y)
                                     for g, b in zip(d.student_heads, fs, strict=True)),
        }
    distance = sum(((a - b) ** 2).mean() for a, b in zip(ft, fs, strict=True))
    return s.logits, {"ce": F.cross_entropy(s.logits, y), "ted": p.weight * distance}


REFERENCES = {"vid": _vid_reference, "rid": _rid_reference, "ted": _ted_reference}
PRESETS = [("vid", "paper"), ("ted", "paper"), ("rid", "paper"), ("rid", "kd-rid"),
           ("rid", "paper-mean")]


@pytest.mark.parametrize(("method", "preset"), PRESETS)
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_losses_and_gradients_equal_the_literal_formulas(method, preset, kind):
    d, x, y = _build(method, kind, preset=preset)
    d = d.double().train()
    x = x.double()
    for epoch in sorted({0, 2, 4} if method == "rid" else _stage_epochs(method)):
        ref = copy.deepcopy(d)
        out = d(x, y, epoch=epoch)
        ref_logits, ref_losses = REFERENCES[method](ref, x, y, epoch)
        assert set(out.losses) == set(ref_losses)
        for key, value in out.losses.items():
            torch.testing.assert_close(value, ref_losses[key], rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(out.logits, ref_logits, rtol=1e-10, atol=1e-12)
        group = d.phase(epoch)
        sum(out.losses.values()).backward()
        sum(ref_losses.values()).backward()
        mine, theirs = d.optimizer_groups()[group], ref.optimizer_groups()[group]
        for p, q in zip(mine, theirs, strict=True):
            torch.testing.assert_close(p.grad, q.grad, rtol=1e-9, atol=1e-12)
        d.zero_grad(set_to_none=True)


def test_rid_stages_run_only_the_modules_their_loss_uses():
    d, x, y = _build("rid", "cnn")
    d.train()
    calls: dict[str, int] = {}

    def count(name):
        def hook(module, args, output):
            calls[name] = calls.get(name, 0) + 1
        return hook

    for name in ("teacher_filters", "student_filters", "teacher_heads"):
        for module in getattr(d, name):
            module.register_forward_hook(count(name))
    expected = {0: {"teacher_filters", "teacher_heads"},
                2: {"teacher_filters", "teacher_heads", "student_filters"},
                4: {"teacher_filters", "student_filters"}}
    for epoch, used in expected.items():
        calls.clear()
        d(x, y, epoch=epoch)
        assert set(calls) == used, (d.stage(epoch), calls)
        assert all(n == 3 for n in calls.values())
