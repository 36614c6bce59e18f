"""Plots and a summary table from run folders (``pidkit-distill report RUN_DIR [RUN_DIR ...]``).

Reads each run's ``config.json``, ``metrics.jsonl`` and ``audit.jsonl`` and writes, into one
output folder:

* ``accuracy.png`` — held-out accuracy of every run over epochs;
* ``pid_atoms.png`` — the PID of (Y, T, S) over epochs for the innermost audited layer, one line
  per run: Red, Uni(Y:T\\S), Uni(Y:S\\T), Syn, I(Y;T), I(Y;S) (the RID paper's Figures 4 and 5):
  the bias-corrected values with their bootstrap interval as a band, and the plug-in values as a
  faint dotted line (records written before the correction existed show only their one line);
* ``pid_atoms_all_layers.png`` — the four atoms for every audited layer;
* ``report.md`` — the summary table (also returned and printed by the CLI) and the figures.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["RunRecords", "load_run", "summary_table", "write_report"]

_PANELS = (("red", "Red(Y:T,S)"), ("uni_t", "Uni(Y:T\\S)"), ("uni_s", "Uni(Y:S\\T)"),
           ("syn", "Syn(Y:T,S)"), ("i_yt", "I(Y;T)"), ("i_ys", "I(Y;S)"))


@dataclass(frozen=True)
class RunRecords:
    """Everything a report needs from one run folder."""

    name: str
    path: Path
    config: dict[str, Any]
    metrics: list[dict[str, Any]]
    audit: list[dict[str, Any]]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file (none if there is no file).

    A last line cut off (no newline at its end, not a JSON object: a run killed while writing
    it) is skipped with a warning; any other line that is not a JSON object is an error.

    Raises
    ------
    ValueError
        A line other than a cut-off last one is not a JSON object.
    """
    if not path.is_file():
        return []
    text = path.read_text()
    lines = text.splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            record, problem = None, f"is not JSON ({err.msg}, column {err.colno})"
        else:
            problem = "is not a JSON object"
        if isinstance(record, dict):
            records.append(record)
        elif number == len(lines) and not text.endswith("\n"):
            warnings.warn(f"{path}: skipped line {number}, the last, which is cut off (the run "
                          "was killed while writing it)", RuntimeWarning, stacklevel=2)
        else:
            raise ValueError(f"{path}: line {number} {problem}; the file is damaged (only a "
                             "cut-off last line, from a killed run, is skipped)")
    return records


def load_run(path: str | Path) -> RunRecords:
    """Read one run folder written by :func:`pidkit_distill.training.train`.

    A last line of ``metrics.jsonl`` or ``audit.jsonl`` cut off by a killed run is skipped
    with a :class:`RuntimeWarning`.

    Raises
    ------
    ValueError
        ``path`` is not a run folder (no ``config.json`` or no ``metrics.jsonl``), or a file in
        it is damaged (a line other than a cut-off last one is not JSON).

    Examples
    --------
    >>> load_run("/nonexistent")
    Traceback (most recent call last):
    ...
    ValueError: '/nonexistent' is not a run folder (no config.json); pass folders written by \
`pidkit-distill train`
    """
    path = Path(path)
    for name in ("config.json", "metrics.jsonl"):
        if not (path / name).is_file():
            raise ValueError(f"{str(path)!r} is not a run folder (no {name}); pass folders "
                             "written by `pidkit-distill train`")
    try:
        config = json.loads((path / "config.json").read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path / 'config.json'} is not JSON ({err}); the file is "
                         "damaged") from None
    return RunRecords(name=path.name, path=path, config=config,
                      metrics=_read_jsonl(path / "metrics.jsonl"),
                      audit=_read_jsonl(path / "audit.jsonl"))


def _innermost(audit: list[dict[str, Any]]) -> int | None:
    return max((r["layer"] for r in audit), default=None)


def summary_table(runs: list[RunRecords]) -> str:
    """A markdown table: accuracy (last, best) and the final PID atoms of the innermost layer.

    Examples
    --------
    >>> print(summary_table([]).splitlines()[0])
    | run | data | method | teacher | epochs | teacher acc | last acc | best acc (epoch) | \
layer | Red | Uni(Y:T\\S) | Uni(Y:S\\T) | Syn | n |
    """
    head = ("| run | data | method | teacher | epochs | teacher acc | last acc | best acc (epoch) "
            "| layer | Red | Uni(Y:T\\S) | Uni(Y:S\\T) | Syn | n |")
    lines = [head, "|" + "---|" * 14]
    for run in runs:
        cfg, metrics = run.config, run.metrics
        last = metrics[-1] if metrics else {}
        best = max(metrics, key=lambda m: m["test_acc"], default={})
        teacher_acc = last.get("teacher_acc")
        layer = _innermost(run.audit)
        final = [r for r in run.audit if r["layer"] == layer]
        atoms = final[-1] if final else {}
        method = cfg["method"]["name"] + (f" ({cfg['method']['preset']})"
                                          if cfg["method"].get("preset") else "")

        def fmt(value: Any, spec: str = ".4f") -> str:
            return "" if value is None else format(value, spec)

        lines.append(
            f"| {run.name} | {cfg['data']['name']} | {method} | {cfg['teacher']['source']} | "
            f"{last.get('epoch', 0)}/{cfg['run']['epochs']} | {fmt(teacher_acc)} | "
            f"{fmt(last.get('test_acc'))} | {fmt(best.get('test_acc'))} "
            f"({best.get('epoch', '')}) | {'' if layer is None else layer} | "
            f"{fmt(atoms.get('red'), '.3f')} | {fmt(atoms.get('uni_t'), '.3f')} | "
            f"{fmt(atoms.get('uni_s'), '.3f')} | {fmt(atoms.get('syn'), '.3f')} | "
            f"{atoms.get('n_samples', '')} |"
        )
    return "\n".join(lines)


def _style(run: RunRecords) -> str:
    """Solid lines for trained teachers, dashed for untrained ones, dotted for files."""
    source = run.config["teacher"]["source"]
    return {"trained": "-", "untrained": "--"}.get(source, ":")


def _plot_accuracy(runs: list[RunRecords], path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in runs:
        epochs = [m["epoch"] for m in run.metrics]
        ax.plot(epochs, [m["test_acc"] for m in run.metrics], marker=".", label=run.name,
                linestyle=_style(run))
    _epoch_axis(ax)
    ax.set_ylabel("held-out accuracy")
    ax.set_title("Student accuracy")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _epoch_axis(ax: Any, fontsize: float | None = None) -> None:
    """Label the x axis "epoch", with ticks on whole epochs only."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch", fontsize=fontsize)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def _plot_series(ax: Any, recs: list[dict[str, Any]], key: str, run: RunRecords) -> None:
    """One run's corrected values, their interval band and the plug-in values of one quantity."""
    epochs = [r["epoch"] for r in recs]
    (line,) = ax.plot(epochs, [r[key] for r in recs], marker=".", label=run.name,
                      linestyle=_style(run))
    banded = [r for r in recs if r.get("intervals")]
    if banded:
        ax.fill_between([r["epoch"] for r in banded], [r["intervals"][key][0] for r in banded],
                        [r["intervals"][key][1] for r in banded], color=line.get_color(),
                        alpha=0.2, linewidth=0)
    plugged = [r for r in recs if r.get("plugin")]
    if plugged:
        ax.plot([r["epoch"] for r in plugged], [r["plugin"][key] for r in plugged],
                color=line.get_color(), linestyle=":", linewidth=0.8, alpha=0.6)


def _plot_atoms(runs: list[RunRecords], path: Path, *, all_layers: bool) -> bool:
    import matplotlib.pyplot as plt

    audited = [run for run in runs if run.audit]
    if not audited:
        return False
    if all_layers:
        layers = sorted({r["layer"] for run in audited for r in run.audit})
        panels = _PANELS[:4]
        fig, axes = plt.subplots(len(layers), len(panels), squeeze=False,
                                 figsize=(3.2 * len(panels), 2.6 * len(layers)))
        rows = [(layer, axes[i]) for i, layer in enumerate(layers)]
    else:
        panels = _PANELS
        fig, axes = plt.subplots(2, 3, squeeze=False, figsize=(11, 6))
        rows = [(None, axes.ravel())]
    for layer, row in rows:
        for ax, (key, label) in zip(row, panels, strict=True):
            for run in audited:
                k = _innermost(run.audit) if layer is None else layer
                recs = [r for r in run.audit if r["layer"] == k]
                _plot_series(ax, recs, key, run)
            ax.set_title(label if layer is None else f"layer {layer}: {label}", fontsize=9)
            _epoch_axis(ax, fontsize=8)
            ax.set_ylabel("bits", fontsize=8)
            ax.grid(alpha=0.3)
    rows[0][1][0].legend(fontsize=6)
    title = "PID of (Y, T, S) per layer" if all_layers else (
        "PID of (Y, T, S), innermost distilled layer, held-out set")
    title += " (bias-corrected, bands: bootstrap intervals, dotted: plug-in)"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def write_report(run_dirs: list[str | Path | RunRecords], *,
                 out_dir: str | Path | None = None) -> Path:
    """Draw the figures and write ``report.md`` for ``run_dirs``; return the report's path.

    Parameters
    ----------
    run_dirs : list of path or RunRecords
        Run folders written by ``pidkit-distill train`` (or their records, from
        :func:`load_run`).
    out_dir : path, optional
        Where to write; default ``RUN_DIR/report`` for one run, else ``report`` next to the runs.
        It is created before anything is drawn.

    Raises
    ------
    ValueError
        No run folder, a folder that is not a run (see :func:`load_run`), or an ``out_dir``
        that cannot be created (a file is in the way, no permission).

    Examples
    --------
    >>> write_report([])
    Traceback (most recent call last):
    ...
    ValueError: run_dirs is empty; pass at least one run folder
    """
    import matplotlib

    matplotlib.use("Agg")
    if not run_dirs:
        raise ValueError("run_dirs is empty; pass at least one run folder")
    runs = [p if isinstance(p, RunRecords) else load_run(p) for p in run_dirs]
    if out_dir is None:
        out_dir = runs[0].path / "report" if len(runs) == 1 else runs[0].path.parent / "report"
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"out_dir={str(out)!r} cannot be created ({err.strerror}); choose "
                         "another folder (--out)") from None
    _plot_accuracy(runs, out / "accuracy.png")
    has_audit = _plot_atoms(runs, out / "pid_atoms.png", all_layers=False)
    if has_audit:
        _plot_atoms(runs, out / "pid_atoms_all_layers.png", all_layers=True)
    table = summary_table(runs)
    text = ["# Distillation report", "", "Runs: " + ", ".join(f"`{r.path}`" for r in runs), "",
            table, "", "Accuracy is on the held-out set; PID atoms are in bits, for the "
            "innermost audited layer at the last audited epoch, estimated from n held-out "
            "samples and corrected for the plug-in's sampling bias (audit.bias_correction; the "
            "records in audit.jsonl hold the plug-in values, the estimated bias and the "
            "bootstrap intervals too).", "", "![accuracy](accuracy.png)", ""]
    if has_audit:
        text += ["![PID atoms](pid_atoms.png)", "",
                 "![PID atoms, every layer](pid_atoms_all_layers.png)", ""]
    path = out / "report.md"
    path.write_text("\n".join(text))
    return path
