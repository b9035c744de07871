"""Is a rung's final mean log κ a measurement, or float32's rounding floor? (issue 18)

For every complete GAN run of one rung in the run store (read only: nothing is trained), the
final generator's mean log κ(M_z) over the run's own evaluation z, recomputed at float32 (as
training logged it) and at float64 (a float64 copy of the same weights), their largest
per-z gap (:func:`gancond.jacobian.precision_gap`), and the float64 Jacobians' numerical rank
(singular values above max(n_x, n_z) · ε₆₄ · σ_max, NumPy's ``matrix_rank`` rule), beside
the number of ReLUs active after the generator's first layer at each z: J_z factors through
them, so fewer than n_z = 64 active units make J_z singular whatever the dtype.

    python tools/precision_check.py --scale long                 # MNIST, 1/4 width, 20,000 steps
    python tools/precision_check.py --scale wide
    python tools/precision_check.py --scale book --dataset cifar10

A run is *resolved* when the gap stays below :data:`gancond.resolution.RESOLVED_NAT` at every z.
"""

from __future__ import annotations

import argparse
import json

import torch

from gancond.experiments import GAN_SCALES, gan_experiment
from gancond.jacobian import jacobian, log_cond_M, mean_log_cond, precision_gap, singular_values
from gancond.resolution import RESOLVED_NAT
from gancond.runs import Run, RunStore
from gancond.train import fixed_latents, load_generator


def rung_runs(store: RunStore, dataset: str, scale: str, recipe: str) -> list[Run]:
    """The complete GAN runs of (dataset, scale, recipe) in ``store``, by arm then seed."""
    base = gan_experiment(dataset=dataset, scale=scale, recipe=recipe, device="cpu").base
    want = {"dataset": dataset, "recipe": recipe, "steps": base.steps, "width": base.width}
    runs = []
    for d in sorted((store.root / "gan").glob("gan-*")):
        cfg = json.loads((d / "config.json").read_text())
        if all(cfg.get(k) == v for k, v in want.items()):
            run = Run(d, "gan", cfg)
            if run.complete:
                runs.append(run)
    return sorted(runs, key=lambda r: (r.config["clamp"], r.config["lambda_max"], r.config["seed"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", required=True, choices=sorted(GAN_SCALES))
    ap.add_argument("--dataset", default="mnist")
    ap.add_argument("--recipe", default="tfgan")
    a = ap.parse_args()
    torch.set_num_threads(1)
    runs = rung_runs(RunStore(), a.dataset, a.scale, a.recipe)
    if not runs:
        raise SystemExit(f"no complete {a.dataset} {a.recipe} runs at scale {a.scale!r} in the run store")
    print(f"{len(runs)} complete runs: {a.dataset} · {a.recipe} · {a.scale}; resolved: every per-z gap < {RESOLVED_NAT} nat")
    print(f"{'arm':<22} {'seed':>4} {'logged':>7} {'f32':>7} {'f64':>7} {'max gap':>8} {'rank (min-max)':>15} {'active (min-med)':>17}  resolved")
    for run in runs:
        c = run.config
        G = load_generator(run).eval()
        z = fixed_latents(c["z_dim"], c["n_eval_z"], c["eval_seed"], 0)
        logged = float(run.read_table("metrics")["mean_log_cond"].iloc[-1])
        gap = precision_gap(G, z)
        f32 = mean_log_cond(G, z)[0]
        with torch.no_grad():  # ReLUs after the first layer: J_z's rank is at most their number
            active = (G.project[:3](z) > 0).sum(1)
        J64 = jacobian(G.double(), z.double())  # (B, n_x, n_z) float64
        sv = singular_values(J64)
        f64 = float(log_cond_M(sv).mean())
        rank = (sv > sv[:, :1] * max(J64.shape[1:]) * torch.finfo(torch.float64).eps).sum(1)
        arm = "unclamped" if not c["clamp"] else f"λ [{c['lambda_min']:g}, {c['lambda_max']:g}]"
        ok = bool((gap < RESOLVED_NAT).all())
        print(f"{arm:<22} {c['seed']:>4} {logged:>7.2f} {f32:>7.2f} {f64:>7.2f} {float(gap.max()):>8.3f} "
              f"{int(rank.min()):>7}-{int(rank.max()):<7} {int(active.min()):>8}-{int(active.median()):<8}  "
              f"{'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
