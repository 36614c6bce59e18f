"""Time ``pidkit.estimate`` on representations of the RID paper's layer sizes.

For each teacher width d (default 8192 = 128x8x8 and 32768 = 32x32x32, the WRN-40-2 group outputs the
paper audits) the student has d/2 features (WRN-16-1), n = 10,000 samples (the CIFAR-10 test set)
and 10 classes. Features are synthetic float32 "layer outputs": a class signal in a 32-dimensional
latent space (latent noise 2.0 for the teacher, 3.0 for the student, so clusters and classes only
partly agree and the 10x10x10 joint has broad support), projected to d features, plus unit Gaussian
noise, through a ReLU.

Rows, measured in the same run on the same matrices:

- ``pidkit discretize``: :func:`pidkit.estimate.discretize` of the teacher matrix (L2 rows, seeded
  PCA to 10 with ``svd_solver="auto"``, seeded KMeans 10 with n_init=10);
- ``discretize, randomized PCA``: the same with ``svd_solver="randomized"``, what ``"auto"`` took
  before it chose the exact SVD for narrow matrices (only where ``"auto"`` now takes another solver);
  the note is the largest principal angle between its 10 components and the exact ones;
- ``paper recipe``: the paper code's calls (sklearn ``normalize``, ``PCA(10)``, ``KMeans(10)`` with
  library defaults and no seed) on the same matrix, the peer;
- ``pid solve``: :func:`pidkit.pid` (BROJA) of the 10x10x10 joint;
- ``empirical-Bayes entropy``: :func:`pidkit.estimate.eb_conditional_entropy` of that joint, which
  the correction computes once per call and once per bootstrap replicate (``--classes 1000``: 1,000
  labels, ImageNet's);
- ``pid_from_representations``: the whole call on teacher (d) and student (d/2) features;
- ``... KMeans n_init=1``: the same call with ``clusterer=KMeans(10, n_init=1)`` (scikit-learn's
  ``n_init="auto"`` for k-means++), i.e. what the default's 10 restarts cost, and how far the atoms
  move without them;
- ``... estimator="gaussian"``: the Gaussian estimator on the same features;
- ``bootstrap``: :func:`pidkit.estimate.bootstrap` of the cluster ids: one PID solve plus B
  replicates (``--bootstrap``, ``--n-jobs``).

Run: ``python -m benchmarks.estimate [--quick] [--n 10000] [--widths 8192 32768] [--classes 10]
[--bootstrap 20] [--n-jobs 1]``; ``--n 20000 --widths 64 --classes 100`` is narrow features with
many classes, where KMeans and the bias correction, not the PCA, take the time.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pidkit import pid

from . import _cli
from ._records import Records, open_records
from ._timing import markdown

N_CLASSES = 10
CLUSTERS = 10
"""Clusters of each representation, as the paper's recipe makes."""
PEAK_PER_TEACHER_BYTE = 3.7
"""The run's peak memory over the bytes of its widest teacher matrix: 4.5 GiB at 10,000 x 32768."""
LATENT = 32
TEACHER_NOISE = 2.0
STUDENT_NOISE = 3.0


def _features(n: int, d: int, y: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    means = rng.normal(0.0, 1.0, (int(y.max()) + 1, LATENT)).astype(np.float32)
    latent = means[y] + noise * rng.standard_normal((n, LATENT), dtype=np.float32)
    proj = rng.standard_normal((LATENT, d), dtype=np.float32) / np.sqrt(LATENT, dtype=np.float32)
    X = latent @ proj
    X += rng.standard_normal((n, d), dtype=np.float32)
    np.maximum(X, 0, out=X)
    return X


def _timed(fn: Callable[[], Any]) -> tuple[tuple[float, float], Any]:
    # Wall time, and CPU time of this process summed over its threads: on a machine shared with
    # other jobs the wall time is inflated, while CPU / (cores) is what an idle machine would take.
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return (time.perf_counter() - wall, time.process_time() - cpu), value


def _paper_recipe(X: np.ndarray) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import normalize

    Z = PCA(n_components=10).fit_transform(normalize(X))
    return KMeans(n_clusters=10).fit(Z).labels_


def _atoms(res: Any) -> str:
    return f"red {res.red:.3f} uni_t {res.uni_t:.3f} uni_s {res.uni_s:.3f} syn {res.syn:.3f} bits"


def _bits(res: Any) -> dict[str, float]:
    """The atoms of ``res``, in bits, for ``--jsonl``."""
    return {f"{atom}_bits": getattr(res, atom) for atom in ("red", "uni_t", "uni_s", "syn")}


def _angle(disc: Any, exact: Any) -> float:
    from scipy.linalg import subspace_angles

    return float(np.max(subspace_angles(exact.pca_.components_.T.astype(np.float64),
                                        disc.pca_.components_.T.astype(np.float64))))


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


QUICK = ["--n", "2000", "--widths", "512", "--bootstrap", "2"]
"""``--quick``: 2000 samples of one teacher width, 512, and 2 bootstrap replicates."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "estimate", __doc__, docs="docs/estimate.md (Performance)",
        duration="about 4 minutes on 2 cores and 4.5 GiB of memory (peak, with the 32768 width)",
        quick=QUICK, quick_duration="about 5 s",
    )
    parser.add_argument("--n", type=_cli.integer(400, " (10 clusters per side need 400 samples)"),
                        default=10_000, help="samples (default: 10000)")
    parser.add_argument("--widths", type=_cli.integer(10, " (the paper recipe keeps 10 components)"),
                        nargs="+", default=[8192, 32768], help="teacher widths (default: 8192 32768)")
    parser.add_argument("--classes", type=_cli.integer(2, " (a label needs two values)"), default=N_CLASSES,
                        help="classes of the label (default: 10; 1000 for ImageNet, which needs --n 40000 "
                        "or more: 4 x 1000 x 10 samples for the correction's quarters)")
    parser.add_argument("--bootstrap", type=_cli.nonnegative_int, default=20,
                        help="bootstrap replicates (default: 20; 0 skips the step)")
    parser.add_argument("--n-jobs", type=_cli.n_jobs, default=1,
                        help="bootstrap workers (default: 1; -1: every CPU)")
    parser.add_argument("--seed", type=_cli.nonnegative_int, default=0, help="data seed (default: 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> str:
    """Run the benchmark and return the printed table."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    _cli.check_memory(parser, f"--n {args.n} with --widths {' '.join(map(str, args.widths))}",
                      PEAK_PER_TEACHER_BYTE * args.n * max(args.widths) * 4,
                      "the features and their copies in the widest step")
    fewest = _cli.fewest_samples((args.classes, CLUSTERS, CLUSTERS))
    if args.n < fewest:  # every pid_from_representations row corrects the bias by default
        parser.error(f"--n {args.n} is too few samples for --classes {args.classes}: the default "
                     f"correction needs at least {fewest} ({args.classes} classes x {CLUSTERS} "
                     "clusters, in a quarter of the samples); give a larger --n or fewer --classes")
    with open_records(parser, args) as out:
        # scikit-learn (3-4 s to import, in _measure) after the arguments, so that a bad one ends at once
        from threadpoolctl import threadpool_info

        threads = sorted({(d["internal_api"], d["num_threads"]) for d in threadpool_info()})
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs, python "
            f"{platform.python_version()}, numpy {np.__version__}, threadpools {threads}; load average "
            f"(1/5/15 min) at start {_load()}",
            flush=True,
        )
        rng = np.random.default_rng(args.seed)
        y = rng.integers(0, args.classes, args.n)
        rows: list[tuple[str, str, tuple[float, float], str]] = []
        headers = ("features", "step", "wall s", "CPU s", "note")

        def table() -> str:
            return markdown(headers, [(a, b, f"{c[0]:.2f}", f"{c[1]:.2f}", e) for a, b, c, e in rows],
                            left=True)

        steps = ["features", "discretize", "paper recipe", "pid_from_representations", "n_init=1", "gaussian"]
        steps += ["bootstrap"] if args.bootstrap else []
        bar = _cli.progress(total=len(args.widths) * len(steps), desc="widths x steps")
        with _cli.shown_if_interrupted(lambda: table() if rows else ""):
            _measure(args, y, rng, rows, bar, out)
        bar.close()
        text = table()
        print(text)
        print(f"load average at end {_load()}", flush=True)
        return text


def _measure(args: argparse.Namespace, y: np.ndarray, rng: np.random.Generator, rows: list, bar: Any,
             out: Records) -> None:
    """Append the rows of every width to ``rows`` (and ``out``, with raw numbers), each step's as it
    is measured."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from pidkit.estimate import bootstrap, discretize, eb_conditional_entropy, pid_from_representations

    def add(row: tuple[str, str, tuple[float, float], str], d: int, **raw: Any) -> None:
        rows.append(row)
        out.write(n=args.n, classes=args.classes, teacher_width=d, student_width=d // 2, step=row[1],
                  wall_seconds=row[2][0], cpu_seconds=row[2][1], note=row[3], **raw)

    for d in args.widths:
        T = _features(args.n, d, y, rng, TEACHER_NOISE)
        S = _features(args.n, d // 2, y, rng, STUDENT_NOISE)
        bar.update()
        shape = f"{args.n} x {d}"
        t_disc, (labels, disc) = _timed(lambda T=T: discretize(T))
        if disc.svd_solver_ not in (None, "randomized"):
            t_rand, (_, rand) = _timed(lambda T=T: discretize(T, svd_solver="randomized"))
        bar.update()
        t_paper, paper_labels = _timed(lambda T=T: _paper_recipe(T))
        bar.update()
        ari = adjusted_rand_score(labels, paper_labels)
        t_full, res = _timed(lambda T=T, S=S: pid_from_representations(y, T, S, n_clusters=CLUSTERS))
        t_pid, _ = _timed(lambda res=res: pid(res.p))
        by_pair = res.counts.reshape(res.counts.shape[0], -1).T
        t_eb, h_eb = _timed(lambda by_pair=by_pair: eb_conditional_entropy(by_pair))
        bar.update()
        add((shape, f"pidkit discretize (teacher), {disc.svd_solver_} PCA", t_disc,
             f"ARI vs paper recipe {ari:.3f}"), d, ari_vs_peer=ari, peer="paper recipe",
            peer_wall_seconds=t_paper[0], peer_cpu_seconds=t_paper[1])
        if disc.svd_solver_ not in (None, "randomized"):
            angle = _angle(rand, disc)
            add((shape, "pidkit discretize, randomized PCA (the old 'auto')", t_rand,
                 f"{angle:.2g} rad off the exact components"), d, radians_off_exact=angle)
        add((shape, "paper recipe (sklearn defaults, unseeded)", t_paper, "peer"), d)
        add((shape, f"pid solve {'x'.join(map(str, res.p.shape))}", t_pid, res.pid.method), d,
            joint_shape=res.p.shape)
        add((shape, "empirical-Bayes entropy of Y given (T, S)", t_eb, f"{h_eb:.3f} nats"), d, nats=h_eb)
        both = f"{shape} + {args.n} x {d // 2}"
        add((both, "pid_from_representations (T and S)", t_full, _atoms(res)), d, **_bits(res))
        one_restart = KMeans(CLUSTERS, n_init=1)
        t_one, one = _timed(lambda T=T, S=S, k=one_restart: pid_from_representations(y, T, S, clusterer=k))
        bar.update()
        add((both, "... KMeans n_init=1 (T and S)", t_one, _atoms(one)), d, **_bits(one))
        t_gauss, gauss = _timed(lambda T=T, S=S: pid_from_representations(y, T, S, estimator="gaussian"))
        bar.update()
        add((both, '... estimator="gaussian" (T and S)', t_gauss, _atoms(gauss)), d, **_bits(gauss))
        if args.bootstrap > 0:
            t_lab, s_lab = (disc.labels_ for disc in res.discretizers)
            t_boot, boot = _timed(
                lambda t_lab=t_lab, s_lab=s_lab: bootstrap(
                    y, t_lab, s_lab, n_boot=args.bootstrap, n_jobs=args.n_jobs, progress=False
                )  # the benchmark's own bar counts this step
            )
            lo, hi = boot["intervals"]["red"]
            add((shape, f"bootstrap B={args.bootstrap}, n_jobs={args.n_jobs}", t_boot,
                 f"red 95% basic [{lo:.3f}, {hi:.3f}]"), d, replicates=args.bootstrap,
                n_jobs=args.n_jobs, red_interval_bits=(lo, hi))
            bar.update()
        del T, S


if __name__ == "__main__":
    _cli.run(main, "estimate")
