"""Benchmark: one GAN training step with Jacobian Clamping against one without.

Target (issue 2): a clamped step costs at most 1.6x an unclamped one. Algorithm 1 doubles the
generator's batch (z and z' in one pass), so the generator's forward/backward doubles while
the discriminator's stays the same.

    python bench/bench_train_step.py [--widths 0.25 1.0] [--steps 30] [--batch-size 64]

Both variants are timed side by side in one process, interleaved in rounds, and the median
per-step time is reported.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from gancond.clamping import jacobian_clamping
from gancond.models import Discriminator, Generator


def make_step(width: float, clamp: bool, batch_size: int, image_size: int = 28, z_dim: int = 64):
    torch.manual_seed(0)
    G, D = Generator(image_size, z_dim, width), Discriminator(image_size, width)
    opt_G = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    x_real = torch.rand(batch_size, *G.out_shape) * 2 - 1

    def step():
        z = torch.randn(batch_size, z_dim)
        if clamp:
            jc = jacobian_clamping(G, z)
            x_fake, penalty = jc.x, jc.penalty
        else:
            x_fake, penalty = G(z), 0.0
        loss_d = F.softplus(-D(x_real)).mean() + F.softplus(D(x_fake.detach())).mean()
        opt_D.zero_grad(); loss_d.backward(); opt_D.step()
        loss_g = F.softplus(-D(x_fake)).mean() + penalty
        opt_G.zero_grad(); loss_g.backward(); opt_G.step()

    return step


def time_steps(step, n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--widths", type=float, nargs="+", default=[0.25, 1.0])
    ap.add_argument("--steps", type=int, default=30, help="steps per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, batch {args.batch_size}, MNIST DCGAN")
    print(f"{'width':>6} {'no clamp (ms/step)':>19} {'clamp (ms/step)':>16} {'ratio':>6}")
    for w in args.widths:
        plain, clamped = make_step(w, False, args.batch_size), make_step(w, True, args.batch_size)
        for s in (plain, clamped):  # warm-up
            time_steps(s, 3)
        tp, tc = [], []
        for _ in range(args.rounds):  # interleave so drift on a noisy machine hits both
            tp.append(time_steps(plain, args.steps))
            tc.append(time_steps(clamped, args.steps))
        mp, mc = statistics.median(tp), statistics.median(tc)
        print(f"{w:>6g} {1e3 * mp:>19.1f} {1e3 * mc:>16.1f} {mc / mp:>6.2f}")


if __name__ == "__main__":
    main()
