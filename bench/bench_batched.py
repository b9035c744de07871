"""Benchmark: a sweep's GAN runs as one batched computation (torch.func) against one run after another.

Target (issue 18, item 6): adopt batched training of a sweep's runs (per-run BatchNorm
statistics) if, on one core, it trains at least 1.3x the aggregate generator steps per second of
today's per-run path (one worker process per core, one torch thread each, runs one after
another); a probe on this machine suggested at most 1.4-1.7x. Skip it below 1.3x.

    python bench/bench_batched.py [--runs 4] [--steps 200] [--rounds 3] [--width 0.25]

Both paths train the same K configs (the book's main recipe: ``tfgan``, batch 32, MNIST 28x28)
from the same initial weights, on one torch thread, side by side in one invocation:

- per-run (A): K (Generator, Discriminator) pairs with their Adam optimisers, built as the
  trainer builds them, each trained for S steps with the trainer's own step
  (:func:`gancond.train._gan_step`), one run after another: what one sweep worker does;
- batched (B): the same K runs as one computation: the parameters of the K generators and of
  the K discriminators stacked (``torch.func.stack_module_state``), the forward passes vmapped
  (``torch.vmap`` of ``torch.func.functional_call``), each run with its own real batch and its
  own z, so every BatchNorm normalises with its own run's batch statistics; the same
  non-saturating losses (summed over the runs, so each run's stacked slice gets its own
  gradient), one Adam over the stacked tensors for each network (Adam is elementwise: it equals
  K separate Adams).

B is an UPPER BOUND on what a faithful batched trainer could reach: vmap cannot write the
BatchNorm running statistics (in-place buffer updates), so B's modules track none
(``torch.func.replace_all_batch_norm_modules_``) and skip that work, which the real trainer
does (its evaluations use the running statistics). Neither path times data loading: the "real
images" of both are random tensors shaped like MNIST batches, uniform in [-1, 1], drawn each
step like the latents. Nor does either time evaluations, checkpoints or process start-up,
which batching would not speed up.

Before timing, a check: from the same weights and batches, two runs of B and of A (the
library's modules, with running statistics; in training mode they normalise with batch
statistics, so those do not change the step) must give the same losses and the same generator
and discriminator parameters (atol 1e-5) after a few steps. The check runs in float64: in
float32 the two paths' gradients differ by rounding (relative 1e-5 after one step), and Adam's
first steps, g / (|g| + 1e-8), turn that rounding into parameter differences of up to about the
learning rate wherever a gradient is near 1e-8, after which GAN training diverges
chaotically; in float64 the paths agree to about 1e-12. Then warm-up steps, then rounds
interleaved A, B, A, B, ... so drift and background load hit both; printed per round and as
the median: seconds, aggregate generator steps/s of each path, and their ratio B/A (the
verdict uses the median of the rounds' ratios). Run it on an otherwise idle core.

Measured (2026-12-03, the 2-core build machine, the background campaign paused so both cores
were idle, defaults): rounds 0.98x, 1.10x, 1.04x; median **1.04x** (per-run 22.5 steps/s, batched
23.0 steps/s) -- below 1.3x even as an upper bound, so batched training was not adopted.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
import torch.nn.functional as F
from torch.func import functional_call, replace_all_batch_norm_modules_, stack_module_state

from gancond.experiments import gan_experiment
from gancond.loop import optimizer_step
from gancond.models import Discriminator, Generator
from gancond.train import GANConfig, _gan_step, gan_models

TARGET = 1.3  # the threshold for adopting the batched path
CHECK_STEPS = 3  # steps of the correctness check: past Adam's first, sign-like update, so its moments count


def build(cfg: GANConfig, dtype: torch.dtype = torch.float32):
    """A run's (G, D, opt_G, opt_D) as the trainer builds them (:func:`gancond.train.gan_models`,
    after seeding torch with ``cfg.seed`` as ``Loop`` does), in ``dtype``."""
    torch.manual_seed(cfg.seed)
    G, D, opt_G, opt_D = gan_models(cfg)
    return G.to(dtype), D.to(dtype), opt_G, opt_D


class Batched:
    """K runs of one recipe trained as one computation; built from the runs' (fresh) G and D."""

    def __init__(self, Gs: list[Generator], Ds: list[Discriminator], cfg: GANConfig):
        def stacked(models):
            copies = [replace_all_batch_norm_modules_(copy.deepcopy(m)) for m in models]  # no running stats
            params, buffers = stack_module_state(copies)  # {name: (K, ...)}, leaves with requires_grad
            base = copy.deepcopy(copies[0]).to("meta")  # structure only; functional_call supplies the tensors

            def forward(p, b, x):  # one run: its parameters and its batch (B, ...)
                return functional_call(base, (p, b), (x,))

            return params, lambda x: torch.vmap(forward)(params, buffers, x)

        self.G_params, self.G = stacked(Gs)  # self.G: (K, B, n_z) -> (K, B, C, H, W)
        self.D_params, self.D = stacked(Ds)  # self.D: (K, B, C, H, W) -> (K, B)
        self.opt_G = torch.optim.Adam(self.G_params.values(), cfg.lr_g, betas=(cfg.beta1, cfg.beta2))
        self.opt_D = torch.optim.Adam(self.D_params.values(), cfg.lr_d, betas=(cfg.beta1, cfg.beta2))

    def step(self, x_real: torch.Tensor, z: torch.Tensor) -> tuple[list[float], list[float]]:
        """One update of every run's D, then G, on real images (K, B, C, H, W) and z (K, B, n_z);
        the runs' losses (loss_d, loss_g), as ``_gan_step`` computes them per run."""
        x_fake = self.G(z)
        loss_d = F.softplus(-self.D(x_real)).mean(1) + F.softplus(self.D(x_fake.detach())).mean(1)  # (K,)
        optimizer_step(self.opt_D, loss_d.sum())  # run k's loss reaches only run k's slice
        loss_g = F.softplus(-self.D(x_fake)).mean(1)  # (K,)
        optimizer_step(self.opt_G, loss_g.sum())
        return loss_d.tolist(), loss_g.tolist()


def draw(cfg: GANConfig, runs: tuple[int, ...], rng: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """One step's real images (*runs, B, 1, H, W), uniform in [-1, 1], and z (*runs, B, n_z):
    ``runs`` is () for one run, (K,) for K runs."""
    x_real = torch.rand(*runs, cfg.batch_size, 1, cfg.image_size, cfg.image_size, generator=rng) * 2 - 1
    return x_real, torch.randn(*runs, cfg.batch_size, cfg.z_dim, generator=rng)


def run_per_run(runs, cfgs, steps: int, rng: torch.Generator) -> float:
    """Path A: each run's ``steps`` steps, one run after another; seconds."""
    t = time.perf_counter()
    for (G, D, opt_G, opt_D), cfg in zip(runs, cfgs):
        for _ in range(steps):
            _gan_step(G, D, opt_G, opt_D, *draw(cfg, (), rng), cfg, rng)  # rng: unused unless clamping
    return time.perf_counter() - t


def run_batched(batched: Batched, cfg: GANConfig, k: int, steps: int, rng: torch.Generator) -> float:
    """Path B: ``steps`` batched steps of all k runs; seconds."""
    t = time.perf_counter()
    for _ in range(steps):
        batched.step(*draw(cfg, (k,), rng))
    return time.perf_counter() - t


def check(cfgs: list[GANConfig]) -> bool:
    """Whether B reproduces A's per-run steps on the first two configs, in float64 (see the
    module docstring); prints what it compared."""
    cfgs = cfgs[:2]
    runs = [build(c, torch.float64) for c in cfgs]
    batched = Batched([r[0] for r in runs], [r[1] for r in runs], cfgs[0])
    rng = torch.Generator().manual_seed(0)
    same_loss = True
    for _ in range(CHECK_STEPS):
        x_real, z = (t.double() for t in draw(cfgs[0], (len(cfgs),), rng))
        loss_b = batched.step(x_real, z)
        for k, ((G, D, opt_G, opt_D), cfg) in enumerate(zip(runs, cfgs)):
            out = _gan_step(G, D, opt_G, opt_D, x_real[k], z[k], cfg, rng)
            same_loss &= all(abs(out[name] - lb[k]) <= 1e-5 for name, lb in zip(("loss_d", "loss_g"), loss_b))
    worst = 0.0
    for net, stacked in ((0, batched.G_params), (1, batched.D_params)):
        for k, run in enumerate(runs):
            for name, p in run[net].named_parameters():
                worst = max(worst, (p.detach() - stacked[name][k].detach()).abs().max().item())
    ok = same_loss and worst <= 1e-5
    print(f"check ({len(cfgs)} runs, {CHECK_STEPS} steps in float64 from the same weights and batches): losses "
          f"{'equal' if same_loss else 'DIFFER'}, G and D parameters max |A - B| = {worst:.1e} -> "
          f"{'holds' if ok else 'FAILS'} (atol 1e-5)")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=4, help="K, runs trained together")
    ap.add_argument("--steps", type=int, default=200, help="generator steps per run per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--width", type=float, default=0.25)
    ap.add_argument("--warmup", type=int, default=5, help="untimed steps of each path first")
    a = ap.parse_args()
    torch.set_num_threads(1)  # one core: what one sweep worker gets
    exp = gan_experiment(scale="book", recipe="tfgan", runs=a.runs, steps=a.steps, width=a.width, device="cpu")
    cfgs = exp.configs(clamp=False)
    cfg = cfgs[0]
    print(f"torch {torch.__version__}, 1 thread; {a.runs} runs x {a.steps} steps per round, recipe {cfg.recipe}, "
          f"width {cfg.width:g}, batch {cfg.batch_size}, MNIST {cfg.image_size}x{cfg.image_size}; "
          f"random real images, no evaluations")
    if not check(cfgs):
        raise SystemExit("the batched path does not reproduce the per-run steps: not timed")

    runs = [build(c) for c in cfgs]
    batched = Batched([r[0] for r in runs], [r[1] for r in runs], cfg)  # from the same initial weights
    rng = torch.Generator().manual_seed(1)
    run_per_run(runs, cfgs, a.warmup, rng)
    run_batched(batched, cfg, a.runs, a.warmup, rng)
    n = a.runs * a.steps  # generator steps per round, summed over the runs
    print(f"{'round':>6} {'per-run (s)':>12} {'steps/s':>8} {'batched (s)':>12} {'steps/s':>8} {'B/A':>6}")
    ta, tb, ratios = [], [], []
    for r in range(a.rounds):  # interleaved so drift and background load hit both
        ta.append(run_per_run(runs, cfgs, a.steps, rng))
        tb.append(run_batched(batched, cfg, a.runs, a.steps, rng))
        ratios.append(ta[-1] / tb[-1])  # B's steps/s over A's
        print(f"{r + 1:>6} {ta[-1]:>12.2f} {n / ta[-1]:>8.1f} {tb[-1]:>12.2f} {n / tb[-1]:>8.1f} {ratios[-1]:>6.2f}")
    ma, mb, ratio = statistics.median(ta), statistics.median(tb), statistics.median(ratios)
    print(f"{'median':>6} {ma:>12.2f} {n / ma:>8.1f} {mb:>12.2f} {n / mb:>8.1f} {ratio:>6.2f}")
    print("(batched is an upper bound: it keeps no BatchNorm running statistics, which the trainer updates)")
    verdict = f"adopt (>= {TARGET}x)" if ratio >= TARGET else f"skip (< {TARGET}x, issue 18 item 6)"
    print(f"batched (upper bound) / per-run: {ratio:.2f}x per core -> {verdict}")


if __name__ == "__main__":
    main()
