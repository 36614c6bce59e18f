"""What a run's start under torchrun leaves behind when it fails: the process group it made is
taken over by the next run of the process, and destroyed as the process exits once a run that had
it ended well."""

from __future__ import annotations

import pytest
import torch.distributed as dist
from tiny_runs import one_process_group, tiny

from pidkit_distill.training import joining, run, runtime


def test_a_group_made_by_a_start_that_failed_is_taken_over_by_the_next_run(monkeypatch,
                                                                          tmp_path):
    # init_runtime made the group, then its first collective call (rank 0 drawing the run's
    # session, 868d963) failed: an interrupt while a slow peer had not started, a peer gone.
    # The group was nobody's: the script's next run took it without owning it, and it was never
    # destroyed
    one_process_group(monkeypatch)  # this group, a run of 2
    token_from_main = runtime.token_from_main

    def interrupted(_):
        raise KeyboardInterrupt

    config = tiny(tmp_path)
    try:
        monkeypatch.setattr(runtime, "token_from_main", interrupted)
        with pytest.raises(KeyboardInterrupt), run._run_session(config):
            pass
        assert dist.is_initialized()  # not destroyed after the failure (it could hang)
        monkeypatch.setattr(runtime, "token_from_main", token_from_main)
        with run._run_session(config) as again:  # a script's second try, which ends well
            assert again.owns_group
        assert dist.is_initialized()  # kept for a third run (two runs in one script)
        joining._destroy_kept_group()  # as the interpreter exits
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
