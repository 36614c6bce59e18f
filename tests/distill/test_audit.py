"""The PID audit: record shape and values on representations with known answers."""

from __future__ import annotations

import dataclasses
import json
import types

import pytest
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, IterableDataset, TensorDataset

from pidkit.below_zero import below_zero
from pidkit_distill.audit import ATOMS, audit_distiller, collect_features
from pidkit_distill.config import AuditConfig
from pidkit_distill.devices import no_cuda
from pidkit_distill.models import Features

N_PER_CLASS = 100
K = 4


class Slice(nn.Module):
    """A 'network' whose two distilled layers are the columns ``cols`` of its input."""

    def __init__(self, cols: slice) -> None:
        super().__init__()
        self.cols = cols
        self.fc = nn.Linear(1, K)  # has parameters, like a network

    def forward_features(self, x: Tensor) -> Features:
        layer = x[:, self.cols]
        return Features(self.fc(layer[:, :1]), [layer, 2 * layer], layer)


def blobs() -> TensorDataset:
    """Y balanced over 4 classes; columns 0-3 separate the classes, columns 4-7 are noise."""
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(K).repeat_interleave(N_PER_CLASS)
    signal = 10 * nn.functional.one_hot(y, K).float() + 0.1 * torch.randn(len(y), K,
                                                                         generator=gen)
    noise = torch.randn(len(y), 4, generator=gen)
    return TensorDataset(torch.cat([signal, noise], 1), y)


SETTINGS = AuditConfig(clusters=K, pca_components=4, bootstrap=8)


def pair(t_cols: slice, s_cols: slice):
    return types.SimpleNamespace(teacher=Slice(t_cols), student=Slice(s_cols))


def test_record_shape_and_pid_identities():
    records = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=7,
                              settings=SETTINGS)
    assert [(r["epoch"], r["layer"]) for r in records] == [(7, 0), (7, 1)]
    for r in records:
        assert set(ATOMS) | {"units", "measure", "status", "n_samples", "bias", "settings",
                             "method", "time_s", "bias_warning", "plugin", "intervals",
                             "bias_correction"} <= set(r)
        assert r["units"] == "bits" and r["measure"] == "broja" and r["status"] == "optimal"
        assert r["n_samples"] == K * N_PER_CLASS
        assert r["settings"]["clusters"] == K and r["settings"]["split"] == "test"
        assert r["settings"]["cluster_rule"] == "auto" and r["settings"]["clusters_used"] == K
        assert r["settings"]["ci_method"] == "centred"  # how the intervals were made
        fix = r["bias_correction"]
        assert fix["method"] == "eb-extrapolation-kink" and fix["subsample_sizes"] == [400, 200, 100]
        assert fix["kink_pretest_shift"] >= 0.0
        json.dumps(r, allow_nan=False)
        for est in (r, r["plugin"]):  # the identities, corrected and plug-in
            assert est["red"] + est["uni_t"] == pytest.approx(est["i_yt"], abs=1e-6)
            assert est["red"] + est["uni_s"] == pytest.approx(est["i_ys"], abs=1e-6)
            assert est["red"] + est["uni_t"] + est["uni_s"] + est["syn"] == pytest.approx(
                est["i_yts"], abs=1e-6)
        assert min(r["plugin"][a] for a in ("red", "uni_t", "uni_s", "syn")) >= 0
        # below 0 beyond rounding (uni_s can be -4e-16 where the atom is 0), which the correction's
        # fit amplifies (weights 8/3, -2, 1/3 at these sizes: 5 times)
        assert fix["rounding_amplification"] == pytest.approx(5.0, abs=1e-12)
        assert set(fix["negative"]) == set(below_zero({a: r[a] for a in ATOMS}, r["plugin"].values(),
                                                      amplification=fix["rounding_amplification"]))
        for a in ATOMS:
            lo, hi = r["intervals"][a]
            # clipped at 0, but a corrected value below 0 is its interval's lower end
            assert lo == pytest.approx(r[a]) if r[a] < 0 else lo >= 0
            assert lo <= hi < lo + 0.5
            assert fix["bias"][a] == pytest.approx(r["plugin"][a] - r[a])


def test_teacher_that_knows_y_and_student_that_does_not():
    # T's clusters are Y itself: I(Y;T) = H(Y) = 2 bits, and for Y = f(T) the BROJA PID has
    # Red = I(Y;S), Uni(Y:S\T) = Syn = 0 (Q must keep T = Y, so I_Q(Y;T|S) = H(Y|S)).
    (r, _) = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0,
                             settings=SETTINGS)
    plug = r["plugin"]
    assert plug["i_yt"] == pytest.approx(2.0, abs=1e-9)
    assert plug["red"] == pytest.approx(plug["i_ys"], abs=1e-6)
    assert plug["uni_s"] == pytest.approx(0.0, abs=1e-6)
    assert plug["syn"] == pytest.approx(0.0, abs=1e-6)
    assert 0.005 < plug["i_ys"] < 0.1  # noise clusters: only plug-in bias...
    assert abs(r["i_ys"]) < 0.5 * plug["i_ys"]  # ...which the correction removes
    assert r["uni_t"] > 1.9 and r["i_yt"] == pytest.approx(2.0, abs=0.02)


def test_student_equal_to_teacher_is_all_redundant():
    (r, _) = audit_distiller(pair(slice(0, 4), slice(0, 4)), blobs(), epoch=0,
                             settings=SETTINGS)
    for est, tol in ((r["plugin"], 1e-6), (r, 0.02)):
        assert est["red"] == pytest.approx(2.0, abs=tol)
        assert est["uni_t"] == pytest.approx(0.0, abs=tol)
        assert est["uni_s"] == pytest.approx(0.0, abs=tol)
        assert est["syn"] == pytest.approx(0.0, abs=tol)


def test_layers_and_sample_cap():
    records = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=1,
                              settings=AuditConfig(clusters=3, layers=[1], max_samples=120,
                                                   bootstrap=0))
    assert [r["layer"] for r in records] == [1]
    assert records[0]["n_samples"] == 120
    with pytest.raises(ValueError, match="audit layer index 5 is out of range"):
        audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=1,
                        settings=AuditConfig(layers=[5]))
    with pytest.raises(ValueError, match=r"config key 'audit\.bias_correction' must be one of"):
        audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=1,
                        settings=AuditConfig(bias_correction="jackknife"))
    assert records[0]["intervals"] is None


def test_collect_features_restores_training_mode():
    t, s = Slice(slice(0, 4)), Slice(slice(4, 8))
    s.train()
    ts, ss, y = collect_features(t, s, blobs(), batch_size=64)
    assert s.training and len(ts) == len(ss) == 2
    assert ts[1].shape == (K * N_PER_CLASS, 4) and y.shape == (K * N_PER_CLASS,)
    assert torch.equal(torch.from_numpy(ts[1]), 2 * blobs().tensors[0][:, :4])


def test_uncertified_solve_is_recorded_not_raised(monkeypatch):
    import pidkit

    (normal, _) = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0,
                                  settings=SETTINGS)
    real = pidkit.pid

    def uncertified(p, **kwargs):
        result = real(p, **kwargs)
        return dataclasses.replace(result, status="optimal_inaccurate", message="not certified")

    monkeypatch.setattr(pidkit, "pid", uncertified)
    (fallback, _) = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0,
                                    settings=SETTINGS)
    # the same clusters and numbers; the status and message travel with them
    for atom in ATOMS:
        assert fallback["plugin"][atom] == pytest.approx(normal["plugin"][atom], abs=1e-9)
        assert fallback[atom] == pytest.approx(normal[atom], abs=1e-9)
    assert fallback["status"] == "optimal_inaccurate" and fallback["message"] == "not certified"
    assert fallback["n_samples"] == normal["n_samples"]


def test_report_draws_corrected_atoms_with_interval_bands(tmp_path, monkeypatch):
    import matplotlib.axes
    import matplotlib.figure

    from pidkit_distill.config import TrainConfig, config_to_dict
    from pidkit_distill.report import write_report

    records = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0, settings=SETTINGS)
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(config_to_dict(TrainConfig())))
    lines = [{**r, "epoch": e} for e in (0, 1) for r in records]
    (run / "audit.jsonl").write_text("\n".join(json.dumps(r) for r in lines))
    # The epochs' metrics, as the trainer writes them beside the audit (the report needs a
    # completed epoch).
    metrics = [{"epoch": e, "test_acc": 0.5} for e in (0, 1)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(m) + "\n" for m in metrics))
    bands = []
    real = matplotlib.axes.Axes.fill_between
    monkeypatch.setattr(matplotlib.axes.Axes, "fill_between",
                        lambda self, x, lo, hi, **kw: bands.append((list(lo), list(hi)))
                        or real(self, x, lo, hi, **kw))
    ticks = []
    save = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", lambda self, *a, **kw: ticks.extend(
        t for ax in self.axes for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]
    ) or save(self, *a, **kw))
    report = write_report([run])
    assert (run / "report" / "pid_atoms.png").stat().st_size > 0
    assert ticks and all(float(t).is_integer() for t in ticks)  # epochs 0 and 1: no 0.5 tick
    inner = [r for r in lines if r["layer"] == 1]
    assert ([r["intervals"]["red"][0] for r in inner], [r["intervals"]["red"][1] for r in inner]) in bands
    assert "| 1 | 1 | discrete, eb-extrapolation" in report.read_text()  # layer, epoch, estimate


def test_the_gaussian_audit_records_the_same_keys():
    # T holds the class signal (columns 0-3), S is noise (columns 4-7): under the Gaussian model
    # the label information is T's alone, so Red, Uni(Y:S\T) and I(Y;S) are about 0.
    gaussian = dataclasses.replace(SETTINGS, estimator="gaussian")
    records = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=3, settings=gaussian)
    (discrete,) = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=3,
                                  settings=dataclasses.replace(SETTINGS, layers=[0]))
    for r in records:
        assert set(r) == set(discrete) and set(r["settings"]) == set(discrete["settings"])
        assert r["measure"] == "gaussian-broja" and r["status"] == "optimal"
        assert r["settings"]["estimator"] == "gaussian" and r["settings"]["clusters_used"] is None
        assert r["bias_correction"]["method"] == "wishart"
        json.dumps(r, allow_nan=False)
        assert r["red"] + r["uni_t"] + r["uni_s"] + r["syn"] == pytest.approx(r["i_yts"], abs=1e-6)
        assert r["i_yt"] > 2.0  # four well separated classes: about log2(4) and more (linear SNR)
        assert abs(r["i_ys"]) < 0.05 and abs(r["red"]) < 0.05 and abs(r["uni_s"]) < 0.05
        assert r["uni_t"] == pytest.approx(r["i_yt"], abs=0.05)
        lo, hi = r["intervals"]["uni_t"]
        assert lo <= r["uni_t"] <= hi


@pytest.mark.parametrize(("settings", "message"), [
    ({"clusters": 3}, "settings must be an AuditConfig, got dict; pass "
                      "pidkit_distill.config.AuditConfig(**settings)"),
    ("fast", "settings must be an AuditConfig, got str; pass "
             "pidkit_distill.config.AuditConfig(...), or None for the defaults"),
])
def test_settings_that_are_no_audit_config_are_told_how_to_make_one(settings, message):
    # it said "settings must be an AuditConfig, got dict", and not how to make one of the dict
    with pytest.raises(TypeError) as info:
        audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=1, settings=settings)
    assert str(info.value) == message


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"epoch": 1.5}, TypeError, "epoch must be an int >= 0 or None (outside a run); got 1.5 (float)."),
    ({"epoch": "3"}, TypeError, "epoch must be an int >= 0 or None (outside a run); got '3' (str)."),
    ({"epoch": -2}, ValueError, "epoch must be an int >= 0 or None (outside a run); got -2."),
    ({"epoch": 0, "batch_size": 0}, ValueError, "batch_size must be an int >= 1; got 0."),
    ({"epoch": 0, "dataset": TensorDataset(torch.zeros(0, 8), torch.zeros(0).long())},
     ValueError, "dataset is empty: the audit needs held-out samples; pass the held-out set"),
    ({"epoch": 0, "device": "meta"}, ValueError,
     "device='meta', but the networks are on 'cpu'; pass device='cpu' or None (their device), "
     "or move them with .to('meta')"),
    ({"epoch": 0, "distiller": nn.Linear(8, 4)}, TypeError,
     "distiller must hold the teacher and the student networks as .teacher and .student (a "
     "Distiller: get_method(name)(student, teacher, sample_input=x, num_classes=C)); this Linear "
     "has no .teacher or .student"),
    ({"epoch": 0, "distiller": types.SimpleNamespace(teacher=Slice(slice(0, 4)))}, TypeError,
     "distiller must hold the teacher and the student networks as .teacher and .student (a "
     "Distiller: get_method(name)(student, teacher, sample_input=x, num_classes=C)); this "
     "SimpleNamespace has no .student"),
    ({"epoch": 0, "dataset": (torch.zeros(400, 8), torch.zeros(399).long())}, ValueError,
     "dataset=(x, y) needs one label per row of x: x has shape (400, 8) and y (399,); pass the "
     "labels as a 1-D y of len(x), or a Dataset yielding (x, y)"),
    ({"epoch": 0, "dataset": TensorDataset(torch.zeros(4, 8), torch.zeros(4), torch.zeros(4))},
     TypeError, "dataset must yield (x, y) pairs of tensors, inputs and labels; its batches are "
     "a list of ['Tensor', 'Tensor', 'Tensor']; pass a Dataset or DataLoader of (x, y), or a "
     "pair (x, y) of tensors"),
    ({"epoch": 0, "dataset": (blobs().tensors[0].numpy(), blobs().tensors[1].numpy())},
     TypeError, "dataset=(x, y) holds numpy arrays; pass tensors: (torch.as_tensor(x, "
     "dtype=torch.float32), torch.as_tensor(y))"),
    ({"epoch": 0, "dataset": (blobs().tensors[0], blobs().tensors[1].tolist())}, TypeError,
     "dataset=(x, y) holds a list as y; pass tensors: (x, torch.as_tensor(y))"),
    ({"epoch": 0, "dataset": (blobs().tensors[0].tolist(), blobs().tensors[1])}, TypeError,
     "dataset=(x, y) holds a list as x; pass tensors: (torch.as_tensor(x, dtype=torch.float32), "
     "y)"),
    ({"epoch": 0, "progress": "yes"}, TypeError,
     "progress must be True, False or None; got 'yes' (str)."),
    ({"epoch": 0, "dataset": [{"image": torch.zeros(8), "label": 0}]}, TypeError,
     "dataset must yield (x, y) pairs of tensors, inputs and labels; its batches are a dict "
     "with keys ['image', 'label']; pass a Dataset or DataLoader of (x, y), or a pair (x, y) of "
     "tensors"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    # epoch=1.5 was recorded as epoch 1, '3' as 3 and -2 as -2; batch_size=0 raised torch's
    # "batch_size should be a positive integer value"; an empty dataset numpy's "need at least
    # one array to concatenate"; device='gpu' torch's "Expected one of cpu, cuda, ... device
    # type at start of device string", a device other than the networks' torch's "Tensor on
    # device cpu is not on the expected device meta!" from inside the forward pass; a network
    # passed as the distiller "'Linear' object has no attribute 'teacher'"; a pair (x, y)
    # whose lengths differ "stack expects each tensor to be equal size", a data set of triples
    # or of dicts "too many values to unpack" / "not enough values to unpack", a pair of a
    # tensor and a list "expected Tensor as element 1 in argument 0, but got list"
    kwargs = {"dataset": blobs(), "distiller": pair(slice(0, 4), slice(4, 8)), **kwargs}
    with pytest.raises(error) as info:
        audit_distiller(settings=SETTINGS, **kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize(("cuda", "bad", "advice"), [
    (0, ["gpu", "cuda", "cuda:0"], "{no_cuda}: pass 'cpu'"),
    (2, ["gpu", "cuda:2"], "pass 'cpu', 'cuda' or 'cuda:N' with N < 2"),
])
def test_a_bad_device_is_told_the_devices_this_machine_has(monkeypatch, cuda, bad, advice):
    # device='gpu' was told "pass 'cpu', 'cuda', 'cuda:N', or None" on any machine, and a CUDA
    # device the machine lacks "device='cuda', but the networks are on 'cpu'; pass
    # device='cpu' or None (their device), or move them with .to('cuda')". Without CUDA the
    # product's own words for it, which name CUDA_VISIBLE_DEVICES where it hides the GPUs of a
    # CUDA build of torch
    advice = advice.format(no_cuda=no_cuda())
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    for device in bad:
        problem = "is not a torch device" if device == "gpu" else "is not a device this machine has"
        with pytest.raises(ValueError) as info:
            audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0, settings=SETTINGS,
                            device=device)
        assert str(info.value) == (f"device={device!r} {problem}; {advice}, or None (the "
                                   "networks' device)")
    if cuda:  # a device the machine has: the networks are to be moved there
        with pytest.raises(ValueError, match=r"^device='cuda:1', but the networks are on 'cpu'; "
                                             r"pass device='cpu' or None \(their device\), or "
                                             r"move them with \.to\('cuda:1'\)$"):
            audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0, settings=SETTINGS,
                            device="cuda:1")


@pytest.mark.parametrize("given", [lambda data: DataLoader(data, batch_size=64),
                                   lambda data: data.tensors], ids=["loader", "pair"])
def test_a_notebooks_loader_or_pair_of_tensors_is_audited_as_its_dataset(given):
    # audit_distiller(distiller, test_loader, ...) raised torch's "'DataLoader' object is not
    # subscriptable"; audit_distiller(distiller, (x, y), ...) raised torch's "stack expects each
    # tensor to be equal size" (the two tensors were taken as two samples and stacked)
    sized = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0, settings=SETTINGS)
    read = audit_distiller(pair(slice(0, 4), slice(4, 8)), given(blobs()), epoch=0,
                           settings=SETTINGS)
    assert [(r["layer"], r["n_samples"], r["i_yt"], r["red"]) for r in read] == [
        (r["layer"], r["n_samples"], r["i_yt"], r["red"]) for r in sized]
    assert read[0]["n_samples"] == K * N_PER_CLASS


class Stream(IterableDataset):
    """A held-out set streamed, without a length (as webdataset or a generator gives one)."""

    def __init__(self, data: TensorDataset) -> None:
        self.data = data

    def __iter__(self):
        return iter(self.data)


def test_a_streamed_dataset_is_audited_and_an_empty_one_named():
    # the empty-dataset check called len(dataset), so a held-out set without a length, which
    # the audit read batch by batch before, raised "object of type 'Stream' has no len()"
    sized = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0, settings=SETTINGS)
    streamed = audit_distiller(pair(slice(0, 4), slice(4, 8)), Stream(blobs()), epoch=0,
                               settings=SETTINGS)
    assert [(r["layer"], r["n_samples"], r["i_yt"]) for r in streamed] == [
        (r["layer"], r["n_samples"], r["i_yt"]) for r in sized]
    assert streamed[0]["n_samples"] == K * N_PER_CLASS
    empty = Stream(TensorDataset(torch.zeros(0, 8), torch.zeros(0).long()))
    with pytest.raises(ValueError) as info:
        audit_distiller(pair(slice(0, 4), slice(4, 8)), empty, epoch=0, settings=SETTINGS)
    assert str(info.value) == ("dataset is empty: the audit needs held-out samples; pass the "
                               "held-out set")


def test_max_samples_caps_a_streamed_dataset_as_a_sized_one():
    # audit.max_samples took len(dataset), so a streamed held-out set raised torch's
    # "object of type 'Stream' has no len()"; reading now stops at the cap, inside a batch too
    capped = dataclasses.replace(SETTINGS, max_samples=250)
    sized = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0, settings=capped,
                            batch_size=64)
    streamed = audit_distiller(pair(slice(0, 4), slice(4, 8)), Stream(blobs()), epoch=0,
                               settings=capped, batch_size=64)
    assert [r["n_samples"] for r in sized] == [250] * len(sized)
    assert [(r["layer"], r["n_samples"], r["i_yt"], r["red"]) for r in streamed] == [
        (r["layer"], r["n_samples"], r["i_yt"], r["red"]) for r in sized]


def test_a_failed_solve_is_written_as_strict_json_and_flagged_on_the_console(monkeypatch,
                                                                             capsys):
    # a failed solve's atoms were NaN in the record, written to audit.jsonl as the token NaN
    # (and its gap as Infinity), which jq and JavaScript refuse; the trainer's line printed
    # "red=nan ... syn=nan bits (n=400)" and a corrected "syn=-0.006" with nothing said
    import math

    import pidkit
    from pidkit_distill.training.epoch_lines import audit_line

    real = pidkit.pid

    def failed(p, **kwargs):
        nan = math.nan
        return dataclasses.replace(real(p, **kwargs), red=nan, uni_t=nan, uni_s=nan, syn=nan,
                                   status="failed", gap=math.inf, message="every solver failed")

    monkeypatch.setattr(pidkit, "pid", failed)
    (record, _) = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=3,
                                  settings=SETTINGS)
    json.dumps(record, allow_nan=False)  # strict JSON
    assert [record[a] for a in ("red", "uni_t", "uni_s", "syn", "gap")] == [None] * 5
    assert record["intervals"]["syn"] == [None, None]
    assert record["i_yt"] == pytest.approx(2.0, abs=0.02)  # the informations are kept
    assert record["status"] == "failed" and record["message"] == "every solver failed"
    print(audit_line([record]))
    below = {**record, "status": "optimal", "red": 0.1, "uni_t": 0.0, "uni_s": 0.2, "syn": -0.006,
             "bias_correction": {**record["bias_correction"], "negative": ["syn", "i_ys"]}}
    print(audit_line([below]))
    assert capsys.readouterr().out.splitlines() == [
        "  audit epoch 3 layer 0: red=none uni_t=none uni_s=none syn=none bits (n=400); solve NOT "
        "certified (status 'failed')",
        "  audit epoch 3 layer 0: red=0.100 uni_t=0.000 uni_s=0.200 syn=-0.006 bits (n=400); "
        "below 0, not judged: Syn"]  # 8 replicates, fewer than the 39 of a 95 % interval


@pytest.mark.parametrize(("layers", "error", "why"), [
    ([-1], ValueError, "got [-1] (-1 is below 0)"),
    ("2", TypeError, "got '2' (a str)"),
    ([1, 1], ValueError, "got [1, 1] (1 is there twice)"),
    ([True], TypeError, "got [True] (True is not an int)"),
])
def test_audit_layers_are_checked_by_the_settings_themselves(layers, error, why):
    # the check lived only in the training configuration's: from Python, layers=[-1] audited
    # the last layer recorded as layer -1 (the report's innermost layer then the wrong one),
    # "2" raised TypeError "'>=' not supported between instances of 'str' and 'int'" inside
    # collect_features, and [1, 1] (accepted by the command line too) gave two records of
    # layer 1 for each epoch
    with pytest.raises(error) as info:
        audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0,
                        settings=AuditConfig(layers=layers))
    assert str(info.value) == ("config key 'audit.layers' must be a list of distinct layer "
                               f"indices >= 0 ([] = every layer), {why}")


@pytest.mark.parametrize(("given", "max_samples", "n_samples"), [
    (lambda data: data, 0, K * N_PER_CLASS),
    (lambda data: DataLoader(data, batch_size=64, shuffle=True), 250, 250),  # the first it yields
], ids=["dataset", "shuffling_loader"])
def test_an_audit_leaves_the_callers_random_stream(given, max_samples, n_samples):
    # iterating its DataLoader drew a seed from torch's global stream, so a notebook's next
    # torch.rand differed after an audit; a DataLoader(shuffle=True) drew its order from it too,
    # so a notebook's (or its own training loop's) next draws depended on whether it had audited
    distiller, data = pair(slice(0, 4), slice(4, 8)), given(blobs())  # init draws: before seeding
    settings = dataclasses.replace(SETTINGS, max_samples=max_samples)
    torch.manual_seed(3)
    expected = torch.rand(4)
    torch.manual_seed(3)
    records = audit_distiller(distiller, data, epoch=0, settings=settings)
    assert torch.equal(torch.rand(4), expected)
    assert [r["n_samples"] for r in records] == [n_samples, n_samples]


def test_a_ddp_wrapped_distiller_is_audited_as_its_module(monkeypatch):
    # DistributedDataParallel(distiller), as the trainer wraps it under torchrun, was refused:
    # "this DistributedDataParallel has no .teacher or .student"
    import socket

    import torch.distributed as dist

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", str(port))
    distiller = nn.Module()
    distiller.teacher, distiller.student = Slice(slice(0, 4)), Slice(slice(4, 8))
    plain = audit_distiller(distiller, blobs(), epoch=0, settings=SETTINGS)
    dist.init_process_group("gloo", rank=0, world_size=1)
    try:
        wrapped = audit_distiller(nn.parallel.DistributedDataParallel(distiller), blobs(),
                                  epoch=0, settings=SETTINGS)
    finally:
        dist.destroy_process_group()
    assert [(r["layer"], r["i_yt"], r["red"]) for r in wrapped] == [
        (r["layer"], r["i_yt"], r["red"]) for r in plain]


class Binary(Slice):
    """A student whose distilled layers have 3 distinct rows: fewer than the K=4 clusters."""

    def forward_features(self, x: Tensor) -> Features:
        layer = (x[:, self.cols] > 5).float()
        return Features(self.fc(layer[:, :1]), [layer, 2 * layer], layer)


def test_few_distinct_rows_are_flagged_on_the_audit_line_not_warned_at_every_layer(capsys):
    # a 300-epoch run showed FewDistinctRowsWarning at every audited epoch and layer (the audit's
    # catch_warnings resets show-once), while neither its line nor the report said it
    import warnings

    from pidkit.estimate import FewDistinctRowsWarning
    from pidkit_distill.training.epoch_lines import audit_line

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = audit_distiller(types.SimpleNamespace(teacher=Slice(slice(0, 4)),
                                                        student=Binary(slice(0, 2))),
                                  blobs(), epoch=5, settings=SETTINGS)
    assert [w for w in caught if issubclass(w.category, FewDistinctRowsWarning)] == []
    assert [r["settings"]["discretisation"]["s"]["distinct_rows"] for r in records] == [3, 3]
    assert records[1]["settings"]["discretisation"]["t"]["distinct_rows"] is None
    print(audit_line([{**records[1], "bias_correction": {**records[1]["bias_correction"],
                                                         "negative": []}}]))
    assert capsys.readouterr().out.endswith(
        "(n=400); few distinct rows: student 3 (< 4 clusters)\n")


@pytest.mark.parametrize("progress", [True, False])
def test_the_audits_bar_follows_progress(capsys, progress):
    # the audit passed no progress on: pid_from_representations drew the replicates' bar wherever
    # a person watched, under the trainer's run.progress=false too (the audit tutorial page
    # carried about 40 of them); the audit's own bar now stands for them (test_audit_bar.py)
    audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(), epoch=0, settings=SETTINGS,
                    progress=progress)
    assert ("audit epoch 0" in capsys.readouterr().err) is progress


@pytest.mark.parametrize(("shown", "passed"), [("true", None), ("false", False)])
def test_the_trainers_audit_draws_bars_only_under_run_progress(tmp_path, monkeypatch, shown,
                                                               passed):
    from tiny_runs import tiny

    import pidkit_distill.audit.layer_pid
    from pidkit_distill.training import train

    given = []
    real = pidkit_distill.audit.layer_pid.audit_distiller

    def recording(*args, **kwargs):
        given.append(kwargs.get("progress", "not passed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pidkit_distill.audit.layer_pid, "audit_distiller", recording)
    train(tiny(tmp_path, "run.epochs=1", "run.audit_every=1", f"run.progress={shown}"))
    assert given and all(value is passed for value in given)


def test_networks_audited_outside_a_run_need_no_epoch():
    # epoch was required, and the tutorial's pair trained elsewhere passed epoch=0, "before training"
    records = audit_distiller(pair(slice(0, 4), slice(4, 8)), blobs(),
                              settings=AuditConfig(bootstrap=0), progress=False)
    assert [record["epoch"] for record in records] == [None] * len(records) and records
