"""An epoch's loss terms keep the order of the method's loss formula, in its line and records.

train_one_epoch returned the terms sorted by key (the order it packs them in for DDP's
all_reduce), so MIMKD's line read "(ce=1.4168 feature=1.3866 global=5.5188 0.75*local=1.0402)"
where its loss is alpha CE + lambda_g L_g + lambda_l L_l + lambda_f L_f, and TED's filter stage
put student_filter_ce before teacher_filter_ce (t-369 item 3). The other methods' keys happen to
sort in their formula's order. The packing stays sorted: every process packs the same order.
"""

from __future__ import annotations

import json
import re

import pytest
import torch
from test_kd_epoch_line import checked_epoch_line
from torch.utils.data import DataLoader, TensorDataset

from pidkit_distill import get_method
from pidkit_distill.models import build_model
from pidkit_distill.training import train_one_epoch

# method, parameters and an epoch: MIMKD's terms and TED's filter stage's are not in sorted
# order, KD's and ITRD's are
CASES = [("mimkd", {"critic_hidden": 16}, 0), ("ted", {"stage1_epochs": 1}, 0),
         ("kd", {}, 0), ("itrd", {}, 0)]


@pytest.mark.parametrize(("method", "params", "epoch"), CASES, ids=[case[0] for case in CASES])
def test_the_epochs_terms_come_in_the_order_of_the_methods_forward(method, params, epoch):
    torch.manual_seed(0)
    student = build_model("synthetic-student", num_classes=3, in_channels=4)
    teacher = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    x, y = torch.randn(32, 4), torch.arange(32) % 3
    module = get_method(method)(student, teacher, sample_input=x[:2], num_classes=3, **params)
    formula = list(module(x[:8], y[:8], epoch=epoch).losses)
    optimizer = torch.optim.SGD(module.optimizer_groups()[module.phase(epoch)], lr=0.01)
    stats = train_one_epoch(module, DataLoader(TensorDataset(x, y), batch_size=8), optimizer,
                            epoch=epoch, device=torch.device("cpu"))
    assert list(stats["losses"]) == formula
    # the terms are each the sample-weighted mean of the batches' (4 batches of 8: their mean),
    # summing to the loss
    assert sum(stats["losses"].values()) == pytest.approx(stats["loss"], rel=1e-6)


def test_mimkds_line_and_records_follow_its_formula(tmp_path, capsys):
    # lambda_l 0.75 of the paper's preset; the line's terms and values are checked against
    # metrics.jsonl there, their order here
    labels = {"ce": "ce", "global": "global", "local": "0.75*local", "feature": "feature"}
    line = checked_epoch_line(tmp_path, capsys, "mimkd", labels)
    assert re.findall(r"(\S+)=\S+", line.split("(", 1)[1].split(")", 1)[0]) == list(labels.values())
    (record,) = [json.loads(text) for text in
                 (tmp_path / "synthetic-mimkd-ut-s0/metrics.jsonl").read_text().splitlines()]
    assert list(record["train_losses"]) == list(labels)
