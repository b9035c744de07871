"""Fréchet distance (paper eq. 4): our symmetric-eigh trace vs scipy.linalg.sqrtm and torchmetrics.

Three ways to get Tr((C1 C2)^{1/2}) from the same float64 moments:

* ``gancond``     eigenvalues of L^T C2 L, C1 = L L^T (Cholesky + ``torch.linalg.eigvalsh``), :func:`gancond.scores.frechet_distance`
* ``scipy-sqrtm`` pytorch-fid's way: ``scipy.linalg.sqrtm(C1 @ C2)`` (Schur), real part, trace
* ``torchmetrics`` ``torch.linalg.eigvals(C1 @ C2)`` (general eigenproblem), sqrt, real part

Features: N samples of ReLU(z A + b) with z ~ N(0, I_D) and a random A, b (a "random
projection of noise": realistic, non-diagonal, full-rank covariances); the second set uses a
perturbed A and b, so the distance is of the order of a real FID.

Usage: ``python bench/bench_frechet.py [--dims 10 128 2048] [--n 10000] [--repeats 3]``;
prints a Markdown table and writes ``bench/results/frechet.csv``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.linalg
import torch

from gancond.scores import frechet_distance, gaussian_moments


def fd_scipy_sqrtm(mu1, s1, mu2, s2) -> float:
    """pytorch-fid's calculate_frechet_distance (sqrtm of the product, eps fallback)."""
    diff = mu1 - mu2
    covmean = scipy.linalg.sqrtm(s1.dot(s2))  # pytorch-fid passes disp=False (deprecated in SciPy 1.16)
    if not np.isfinite(covmean).all():
        offset = np.eye(s1.shape[0]) * 1e-6
        covmean = scipy.linalg.sqrtm((s1 + offset).dot(s2 + offset))
    covmean = covmean.real
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fd_torchmetrics(mu1, s1, mu2, s2) -> float:
    from torchmetrics.image.fid import _compute_fid

    return float(_compute_fid(mu1, s1, mu2, s2))


def features(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(d, d, generator=g) / d ** 0.5
    b = 0.5 * torch.randn(d, generator=g)
    a2 = a + 0.3 * torch.randn(d, d, generator=g) / d ** 0.5
    b2 = b + 0.1 * torch.randn(d, generator=g)
    f1 = torch.relu(torch.randn(n, d, generator=g) @ a + b)  # (N, D)
    f2 = torch.relu(torch.randn(n, d, generator=g) @ a2 + b2)  # (N, D)
    return f1, f2


def timed(fn, repeats: int):
    times, value = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return value, float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dims", type=int, nargs="+", default=[10, 128, 2048])
    ap.add_argument("--n", type=int, default=10_000, help="samples per feature set")
    ap.add_argument("--repeats", type=int, default=3, help="timing repeats (median); scipy runs once at D > 512")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    # warm-up: imports and first-call costs (LAPACK initialisation) are not timed
    w1, w2 = features(64, 4, 0)
    wm = [*gaussian_moments(w1), *gaussian_moments(w2)]
    frechet_distance(*wm), fd_scipy_sqrtm(*[t.numpy() for t in wm]), fd_torchmetrics(*wm)

    rows = []
    for d in args.dims:
        f1, f2 = features(args.n, d, args.seed + d)
        mu1, s1 = gaussian_moments(f1)
        mu2, s2 = gaussian_moments(f2)
        np_args = [t.numpy() for t in (mu1, s1, mu2, s2)]
        ours, t_ours = timed(lambda: frechet_distance(mu1, s1, mu2, s2), args.repeats)
        rows.append(dict(D=d, method="gancond: eigvalsh(L^T C2 L), C1 = L L^T", value=ours, seconds=t_ours))
        ref, t_ref = timed(lambda: fd_scipy_sqrtm(*np_args), 1 if d > 512 else args.repeats)
        rows.append(dict(D=d, method="scipy.linalg.sqrtm(C1 C2) (pytorch-fid)", value=ref, seconds=t_ref))
        tm, t_tm = timed(lambda: fd_torchmetrics(mu1, s1, mu2, s2), args.repeats)
        rows.append(dict(D=d, method="eigvals(C1 C2) (torchmetrics)", value=tm, seconds=t_tm))
        for r in rows[-3:]:
            r["rel_diff_vs_scipy"] = abs(r["value"] - ref) / abs(ref)
            r["time_vs_gancond"] = r["seconds"] / t_ours
        print(f"D={d}: done", flush=True)

    df = pd.DataFrame(rows)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    df.to_csv(out / "frechet.csv", index=False)
    print(f"\nN = {args.n} samples per set, float64, {args.threads} threads, median of {args.repeats}\n")
    print("| D | method | Fréchet distance | rel. diff vs scipy | seconds | time / gancond |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['D']} | {r['method']} | {r['value']:.6f} | {r['rel_diff_vs_scipy']:.1e} | "
              f"{r['seconds']:.4g} | {r['time_vs_gancond']:.1f}x |")


if __name__ == "__main__":
    main()
