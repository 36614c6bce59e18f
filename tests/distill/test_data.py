"""Data: CIFAR pickles on a generated miniature, digits split, the synthetic nuisance task."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from pidkit.measures import entropy, mutual_information
from pidkit_distill.data import (
    CIFAR_STATS,
    CifarDataset,
    DatasetBundle,
    describe_dataset,
    load_dataset,
    make_synthetic,
    stratified_order,
)


def _write_batch(path, images, labels, label_key):
    # the python-pickle CIFAR format: bytes keys, data (N, 3072) uint8 in CHW order
    batch = {b"batch_label": b"miniature", b"data": images.reshape(len(images), -1),
             label_key.encode(): [int(v) for v in labels]}
    with open(path, "wb") as fh:
        pickle.dump(batch, fh, protocol=2)


@pytest.fixture
def cifar_root(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    truth = {"train": [], "test": []}
    for i in range(1, 6):
        imgs = rng.integers(0, 256, size=(3, 3, 32, 32), dtype=np.uint8)
        labels = rng.integers(0, 10, size=3)
        _write_batch(folder / f"data_batch_{i}", imgs, labels, "labels")
        truth["train"].append((imgs, labels))
    imgs = rng.integers(0, 256, size=(4, 3, 32, 32), dtype=np.uint8)
    labels = rng.integers(0, 10, size=4)
    _write_batch(folder / "test_batch", imgs, labels, "labels")
    truth["test"].append((imgs, labels))
    folder100 = tmp_path / "cifar-100-python"
    folder100.mkdir()
    for split, n in (("train", 5), ("test", 2)):
        imgs = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
        labels = rng.integers(0, 100, size=n)
        _write_batch(folder100 / split, imgs, labels, "fine_labels")
        truth[f"{split}100"] = [(imgs, labels)]
    return tmp_path, truth


def test_cifar10_miniature_is_read_and_normalised(cifar_root):
    root, truth = cifar_root
    bundle = load_dataset("cifar10", root=root)
    assert isinstance(bundle, DatasetBundle)
    assert (len(bundle.train), len(bundle.test), bundle.num_classes, bundle.input_shape) == (
        15, 4, 10, (3, 32, 32))
    imgs = np.concatenate([i for i, _ in truth["train"]])
    labels = np.concatenate([lab for _, lab in truth["train"]])
    mean = np.array(CIFAR_STATS["cifar10"]["mean"]).reshape(3, 1, 1)
    std = np.array(CIFAR_STATS["cifar10"]["std"]).reshape(3, 1, 1)
    for k in (0, 7, 14):
        x, y = bundle.train[k]
        assert x.dtype == torch.float32 and y.dtype == torch.int64
        np.testing.assert_allclose(x.numpy(), (imgs[k] / 255.0 - mean) / std, rtol=1e-5,
                                   atol=1e-5)
        assert int(y) == labels[k]
    x_all, y_all = bundle.test.tensors
    assert x_all.shape == (4, 3, 32, 32)
    np.testing.assert_array_equal(y_all.numpy(), truth["test"][0][1])


def test_cifar_kd_rid_normalisation(cifar_root):
    root, truth = cifar_root
    bundle = load_dataset("cifar10", root=root, normalization="kd-rid")
    x, _ = bundle.test[0]
    np.testing.assert_allclose(x.numpy(), truth["test"][0][0][0] / 127.5 - 1.0, atol=1e-6)
    assert bundle.info["mean"] == (0.5, 0.5, 0.5)


def test_cifar100_miniature_uses_fine_labels(cifar_root):
    root, truth = cifar_root
    bundle = load_dataset("cifar100", root=root)
    assert bundle.num_classes == 100 and len(bundle.train) == 5 and len(bundle.test) == 2
    np.testing.assert_array_equal(bundle.train.tensors[1].numpy(), truth["train100"][0][1])


def test_cifar_augmentation_is_a_seeded_crop_and_flip(cifar_root):
    root, _ = cifar_root
    aug = load_dataset("cifar10", root=root, augment=True, seed=3).train
    plain = load_dataset("cifar10", root=root).train
    assert isinstance(aug, CifarDataset)
    aug.set_epoch(2)
    for k in range(len(aug)):
        x, _ = aug[k]
        dy, dx = (int(v) for v in aug._offsets[k])
        padded = torch.nn.functional.pad(plain.images[k], (4, 4, 4, 4))
        expected = padded[:, dy : dy + 32, dx : dx + 32]
        if aug._flips[k]:
            expected = expected.flip(-1)
        torch.testing.assert_close(x, plain._normalise(expected))
    first = torch.stack([aug[k][0] for k in range(len(aug))])
    aug.set_epoch(2)
    again = torch.stack([aug[k][0] for k in range(len(aug))])
    torch.testing.assert_close(first, again)
    aug.set_epoch(3)
    other = torch.stack([aug[k][0] for k in range(len(aug))])
    assert not torch.equal(first, other)
    assert not torch.equal(first, plain.tensors[0])  # something was cropped or flipped
    # the test set is never augmented
    assert load_dataset("cifar10", root=root, augment=True).test.augment is False


def test_cifar_missing_folder_explains_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cifar-10-batches-py not found.*download=True"):
        load_dataset("cifar10", root=tmp_path)
    with pytest.raises(ValueError, match="normalization must be"):
        load_dataset("cifar10", root=tmp_path, normalization="imagenet")


def test_digits_split_is_stratified_and_deterministic():
    a = load_dataset("digits", seed=0)
    b = load_dataset("digits", seed=0)
    c = load_dataset("digits", seed=1)
    assert (len(a.train), len(a.test)) == (1347, 450)
    assert a.input_shape == (1, 8, 8) and a.num_classes == 10
    xa, ya = a.test.tensors
    torch.testing.assert_close(xa, b.test.tensors[0])
    assert not torch.equal(xa, c.test.tensors[0])
    assert xa.dtype == torch.float32 and tuple(xa.shape[1:]) == (1, 8, 8)
    assert float(xa.min()) == 0.0 and float(xa.max()) == 1.0
    # stratified: each class puts a quarter of its images (to within one) in the test split
    per_class = torch.bincount(torch.cat([a.train.tensors[1], ya]), minlength=10).double()
    counts = torch.bincount(ya, minlength=10).double()
    assert float((counts - 0.25 * per_class).abs().max()) <= 1.0
    # train and test together are the whole data set, once each (compare sorted pixel sums)
    from sklearn.datasets import load_digits

    ref = np.sort(load_digits().images.reshape(1797, -1).sum(1) / 16.0)
    ours = torch.cat([a.train.tensors[0], xa]).reshape(1797, -1).sum(1).double().numpy()
    np.testing.assert_allclose(np.sort(ours), ref, rtol=1e-6)


def _plugin_entropy_bits(values: torch.Tensor) -> float:
    counts = torch.bincount(values).double()
    return entropy((counts / counts.sum()).numpy())


@pytest.mark.parametrize("bits", [0, 1, 3, 5])
def test_synthetic_nuisance_has_the_requested_entropy(bits):
    bundle = make_synthetic(n_train=8000, n_test=16, nuisance_bits=bits, seed=2)
    g = bundle.info["g_train"]
    assert bundle.info["h_g_bits"] == bits
    assert int(g.max()) < 2**bits
    # plug-in entropy of 8000 uniform draws is within 0.01 bit of log2 |G| for |G| <= 32
    assert _plugin_entropy_bits(g) == pytest.approx(bits, abs=0.01)


def test_synthetic_label_depends_on_z_only():
    bundle = make_synthetic(n_train=20000, n_test=16, num_classes=4, nuisance_bits=2, flip=0.2)
    info = bundle.info
    y, z, g = info["y_train"], info["z_train"], info["g_train"]
    torch.testing.assert_close(bundle.train.tensors[1], y)
    # flips happen at the requested rate and never to the same class
    assert float((y != z).double().mean()) == pytest.approx(0.2, abs=0.01)
    # joint of (Y, G, Z) as p[y, t, s] with T = G and S = Z: I(Y;G) ~ 0, I(Y;Z) = closed form
    p = torch.zeros(4, 4, 4, dtype=torch.float64)
    p.index_put_((y, g, z), torch.ones(len(y), dtype=torch.float64), accumulate=True)
    p = (p / p.sum()).numpy()
    assert mutual_information(p, "y", "t") < 0.002
    closed = 2 - (-(0.8 * math.log2(0.8)) - 0.2 * math.log2(0.2 / 3))  # H(Y) - H(Y|Z)
    assert mutual_information(p, "y", "s") == pytest.approx(closed, abs=0.02)


def test_synthetic_is_seeded_and_joint_target_encodes_g():
    a = make_synthetic(n_train=50, n_test=20, seed=5)
    b = make_synthetic(n_train=50, n_test=20, seed=5)
    c = make_synthetic(n_train=50, n_test=20, seed=6)
    torch.testing.assert_close(a.train.tensors[0], b.train.tensors[0])
    assert not torch.equal(a.train.tensors[0], c.train.tensors[0])
    joint = make_synthetic(n_train=50, n_test=20, seed=5, target="joint", nuisance_bits=3)
    assert joint.num_classes == 4 * 8
    info = joint.info
    torch.testing.assert_close(joint.train.tensors[1], info["y_train"] * 8 + info["g_train"])
    assert load_dataset("synthetic", n_train=50, n_test=20, seed=5).input_shape == (32,)


def test_synthetic_input_is_a_rotation_of_the_codes_plus_noise():
    b = make_synthetic(n_train=400, n_test=8, noise=0.0, nuisance_bits=3, num_classes=4, dim=10,
                       signal_scale=1.0, nuisance_scale=2.0)
    x = b.train.tensors[0]
    # without noise every input has squared norm 1 + 3 * 2^2 (a rotation keeps norms)
    torch.testing.assert_close(x.pow(2).sum(1), torch.full((400,), 13.0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"nuisance_bits": -1}, "nuisance_bits must be an int >= 0"),
        ({"num_classes": 1}, "num_classes must be an int >= 2"),
        ({"dim": 5}, "dim must be at least"),
        ({"flip": 0.9}, "flip must be in"),
        ({"noise": -1.0}, "noise must be a real number >= 0"),
        ({"target": "g"}, "target must be 'y' or 'joint'"),
    ],
)
def test_synthetic_rejects_bad_options(kw, match):
    with pytest.raises(ValueError, match=match):
        make_synthetic(**kw)


def test_load_dataset_rejects_unknown_names_and_options():
    with pytest.raises(ValueError, match=r"name='mnist' is not a known dataset.*digits"):
        load_dataset("mnist")
    with pytest.raises(TypeError):
        load_dataset("digits", n_train=5)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        load_dataset("digits", seed=-1)


def _rows(dataset) -> set[bytes]:
    """Each input of a dataset as bytes (digits has no duplicate images; synthetic draws none)."""
    x = dataset.tensors[0]
    return {row.numpy().tobytes() for row in x.reshape(len(x), -1)}


@given(labels=st.lists(st.integers(0, 4), min_size=1, max_size=60), seed=st.integers(0, 99))
def test_every_prefix_of_the_stratified_order_is_proportional_to_within_one(labels, seed):
    y = torch.tensor(labels)
    order = stratified_order(y, seed=seed)
    assert sorted(order.tolist()) == list(range(len(y)))
    totals = torch.bincount(y, minlength=5).double()
    present = int((totals > 0).sum())
    share = totals / len(y)
    for k in range(1, len(y) + 1):
        counts = torch.bincount(y[order[:k]], minlength=5).double()
        # at most one sample more than the class's share, at most K * share fewer (K classes;
        # within one either way for classes of equal size)
        deviation = counts - k * share
        assert float(deviation.max()) <= 1.0 + 1e-9
        assert bool((deviation >= -present * share - 1e-9).all())
        if k >= present:  # the first sample of every class comes before any second one
            assert int((counts > 0).sum()) == present


@pytest.mark.parametrize(("name", "options", "n_full"), [
    ("digits", {}, 1347), ("synthetic", {"n_train": 800, "n_test": 300}, 800)])
def test_train_fraction_is_a_nested_stratified_subset_and_keeps_the_held_out_set(
        name, options, n_full):
    full = load_dataset(name, seed=3, **options)
    y_full = full.train.tensors[1]
    previous = None
    for fraction in (0.05, 0.1, 0.5, 1.0):
        part = load_dataset(name, seed=3, train_fraction=fraction, **options)
        n = math.floor(fraction * n_full + 0.5)
        assert len(part.train) == n == describe_dataset(name, seed=3, train_fraction=fraction,
                                                        **options).n_train
        # the held-out set does not depend on the fraction
        torch.testing.assert_close(part.test.tensors[0], full.test.tensors[0])
        torch.testing.assert_close(part.test.tensors[1], full.test.tensors[1])
        # a class-stratified subset: each class within one sample of its share
        share = torch.bincount(y_full, minlength=full.num_classes if name == "digits" else 4)
        counts = torch.bincount(part.train.tensors[1], minlength=len(share))
        assert float((counts - fraction * share).abs().max()) <= 1.0 + 1e-9
        # nested: every sample of a smaller fraction is in the larger one, and in the full split
        rows = _rows(part.train)
        assert rows <= _rows(full.train)
        assert not _rows(part.test) & _rows(full.train)  # no held-out sample is trained on
        if previous is not None:
            assert previous <= rows
        previous = rows
        assert part.info["train_fraction"] == fraction and part.info["n_train"] == n


def test_train_fraction_subsets_follow_the_data_seed():
    a = load_dataset("digits", seed=0, train_fraction=0.1)
    b = load_dataset("digits", seed=0, train_fraction=0.1)
    c = load_dataset("digits", seed=1, train_fraction=0.1)
    torch.testing.assert_close(a.train.tensors[0], b.train.tensors[0])
    assert _rows(a.train) != _rows(c.train)


def test_synthetic_subset_keeps_the_latent_variables_of_its_samples():
    part = make_synthetic(n_train=400, n_test=50, seed=2, train_fraction=0.25)
    info = part.info
    assert len(info["z_train"]) == len(info["g_train"]) == len(info["y_train"]) == 100
    torch.testing.assert_close(part.train.tensors[1], info["y_train"])
    joint = make_synthetic(n_train=400, n_test=50, seed=2, train_fraction=0.25, target="joint")
    torch.testing.assert_close(joint.train.tensors[1],
                               info["y_train"] * 64 + info["g_train"])


def test_cifar_train_fraction(cifar_root):
    root, _ = cifar_root
    full = load_dataset("cifar10", root=root)
    part = load_dataset("cifar10", root=root, train_fraction=0.7)
    assert len(part.train) == math.floor(0.7 * 15 + 0.5) == 11 and len(part.test) == 4
    assert _rows(part.train) <= _rows(full.train)
    assert describe_dataset("cifar10", root=root, train_fraction=0.1).n_train == 5_000


@pytest.mark.parametrize("fraction", [0, 0.0, -0.1, 1.5, True, "0.1", float("nan")])
def test_train_fraction_must_be_in_0_1(fraction):
    for name in ("digits", "synthetic"):
        with pytest.raises(ValueError, match=r"train_fraction must be in \(0, 1\]"):
            load_dataset(name, train_fraction=fraction)
        with pytest.raises(ValueError, match=r"train_fraction must be in \(0, 1\]"):
            describe_dataset(name, train_fraction=fraction)


def test_a_train_fraction_too_small_for_every_class_names_the_smallest_that_works():
    with pytest.raises(ValueError, match=r"keeps 2 of 1347 .* fewer than the 10 classes; "
                                         r"use train_fraction >= 0\.0071"):
        load_dataset("digits", train_fraction=0.0015)
    with pytest.raises(ValueError, match="fewer than the 4 classes"):
        describe_dataset("synthetic", n_train=100, train_fraction=0.02)
    smallest = load_dataset("digits", train_fraction=0.0071)
    assert len(smallest.train) == 10
    assert torch.bincount(smallest.train.tensors[1]).tolist() == [1] * 10


def test_seeded_draws_are_pinned():
    """Values recorded from the seeded draws: a refactoring must leave every number as it was."""
    syn = make_synthetic(n_train=40, n_test=10, seed=3, nuisance_bits=2, flip=0.25,
                         train_fraction=0.5)
    np.testing.assert_allclose(syn.train.tensors[0][0, :4].numpy(),
                               [-0.23906852, -0.51482427, 1.52921534, -1.16526961], rtol=1e-6)
    assert syn.train.tensors[1].tolist() == [0, 0, 0, 2, 2, 0, 2, 0, 0, 1,
                                             3, 3, 1, 3, 0, 3, 1, 3, 2, 1]
    assert syn.info["g_train"].tolist() == [0, 1, 1, 1, 3, 2, 3, 3, 3, 1,
                                            1, 1, 1, 1, 2, 0, 2, 3, 3, 1]
    assert syn.test.tensors[1].tolist() == [0, 1, 0, 1, 3, 1, 0, 0, 0, 0]
    assert float(syn.test.tensors[0].double().sum()) == pytest.approx(-24.468356791883707,
                                                                     rel=1e-6)
    digits = load_dataset("digits", seed=2, train_fraction=0.05)
    assert digits.train.tensors[1][:12].tolist() == [7, 1, 2, 3, 8, 4, 4, 8, 3, 6, 0, 1]
    assert digits.test.tensors[1][:12].tolist() == [8, 1, 3, 2, 6, 0, 5, 0, 0, 5, 0, 8]
    # pixel sums are multiples of 1/16, so exact
    assert float(digits.train.tensors[0].double().sum()) == 1315.0625
    assert float(digits.test.tensors[0].double().sum()) == 8714.4375
    labels = torch.tensor([2, 0, 1, 1, 0, 2, 2, 2, 0, 1, 0, 2])
    assert stratified_order(labels, seed=4).tolist() == [3, 1, 6, 5, 4, 2, 0, 10, 7, 9, 8, 11]
    crops = CifarDataset(torch.zeros(5, 3, 32, 32, dtype=torch.uint8), torch.arange(5),
                         mean=(0, 0, 0), std=(1, 1, 1), augment=True, seed=3)
    crops.set_epoch(2)
    assert crops._offsets.tolist() == [[1, 3], [4, 8], [2, 6], [5, 6], [6, 7]]
    assert crops._flips.tolist() == [True, False, True, True, True]


@pytest.mark.parametrize("option", ["download", "augment"])
@pytest.mark.parametrize("value", ["False", "no", 0, None])
def test_cifar_flags_must_be_bools(tmp_path, option, value):
    # the string 'False' is true: it used to download (or augment)
    for check in (load_dataset, describe_dataset):
        with pytest.raises(TypeError, match=rf"^{option} must be True or False; got {value!r}"):
            check("cifar10", root=tmp_path, **{option: value})


@pytest.mark.parametrize(("fraction", "match"), [
    (0.001, r"^test_fraction=0\.001 holds out 2 of the 1797 digits, fewer than the 10 classes; "
            r"use test_fraction >= 0\.0051\.$"),
    (0.005, r"holds out 9 of the 1797 digits"),
    (0.9945, r"^test_fraction=0\.9945 leaves 9 of the 1797 digits to train on, fewer than the "
             r"10 classes; use test_fraction <= 0\.9944\.$"),
    (0.9999, r"leaves 0 of the 1797 digits to train on"),  # was a ZeroDivisionError
])
def test_a_digits_split_without_every_class_names_the_fractions_that_work(fraction, match):
    for check in (load_dataset, describe_dataset):
        with pytest.raises(ValueError, match=match):
            check("digits", test_fraction=fraction)


@pytest.mark.parametrize(("fraction", "sizes"), [(0.0051, (1787, 10)), (0.9944, (10, 1787))])
def test_the_named_test_fractions_work(fraction, sizes):
    bundle = load_dataset("digits", test_fraction=fraction)
    assert (len(bundle.train), len(bundle.test)) == sizes
    spec = describe_dataset("digits", test_fraction=fraction)
    assert (spec.n_train, spec.n_test) == sizes


def test_a_training_split_smaller_than_the_classes_is_refused():
    with pytest.raises(ValueError, match=r"^the training split holds 3 samples, fewer than the 4 "
                                         r"classes, so no train_fraction can keep one of each"):
        describe_dataset("synthetic", n_train=3)
