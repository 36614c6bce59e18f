"""read_by_main in two gloo processes: rank 0 sends its file's bytes, in pieces, to a process
whose disk lacks it, which reads them through ``read``; a file that changes while rank 0 reads or
sends it stops both processes, each with an error that says so."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tiny_runs import in_two_processes

# one process of 2 (RANK), reading argv[1]/node{RANK}/blob.bin through read_by_main, with
# pieces of 1000 bytes; argv[2] is the case: "sent", the file "grows while read" or
# "grows while sent" by rank 0 (after its first piece), rank 1 "has no room" for its copy
# (files of 2000 bytes at most: a full $TMPDIR), or rank 0's disk "fails while sent" (EIO after
# its first piece)
NODE = textwrap.dedent("""
    import hashlib, json, os, resource, sys
    from pathlib import Path
    import torch, torch.distributed as dist
    import pidkit_distill.training.file_sharing as file_sharing
    from pidkit_distill.training.file_sharing import read_by_main
    from pidkit_distill.training.runtime import Runtime

    rank, case = int(os.environ["RANK"]), sys.argv[2]
    path = Path(sys.argv[1]) / f"node{rank}" / "blob.bin"
    file_sharing._CHUNK_BYTES = 1000
    if rank == 1 and case == "has no room":
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))  # python ignores SIGXFSZ
    dist.init_process_group("gloo", init_method="env://")
    pieces, broadcast = [], dist.broadcast

    def grow():
        with path.open("ab") as more:
            more.write(b"more")

    def counted(tensor, *args, **kwargs):
        if tensor.dtype == torch.uint8:
            if rank == 0 and case == "grows while sent" and len(pieces) == 1:
                grow()
            pieces.append(tensor.numel())
        return broadcast(tensor, *args, **kwargs)

    dist.broadcast = counted
    opens = Path.open

    class Failing:
        def __init__(self, held):
            self.held, self.fileno, self.close = held, held.fileno, held.close

        def readinto(self, buffer):
            if pieces:
                raise OSError(5, "Input/output error")
            return self.held.readinto(buffer)

    def failing(given, *args, **kwargs):
        held = opens(given, *args, **kwargs)
        return Failing(held) if args == ("rb",) and case == "fails while sent" else held

    Path.open = failing
    seen = []

    def read(given):
        seen.append(given)
        if rank == 0 and case == "grows while read":
            grow()
        return given.read_bytes()

    try:
        got = read_by_main(Runtime(torch.device("cpu"), rank, 2, rank, True), path, read)
        done = {"sha256": hashlib.sha256(got).hexdigest(), "pieces": pieces,
                "read": [[given.name, given == path, given.exists()] for given in seen]}
    except Exception as err:
        done = {"error": f"{type(err).__name__}: {err}"}
    print(json.dumps(done), flush=True)
    os._exit(0)  # without destroying the group: a failed rank 0 leaves rank 1 in a broadcast
""")

BLOB = bytes(range(256)) * 41 + b"end"  # 10499 bytes: 10 pieces of 1000 and one of 499


def _read_by_main_in_two(folder: Path, case: str) -> list[dict[str, Any]]:
    """Run NODE in two processes (gloo, torchrun's variables); return what each printed."""
    return in_two_processes(NODE, [[str(folder), case]] * 2)


def _nodes(tmp_path: Path) -> Path:
    """Rank 0's blob.bin, and on rank 1's disk an older one (an earlier run's)."""
    for node, content in (("node0", BLOB), ("node1", b"older")):
        (tmp_path / node).mkdir()
        (tmp_path / node / "blob.bin").write_bytes(content)
    return tmp_path


def test_a_file_of_many_pieces_reaches_the_process_that_lacks_it_as_bytes_read_by_read(
        tmp_path):
    # rank 0 pickled the object its read gave (broadcast_object_list) and rank 1 unpickled it
    # without calling read: 4 times the file in host memory; now rank 1 receives the bytes in
    # pieces and reads them, written to a file of that name in its temporary folder, removed after
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), "sent")
    expected = hashlib.sha256(BLOB).hexdigest()
    assert rank_0 == {"sha256": expected, "pieces": [1000] * 10 + [499],
                      "read": [["blob.bin", True, True]]}
    assert rank_1 == {"sha256": expected, "pieces": [1000] * 10 + [499],
                      "read": [["blob.bin", False, False]]}  # a copy, gone after
    assert (tmp_path / "node1" / "blob.bin").read_bytes() == b"older"  # rank 0 alone writes


@pytest.mark.parametrize(("case", "rank_0_error", "rank_1_error"), [
    # it was "OSError: [Errno 5] Input/output error", naming no file
    ("fails while sent", "OSError: [Errno 5] rank 0 could not read '{path}' to send it to the "
     "processes whose disks lack it: Input/output error; check that disk, and run again",
     "RuntimeError: rank 0 could not send '{path}' to the processes whose disks lack it; "
     "rank 0's error says why"),
    # rank 0 sent what its read gave (the file grown meanwhile) and rank 1 took it
    ("grows while read", "ValueError: '{path}' changed while rank 0 read it",
     "RuntimeError: "),  # gloo's, once rank 0 has exited
    # rank 0's bytes would have been half the old file, half the new one
    ("grows while sent", "ValueError: '{path}' changed while rank 0 sent it",
     "RuntimeError: rank 0 could not send '{path}' to the processes whose disks lack it; "
     "rank 0's error says why"),
])
def test_a_file_that_changes_while_rank_0_reads_or_sends_it_stops_both_processes(
        tmp_path, case, rank_0_error, rank_1_error):
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), case)
    assert rank_0["error"].startswith(rank_0_error.format(path=tmp_path / "node0" / "blob.bin"))
    assert rank_1["error"].startswith(rank_1_error.format(path=tmp_path / "node1" / "blob.bin"))


def test_a_process_without_room_for_rank_0s_copy_says_where_and_how_to_make_room(tmp_path):
    # it said "[Errno 27] rank 1 lacks '...' and could not write rank 0's copy to its temporary
    # folder ($TMPDIR): [Errno 27] File too large": neither the folder, nor the room it needs,
    # nor what to do
    rank_0, rank_1 = _read_by_main_in_two(_nodes(tmp_path), "has no room")
    assert rank_0["sha256"] == hashlib.sha256(BLOB).hexdigest()  # in step: rank 0 is done
    path = tmp_path / "node1" / "blob.bin"
    assert rank_1["error"].startswith(
        f"OSError: [Errno 27] rank 1 lacks '{path}' and could not write rank 0's copy (10499 "
        "bytes) to its temporary folder '/")
    assert rank_1["error"].endswith(
        "': File too large; free space there, or set TMPDIR to a folder with room for it")
