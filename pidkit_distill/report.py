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

Each run keeps one colour in every figure; its line style says where its teacher came from
(solid: trained, dashed: untrained, dash-dot: a teacher file), and the figures say so. Runs of
the same name (``a/digits-bas-ut-s0``, ``b/digits-bas-ut-s0``) are named by as much of their path
as tells them apart. Every file is written atomically, and a figure a rerun does not draw (no
run has an audit any more) is removed, so the folder never mixes two reports.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pidkit_distill.training.checkpoint import atomic_write

__all__ = ["RunRecords", "load_run", "load_runs", "summary_table", "write_report"]

_PANELS = (("red", "Red(Y:T,S)"), ("uni_t", "Uni(Y:T\\S)"), ("uni_s", "Uni(Y:S\\T)"),
           ("syn", "Syn(Y:T,S)"), ("i_yt", "I(Y;T)"), ("i_ys", "I(Y;S)"))

# What the report reads of each file (a file without it is not a run's, and is refused).
_CONFIG_KEYS = ("data.name", "method.name", "teacher.source", "run.epochs")
_RECORD_KEYS = {"metrics.jsonl": ("epoch", "test_acc"),
                "audit.jsonl": ("epoch", "layer", *(key for key, _ in _PANELS))}


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
    it) is skipped with a warning; any other line that is not a JSON object is an error, and
    so is a record without the keys the report reads (``_RECORD_KEYS``).

    Raises
    ------
    ValueError
        A line other than a cut-off last one is not a JSON object, or a record lacks a key.
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
            missing = [key for key in _RECORD_KEYS[path.name] if key not in record]
            if missing:
                raise ValueError(f"{path}: line {number} has no {missing[0]!r}; it is not a "
                                 "record written by `pidkit-distill train`")
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
        ``path`` does not exist, is a file, or is not a run folder (no ``config.json`` or no
        ``metrics.jsonl``), or a file in it is damaged (a line other than a cut-off last one is
        not JSON).

    Examples
    --------
    >>> load_run("/nonexistent")
    Traceback (most recent call last):
    ...
    ValueError: '/nonexistent' does not exist; pass run folders written by `pidkit-distill train`
    """
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{str(path)!r} does not exist; pass run folders written by "
                         "`pidkit-distill train`")
    if not path.is_dir():
        raise ValueError(f"{str(path)!r} is a file, not a run folder; pass run folders written "
                         "by `pidkit-distill train`")
    for name in ("config.json", "metrics.jsonl"):
        if not (path / name).is_file():
            raise ValueError(f"{str(path)!r} is not a run folder (no {name}); pass folders "
                             "written by `pidkit-distill train`")
    try:
        config = json.loads((path / "config.json").read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{path / 'config.json'} is not JSON ({err}); the file is "
                         "damaged") from None
    for key in _CONFIG_KEYS:
        section, name = key.split(".")
        if not (isinstance(config, dict) and isinstance(config.get(section), dict)
                and name in config[section]):
            raise ValueError(f"{path / 'config.json'} has no {key!r}; it is not the "
                             "configuration of a `pidkit-distill train` run")
    return RunRecords(name=path.resolve().name, path=path, config=config,
                      metrics=_read_jsonl(path / "metrics.jsonl"),
                      audit=_read_jsonl(path / "audit.jsonl"))


def load_runs(paths: Sequence[str | Path | RunRecords]) -> list[RunRecords]:
    """Read the run folders ``paths`` (as a shell glob such as ``runs/*`` gives them).

    Records already read (:class:`RunRecords`) are taken as they are.

    Three kinds of path are skipped, each with a :class:`RuntimeWarning`, as ``runs/*`` picks
    them up beside the runs: a file (a log, the demo's ``results.jsonl``), a report folder
    (``report.md`` and no ``config.json``, written by an earlier report) and a folder given
    twice. Anything else that is not a run is an error (see :func:`load_run`).

    Raises
    ------
    ValueError
        No path, no run left after the skips, or a path that is not a run folder.

    Examples
    --------
    >>> load_runs([])
    Traceback (most recent call last):
    ...
    ValueError: no run folder given; pass at least one run folder
    """
    if not paths:
        raise ValueError("no run folder given; pass at least one run folder")
    runs: list[RunRecords] = []
    seen: set[Path] = set()
    for given in paths:
        path = given.path if isinstance(given, RunRecords) else Path(given)
        if path.is_file():
            warnings.warn(f"skipped {path}: a file, not a run folder", RuntimeWarning,
                          stacklevel=2)
        elif (path / "report.md").is_file() and not (path / "config.json").exists():
            warnings.warn(f"skipped {path}: a folder written by `pidkit-distill report`, not a "
                          "run", RuntimeWarning, stacklevel=2)
        elif path.resolve() in seen:
            warnings.warn(f"skipped {path}: given twice", RuntimeWarning, stacklevel=2)
        else:
            runs.append(given if isinstance(given, RunRecords) else load_run(path))
            seen.add(path.resolve())
    if not runs:
        raise ValueError(f"no run folder among {[str(p) for p in paths]}; pass folders written "
                         "by `pidkit-distill train`")
    return runs


def _distinct_names(runs: list[RunRecords]) -> list[RunRecords]:
    """``runs``, those of a name another run has too renamed by as many trailing parts of their
    path as tell them apart (the others keep their names, chosen ones included).

    Examples
    --------
    >>> runs = [RunRecords(p.name, p, {}, [], []) for p in map(Path, ["a/x", "b/x", "c/y"])]
    >>> [r.name for r in _distinct_names([*runs, RunRecords("mine", Path("d/x"), {}, [], [])])]
    ['a/x', 'b/x', 'y', 'mine']
    """
    paths = [run.path.resolve() for run in runs]
    named = []
    for run, path in zip(runs, paths, strict=True):
        rivals = [other for twin, other in zip(runs, paths, strict=True)
                  if twin.name == run.name and other != path]
        depth = 1
        while rivals and depth < len(path.parts) and any(
                other.parts[-depth:] == path.parts[-depth:] for other in rivals):
            depth += 1
        named.append(replace(run, name=str(Path(*path.parts[-depth:]))) if rivals else run)
    return named


def _innermost(audit: list[dict[str, Any]]) -> int | None:
    return max((r["layer"] for r in audit), default=None)


def summary_table(runs: list[RunRecords]) -> str:
    """A markdown table: accuracy (last, best) and the final PID atoms of the innermost layer.

    Runs of the same name are named by as much of their path as tells them apart; the cells
    of a run without a completed epoch or without an audit are empty.

    Examples
    --------
    >>> print(summary_table([]).splitlines()[0])
    | run | data | method | teacher | epochs | teacher acc | last acc | best acc (epoch) | \
layer | Red | Uni(Y:T\\S) | Uni(Y:S\\T) | Syn | n |
    """
    head = ("| run | data | method | teacher | epochs | teacher acc | last acc | best acc (epoch) "
            "| layer | Red | Uni(Y:T\\S) | Uni(Y:S\\T) | Syn | n |")
    lines = [head, "|" + "---|" * 14]
    for run in _distinct_names(runs):
        cfg, metrics = run.config, run.metrics
        last = metrics[-1] if metrics else {}
        best = max(metrics, key=lambda m: m["test_acc"], default=None)
        best_cell = "" if best is None else f"{best['test_acc']:.4f} ({best['epoch']})"
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
            f"{fmt(last.get('test_acc'))} | {best_cell} | {'' if layer is None else layer} | "
            f"{fmt(atoms.get('red'), '.3f')} | {fmt(atoms.get('uni_t'), '.3f')} | "
            f"{fmt(atoms.get('uni_s'), '.3f')} | {fmt(atoms.get('syn'), '.3f')} | "
            f"{atoms.get('n_samples', '')} |"
        )
    return "\n".join(lines)


_LINE_STYLES = {"trained": ("-", "solid: trained teacher"),
                "untrained": ("--", "dashed: untrained teacher")}
_FILE_STYLE = ("-.", "dash-dot: teacher from a file")


def _teacher_style(run: RunRecords) -> tuple[str, str]:
    """The line style of ``run`` (from where its teacher came) and what it means."""
    return _LINE_STYLES.get(run.config["teacher"]["source"], _FILE_STYLE)


def _lines(runs: list[RunRecords]) -> tuple[dict[str, dict[str, Any]], str]:
    """Each run's line (by name: one colour and style in every figure), and a note saying what
    the line styles in use mean.

    The colours are matplotlib's ten (``C0`` ...) for up to ten runs, then ``tab20``'s twenty,
    then as many taken evenly from ``turbo``: no two runs share one.
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    n = len(runs)
    colors = ([f"C{i}" for i in range(n)] if n <= 10
              else [to_hex(colormaps["tab20"](i)) for i in range(n)] if n <= 20
              else [to_hex(colormaps["turbo"](i / (n - 1))) for i in range(n)])
    lines = {run.name: {"color": color, "linestyle": _teacher_style(run)[0], "label": run.name,
                        "marker": "o", "markersize": 3}
             for run, color in zip(runs, colors, strict=True)}
    note = ", ".join(dict.fromkeys(_teacher_style(run)[1] for run in runs))
    return lines, note


def _plot_accuracy(runs: list[RunRecords], lines: dict[str, dict[str, Any]], note: str) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 4.5), layout="constrained")
    for run in runs:
        if run.metrics:
            ax.plot([m["epoch"] for m in run.metrics], [m["test_acc"] for m in run.metrics],
                    **lines[run.name])
    _epoch_axis(ax)
    ax.set_ylabel("held-out accuracy (fraction correct)")
    ax.set_title(f"Student accuracy on the held-out set\n({note})", fontsize=10)
    ax.grid(alpha=0.3)
    fig.legend(loc="outside right upper", fontsize=7)  # beside the plot: never over a line
    return fig


def _epoch_axis(ax: Any, fontsize: float | None = None) -> None:
    """Label the x axis "epoch", with ticks on whole epochs only."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("epoch", fontsize=fontsize)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def _plot_series(ax: Any, recs: list[dict[str, Any]], key: str, line: dict[str, Any], *,
                 band_alpha: float) -> None:
    """One run's corrected values, their interval band and the plug-in values of one quantity."""
    ax.plot([r["epoch"] for r in recs], [r[key] for r in recs], **line)
    banded = [r for r in recs if r.get("intervals")]
    epochs = [r["epoch"] for r in banded]
    low, high = ([r["intervals"][key][i] for r in banded] for i in (0, 1))
    if len(banded) == 1:  # a band over one epoch has no width: a bar shows the interval
        ax.vlines(epochs, low, high, color=line["color"], alpha=max(band_alpha, 0.4),
                  linewidth=4)
    elif banded:
        ax.fill_between(epochs, low, high, color=line["color"], alpha=band_alpha, linewidth=0)
    plugged = [r for r in recs if r.get("plugin")]
    if plugged:
        ax.plot([r["epoch"] for r in plugged], [r["plugin"][key] for r in plugged],
                color=line["color"], linestyle=":", linewidth=0.8, alpha=0.6)


def _plot_atoms(audited: list[RunRecords], lines: dict[str, dict[str, Any]], note: str, *,
                all_layers: bool) -> Any:
    import matplotlib.pyplot as plt

    if all_layers:
        layers = sorted({r["layer"] for run in audited for r in run.audit})
        panels = _PANELS[:4]
        fig, axes = plt.subplots(len(layers), len(panels), squeeze=False,
                                 figsize=(3.2 * len(panels) + 2, 2.6 * len(layers) + 0.4),
                                 layout="constrained")
        rows = [(layer, axes[i]) for i, layer in enumerate(layers)]
    else:
        panels = _PANELS
        fig, axes = plt.subplots(2, 3, squeeze=False, figsize=(13, 6.4), layout="constrained")
        rows = [(None, axes.ravel())]
    for layer, row in rows:
        for ax, (key, label) in zip(row, panels, strict=True):
            for run in audited:
                k = _innermost(run.audit) if layer is None else layer
                recs = [r for r in run.audit if r["layer"] == k]
                # the bands of many runs, stacked, stay see-through (at most 0.6 opaque)
                _plot_series(ax, recs, key, lines[run.name],
                             band_alpha=min(0.2, 0.6 / len(audited)))
            ax.set_title(label if layer is None else f"layer {layer}: {label}", fontsize=9)
            _epoch_axis(ax, fontsize=8)
            ax.set_ylabel("bits", fontsize=8)
            ax.grid(alpha=0.3)
    fig.legend(*rows[0][1][0].get_legend_handles_labels(), loc="outside right upper",
               fontsize=7)
    title = "PID of (Y, T, S) per layer" if all_layers else (
        "PID of (Y, T, S), innermost distilled layer, held-out set")
    fig.suptitle(f"{title} (bias-corrected; bands, or a bar for one epoch: bootstrap "
                 f"intervals; thin dotted: plug-in)\n{note}", fontsize=10)
    return fig


def _png(fig: Any) -> bytes:
    """``fig`` as a PNG file's bytes; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    return buffer.getvalue()


def write_report(run_dirs: str | Path | RunRecords | Sequence[str | Path | RunRecords], *,
                 out_dir: str | Path | None = None) -> Path:
    """Draw the figures and write ``report.md`` for ``run_dirs``; return the report's path.

    Parameters
    ----------
    run_dirs : path, RunRecords, or a list of them
        Run folders written by ``pidkit-distill train`` (or their records, from
        :func:`load_run`); a report folder or a folder given twice is skipped with a warning
        (see :func:`load_runs`).
    out_dir : path, optional
        Where to write; default ``RUN_DIR/report`` for one run, else ``report`` next to the runs.
        It is created before anything is drawn. Every file is written atomically; a PID figure
        left there by an earlier report and not drawn this time (no run has an audit) is
        removed.

    Raises
    ------
    ValueError
        No run folder, a folder that is not a run (see :func:`load_run`), no run with a
        completed epoch, or an ``out_dir`` that cannot be created (a file is in the way, no
        permission) or written (checked after everything is drawn, before any file is written).

    Warns
    -----
    RuntimeWarning
        A run without a completed epoch (an empty ``metrics.jsonl``: it has a row in the table
        but no line in the figures), or a skipped folder.

    Examples
    --------
    >>> write_report([])
    Traceback (most recent call last):
    ...
    ValueError: no run folder given; pass at least one run folder
    """
    import matplotlib

    matplotlib.use("Agg")
    if isinstance(run_dirs, str | Path | RunRecords):
        run_dirs = [run_dirs]
    runs = _distinct_names(load_runs(run_dirs))
    if not any(run.metrics for run in runs):
        raise ValueError("no run has completed an epoch (each metrics.jsonl is empty), so there "
                         "is nothing to report yet; wait for an epoch to end")
    for run in runs:
        if not run.metrics:
            warnings.warn(f"{run.path}: no completed epoch (metrics.jsonl is empty); the run "
                          "has a row in the table but no line in the figures", RuntimeWarning,
                          stacklevel=2)
    if out_dir is None:
        out_dir = runs[0].path / "report" if len(runs) == 1 else runs[0].path.parent / "report"
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"out_dir={str(out)!r} cannot be created ({err.strerror}); choose "
                         "another folder (--out)") from None
    lines, note = _lines(runs)
    files = {"accuracy.png": _png(_plot_accuracy(runs, lines, note))}
    audited = [run for run in runs if run.metrics and run.audit]
    atoms_figures = {"pid_atoms.png": False, "pid_atoms_all_layers.png": True}
    if audited:
        files.update({name: _png(_plot_atoms(audited, lines, note, all_layers=all_layers))
                      for name, all_layers in atoms_figures.items()})
    table = summary_table(runs)
    text = ["# Distillation report", "", "Runs: " + ", ".join(f"`{r.path}`" for r in runs), "",
            table, "", "Accuracy is on the held-out set; PID atoms are in bits, for the "
            "innermost audited layer at the last audited epoch, estimated from n held-out "
            "samples and corrected for the plug-in's sampling bias (audit.bias_correction; the "
            "records in audit.jsonl hold the plug-in values, the estimated bias and the "
            "bootstrap intervals too).", "", "![accuracy](accuracy.png)", ""]
    if audited:
        text += ["![PID atoms](pid_atoms.png)", "",
                 "![PID atoms, every layer](pid_atoms_all_layers.png)", ""]
    else:
        text += ["No run has an audit (run.audit_every = 0), so there is no PID figure.", ""]
    files["report.md"] = "\n".join(text).encode()
    try:  # everything is drawn: write it, each file atomically
        for name, data in files.items():
            atomic_write(out / name, lambda handle, data=data: handle.write(data))
        for name in atoms_figures.keys() - files.keys():
            (out / name).unlink(missing_ok=True)
    except OSError as err:
        raise ValueError(f"out_dir={str(out)!r} cannot be written ({err.strerror}); choose "
                         "another folder (--out)") from None
    return out / "report.md"
