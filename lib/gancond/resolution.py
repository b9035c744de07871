"""Is a run's final mean log κ(M_z) a measurement? The resolution rule (issue 18).

The trainers log log κ(M_z) from a float32 Jacobian, whose smallest singular value is resolved
only down to about 1e-9 σ_max; a generator whose Jacobian is (numerically) singular therefore
logs float32's floor, about 40 nats, not a conditioning. Measured 2026-12-03 with
``tools/precision_check.py``: every ``long`` MNIST generator (¼ width, 20,000 steps) read about
40 nats in float32 and 73–79 in float64, singular at 310 of 320 evaluated z; the 30 ``wide``
and 20 CIFAR-10 generators (5,000 steps) agree within 0.011 nat. Why: J_z factors through the
ReLUs active after G's first layer, and in the ``long`` generators only 32–41 of 256 are active
at a median z, fewer than n_z = 64, so J_z is singular in any dtype (at ⅛ width, the smoke
scale, about 60 of 128 are active from initialisation on: smoke runs are unresolved too).

A run's final mean log κ counts as a measurement when its float64 recomputation agrees at
every evaluated z within :data:`RESOLVED_NAT`. The gap comes from the run's ``precision`` table
(written by the trainer when a run ends, :func:`gancond.train.precision_frame`, and carried by
every bundle) or, for runs trained before that table existed, from its final generator.

A statistic that reads the level of log κ of unclamped runs (the split, ρ with the scores, the
missing-modes r, when M_z becomes ill-conditioned, how much clamping lowers κ, which cluster a
clamped run lands in) is *not tested* on runs with an unresolved member; the reason is
:func:`unresolved_why`.

Used by: chapters 1, 2, 4 and 7 (through :mod:`gancond.arms` and :mod:`gancond.reach`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["RESOLVED_NAT", "precision_table", "final_precision", "unresolved_z", "unresolved_why", "resolution_table"]

#: a run's final mean log κ is a measurement when float32 and float64 agree this closely at
#: every evaluation z (nats). Measured 2026-12-03 with tools/precision_check.py: at most 0.011
#: nat on the 30 wide and 20 CIFAR-10 generators; 39 nats on every long unclamped one
RESOLVED_NAT = 0.1


def precision_table(run) -> pd.DataFrame:
    """Per evaluation z of a complete GAN run: the gap (nats) between its final generator's
    log κ(M_z) at float32 and at float64 (:func:`gancond.train.precision_frame`), columns ``z``,
    ``gap``. Needs the run's final checkpoint (a run store's run, or a bundle with weights)."""
    from .train import fixed_latents, load_generator, precision_frame

    c = run.config
    z = fixed_latents(c["z_dim"], c["n_eval_z"], c["eval_seed"], 0)  # the z the run logged log κ at
    return precision_frame(load_generator(run).eval(), z)


def final_precision(run) -> float | None:
    """The largest per-z precision gap (nats) of a GAN run's final mean log κ: from its stored
    ``precision`` table, else computed from its final generator (nothing is written); inf when a
    z is singular at both dtypes; None when neither is available."""
    if run.has("precision"):
        g = run.read_table("precision")["gap"].to_numpy()
    elif (run.path / "ckpt" / "final.json").exists():
        g = precision_table(run)["gap"].to_numpy()
    else:
        return None
    return math.inf if np.isnan(g).any() else float(g.max())


def unresolved_z(run) -> tuple[int, int] | None:
    """(z whose final log κ is unresolved, z evaluated) of a GAN run, from its stored ``precision``
    table: a z is unresolved when float32 and float64 differ by :data:`RESOLVED_NAT` or more, or
    are both singular (nan). None when the run stores no table (trained before it existed)."""
    if not run.has("precision"):
        return None
    g = run.read_table("precision")["gap"].to_numpy()
    return int(np.sum(~(g < RESOLVED_NAT))), len(g)


def resolution_table(arms: dict[str, dict[str, list]]) -> pd.DataFrame:
    """Per rung and arm (``{rung: {arm label: runs}}``): how many runs are unresolved, and the
    fewest and most unresolved z per run, from the runs' stored ``precision`` tables; columns
    ``rung``, ``arm``, ``runs``, ``unresolved runs``, ``unresolved z per run`` ("min–max of n",
    or "not stored" when no run of the arm stores the table)."""
    rows = []
    for rung, named in arms.items():
        for arm, runs in named.items():
            counts = [c for c in (unresolved_z(r) for r in runs) if c is not None]
            if counts:
                bad = [b for b, _ in counts]
                n = {t for _, t in counts}
                per = f"{min(bad)}–{max(bad)} of {'/'.join(str(t) for t in sorted(n))}"
                rows.append((rung, arm, len(runs), f"{sum(b > 0 for b in bad)} of {len(counts)}", per))
            else:
                rows.append((rung, arm, len(runs), "not stored", "not stored"))
    return pd.DataFrame(rows, columns=["rung", "arm", "runs", "unresolved runs", "unresolved z per run"])


def unresolved_why(runs) -> str:
    """Why log κ cannot rank ``runs`` (unclamped runs of one arm), or "" when every run whose
    precision is known is resolved (:data:`RESOLVED_NAT`); runs with no precision count as resolved."""
    gaps = [final_precision(r) for r in runs]
    bad = sum(g is not None and not g < RESOLVED_NAT for g in gaps)
    if not bad:
        return ""
    return (f"κ unresolved: {bad} of {len(gaps)} unclamped runs' final log κ differ between float32 and "
            f"float64 by {RESOLVED_NAT} nat or more")
