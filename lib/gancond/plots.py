"""One figure style and the paper's panel layouts.

- :func:`trajectory_grid`: Figure 1 / 5 / 6 / 12 / 13 — rows are metrics (mean log-condition
  number, score, Fréchet distance), columns are conditions (without / with clamping), one
  colour per run (the same seed has the same colour in every column).
- :func:`unclamped_grid`: Figure 1, left column — the unclamped runs of every recipe.
- :func:`per_z_trajectories`: Figure 2 — log κ(M_z) at each fixed z over training.
- :func:`missing_modes_scatter`, :func:`class_histograms`: Sec. 3's missing modes — conditioning
  against the least-sampled class count; the best- and worst-conditioned models' class histograms.
- :func:`quotient_band`: the quotient Q over training with the [λ_min, λ_max] band.
- :func:`settings_panels`: Figure 7 — scores against generator iterations and wall-clock time,
  one colour per setting (thin lines: trials; thick: their mean).
- :func:`reach_figure`: issue 18's reach figure — each claim's statistic with its interval on
  every rung of the reach ladder, the paper's value as a dashed line, no effect as a grey one.
- :func:`memorized_pairs`, :func:`sample_panels`, :func:`label_fractions`,
  :func:`memorizer_conditioning`: Figures 8–11, the memorizing generator (images through
  :func:`image_grid`).

Used by: chapters 1, 2, 3, 4, 5 and 6.
"""

from __future__ import annotations

import math
import textwrap
import warnings
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

try:
    import matplotlib.pyplot as plt
    import matplotlib.text
    import seaborn as sns
except ModuleNotFoundError as err:  # an install without the extra
    raise ModuleNotFoundError(f"gancond.plots needs matplotlib and seaborn, missing {err.name!r}: "
                              f"pip install 'gancond[plots]'", name=err.name) from err

__all__ = ["LABELS", "style", "run_colors", "trajectory_grid", "unclamped_grid", "per_z_trajectories",
           "quotient_band", "settings_panels", "dose_response", "save", "SPECTRA_PALETTES", "vae_training",
           "average_spectra", "spread_by_index", "missing_modes_scatter", "class_histograms", "image_grid",
           "memorized_pairs", "sample_panels", "label_fractions", "memorizer_conditioning", "reach_figure",
           "COLUMN_PX", "MIN_TEXT_PX", "MAX_WIDTH_IN", "smallest_text_px", "overlapping_texts"]

#: Width in CSS pixels of the book's text column in a 1280-pixel-wide window (sphinx-book-theme's
#: article between its two sidebars, measured on the screenshots of ``tools/check_book.py``); a
#: wider figure is shrunk to it, text included.
COLUMN_PX = 680
#: The smallest text height (CSS pixels) a figure may show in that column.
MIN_TEXT_PX = 10.0
#: The widest figure, in inches: at the style's smallest font (10 pt) a figure this wide still
#: shows its text at MIN_TEXT_PX or more in the column (10/72 × 680/9 = 10.5 px). Every layout
#: below caps its width here, however many columns it has.
MAX_WIDTH_IN = 9.0


def _figsize(width: float, height: float) -> tuple[float, float]:
    """``(width, height)`` in inches with the width capped at :data:`MAX_WIDTH_IN`."""
    return min(width, MAX_WIDTH_IN), height


def _drawn_texts(fig: plt.Figure) -> list:
    """The texts ``fig`` draws: its own, and per axes its titles, axis labels, texts, legend texts
    and the tick labels of ticks inside the view (matplotlib keeps labels of ticks outside it)."""
    out = list(fig.texts)  # the suptitle is one of them
    for lg in fig.legends:
        out += lg.get_texts()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            out += ax.get_legend().get_texts()
        for axis, (lo, hi) in ((ax.xaxis, sorted(ax.get_xlim())), (ax.yaxis, sorted(ax.get_ylim()))):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if lo <= tick.get_loc() <= hi:
                    out += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    unique = {id(t): t for t in out}.values()
    return [t for t in unique if t.get_visible() and t.get_text().strip()]


def overlapping_texts(fig: plt.Figure, pad_px: float = 0.0) -> list[tuple[str, str]]:
    """The pairs of drawn, non-empty texts of ``fig`` (tick labels, titles, legends, labels) whose
    boxes overlap (issue 29: a figure whose tick labels ran into each other passed the
    text-height check); [] for a readable figure. ``pad_px`` widens each box on every side."""
    fig.draw_without_rendering()
    r = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(r).padded(pad_px)) for t in _drawn_texts(fig)]
    out = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            if ba.width > 0 and bb.width > 0 and ba.overlaps(bb):
                out.append((a, b))
    return out


def smallest_text_px(fig: plt.Figure, column_px: float = COLUMN_PX) -> float:
    """Height in CSS pixels of the smallest visible text of ``fig`` as the book shows it: the
    figure cropped to its tight bounding box at its dpi, shrunk to ``column_px`` when wider.
    ``inf`` when it has no text."""
    fig.draw_without_rendering()  # tick labels get their text at draw time
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    if not sizes:
        return math.inf
    # the page shows the figure cropped to its tight bounding box (legends outside the axes included)
    width_px = fig.get_tightbbox(fig.canvas.get_renderer()).width * fig.dpi
    return min(sizes) / 72 * fig.dpi * min(1.0, column_px / width_px)

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
    sns.set_theme(context="notebook", style="whitegrid", font_scale=1.0)
    plt.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "axes.titlesize": "medium",
                         "legend.fontsize": "small", "svg.fonttype": "none"})


def run_colors(n: int) -> list:
    """``n`` distinguishable colours, one per run (the paper gives each run its own colour)."""
    return sns.color_palette("tab10" if n <= 10 else "husl", n)


# --- Chapter 3 (Figs. 3-4): the VAEs' training, the average-Jacobian spectra, their spread ---

#: seaborn palette of each group of runs in chapter 3's figures (one shade per run)
SPECTRA_PALETTES = {"GAN": "Oranges_d", "VAE": "Blues_d", "GAN, clamped": "Greens_d"}


def vae_training(vae: Sequence[pd.DataFrame], gan: Sequence[pd.DataFrame], seeds: Sequence[int]) -> plt.Figure:
    """Two panels: the VAEs' held-out ELBO over training (from the first evaluation after
    initialisation), and the mean log κ(M_z) of the decoders (solid) beside the GAN generators
    (dashed), one line per run.

    Args:
        vae: each VAE run's metrics table (columns step, test_elbo, mean_log_cond).
        gan: each GAN run's metrics table (columns step, mean_log_cond).
        seeds: the VAE runs' seeds, for the legend.
    """
    fig, axes = plt.subplots(1, 2, figsize=_figsize(9.5, 3.2))
    vae_colors = sns.color_palette(SPECTRA_PALETTES["VAE"], len(vae))
    gan_colors = sns.color_palette(SPECTRA_PALETTES["GAN"], len(gan))
    for k, m in enumerate(vae):
        after = m.iloc[1:]  # from the first evaluation after initialisation (the value at step 0 is far below)
        axes[0].plot(after["step"], after["test_elbo"], color=vae_colors[k], lw=1.3, label=f"VAE seed {seeds[k]}")
        axes[1].plot(m["step"], m["mean_log_cond"], color=vae_colors[k], lw=1.3)
    for k, m in enumerate(gan):
        axes[1].plot(m["step"], m["mean_log_cond"], color=gan_colors[k], lw=1.3, ls="--")
    axes[0].set(xlabel="VAE step", ylabel="test ELBO [nats / image]", title="VAE held-out ELBO")
    axes[1].set(xlabel="step", ylabel=LABELS["mean_log_cond"], title="decoder (solid) vs GAN generator (dashed)")
    axes[0].legend(loc="lower right")
    fig.tight_layout()
    return fig


def average_spectra(sv: Mapping[str, np.ndarray], sv_metric: Mapping[str, np.ndarray], title: str,
                    palettes: Mapping[str, str] = SPECTRA_PALETTES) -> plt.Figure:
    """Figures 3 and 4: two panels, σ_k(E_z[J_z]) (left) and √λ_k(E_z[J_zᵀJ_z]) (right) on a log
    scale against the index k; one line per run, one palette per group.

    Args:
        sv, sv_metric: group name -> (n_runs, n_z) spectra, descending rows.
        title: the figure's title.
        palettes: group name -> seaborn palette name.
    """
    fig, axes = plt.subplots(1, 2, figsize=_figsize(10, 3.6), sharey=True)
    for ax, (what, data) in zip(axes, [("σ_k(E_z[J_z])", sv), ("√λ_k(E_z[J_zᵀ J_z])", sv_metric)]):
        for name, arr in data.items():
            colors = sns.color_palette(palettes[name], len(arr))
            for k, row in enumerate(arr):
                ax.plot(np.arange(1, len(row) + 1), row, color=colors[k], lw=1.2,
                        label=f"{name} ({len(arr)} runs)" if k == len(arr) // 2 else None)
        ax.set(yscale="log", xlabel="index k (descending)", title=what)
    axes[0].set_ylabel("singular value [output units per unit of z]")
    axes[1].legend(loc="lower left")
    fig.suptitle(title, fontsize="medium")
    fig.tight_layout()
    return fig


def spread_by_index(per_k: pd.DataFrame, palettes: Mapping[str, str] = SPECTRA_PALETTES) -> plt.Figure:
    """The across-run standard deviation of log σ_k at each index k, one line per group.

    Args:
        per_k: column ``k`` and one column per group (as :func:`gancond.spectra.per_index_spread`).
        palettes: group name -> seaborn palette name (the line takes its middle shade).
    """
    fig, ax = plt.subplots(figsize=_figsize(6.5, 2.8))
    for name in [c for c in per_k.columns if c != "k"]:
        ax.plot(per_k["k"], per_k[name], color=sns.color_palette(palettes[name], 3)[1], label=name)
    ax.set(xlabel="index k (descending)", ylabel="sd over runs of log σ_k", title="across-run spread of the Fig. 3 spectra")
    ax.legend()
    fig.tight_layout()
    return fig

# --- end of chapter 3's figures ---


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
    fig, axes = plt.subplots(len(rows), len(runs), figsize=_figsize(4.2 * len(runs), 2.6 * len(rows)),
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
        ncol = min(len(names), 5)  # ten seeds in two rows: one row of ten is wider than the figure
        fig.legend(handles, names, loc="upper center", ncol=ncol, frameon=False, bbox_to_anchor=(0.5, 1.0))
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 * math.ceil(len(names) / ncol) / fig.get_figheight()))
    else:
        fig.tight_layout()
    return fig


def unclamped_grid(arms: Mapping, with_scale: bool = False) -> plt.Figure:
    """Figure 1, left column, for every recipe: :func:`trajectory_grid` of the unclamped runs of
    ``arms`` (recipe -> :class:`gancond.arms.Arms`), one column per recipe, rows mean log κ,
    score, Fréchet distance. ``with_scale`` names the scale in the column titles (a bundle)."""
    cols = {f"{rc}: {len(a.plain)} runs without clamping" + (f" ({a.exp.scale.name} scale)" if with_scale else ""):
            [r.read_table("metrics") for r in a.plain] for rc, a in arms.items()}
    return trajectory_grid(cols, rows=["mean_log_cond", "score", "frechet"],
                           labels={"score": "score", "frechet": "Fréchet distance"},
                           seeds=max((a.exp.seeds() for a in arms.values()), key=len), sharey=False)


def per_z_trajectories(per_z: pd.DataFrame, title: str = "") -> plt.Figure:
    """Figure 2: ``per_z`` has columns step, z, log_cond; one thin line per fixed z."""
    fig, ax = plt.subplots(figsize=_figsize(6.5, 3.4))
    wide = per_z.pivot(index="step", columns="z", values="log_cond")
    colors = sns.color_palette("viridis", wide.shape[1])
    for c, col in zip(colors, wide.columns):
        ax.plot(wide.index, wide[col], color=c, lw=0.8, alpha=0.8)
    ax.plot(wide.index, wide.mean(axis=1), color="black", lw=2, label="mean over z")
    ax.set(xlabel=LABELS["step"], ylabel=LABELS["log_cond"], title=title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def missing_modes_scatter(plain: pd.DataFrame, clamped: pd.DataFrame, n_samples: int, band: tuple[float, float],
                          n_classes: int = 10, title: str = "") -> plt.Figure:
    """Sec. 3, "Missing modes": final mean log κ against the least-sampled class count, one point
    per model (circles: without clamping; triangles: with; one colour per run position, as in
    :func:`trajectory_grid`), the balanced count ``n_samples / n_classes`` (dashed) and ``band``
    = (5%, 95%) quantiles of a uniform sampler's least count (grey; :func:`gancond.modes.chance_baseline`).

    ``plain``, ``clamped``: one row per model with columns ``mean_log_cond`` and ``least_count``
    (:func:`gancond.modes.classify_runs`), in seed order.
    """
    colors = run_colors(max(len(plain), len(clamped)))
    fig, ax = plt.subplots(figsize=_figsize(6.2, 3.8))
    for t, marker, name in [(plain, "o", "without clamping"), (clamped, "^", "with clamping")]:
        for k, (x, y) in enumerate(zip(t["mean_log_cond"], t["least_count"])):
            ax.scatter(x, y, marker=marker, s=55, color=colors[k], edgecolor="black", lw=0.6, zorder=3)
        ax.scatter([], [], marker=marker, s=55, color="white", edgecolor="black", lw=0.6, label=name)  # legend entry
    ax.axhline(n_samples / n_classes, color="0.4", ls="--", lw=1, label="balanced")
    ax.axhspan(*band, color="0.88", zorder=0, label="uniform sampler, 5–95%")
    ax.set(xlabel="final " + LABELS["mean_log_cond"], ylabel=f"samples in the least-sampled class (of {n_samples})",
           title=title)
    ax.set_ylim(bottom=-1)
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


def class_histograms(plain: pd.DataFrame, n_samples: int, prefix: str = "") -> plt.Figure:
    """Sec. 3, "Missing modes": the predicted-class histograms of the best- and worst-conditioned
    models of ``plain`` (lowest / highest final mean log κ; columns ``seed``, ``counts`` (K,),
    ``mean_log_cond``, ``least_count``), coloured by their position in ``plain`` as in
    :func:`missing_modes_scatter`, with the balanced count ``n_samples / K`` (dashed).
    ``prefix`` starts each panel's title (e.g. the recipe)."""
    from .modes import best_worst

    colors = run_colors(len(plain))
    fig, axes = plt.subplots(1, 2, figsize=_figsize(9.5, 3.2), sharey=True)
    for ax, row, what in zip(axes, best_worst(plain), ("best-conditioned", "worst-conditioned")):
        k = int(plain.index.get_indexer([row.name])[0])
        n_classes = len(row["counts"])
        ax.bar(range(n_classes), row["counts"], color=colors[k], edgecolor="black", lw=0.5)
        ax.axhline(n_samples / n_classes, color="0.4", ls="--", lw=1)
        ax.set(xticks=range(n_classes), xlabel="predicted class",
               title=f"{prefix}{what}: seed {row['seed']}, mean log κ {row['mean_log_cond']:.2f}, "
                     f"least {row['least_count']}")
    axes[0].set_ylabel(f"samples (of {n_samples})")
    fig.tight_layout()
    return fig


def quotient_band(runs: Mapping[str, Sequence[pd.DataFrame]], lambda_min: float, lambda_max: float,
                  prefix: str = "", other_band: tuple[str, float, float] | None = None) -> plt.Figure:
    """Median Q (line) and its 10–90% range (shade) per run, with the band [λ_min, λ_max].

    ``prefix`` ``""`` plots the Q of the fixed evaluation z (G in eval mode), ``"train_"`` the
    training-time Q (columns ``train_q_p10/p50/p90``); ``other_band`` = (label, lo, hi) adds a
    second, hatched band (e.g. the calibrated one).
    """
    n_runs = max(len(v) for v in runs.values())
    colors = run_colors(n_runs)
    fig, axes = plt.subplots(1, len(runs), figsize=_figsize(4.2 * len(runs), 3.0), sharey=True, squeeze=False)
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
    fig, axes = plt.subplots(1, len(panels), figsize=_figsize(4.3 * len(panels), 3.4), squeeze=False)
    for ax, (x, y) in zip(axes[0], panels):
        for c, (name, tables) in zip(colors, runs.items()):
            for df in tables:
                ax.plot(df[x], df[y], color=c, lw=0.8, alpha=0.45)
            mean = pd.concat(tables).groupby("step")[[x, y] if x != "step" else [y]].mean().reset_index()
            ax.plot(mean[x], mean[y], color=c, lw=2.2, label=f"{name} ({len(tables)} trial{'' if len(tables) == 1 else 's'})")
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
    fig, ax = plt.subplots(figsize=_figsize(7.2, 4.2))
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
    fig, ax = plt.subplots(figsize=_figsize(8, 5.6))
    ax.imshow(image_grid(rows, per_row))
    ax.set_axis_off()
    ax.set_title(title)
    return fig


def sample_panels(panels: Mapping[str, object], nrow: int = 12) -> plt.Figure:
    """Figure 9: one panel of samples (N, C, H, W) per title, side by side, ``nrow`` per row."""
    fig, axes = plt.subplots(1, len(panels), figsize=_figsize(5.5 * len(panels), 5), squeeze=False)
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
    fig, ax = plt.subplots(figsize=_figsize(8, 3.4))
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
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=_figsize(11, 3.8), gridspec_kw={"width_ratios": [1.6, 1]})
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


def save(fig: plt.Figure, name: str, outdir: str | Path = "figures", stamp: str = "") -> Path:
    """Save ``fig`` as ``<outdir>/<name>.svg`` (vector) and ``.png``; returns the SVG path.

    ``stamp``: one line under the figure naming what it shows (dataset, recipe, scale and sizes:
    :attr:`gancond.experiments.Experiment.stamp`), so that a figure read on its own, or saved,
    still says where it came from. Warns when the figure's smallest text would show below
    :data:`MIN_TEXT_PX` in the book's column (:func:`smallest_text_px`).
    """
    if stamp:  # wrapped to the figure's width (about 12 characters per inch at 10 pt)
        fig.text(0.5, 0.0, textwrap.fill(stamp, int(fig.get_figwidth() * 12)), ha="center", va="top",
                 color="0.3", fontsize="small")
    px = smallest_text_px(fig)
    if px < MIN_TEXT_PX:
        warnings.warn(f"figure {name!r}: its smallest text shows {px:.1f} px high in the book's {COLUMN_PX}-px "
                      f"column (< {MIN_TEXT_PX:g}); make it narrower than {MAX_WIDTH_IN:g} in or its text larger",
                      stacklevel=2)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / f"{name}.svg", bbox_inches="tight")
    fig.savefig(out / f"{name}.png", bbox_inches="tight")
    return out / f"{name}.svg"


# --- Chapter 7 (issue 18): how far the evidence reaches ---

#: marker colour of each verdict in the reach figure
VERDICT_COLORS = {"reproduced": "tab:green", "contradicted": "tab:red", "inconclusive": "tab:orange",
                  "not reproduced": "tab:gray", "not tested": "lightgray"}


def reach_figure(table: pd.DataFrame, labels: Mapping[str, str], rung_labels: Mapping[str, str] | None = None,
                 title: str = "") -> plt.Figure:
    """One panel per statistic (``labels``: key -> title, in order; two to a row, readable at the
    column's width), x = the rungs in the table's order by short name (``rung_labels``; their
    settings belong in the caption), the value with its 95% interval, coloured by verdict; the
    paper's value dashed (when it has one), no effect in grey. ``table``: :func:`gancond.reach.reach_table`."""
    rungs = list(dict.fromkeys(table["rung"]))
    names = [(rung_labels or {}).get(r, r) for r in rungs]
    keys = [k for k in labels if (table["key"] == k).any()]
    ncols = min(2, len(keys))
    nrows = math.ceil(len(keys) / ncols)
    height = 2.6 * nrows + 1.0
    fig, axes = plt.subplots(nrows, ncols, figsize=_figsize(4.5 * ncols, height), squeeze=False)
    for ax in axes.ravel()[len(keys):]:
        ax.set_visible(False)
    for ax, key in zip(axes.ravel(), keys):
        rows = table[table["key"] == key].set_index("rung")
        for i, r in enumerate(rungs):
            if r not in rows.index or not np.isfinite(rows.loc[r, "value"]):
                ax.text(i, 0.5, "n/a", transform=ax.get_xaxis_transform(), ha="center", color="gray", fontsize="small")
                continue
            s = rows.loc[r]
            c = VERDICT_COLORS[s["verdict"]]
            if np.isfinite(s["low"]):
                lo, hi = s["value"] - s["low"], s["high"] - s["value"]
                ax.errorbar(i, s["value"], yerr=[[max(lo, 0)], [max(hi, 0)]], fmt="o", color=c, capsize=4, ms=6)
            else:
                ax.plot(i, s["value"], "o", color=c, ms=6)
        first = rows.iloc[0]
        ax.axhline(first["null"], color="gray", lw=1)
        if first["paper"] is not None and np.isfinite(first["paper"]):
            ax.axhline(first["paper"], color="black", ls="--", lw=1.2, label="paper")
        ax.set_xticks(range(len(rungs)), names)
        ax.set_xlim(-0.5, len(rungs) - 0.5)
        ax.set_title(labels[key], fontsize="small")
    handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=v) for v, c in VERDICT_COLORS.items()]
    handles += [plt.Line2D([], [], color="black", ls="--", label="paper's value"),
                plt.Line2D([], [], color="gray", label="no effect")]
    fig.legend(handles=handles, loc="upper center", ncol=4, frameon=False, fontsize="small")
    if title:
        fig.suptitle(title, y=0.02, fontsize="small")
    fig.tight_layout(rect=(0, 0.3 / height, 1, 1 - 0.75 / height))
    return fig
