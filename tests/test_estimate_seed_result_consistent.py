"""With ``cluster_seeds=k`` a result's numbers are the mean over k clusterings while ``p``,
``counts`` and ``pid`` are the first clustering's (so that ``pid`` stays the plug-in PID of ``p``):
``to_dict()`` and the ``repr`` say so, and :func:`pidkit.to_frame` has the seed spread in float
columns (t-342 finding 7: ``red`` 0.39 sat beside a ``pid`` record of 0.33 with nothing to tell
them apart, and the sd was only inside the ``settings`` cell)."""

from __future__ import annotations

import json

import numpy as np

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.estimate.correction import QUANTITIES
from tests.estimate_data import three_class_features

OPTIONS = {"n_components": 3, "n_clusters": 4, "normalize": None, "bias_correction": "none"}


def test_the_record_names_whose_joint_and_pid_it_holds():
    y, t, s = three_class_features()
    res = pid_from_representations(y, t, s, random_state=7, cluster_seeds=3, **OPTIONS)
    first = pid_from_representations(y, t, s, random_state=7, **OPTIONS)
    record = json.loads(json.dumps(res.to_dict()))
    # the pid record is the first seed's plug-in PID of p, and the top-level numbers the mean
    assert record["pid"]["red"] == first.pid.red == pidkit.pid(res.p).red
    assert record["red"] == res.red != record["pid"]["red"]
    assert record["first_clustering"] == (
        "p, counts, labels and pid are the first of 3 clusterings' (seed 7); the seven quantities "
        "and plugin are the mean of the 3, settings['cluster_seed_sd'] their sd")
    assert first.to_dict()["first_clustering"] is None
    assert "; p, counts and pid are seed 7's" in " ".join(repr(res).split())


def test_to_frame_has_the_seed_spread_as_float_columns():
    y, t, s = three_class_features()
    res = pid_from_representations(y, t, s, cluster_seeds=3, **OPTIONS)
    one = pid_from_representations(y, t, s, **OPTIONS)
    frame = pidkit.to_frame([res, one, pidkit.pid(res.p)])
    columns = [f"seed_sd_{q}" for q in QUANTITIES]
    assert set(columns) <= set(pidkit.batch.ESTIMATE_COLUMNS)
    assert all(frame[column].dtype == np.float64 for column in columns)
    spread = res.settings["cluster_seed_sd"]
    assert frame.loc[0, columns].tolist() == [spread[q] for q in QUANTITIES]
    assert max(spread.values()) > 1e-3  # the clusterings differed
    assert frame.loc[1:, columns].isna().all().all()  # one clustering, and a plain PID: none
    assert frame["settings"][0] == res.settings  # the settings cell is kept as it was
