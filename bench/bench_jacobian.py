"""Benchmark: per-z Jacobian spectra of the MNIST generator, three ways, side by side.

    python bench/bench_jacobian.py [--widths 0.25 1.0] [--n-z-batch 64]

For ``Generator(28, 64, width)`` (DCGAN init, eval mode) and a fixed batch of z, each method
computes the per-z Jacobians J_z (n_x = 784, n_z = 64) and their singular values:

(a) ours: ``gancond.jacobian.jacobian`` (forward mode, n_z JVPs batched over z) +
    ``singular_values``;
(b) the reverse-mode loop of public metric code (google/compare_gan): one backward pass per
    output pixel over the whole z batch (n_x passes), written here as a reference;
(c) ``torch.autograd.functional.jacobian`` per z (reverse mode, vectorize=True). If it is
    slow it is timed on the first z's only (until --c-budget seconds) and scaled to the
    whole batch; the output says so.

Every method gets one untimed warm-up call first; the timed runs include the SVDs. (a) is run
5 times, interleaved with (b), and its median is reported. The
singular values of (b) and (c) are compared with ours (max relative difference).

What to expect: (a) costs n_z JVPs and (b) n_x VJPs over the same z batch, so the speed-up
is about (n_x / n_z) x (cost of a VJP / cost of a JVP). For MNIST n_x / n_z = 784 / 64 = 12.25,
so expect roughly 10x on an idle CPU, less where ours is held back by large-batch
ConvTranspose2d kernels (small widths); it grows with the image (3072 / 64 = 48 at 32x32x3).
On a loaded machine the loop's thousands of small kernels suffer most, so the ratio varies
from run to run; the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable

import torch

from gancond.jacobian import jacobian, singular_values
from gancond.models import Generator


def reverse_pixel_loop(
    G: torch.nn.Module, z: torch.Tensor, pause: Callable[[], None] | None = None, every: int = 196
) -> torch.Tensor:
    """compare_gan-style Jacobian: one reverse-mode pass per output pixel. -> (B, n_x, n_z).

    ``pause`` (if given) is called every ``every`` pixels; the bench uses it to time runs of
    (a) in between, so that both methods see the same load on a shared machine.
    """
    G.eval()
    z = z.detach().requires_grad_(True)
    x = G(z).reshape(z.shape[0], -1)  # (B, n_x), one forward pass, as in compare_gan
    cols = []
    for i in range(x.shape[1]):  # d x_i / d z for every z of the batch at once
        if pause is not None and i and i % every == 0:
            pause()
        (g,) = torch.autograd.grad(x[:, i].sum(), z, retain_graph=True)  # (B, n_z)
        cols.append(g)
    return torch.stack(cols, dim=1)  # (B, n_x, n_z)


def autograd_functional_per_z(G: torch.nn.Module, z: torch.Tensor) -> torch.Tensor:
    """torch.autograd.functional.jacobian, one z at a time (vectorize=True). -> (B, n_x, n_z)."""
    G.eval()
    out = [
        torch.autograd.functional.jacobian(lambda v: G(v[None]).reshape(-1), zi, vectorize=True)
        for zi in z
    ]
    return torch.stack(out)


def timed(fn, *args) -> tuple[float, torch.Tensor]:
    t0 = time.perf_counter()
    sv = singular_values(fn(*args))
    return time.perf_counter() - t0, sv


def max_rel_diff(sv: torch.Tensor, ref: torch.Tensor) -> float:
    return float(((sv - ref).abs() / ref.abs()).max())


def bench_width(width: float, n_z_batch: int, seed: int, c_budget: float) -> None:
    torch.manual_seed(seed)
    G = Generator(28, 64, width).eval()
    z = torch.randn(n_z_batch, 64)
    # warm-ups (untimed): first calls pay for lazy initialisation (vmap, autograd, MKL)
    jacobian(G, z[:2])
    reverse_pixel_loop(G, z[:2])
    autograd_functional_per_z(G, z[:1])

    # (a) is timed 5 times, before, during (every 196 pixels) and after (b), and the median
    # is used: both then see the same load from other processes on the machine.
    ours_times: list[float] = []
    paused = 0.0

    def run_ours() -> torch.Tensor:
        t, sv = timed(jacobian, G, z)
        ours_times.append(t)
        return sv

    def pause() -> None:
        nonlocal paused
        t0 = time.perf_counter()
        run_ours()
        paused += time.perf_counter() - t0

    sv_ours = run_ours()
    t0 = time.perf_counter()
    sv_rev = singular_values(reverse_pixel_loop(G, z, pause))
    t_rev = time.perf_counter() - t0 - paused
    run_ours()
    t_ours = statistics.median(ours_times)

    # (c): one z at a time until the budget is spent, then scale to the whole batch
    t0, k, parts = time.perf_counter(), 0, []
    while k < n_z_batch and (k == 0 or time.perf_counter() - t0 < c_budget):
        parts.append(timed(autograd_functional_per_z, G, z[k : k + 1])[1])
        k += 1
    t_c = (time.perf_counter() - t0) * n_z_batch / k
    sv_c = torch.cat(parts)

    print(f"\nGenerator(28, 64, width={width}), {n_z_batch} z, n_x=784, n_z=64, float32 Jacobians, float64 SVD")
    print(f"{'method':<48} {'seconds':>8} {'x ours':>7} {'max rel diff sv':>16}")
    rows = [
        ("(a) ours: forward mode, jvp x vmap (median)", t_ours, 0.0),
        ("(b) reverse loop over 784 pixels (compare_gan)", t_rev, max_rel_diff(sv_rev, sv_ours)),
        ("(c) autograd.functional.jacobian per z, vec.", t_c, max_rel_diff(sv_c, sv_ours[:k])),
    ]
    for name, t, d in rows:
        print(f"{name:<48} {t:8.2f} {t / t_ours:7.1f} {d:16.1e}")
    print(f"    (a) runs: {', '.join(f'{t:.2f}' for t in ours_times)} s; (b) timed without the (a) runs inside it")
    if k < n_z_batch:
        print(f"    (c) timed on {k} of {n_z_batch} z ({c_budget:.0f} s budget) and scaled by {n_z_batch}/{k}; "
              f"its sv compared on those {k} z")
    target = "met" if t_rev / t_ours >= 20 else "NOT met"
    print(f"    target 'ours >= 20x faster than the reverse loop': {target} ({t_rev / t_ours:.1f}x)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--widths", type=float, nargs="+", default=[0.25, 1.0], help="generator width multipliers")
    p.add_argument("--n-z-batch", type=int, default=64, help="number of fixed z")
    p.add_argument("--seed", type=int, default=0, help="seed for G's weights and the z batch")
    p.add_argument("--c-budget", type=float, default=20.0, help="seconds to spend timing (c) before scaling")
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    a = p.parse_args()
    if a.n_z_batch <= 0:
        p.error("--n-z-batch must be positive")
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average at start {os.getloadavg()[0]:.1f} (other processes share the CPU)")
    t0 = time.perf_counter()
    for w in a.widths:
        bench_width(w, a.n_z_batch, a.seed, a.c_budget)
    print(f"\ntotal bench time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
