"""One figure style and the paper's panel layouts.

- :func:`trajectory_grid`: Figure 1 / 5 / 6 / 12 / 13 — rows are metrics (mean log-condition
  number, score, Fréchet distance), columns are conditions (without / with clamping), one
  colour per run (the same seed has the same colour in every column).
- :func:`per_z_trajectories`: Figure 2 — log κ(M_z) at each fixed z over training.
- :func:`quotient_band`: the quotient Q over training with the [λ_min, λ_max] band.
- :func:`settings_panels`: Figure 7 — scores against generator iterations and wall-clock time,
  one colour per setting (thin lines: trials; thick: their mean).
- :func:`memorized_pairs`, :func:`sample_panels`, :func:`label_fractions`,
  :func:`memorizer_conditioning`: Figures 8–11, the memorizing generator (images through
  :func:`image_grid`).

Used by: chapters 1, 2, 3, 4, 5 and 6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

__all__ = ["LABELS", "style", "run_colors", "trajectory_grid", "per_z_trajectories", "quotient_band", "settings_panels",
           "dose_response", "save"]
__all__ += ["image_grid", "memorized_pairs", "sample_panels", "label_fractions", "memorizer_conditioning"]

#: axis labels of the stored metric columns
LABELS = {
    "mean_log_cond": "mean log κ(M_z)",
    "log_cond": "log κ(M_z)",
    "score": "classifier score",
    "frechet": "Fréchet distance",
    "q_p50": "median Q",
    "step": "generator step",
    "train_time_s": "training wall-clock time (s)",
}


def style() -> None:
    """The book's matplotlib style (call once per chapter)."""
    sns.set_theme(context="notebook", style="whitegrid", font_scale=0.9)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "axes.titlesize": "medium",
                         "legend.fontsize": "small", "svg.fonttype": "none"})


def run_colors(n: int) -> list:
    """``n`` distinguishable colours, one per run (the paper gives each run its own colour)."""
    return sns.color_palette("tab10" if n <= 10 else "husl", n)


def trajectory_grid(runs: Mapping[str, Sequence[pd.DataFrame]], rows: Sequence[str],
                    labels: Mapping[str, str] | None = None, seeds: Sequence[int] | None = None,
                    sharey: str = "row") -> plt.Figure:
    """Rows = metrics, columns = conditions; one line per run, coloured by its position.

    Args:
        runs: condition title -> list of metrics tables (columns ``step`` and each row key),
            in the same seed order for every condition.
        rows: metric columns to plot, top to bottom.
        labels: y-axis label per metric (defaults to :data:`LABELS`).
        seeds: seed of each run, for the legend.
    """
    labels = {**LABELS, **(labels or {})}
    n_runs = max(len(v) for v in runs.values())
    colors = run_colors(n_runs)
    fig, axes = plt.subplots(len(rows), len(runs), figsize=(4.2 * len(runs), 2.6 * len(rows)),
                             sharex=True, sharey=sharey, squeeze=False)
    for j, (title, tables) in enumerate(runs.items()):
        axes[0, j].set_title(title)
        for i, key in enumerate(rows):
            ax = axes[i, j]
            for k, df in enumerate(tables):
                if key in df and df[key].notna().any():
                    lab = f"seed {seeds[k]}" if seeds is not None else f"run {k}"
                    ax.plot(df["step"], df[key], color=colors[k], lw=1.3, label=lab)
            if j == 0:
                ax.set_ylabel(labels.get(key, key))
            if i == len(rows) - 1:
                ax.set_xlabel(labels["step"])
    handles, names = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="upper center", ncol=min(len(names), 10), frameon=False,
                   bbox_to_anchor=(0.5, 1.0))
        fig.tight_layout(rect=(0, 0, 1, 0.95))
    else:
        fig.tight_layout()
    return fig


def per_z_trajectories(per_z: pd.DataFrame, title: str = "") -> plt.Figure:
    """Figure 2: ``per_z`` has columns step, z, log_cond; one thin line per fixed z."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    wide = per_z.pivot(index="step", columns="z", values="log_cond")
    colors = sns.color_palette("viridis", wide.shape[1])
    for c, col in zip(colors, wide.columns):
        ax.plot(wide.index, wide[col], color=c, lw=0.8, alpha=0.8)
    ax.plot(wide.index, wide.mean(axis=1), color="black", lw=2, label="mean over z")
    ax.set(xlabel=LABELS["step"], ylabel=LABELS["log_cond"], title=title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def quotient_band(runs: Mapping[str, Sequence[pd.DataFrame]], lambda_min: float, lambda_max: float,
                  prefix: str = "", other_band: tuple[str, float, float] | None = None) -> plt.Figure:
    """Median Q (line) and its 10–90% range (shade) per run, with the band [λ_min, λ_max].

    ``prefix`` "" plots the Q of the fixed evaluation z (G in eval mode), "train_" the
    training-time Q (columns ``train_q_p10/p50/p90``); ``other_band`` = (label, lo, hi) adds a
    second, hatched band (e.g. the calibrated one).
    """
    n_runs = max(len(v) for v in runs.values())
    colors = run_colors(n_runs)
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.0), sharey=True, squeeze=False)
    for ax, (title, tables) in zip(axes[0], runs.items()):
        ax.axhspan(lambda_min, lambda_max, color="0.85", zorder=0, label=f"[λ_min, λ_max] = [{lambda_min:g}, {lambda_max:g}]")
        if other_band is not None:
            ax.axhspan(other_band[1], other_band[2], facecolor="none", edgecolor="0.3", hatch="//", lw=0.5, zorder=0,
                       label=f"{other_band[0]} [{other_band[1]:g}, {other_band[2]:g}]")
        for k, df in enumerate(tables):
            ax.plot(df["step"], df[f"{prefix}q_p50"], color=colors[k], lw=1.2)
            ax.fill_between(df["step"], df[f"{prefix}q_p10"], df[f"{prefix}q_p90"], color=colors[k], alpha=0.15, lw=0)
        ax.set(yscale="log", title=title, xlabel=LABELS["step"])
    axes[0, 0].set_ylabel("Q = ‖G(z) − G(z′)‖ / ‖z − z′‖")
    axes[0, 0].legend(loc="lower right")
    fig.tight_layout()
    return fig


def settings_panels(runs: Mapping[str, Sequence[pd.DataFrame]], panels: Sequence[tuple[str, str]],
                    labels: Mapping[str, str] | None = None) -> plt.Figure:
    """One panel per (x column, y column); one colour per setting, a thin line per trial.

    Args:
        runs: setting name -> the metrics tables of its trials (columns include every x and y).
        panels: (x, y) column pairs, left to right, e.g. ``[("step", "score"), ("train_time_s", "score")]``.
        labels: axis label per column (defaults to :data:`LABELS`).

    The thick line is the mean over trials at each evaluation (trials share evaluation steps;
    for a time axis the trials' mean time at that step is used).
    """
    labels = {**LABELS, **(labels or {})}
    colors = sns.color_palette("tab10", len(runs))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.3 * len(panels), 3.4), squeeze=False)
    for ax, (x, y) in zip(axes[0], panels):
        for c, (name, tables) in zip(colors, runs.items()):
            for df in tables:
                ax.plot(df[x], df[y], color=c, lw=0.8, alpha=0.45)
            mean = pd.concat(tables).groupby("step")[[x, y] if x != "step" else [y]].mean().reset_index()
            ax.plot(mean[x], mean[y], color=c, lw=2.2, label=f"{name} ({len(tables)} trials)")
        ax.set(xlabel=labels.get(x, x), ylabel=labels.get(y, y))
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=min(len(names), 4), frameon=False, bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def dose_response(finals: pd.DataFrame, title: str = "") -> plt.Figure:
    """Final mean log κ against final Fréchet distance, one point per run, coloured by arm,
    marker by recipe. ``finals`` columns: arm, recipe, log_cond, frechet."""
    arms = list(dict.fromkeys(finals["arm"]))
    colors = dict(zip(arms, sns.color_palette("colorblind", len(arms))))
    markers = dict(zip(dict.fromkeys(finals["recipe"]), "osD^v"))
    fig, ax = plt.subplots(figsize=(7.2, 4.2))
    for (arm, recipe), g in finals.groupby(["arm", "recipe"], sort=False):
        ax.scatter(g["log_cond"], g["frechet"], color=colors[arm], marker=markers[recipe], s=42, edgecolor="black",
                   lw=0.5, label=f"{recipe}: {arm} ({len(g)})")
    ax.set(xlabel="final " + LABELS["mean_log_cond"], ylabel="final " + LABELS["frechet"], title=title)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- chapter 6: the memorizing generator
def image_grid(images, nrow: int):
    """(N, C, H, W) images in [-1, 1] -> an (H', W', 3) array for ``imshow``: ``nrow`` images per
    row, white gaps between them (torchvision's ``make_grid``)."""
    from torchvision.utils import make_grid

    if images.dim() != 4:
        raise ValueError(f"images must be (N, C, H, W), got shape {tuple(images.shape)}")
    return make_grid(images, nrow=nrow, normalize=True, value_range=(-1, 1), pad_value=1.0).permute(1, 2, 0).numpy()


def memorized_pairs(targets, outputs, per_row: int = 12, title: str = "") -> plt.Figure:
    """Figure 8: rows of ``targets`` (k, C, H, W), each followed by the row of ``outputs`` (k, C, H, W),
    G at the targets' memorized z; ``per_row`` images per row."""
    import torch

    if targets.shape != outputs.shape:
        raise ValueError(f"targets and outputs must have one shape, got {tuple(targets.shape)}, {tuple(outputs.shape)}")
    k = len(targets)
    rows = torch.cat([t for i in range(0, k, per_row) for t in (targets[i:i + per_row], outputs[i:i + per_row])])
    fig, ax = plt.subplots(figsize=(8, 5.6))
    ax.imshow(image_grid(rows, per_row))
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def sample_panels(panels: Mapping[str, object], nrow: int = 12) -> plt.Figure:
    """Figure 9: one panel of samples (N, C, H, W) per title, side by side, ``nrow`` per row."""
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 5), squeeze=False)
    for ax, (title, images) in zip(axes[0], panels.items()):
        ax.imshow(image_grid(images, nrow))
        ax.set_axis_off()
        ax.set_title(title)
    fig.tight_layout()
    return fig


def label_fractions(targets, memorizers, gans, label: str = "label given by the MNIST classifier") -> plt.Figure:
    """Figure 10: classifier label fractions; bars: the memorized targets (K,), the memorizing runs'
    random-z samples (mean of ``memorizers`` (runs, K)), the GAN runs' (mean of ``gans`` (runs, K));
    dots: each memorizing run."""
    import numpy as np

    mem, gan = np.atleast_2d(memorizers), np.atleast_2d(gans)
    classes, w = np.arange(len(targets)), 0.27
    fig, ax = plt.subplots(figsize=(8, 3.4))
    ax.bar(classes - w, targets, w, color="0.7", label="memorized targets")
    ax.bar(classes, mem.mean(0), w, color="C3", label="memorizing generator, random z")
    ax.bar(classes + w, gan.mean(0), w, color="C0", label="GAN runs (trajectory chapter), random z")
    for f in mem:
        ax.plot(classes, f, "o", ms=3, color="k", alpha=0.6)
    ax.set(xticks=classes, xlabel=label, ylabel="fraction of samples")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def memorizer_conditioning(mem: Sequence[pd.DataFrame], gan: Sequence[pd.DataFrame], best: int, worst: int,
                           gan_seeds: Sequence[int]) -> plt.Figure:
    """Figure 11. Left: mean log κ(M_z) over training of the memorizing runs (red) and the GAN runs
    (grey; the runs with the lowest and highest final value, ``best`` and ``worst``, marked).
    Right: the memorizers' reconstruction error (random digits solid, copies of the 4 dashed).
    Tables: columns step, mean_log_cond (and mse_random, mse_copies for ``mem``)."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1.6, 1]})
    others = [i for i in range(len(gan)) if i not in (best, worst)]
    for i in others:
        ax.plot(gan[i]["step"], gan[i]["mean_log_cond"], color="0.6", lw=1.0,
                label="other GAN runs" if i == others[0] else None)
    for i, color, which in [(best, "C0", "lowest"), (worst, "C1", "highest")]:
        ax.plot(gan[i]["step"], gan[i]["mean_log_cond"], color=color, lw=1.8,
                label=f"GAN, {which} final (seed {gan_seeds[i]})")
    for i, m in enumerate(mem):
        ax.plot(m["step"], m["mean_log_cond"], color="C3", lw=1.3, alpha=0.85,
                label="memorizing generators" if i == 0 else None)
        ax2.plot(m["step"], m["mse_random"], color="C3", lw=1.2, label="random digits" if i == 0 else None)
        ax2.plot(m["step"], m["mse_copies"], color="C3", lw=1.2, ls="--", label="copies of the 4" if i == 0 else None)
    ax.set(xlabel="training step", ylabel=LABELS["mean_log_cond"], title="mean log-condition number, fixed z")
    ax.legend(loc="lower right")
    ax2.set(xlabel="training step", ylabel="MSE per pixel ([-1, 1] units)", yscale="log",
            title="reconstruction error, memorized set")
    ax2.legend(loc="upper right")
    fig.tight_layout()
    return fig


def save(fig: plt.Figure, name: str, outdir: str | Path = "figures") -> Path:
    """Save ``fig`` as ``<outdir>/<name>.svg`` (vector) and ``.png``; returns the SVG path."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / f"{name}.svg", bbox_inches="tight")
    fig.savefig(out / f"{name}.png", bbox_inches="tight")
    return out / f"{name}.svg"

