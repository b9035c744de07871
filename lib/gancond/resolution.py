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

A statistic that reads the level of log κ (the split, ρ with the scores, the missing-modes r,
when M_z becomes ill-conditioned, how much clamping lowers κ, which cluster a clamped run lands
in) follows the per-z rule of :mod:`gancond.appendix_a` (issue 27, replacing the earlier rule
that one unresolved z in one run left the whole rung untested): :func:`kappa_summary` reads
each run's final log κ(M_z) at Z*, the z resolved in every run of the statistic, and the
statistic is *not tested* when Z* holds fewer than half of the evaluation z (the reason is
:func:`unresolved_why`). With every z resolved, the values are the runs' logged means, bit for bit.

Used by: chapters 1, 2, 4 and 7 (through :mod:`gancond.arms` and :mod:`gancond.reach`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["RESOLVED_NAT", "precision_table", "final_precision", "unresolved_z", "unresolved_why", "resolution_table",
           "final_per_z", "kappa_summary", "kappa_trajectories", "z_note", "final_spectra", "measure_summaries"]

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


def final_per_z(run) -> tuple[np.ndarray, np.ndarray]:
    """A GAN run's final log κ(M_z) at each evaluation z (n_z,) as logged, and whether each is
    resolved (n_z,) bool (float32 and float64 within :data:`RESOLVED_NAT`; every z counts as
    resolved when the run stores no ``precision`` table and has no final generator)."""
    t = run.read_table("per_z")
    last = t[t["step"] == t["step"].max()].sort_values("z")
    lc = last["log_cond"].to_numpy(dtype=float)
    if run.has("precision"):
        g = run.read_table("precision").sort_values("z")["gap"].to_numpy()
    elif (run.path / "ckpt" / "final.json").exists():
        g = precision_table(run)["gap"].to_numpy()
    else:
        g = np.zeros(len(lc))
    return lc, g < RESOLVED_NAT  # nan (singular in both dtypes) is unresolved


def kappa_summary(runs):
    """The per-z rule (:func:`gancond.appendix_a.summarize`) on ``runs``' final log κ: a
    :class:`gancond.appendix_a.Summary` of each run's mean over Z*. When Z* is every z, the
    values are the runs' logged final ``mean_log_cond``, bit for bit; when the rule leaves κ
    untested (``why``), they are the logged means too, to be shown, not judged."""
    from .appendix_a import Summary, summarize

    per = [final_per_z(r) for r in runs]
    lc, ok = np.stack([p[0] for p in per]), np.stack([p[1] for p in per])
    s = summarize(np.where(ok, lc, 0.0), ok)
    if s.tested and not s.common.all():
        return s
    logged = np.array([r.read_table("metrics")["mean_log_cond"].iloc[-1] for r in runs], dtype=float)
    return Summary(logged, s.common, s.why)


def kappa_trajectories(runs, common) -> tuple[np.ndarray, np.ndarray]:
    """(steps (n_evals,), (n_runs, n_evals) mean log κ over the z in ``common`` at every
    evaluation). With every z in ``common``, the runs' logged ``mean_log_cond``."""
    common = np.asarray(common, dtype=bool)
    ms = [r.read_table("metrics") for r in runs]
    steps = ms[0]["step"].to_numpy()
    if common.all():
        return steps, np.stack([m["mean_log_cond"].to_numpy() for m in ms])
    keep = np.flatnonzero(common)
    rows = []
    for r in runs:
        t = r.read_table("per_z")
        t = t[t["z"].isin(keep)]
        rows.append(t.groupby("step")["log_cond"].mean().reindex(steps).to_numpy())
    return steps, np.stack(rows)


def z_note(summary) -> str:
    """"" when a statistic reads every z; else which z it reads (the per-z rule), for the page."""
    if not summary.tested or summary.common.all():
        return ""
    return (f"log κ read at the {summary.n_common} of {len(summary.common)} evaluation z resolved in every run "
            f"(per-z rule)")


def unresolved_why(runs) -> str:
    """Why log κ cannot rank ``runs`` under the per-z rule (:func:`kappa_summary`), or "" when it can."""
    return kappa_summary(runs).why


def final_spectra(run) -> np.ndarray | None:
    """A GAN run's final singular values of J_z in float64, (n_eval_z, n_z), from its ``spectra``
    table (issue 27); else from its final generator (nothing is written); None when neither exists."""
    if run.has("spectra"):
        t = run.read_table("spectra").sort_values("z")
        return t.drop(columns="z").to_numpy(dtype=float)
    if (run.path / "ckpt" / "final.json").exists():
        from .train import fixed_latents, load_generator, spectra_frame

        c = run.config
        z = fixed_latents(c["z_dim"], c["n_eval_z"], c["eval_seed"], 0)
        return spectra_frame(load_generator(run), z).drop(columns="z").to_numpy(dtype=float)
    return None


def measure_summaries(runs) -> dict | None:
    """The per-z rule (:func:`gancond.appendix_a.summarize`) on every Appendix-A measure of
    ``runs``' final generators (each run's spectra read once): measure (a key of
    :data:`gancond.measures.MEASURES`) -> a Summary of each run's mean over the z where that
    measure is resolved in every run; None when a run has no spectra."""
    import torch

    from .appendix_a import summarize
    from .data import DATASETS
    from .measures import MEASURES, effective_rank, log_cond_half, resolved

    fns = {"log_cond_half": log_cond_half, "effective_rank": effective_rank}
    vals, oks = {m: [] for m in MEASURES}, {m: [] for m in MEASURES}
    for r in runs:
        sv = final_spectra(r)
        if sv is None:
            return None
        t, n_x = torch.from_numpy(sv), int(np.prod(DATASETS[r.config["dataset"]]))
        for m in MEASURES:
            vals[m].append(fns[m](t).numpy())
            oks[m].append(resolved(t, n_x, m).numpy())
    out = {}
    for m in MEASURES:
        v, ok = np.stack(vals[m]), np.stack(oks[m])
        out[m] = summarize(np.where(ok, v, 0.0), ok, what=MEASURES[m][1])
    return out
