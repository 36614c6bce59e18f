"""CIFAR folders that are not what they should be: labels, arrays, pickles, paths."""

from __future__ import annotations

import codecs
import errno
import importlib.machinery
import os
import pickle
import shutil
import struct
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from pidkit_distill.atomic_files import FileWriteError
from pidkit_distill.data import describe_dataset, load_dataset


def _write(path, batch):
    with open(path, "wb") as fh:
        pickle.dump(batch, fh, protocol=2)


def _batch(n, label_key, num_classes, rng):
    return {b"batch_label": b"miniature",
            b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
            label_key: [int(v) for v in rng.integers(0, num_classes, size=n)]}


def _cifar10(root, n=3):
    """A CIFAR-10 miniature in torchvision's python-pickle layout; returns its folder."""
    rng = np.random.default_rng(0)
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        _write(folder / name, _batch(n, b"labels", 10, rng))
    _write(folder / "batches.meta", {b"label_names": [b"c%d" % i for i in range(10)]})
    return folder


def _cifar100(root, n=5):
    rng = np.random.default_rng(1)
    folder = root / "cifar-100-python"
    folder.mkdir()
    for name in ("train", "test"):
        batch = _batch(n, b"fine_labels", 100, rng)
        batch[b"coarse_labels"] = [v // 5 for v in batch[b"fine_labels"]]
        _write(folder / name, batch)
    _write(folder / "meta", {b"fine_label_names": [b"f%d" % i for i in range(100)]})
    return folder


def _replace(path, **entries):
    with open(path, "rb") as fh:
        batch = pickle.load(fh, encoding="bytes")
    batch.update({k.encode(): v for k, v in entries.items()})
    _write(path, batch)


@pytest.mark.parametrize("labels, message", [
    ([0, 10, 3], "holds labels from 0 to 10, outside 0..9 of cifar10 (CIFAR-100 labels? set "
                 "data.name=cifar100 and put the cifar-100-python folder under data.root); "
                 "replace it with the original file"),
    ([0, -1, 3], "holds labels from -1 to 3, outside 0..9 of cifar10; replace it with the "
                 "original file"),
])
def test_labels_outside_the_classes_are_refused(tmp_path, labels, message):
    folder = _cifar10(tmp_path)
    _replace(folder / "test_batch", labels=labels)
    with pytest.raises(ValueError) as err:
        load_dataset("cifar10", root=tmp_path)
    assert str(err.value) == f"{folder / 'test_batch'}: 'labels' {message}"


def test_cifar100_labels_are_checked_against_100_classes(tmp_path):
    folder = _cifar100(tmp_path)
    assert load_dataset("cifar100", root=tmp_path).num_classes == 100
    _replace(folder / "train", fine_labels=[99, 100, 0, 1, 2])
    with pytest.raises(ValueError, match=r"'fine_labels' holds labels from 0 to 100, outside "
                                         r"0\.\.99 of cifar100; replace"):
        load_dataset("cifar100", root=tmp_path)


@pytest.mark.parametrize("data, what", [
    (np.zeros((3, 1024), np.uint8), "a uint8 array of shape (3, 1024)"),
    (np.full((3, 3072), 300.0), "a float64 array of shape (3, 3072)"),
    ([[0] * 3072] * 3, "a list"),
])
def test_image_arrays_that_are_not_cifar_are_refused(tmp_path, data, what):
    folder = _cifar10(tmp_path)
    _replace(folder / "data_batch_2", data=data)
    with pytest.raises(ValueError) as err:
        load_dataset("cifar10", root=tmp_path)
    assert str(err.value) == (f"{folder / 'data_batch_2'}: 'data' is {what}, not the uint8 "
                              "array of shape (N, 3072) of the python-pickle CIFAR format; "
                              "replace it with the original file")


def test_a_label_count_that_differs_from_the_images_is_refused(tmp_path):
    folder = _cifar10(tmp_path)
    _replace(folder / "data_batch_1", labels=[1, 2])
    with pytest.raises(ValueError, match=r"data_batch_1: 'labels' is not a list of 3 int labels, "
                                         r"one per image \(got list of shape \(2,\)"):
        load_dataset("cifar10", root=tmp_path)


def test_a_cifar100_file_in_the_cifar10_folder_names_the_set(tmp_path):
    folder = _cifar10(tmp_path)
    (folder / "test_batch").unlink()
    _cifar100(tmp_path)
    (tmp_path / "cifar-100-python" / "test").rename(folder / "test_batch")
    with pytest.raises(ValueError, match=r"test_batch has keys \['batch_label', "
                                         r"'coarse_labels', 'data', 'fine_labels'\]; expected "
                                         r"'data' and 'labels' \(the python-pickle cifar10 "
                                         r"format\); this is cifar100's data: set "
                                         r"data.name=cifar100$"):
        load_dataset("cifar10", root=tmp_path)


class _Rot13:
    def __reduce__(self):
        return codecs.encode, ("secret", "rot13")


def test_codecs_encode_is_allowed_for_latin1_bytes_only(tmp_path):
    folder = _cifar10(tmp_path)
    _replace(folder / "data_batch_1", batch_label=_Rot13())
    with pytest.raises(ValueError, match=r"data_batch_1 is not a python-pickle CIFAR batch of "
                                         r"plain values and numpy arrays \(UnpicklingError: "
                                         r"_codecs.encode is allowed only on a str with 'latin1'; "
                                         r"got str with 'rot13'\)"):
        load_dataset("cifar10", root=tmp_path)


def test_a_numpy_constructor_refusing_the_file_is_a_damaged_file(tmp_path):
    folder = _cifar10(tmp_path)
    # protocol 2: numpy.dtype("nonsense", 0, 1), which numpy refuses with a TypeError
    (folder / "test_batch").write_bytes(b"\x80\x02cnumpy\ndtype\nU\x08nonsenseK\x00K\x01\x87R.")
    with pytest.raises(ValueError, match=r"test_batch is not a python-pickle CIFAR batch of plain "
                                         r"values and numpy arrays \(TypeError: data type "):
        load_dataset("cifar10", root=tmp_path)


def _py2_str(raw):
    return b"U" + bytes([len(raw)]) + raw if len(raw) < 256 else (
        b"T" + struct.pack("<i", len(raw)) + raw)


def test_a_python2_cpickle_batch_as_distributed_is_read(tmp_path):
    # the real files were written by Python 2's cPickle: str (not bytes) and its dtype state
    folder = _cifar10(tmp_path)
    images = np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072)
    array = (b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85" + _py2_str(b"b")
             + b"\x87R(K\x01K\x02M\x00\x0c\x86cnumpy\ndtype\n" + _py2_str(b"u1")
             + b"K\x00K\x01\x87R(K\x03" + _py2_str(b"|")
             + b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89" + _py2_str(images.tobytes())
             + b"tb")
    stream = (b"\x80\x02}(" + _py2_str(b"data") + array + _py2_str(b"labels") + b"](K\x07K\x02e"
              + _py2_str(b"batch_label") + _py2_str(b"testing batch 1 of 1") + b"u.")
    (folder / "test_batch").write_bytes(stream)
    x, y = load_dataset("cifar10", root=tmp_path, normalization="kd-rid").test.tensors
    np.testing.assert_allclose(((x * 0.5 + 0.5) * 255).round().numpy().reshape(2, 3072), images)
    assert y.tolist() == [7, 2]


def test_a_root_with_a_tilde_is_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    _cifar10(tmp_path / "datasets")
    assert describe_dataset("cifar10", root="~/datasets").num_classes == 10
    assert len(load_dataset("cifar10", root="~/datasets").train) == 15


def test_a_root_that_is_the_set_folder_itself_says_to_use_its_parent(tmp_path):
    folder = _cifar10(tmp_path)
    for check in (describe_dataset, load_dataset):
        with pytest.raises(FileNotFoundError) as err:
            check("cifar10", root=folder)
        assert str(err.value).endswith(
            f"pip install 'pidkit[vision]'); {folder} is itself the cifar10 folder: set "
            f"data.root to {tmp_path}.")


@pytest.mark.parametrize("asked, present", [("cifar10", _cifar100), ("cifar100", _cifar10)])
def test_a_root_holding_the_other_set_names_it(tmp_path, asked, present):
    present(tmp_path)
    other = "cifar100" if asked == "cifar10" else "cifar10"
    with pytest.raises(FileNotFoundError, match=rf"\); this is {other}'s data: set "
                                                rf"data.name={other}\.$"):
        describe_dataset(asked, root=tmp_path)


def _fake_torchvision(monkeypatch, calls):
    """A stand-in ``torchvision`` whose CIFAR10 'downloads' a miniature slowly, counting calls."""

    class CIFAR10:
        def __init__(self, root, *, train, download):
            calls.append((root, train, download))
            time.sleep(0.3)  # long enough for a second process to arrive meanwhile
            folder = Path(root) / "cifar-10-batches-py"
            if folder.is_dir():
                shutil.rmtree(folder)  # as a second extraction would overwrite it
            _cifar10(Path(root))

    module = types.ModuleType("torchvision")
    module.__spec__ = importlib.machinery.ModuleSpec("torchvision", None)
    module.datasets = types.SimpleNamespace(CIFAR10=CIFAR10)
    monkeypatch.setitem(sys.modules, "torchvision", module)


def test_concurrent_downloads_fetch_the_set_once(tmp_path, monkeypatch):
    calls = []
    _fake_torchvision(monkeypatch, calls)
    root = tmp_path / "data"
    assert describe_dataset("cifar10", root=root, download=True).num_classes == 10
    with ThreadPoolExecutor(2) as pool:  # two DDP ranks loading at once
        sizes = list(pool.map(lambda _: len(load_dataset("cifar10", root=root,
                                                         download=True).train), range(2)))
    assert sizes == [15, 15]
    assert calls == [(str(root), True, True)]


def test_download_completes_an_incomplete_folder(tmp_path, monkeypatch):
    calls = []
    _fake_torchvision(monkeypatch, calls)
    (_cifar10(tmp_path) / "data_batch_4").unlink()
    with pytest.raises(FileNotFoundError, match=r"data_batch_4 is missing; the folder is "
                                                r"incomplete: extract the python-pickle cifar10 "
                                                r"archive there again, or pass download=True"):
        describe_dataset("cifar10", root=tmp_path)
    assert describe_dataset("cifar10", root=tmp_path, download=True).n_test == 10_000
    assert len(load_dataset("cifar10", root=tmp_path, download=True).train) == 15
    assert len(calls) == 1


def _without_flock(monkeypatch):
    """A file system where flock is not implemented (ENOSYS: Lustre without -o flock)."""
    fcntl = pytest.importorskip("fcntl")

    def no_flock(fd, operation):
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    monkeypatch.setattr(fcntl, "flock", no_flock)


def _load_within(seconds, **kw):
    """``len(load_dataset(**kw).train)``, failing if it has not returned within ``seconds``
    (the load runs in a daemon thread, which a load that waits for good leaves behind)."""
    result = []
    loader = threading.Thread(target=lambda: result.append(len(load_dataset(**kw).train)),
                              daemon=True)
    loader.start()
    loader.join(seconds)
    assert not loader.is_alive(), f"load_dataset still waiting after {seconds} s"
    return result[0]


def test_a_download_waits_saying_so_while_another_process_downloads(tmp_path, monkeypatch,
                                                                     capsys):
    from pidkit_distill.data import cifar_download
    from pidkit_distill.folder_locks import folder_lock

    calls = []
    _fake_torchvision(monkeypatch, calls)
    downloading, refused = threading.Event(), threading.Event()
    take_lock = cifar_download.take_lock

    def take_lock_noting_refusals(lock, timeout):
        got = take_lock(lock, timeout)
        if got is False:
            refused.set()
        return got

    monkeypatch.setattr(cifar_download, "take_lock", take_lock_noting_refusals)

    def other_download():  # another process, holding the lock until the load found it held
        # (held for a fixed 0.5 s, it was free again before a load slowed by a loaded machine
        # tried it: the load downloaded at once, saying nothing)
        with folder_lock(tmp_path / ".cifar10-download.lock"):
            downloading.set()
            refused.wait(30)

    threading.Thread(target=other_download, daemon=True).start()
    assert downloading.wait(30)
    assert _load_within(30, name="cifar10", root=tmp_path, download=True) == 15
    assert capsys.readouterr().out == (f"waiting for another process that is downloading "
                                       f"cifar10 into {tmp_path} (Ctrl-C stops waiting)\n")
    assert calls == [(str(tmp_path), True, True)]


def test_a_download_lock_left_on_a_file_system_without_flock_is_not_waited_for(
        tmp_path, monkeypatch):
    # where flock is not implemented (ENOSYS: Lustre without -o flock) filelock fell back to its
    # soft lock, which took the lock file a killed download left for one held: every later
    # load with download=True waited for it for good
    _without_flock(monkeypatch)
    calls = []
    _fake_torchvision(monkeypatch, calls)
    (tmp_path / ".cifar10-download.lock").write_bytes(b"")  # left by a killed download
    with pytest.warns(RuntimeWarning) as caught:
        assert _load_within(30, name="cifar10", root=tmp_path, download=True) == 15
    assert [str(w.message) for w in caught] == [
        f"cifar10 is downloaded into {tmp_path} unlocked: its file system cannot lock files "
        "(Function not implemented), so processes loading it at the same time (DDP ranks) may "
        "each download it; download it once before such a run"]
    assert calls == [(str(tmp_path), True, True)]


@contextmanager
def _read_only(monkeypatch, root):
    """``root`` as a shared, pre-downloaded folder of another user (mode 0555): nothing can be
    created or written in it. As root, whom modes do not stop, its writes are refused by
    ``os.open`` (how the lock file is made)."""
    root.chmod(0o555)
    if os.access(root, os.W_OK):
        real_open = os.open

        def refused(path, flags, *args, **kwargs):
            if Path(path).parent == root and flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refused)
    try:
        yield
    finally:
        root.chmod(0o755)


def test_a_read_only_root_holding_the_whole_set_is_read(tmp_path, monkeypatch):
    _cifar10(tmp_path)
    with _read_only(monkeypatch, tmp_path):
        assert len(load_dataset("cifar10", root=tmp_path, download=True).train) == 15
    assert [p.name for p in tmp_path.iterdir()] == ["cifar-10-batches-py"]  # no lock file


def test_a_read_only_root_lacking_the_set_says_so(tmp_path, monkeypatch):
    # the lock file could not be made: a PermissionError traceback from folder_locks
    calls = []
    _fake_torchvision(monkeypatch, calls)
    with _read_only(monkeypatch, tmp_path), pytest.raises(FileWriteError) as err:
        load_dataset("cifar10", root=tmp_path, download=True)
    assert str(err.value) == (
        f"cannot download cifar10 into {str(tmp_path)!r}: Permission denied; download it into a "
        "folder you can write (point root, the configuration's data.root, at it), or ask for "
        f"write access to {str(tmp_path)!r}")
    assert err.value.errno == errno.EACCES and calls == []


def test_a_download_that_its_folder_refuses_says_so(tmp_path, monkeypatch):
    # a set folder of another user in a writable root: torchvision's PermissionError came out raw
    class CIFAR10:
        def __init__(self, root, *, train, download):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES),
                                  f"{root}/cifar-10-batches-py/data_batch_1")

    _fake_torchvision(monkeypatch, [])
    monkeypatch.setattr(sys.modules["torchvision"].datasets, "CIFAR10", CIFAR10)
    with pytest.raises(FileWriteError, match=r"^cannot download cifar10 into '.*': Permission "
                                             r"denied; download it into a folder you can write"):
        load_dataset("cifar10", root=tmp_path, download=True)


def test_torchrun_ranks_refuse_a_download_their_file_system_cannot_lock(tmp_path, monkeypatch):
    # each rank warned, then downloaded and extracted the archive over the others'
    _without_flock(monkeypatch)
    monkeypatch.setenv("WORLD_SIZE", "2")
    calls = []
    _fake_torchvision(monkeypatch, calls)
    with pytest.raises(FileNotFoundError) as err:
        load_dataset("cifar10", root=tmp_path, download=True)
    assert str(err.value) == (
        f"cifar10 is not under {tmp_path}, and its file system cannot lock files (Function not "
        "implemented), so the 2 processes of this torchrun (WORLD_SIZE=2) would each download "
        "it at once: download it once before the run, in one process (WORLD_SIZE=1 python -c "
        "\"from pidkit_distill.data import load_dataset; load_dataset('cifar10', "
        f"root={str(tmp_path)!r}, download=True)\"), then start the run again")
    assert calls == []
    # the command it names works where WORLD_SIZE is left set (exported, or stale in a shell
    # or notebook outside torchrun): it was refused again
    monkeypatch.setenv("WORLD_SIZE", "1")
    with pytest.warns(RuntimeWarning, match="downloaded into .* unlocked"):
        load_dataset("cifar10", root=tmp_path, download=True)
    assert calls == [(str(tmp_path), True, True)]


@pytest.mark.parametrize("where, code, message", [
    # a full disk was told to 'ask for write access' to a folder the user can write
    ("root", errno.ENOSPC, "No space left on device; free space on its disk, or download it into "
                           "a folder on another disk (point root, the configuration's data.root, "
                           "at it)"),
    # a root that is a file (data.root=data.tar) was told 'File exists; ... ask for write access'
    ("file", None, "'{file}' is a file, not a folder; point root (the configuration's data.root) "
                   "at a folder"),
    ("under-file", None, "'{file}' is a file, not a folder; point root (the configuration's "
                         "data.root) at a folder"),
])
def test_a_download_refused_for_a_full_disk_or_a_file_in_the_way_says_so(
        tmp_path, monkeypatch, where, code, message):
    class CIFAR10:
        def __init__(self, root, *, train, download):
            raise OSError(code, os.strerror(code), f"{root}/cifar-10-python.tar.gz")

    _fake_torchvision(monkeypatch, [])
    monkeypatch.setattr(sys.modules["torchvision"].datasets, "CIFAR10", CIFAR10)
    file = tmp_path / "data.tar"
    file.write_text("not a folder")
    root = {"root": tmp_path / "data", "file": file, "under-file": file / "data"}[where]
    with pytest.raises(FileWriteError) as err:
        load_dataset("cifar10", root=root, download=True)
    assert str(err.value) == f"cannot download cifar10 into {str(root)!r}: " + message.format(
        file=file)


URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def _network_errors():
    import http.client
    import socket
    import ssl
    import urllib.error

    # a firewall refusing the connection is EACCES too, wrapped by urllib (passed before)
    yield (urllib.error.URLError(PermissionError(errno.EACCES, "Permission denied")),
           "PermissionError: [Errno 13] Permission denied")
    # a download cut off mid-file raises SSL's error unwrapped; its errno 1 (SSL_ERROR_SSL) was
    # taken for EPERM: 'cannot download cifar10 into ...; ... ask for write access'
    yield (ssl.SSLError(1, "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad "
                           "record mac"),
           "SSLError: [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record "
           "mac")
    yield (urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
           "gaierror: [Errno -3] Temporary failure in name resolution")
    # an HTTP status: it read '(str: Not Found)', an HTTPError's reason being its status text
    yield (urllib.error.HTTPError(URL, 404, "Not Found", {}, None),
           "HTTPError: HTTP Error 404: Not Found")
    # not an OSError: it came out raw from load_dataset, as the others did
    yield http.client.RemoteDisconnected("Remote end closed connection without response"), (
        "RemoteDisconnected: Remote end closed connection without response")


@pytest.mark.parametrize("error, reason", list(_network_errors()),
                         ids=["urlerror-eacces", "ssl", "urlerror-offline", "http-404", "http"])
def test_a_network_error_of_a_download_says_how_to_get_the_set_by_hand(
        tmp_path, monkeypatch, error, reason):
    # not taken for a folder that refused (a FileWriteError), and, from Python, no longer the
    # network's bare error ("<urlopen error [Errno -3] ...>": only the CLI said what to do): it
    # says what the CLI says, an OSError (as the network's are) whose cause is the network's
    from pidkit_distill.data.cifar_download import CifarDownloadError

    class CIFAR10:
        def __init__(self, root, *, train, download):
            raise error

    _fake_torchvision(monkeypatch, [])
    monkeypatch.setattr(sys.modules["torchvision"].datasets, "CIFAR10", CIFAR10)
    with pytest.raises(CifarDownloadError) as err:
        load_dataset("cifar10", root=tmp_path, download=True)
    assert str(err.value) == (
        f"cannot download cifar10 from {URL} ({reason}); download it on a machine that can, copy "
        f"it into {str(tmp_path)!r} and extract it there (tar -xzf "
        f"{tmp_path}/cifar-10-python.tar.gz -C {tmp_path}), or point root (the configuration's "
        "data.root) at a folder that holds cifar-10-batches-py")
    assert isinstance(err.value, OSError) and err.value.__cause__ is error
    copy = pickle.loads(pickle.dumps(err.value))  # as a worker process's error is
    assert (type(copy), str(copy)) == (CifarDownloadError, str(err.value))


def test_a_process_that_the_others_wait_for_downloads_where_files_cannot_be_locked(
        tmp_path, monkeypatch):
    # the trainer's rank 0 (others_wait) was refused as every process of the torchrun was
    from pidkit_distill.folder_locks import others_wait

    _without_flock(monkeypatch)
    monkeypatch.setenv("WORLD_SIZE", "2")
    calls = []
    _fake_torchvision(monkeypatch, calls)
    with others_wait(), pytest.warns(RuntimeWarning, match="cifar10 is downloaded into .* "
                                                           "unlocked"):
        assert len(load_dataset("cifar10", root=tmp_path, download=True).train) == 15
    assert calls == [(str(tmp_path), True, True)]
