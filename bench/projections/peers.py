"""t-SNE and UMAP of one feature matrix by Pretext and by its Python peers, in one process tree on one
machine, with one quality measure for all: bench/projections/run.sh calls this once per matrix.

  peers.py --features F.npy --labels L.npy --pretext BENCH_EXE --out TABLE.md [--skip-sklearn-over N]

Quality, computed here for every layout the same way, on all points:
- t-SNE: KL(P || Q) with P the perplexity-30 affinities on 90 exact neighbours (openTSNE's
  PerplexityBasedNN, method="exact" where it fits, else its Annoy default) and Q the exact Student-t
  kernel normalised over all N^2 pairs (in blocks).
- both: trustworthiness at k=10 (scikit-learn's definition; ranks over all points for a fixed sample
  of 5,000 points, scaled to N) and
  kNN preservation at k=10 (fraction of each point's 10 nearest features that are among its 10
  nearest in the layout).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def pretext(exe, method, x, seed):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "x.f32"), os.path.join(tmp, "y.f32")
        np.ascontiguousarray(x, dtype=np.float32).tofile(src)
        start = time.perf_counter()
        out = subprocess.run([exe, method, src, str(len(x)), str(x.shape[1]), dst, str(seed)],
                             check=True, capture_output=True, text=True).stdout
        wall = time.perf_counter() - start
        inner = json.loads(out.strip().splitlines()[-1])["seconds"]
        return np.fromfile(dst, dtype=np.float32).reshape(-1, 2), wall, inner


def opentsne(x, seed, method):
    from openTSNE import TSNE
    start = time.perf_counter()
    y = TSNE(perplexity=30, n_jobs=os.cpu_count(), random_state=seed, negative_gradient_method=method).fit(x)
    return np.asarray(y), time.perf_counter() - start


def sklearn_tsne(x, seed):
    from sklearn.manifold import TSNE
    start = time.perf_counter()
    y = TSNE(perplexity=30, init="pca", random_state=seed, n_jobs=os.cpu_count()).fit_transform(x)
    return y, time.perf_counter() - start


def umap_learn(x, seed):
    import umap
    # random_state makes umap-learn single-threaded; without it, it uses every core. Both timed.
    start = time.perf_counter()
    if seed is None:
        y = umap.UMAP(n_jobs=os.cpu_count()).fit_transform(x)
    else:
        y = umap.UMAP(random_state=seed).fit_transform(x)
    return y, time.perf_counter() - start


def squared_norms(a):
    return np.einsum("ij,ij->i", a, a)


def block_distances(q, x, xn):
    d = squared_norms(q)[:, None] - 2 * q @ x.T + xn[None, :]
    return np.maximum(d, 0)


def knn(x, k):
    from sklearn.neighbors import NearestNeighbors
    nn = NearestNeighbors(n_neighbors=k + 1, algorithm="brute" if x.shape[1] > 3 else "kd_tree").fit(x)
    idx = nn.kneighbors(x, return_distance=False)
    return idx[:, 1:]  # the point itself first (ties with duplicates aside)


def layout_quality(x, layouts, k=10, queries=5000, block=500):
    """Trustworthiness and kNN preservation of every layout. Trustworthiness needs each layout
    neighbour's rank among all N points in feature space: computed exactly for a fixed random sample
    of `queries` points (every layout the same sample) and scaled to N, an unbiased estimate of the
    full sum; kNN preservation uses every point."""
    n = len(x)
    x = x.astype(np.float32)
    xn = squared_norms(x)
    high = knn(x, k)
    low = {name: knn(np.asarray(y, dtype=np.float32), k) for name, y in layouts.items()}
    sample = np.sort(np.random.default_rng(0).choice(n, size=min(n, queries), replace=False))
    penalty = {name: 0.0 for name in layouts}
    for s in range(0, len(sample), block):
        rows = sample[s:s + block]
        d = block_distances(x[rows], x, xn)
        d[np.arange(len(rows)), rows] = -1  # the point itself ranks 0
        ordered = np.sort(d, axis=1)
        for name, idx in low.items():
            dij = np.take_along_axis(d, idx[rows], axis=1)
            # rank of j = points strictly closer than j (the point itself included): the nearest is 1
            rank = np.stack([np.searchsorted(ordered[r], dij[r], side="left") for r in range(len(rows))])
            penalty[name] += np.maximum(rank - k, 0).sum()
    out = {}
    for name, idx in low.items():
        scaled = penalty[name] * n / len(sample)
        trust = 1 - 2.0 / (n * k * (2 * n - 3 * k - 1)) * scaled
        kept = np.mean([len(np.intersect1d(high[i], idx[i], assume_unique=True)) for i in range(n)]) / k
        out[name] = (trust, kept)
    return out


def tsne_kl(x, layouts, block=2000):
    from openTSNE.affinity import PerplexityBasedNN
    method = "exact" if len(x) <= 20000 else "annoy"
    p = PerplexityBasedNN(x, perplexity=30, method=method, n_jobs=os.cpu_count(), random_state=0).P.tocoo()
    out = {}
    for name, y in layouts.items():
        y = np.asarray(y, dtype=np.float64)
        yn = squared_norms(y)
        z = 0.0
        for s in range(0, len(y), block):
            w = 1 / (1 + np.maximum(yn[s:s + block, None] - 2 * y[s:s + block] @ y.T + yn[None, :], 0))
            z += w.sum() - (min(len(y), s + block) - s)  # minus the diagonal, w_ii = 1
        d2 = ((y[p.row] - y[p.col]) ** 2).sum(1)
        q = 1 / (1 + d2) / z
        out[name] = float(np.sum(p.data * np.log(p.data / q)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--labels")
    ap.add_argument("--pretext", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-sklearn-over", type=int, default=20000)
    a = ap.parse_args()
    x = np.load(a.features).astype(np.float32)
    n, dim = x.shape
    rows = []  # (family, implementation, seconds, layout)

    def add(family, impl, seconds, y):
        rows.append((family, impl, seconds, y))
        print(f"{n}x{dim} {family} {impl}: {seconds:.1f} s", file=sys.stderr, flush=True)

    y, wall, inner = pretext(a.pretext, "tsne", x, a.seed)
    add("t-SNE", "Pretext (Barnes-Hut to 10,000 points, FFT above)", wall, y)
    y, t = opentsne(x, a.seed, "fft")
    add("t-SNE", "openTSNE (FFT)", t, y)
    y, t = opentsne(x, a.seed, "bh")
    add("t-SNE", "openTSNE (Barnes-Hut)", t, y)
    if n <= a.skip_sklearn_over:
        y, t = sklearn_tsne(x, a.seed)
        add("t-SNE", "scikit-learn (Barnes-Hut)", t, y)
    y, wall, inner = pretext(a.pretext, "umap", x, a.seed)
    add("UMAP", "Pretext", wall, y)
    umap_learn(x[:2000], None)  # numba compiles on first use: not the peer's steady-state cost
    y, t = umap_learn(x, None)
    add("UMAP", "umap-learn (all cores, unseeded)", t, y)
    y, t = umap_learn(x, a.seed)
    add("UMAP", "umap-learn (seeded, one core)", t, y)

    layouts = {f"{fam}/{impl}": y for fam, impl, _, y in rows}
    quality = layout_quality(x, layouts)
    kl = tsne_kl(x, {k: v for k, v in layouts.items() if k.startswith("t-SNE")})
    with open(a.out, "w") as f:
        f.write(f"| {n:,} x {dim} | implementation | seconds | KL | trustworthiness k=10 | kNN kept k=10 |\n")
        f.write("|---|---|---:|---:|---:|---:|\n")
        for fam, impl, t, _ in rows:
            key = f"{fam}/{impl}"
            trust, kept = quality[key]
            klv = f"{kl[key]:.3f}" if key in kl else "-"
            f.write(f"| {fam} | {impl} | {t:.1f} | {klv} | {trust:.4f} | {kept:.3f} |\n")
    print(open(a.out).read())


if __name__ == "__main__":
    main()
