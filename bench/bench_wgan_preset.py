"""Benchmark: the cost of chapter 5's WGAN-GP runs at candidate book presets.

Chapter 5 trains Fig. 7's four settings (5 or 1 critic updates per generator iteration, with
or without Jacobian Clamping), ``runs`` trials each, one after the other. Its cold build has a
30-minute budget on the 2-core machine. This script measures, side by side in one process,
the seconds per generator iteration of each setting at each candidate width (median of
``--iters`` timed iterations after warm-up, same data, same batch sizes as the presets), and
the seconds of one evaluation (log κ over the fixed z, scores of ``score_samples`` samples with
the stored book classifier), then prints the chapter's predicted cold training time for each
candidate (width, steps):

    python bench/bench_wgan_preset.py [--widths 0.25 0.125] [--steps 1500 1000 800] [--runs 3]

Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from gancond.data import load_dataset
from gancond.experiments import WGAN_SCALES, WGAN_SETTINGS, setting_name, wgan_experiment
from gancond.runs import RunStore
from gancond.scores import make_scorer
from gancond.train import fixed_latents
from gancond.wgan import _critic_step, _evaluate, _generator_step, build_models, eval_labels


def iteration_seconds(cfg, x_all, y_all, iters: int) -> float:
    """Median seconds of one generator iteration (``n_critic`` critic updates + 1 generator update)."""
    torch.manual_seed(0)
    G, D = build_models(cfg)
    opt_G = torch.optim.Adam(G.parameters(), cfg.lr, betas=(cfg.beta1, cfg.beta2))
    opt_D = torch.optim.Adam(D.parameters(), cfg.lr, betas=(cfg.beta1, cfg.beta2))
    rng = torch.Generator().manual_seed(0)
    times = []
    for i in range(iters + 2):  # two warm-up iterations
        t = time.perf_counter()
        for _ in range(cfg.n_critic):
            idx = torch.randint(x_all.shape[0], (cfg.batch_size,), generator=rng)
            _critic_step(G, D, opt_D, x_all[idx], y_all[idx], cfg, rng)
        _generator_step(G, D, opt_G, cfg, rng, torch.device("cpu"))
        if i >= 2:
            times.append(time.perf_counter() - t)
    return statistics.median(times), G


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--widths", type=float, nargs="+", default=[0.25, 0.125])
    ap.add_argument("--steps", type=int, nargs="+", default=[1500, 1000, 800])
    ap.add_argument("--runs", type=int, default=WGAN_SCALES["book"].runs)
    ap.add_argument("--iters", type=int, default=8)
    ap.add_argument("--dataset", default="mnist")
    a = ap.parse_args()
    torch.set_num_threads(min(2, torch.get_num_threads()))
    book = WGAN_SCALES["book"]
    x_all, y_all = load_dataset(a.dataset, "train")
    scorer = make_scorer(a.dataset, store=RunStore(), **wgan_experiment(dataset=a.dataset, scale="book").scorer_kwargs())
    print(f"{a.dataset}, book preset: eval every {book.eval_every} iterations, {book.n_eval_z} z for log κ, "
          f"{book.score_samples} scored samples; {torch.get_num_threads()} torch threads")
    per_iter, per_eval = {}, {}
    for width in a.widths:
        exp = wgan_experiment(dataset=a.dataset, scale="book", width=width)
        for nc, clamp in WGAN_SETTINGS:
            cfg = exp.configs(n_critic=nc, clamp=clamp)[0]
            per_iter[width, nc, clamp], G = iteration_seconds(cfg, x_all, y_all, a.iters)
            print(f"width {width:<6g} {setting_name(nc, clamp):<24} {per_iter[width, nc, clamp]:.3f} s/iteration")
        z_eval = fixed_latents(cfg.z_dim, cfg.n_eval_z, cfg.eval_seed, 0)
        y_eval = eval_labels(cfg.n_eval_z, cfg.n_classes)
        delta = torch.randn(z_eval.shape)
        delta = cfg.eps * delta / delta.norm(dim=1, keepdim=True)
        z_score = fixed_latents(cfg.z_dim, cfg.score_samples, cfg.eval_seed, 1)
        y_score = eval_labels(cfg.score_samples, cfg.n_classes)
        t = time.perf_counter()
        _evaluate(G, cfg, z_eval, y_eval, delta, z_score, y_score, scorer, torch.device("cpu"))
        per_eval[width] = time.perf_counter() - t
        print(f"width {width:<6g} one evaluation: {per_eval[width]:.1f} s")
    print(f"\npredicted cold build of chapter 5 ({a.runs} runs per setting, one after the other):")
    for width in a.widths:
        for steps in a.steps:
            train = a.runs * steps * sum(per_iter[width, nc, cl] for nc, cl in WGAN_SETTINGS)
            evals = a.runs * len(WGAN_SETTINGS) * (steps // book.eval_every + 1) * per_eval[width]
            print(f"width {width:<6g} steps {steps:>5}: training {train / 60:5.1f} min + evaluations "
                  f"{evals / 60:4.1f} min = {(train + evals) / 60:5.1f} min")


if __name__ == "__main__":
    main()
