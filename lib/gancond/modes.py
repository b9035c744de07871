"""Missing modes: do ill-conditioned generators drop classes? (paper §3, "Missing modes")

The paper's coarse test of mode dropping: draw 360 samples from each of the ten unclamped MNIST
models, label them with the pre-trained MNIST classifier behind the scores, and count the
samples of each model's least-sampled class. Over the ten models, the count correlates with the
mean log-condition number at r = −0.86; ill-conditioned models often have no sample at all of
their least-sampled class.

- :func:`classify`: one model's class histogram of its samples at a fixed batch of z
  (:func:`gancond.scores.mode_statistics`), with its final mean log κ(M_z), stored and
  recomputed from the stored generator; :func:`classify_runs` makes the per-model table of a
  list of runs, :func:`model_table` the columns the chapter shows.
- :func:`uniform_least_counts`, :func:`chance_baseline`: the least-sampled count of a sampler
  that draws every class with probability 1/K (the null a perfectly mode-covering model still
  falls short of the balanced N/K by); :func:`gancond.claims.uniform_least_quantile` draws the
  same null.
- :func:`least_count_correlation`, :func:`describe`: Pearson r of the final mean log κ against
  the least-sampled count with its bootstrap interval, None under :data:`MIN_MODELS` models.
- :func:`contrast`: models with an empty least-sampled class per condition, and the clamped −
  unclamped difference of the mean least-sampled count.

The rule judging the correlation is :func:`gancond.claims.judge_modes`.

Used by: chapters 4 and 6 (chapter 6 through :func:`gancond.claims.uniform_least_quantile`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .analysis import Correlation, Difference, mean_difference, rank_correlation
from .experiments import load_model
from .jacobian import mean_log_cond
from .scores import mode_statistics
from .train import MODE_Z_OFFSET, generate

__all__ = ["N_CLASSES", "MIN_MODELS", "MIN_RUNS", "CHANCE_DRAWS", "Z_OFFSET", "uniform_least_counts", "Chance",
           "chance_baseline", "classify", "classify_runs", "split_conditions", "model_table", "best_worst",
           "classifier_accuracy", "least_count_correlation", "describe", "Contrast", "contrast", "judge_unclamped"]

N_CLASSES = 10  # classes of the MNIST classifier that labels the samples
MIN_MODELS = 5  # fewest models for a correlation with a bootstrap interval (3 give mostly r = ±1 resamples)
MIN_RUNS = 3  # fewest runs per condition for the clamped − unclamped difference
CHANCE_DRAWS = 20_000  # Monte Carlo draws of the uniform sampler
Z_OFFSET = MODE_Z_OFFSET  # offset of the samples' fixed z batch in gancond.train.fixed_latents (0: log κ, 1: scores)

#: the per-model table's columns as the chapter shows them
TABLE_COLUMNS = ["recipe", "condition", "seed", "mean_log_cond", "least_class", "least_count", "n_missing",
                 "most_class", "most_count"]


def uniform_least_counts(n_samples: int, n_classes: int = N_CLASSES, draws: int = CHANCE_DRAWS,
                         seed: int = 0) -> np.ndarray:
    """The least-sampled class count of a sampler that draws each of ``n_classes`` classes with
    probability 1/n_classes, ``n_samples`` samples at a time: (draws,) ints (multinomial, seeded)."""
    for name, v, lo in (("n_samples", n_samples, 0), ("n_classes", n_classes, 1), ("draws", draws, 1)):
        if not (isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= lo):
            raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
    return np.random.default_rng(seed).multinomial(n_samples, [1 / n_classes] * n_classes, draws).min(axis=1)


@dataclass(frozen=True)
class Chance:
    """The least-sampled count of a uniform sampler: its mean and 5–95% range, and the balanced count N/K."""

    n_samples: int
    n_classes: int
    mean: float
    low: float  # 5% quantile
    high: float  # 95% quantile

    @property
    def balanced(self) -> float:
        """The count of every class of a perfectly balanced model, N/K."""
        return self.n_samples / self.n_classes

    def __str__(self) -> str:
        return f"{self.mean:.1f} (5–95%: {self.low:.0f}–{self.high:.0f})"


def chance_baseline(n_samples: int, n_classes: int = N_CLASSES, draws: int = CHANCE_DRAWS, seed: int = 0) -> Chance:
    """Mean and 5–95% quantiles of :func:`uniform_least_counts` (the chapter's grey band)."""
    least = uniform_least_counts(n_samples, n_classes, draws, seed)
    return Chance(n_samples, n_classes, float(least.mean()), float(np.quantile(least, 0.05)),
                  float(np.quantile(least, 0.95)))


def classify(run, scorer, z_modes, z_eval, device: str, n_classes: int = N_CLASSES) -> dict:
    """One model's missing-mode statistics.

    Args:
        run: a completed GAN run (its final generator, config and metrics table).
        scorer: the scores' classifier scorer; ``scorer.features(x)[0]`` are the logits (N, K).
        z_modes: (N, z_dim) the fixed latent vectors of the samples (the paper: N = 360).
        z_eval: (B, z_dim) the trainers' fixed batch for the mean log κ(M_z).
        device: where the generator runs.

    Returns:
        :func:`gancond.scores.mode_statistics` of the samples' predicted classes (``counts``,
        ``least_count``, ``n_missing``, ...) with the run's ``seed``, ``clamp``, ``recipe``,
        ``mean_log_cond`` (the stored final value) and ``recomputed_log_cond`` (from the stored
        generator at ``z_eval``).

    Raises:
        ValueError: the scorer's classifier does not have ``n_classes`` classes (e.g. Inception's 1008).
    """
    G = load_model(run).to(device)
    logits = scorer.features(generate(G, z_modes))[0]  # (N, K)
    if logits.shape[1] != n_classes:
        raise ValueError(f"the missing-modes test needs a {n_classes}-class classifier; the scorer for "
                         f"{run.config.get('dataset')!r} ({scorer.name}) gives {logits.shape[1]} logits; "
                         f"use dataset='mnist'")
    stats = mode_statistics(logits, n_classes)
    recomputed, _ = mean_log_cond(G, z_eval.to(device))
    return {**stats, "seed": run.config["seed"], "clamp": run.config["clamp"], "recipe": run.config["recipe"],
            "mean_log_cond": run.read_table("metrics")["mean_log_cond"].iloc[-1], "recomputed_log_cond": recomputed}


def classify_runs(runs: Sequence, scorer, z_modes, z_eval, device: str, n_classes: int = N_CLASSES) -> pd.DataFrame:
    """One row of :func:`classify` per run, with ``condition`` "with clamping" / "without clamping"."""
    table = pd.DataFrame([classify(r, scorer, z_modes, z_eval, device, n_classes) for r in runs])
    if len(table):
        table["condition"] = np.where(table["clamp"], "with clamping", "without clamping")
    return table


def split_conditions(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(unclamped, clamped) rows of a :func:`classify_runs` table, each indexed 0, 1, ... in run order."""
    clamp = table["clamp"].astype(bool)
    return table[~clamp].reset_index(drop=True), table[clamp].reset_index(drop=True)


def model_table(table: pd.DataFrame) -> pd.DataFrame:
    """The per-model table as the chapter shows it: :data:`TABLE_COLUMNS` under readable names
    (:data:`SHOWN_NAMES`), numbers rounded to 3 decimals, no index."""
    return table[TABLE_COLUMNS].rename(columns=SHOWN_NAMES).round(3).reset_index(drop=True)


#: the column names of :func:`model_table` (short enough for the book's column)
SHOWN_NAMES = {"mean_log_cond": "final mean log κ(M_z)", "least_class": "least-sampled class",
               "least_count": "least count", "n_missing": "classes missing", "most_class": "most-sampled class",
               "most_count": "most count"}


def best_worst(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The rows of the best- (lowest final mean log κ) and worst-conditioned models (first on ties)."""
    if len(table) == 0:
        raise ValueError("no models")
    return table.loc[table["mean_log_cond"].idxmin()], table.loc[table["mean_log_cond"].idxmax()]


def classifier_accuracy(scorer) -> float | None:
    """The test accuracy of the scorer's classifier, or None when it does not record one."""
    return getattr(getattr(scorer, "classifier", None), "test_accuracy", None)


def least_count_correlation(log_cond, least_count, min_models: int = MIN_MODELS) -> Correlation | None:
    """Pearson r of the final mean log κ (n,) against the least-sampled count (n,) with its 95%
    percentile-bootstrap interval (models resampled; :func:`gancond.analysis.rank_correlation`);
    None over fewer than ``min_models`` models."""
    x, y = np.asarray(log_cond, dtype=float), np.asarray(least_count, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"log_cond and least_count must be 1-D of one length, got {x.shape} and {y.shape}")
    if len(x) < min_models:
        return None
    return rank_correlation(x, y, method="pearson")


def describe(r: Correlation | None, min_models: int = MIN_MODELS) -> str:
    """A correlation of :func:`least_count_correlation` in words: its value and interval, or why there is none."""
    if r is None:
        return f"n/a (fewer than {min_models} models)"
    if not np.isfinite(r.value):
        return f"undefined (one of the two quantities is the same for all {r.n} models)"
    return str(r)


@dataclass(frozen=True)
class Contrast:
    """Empty least-sampled classes per condition, and how clamping moved the mean least-sampled count."""

    n_zero_plain: int  # unclamped models with no sample of their least-sampled class
    n_plain: int
    n_zero_clamped: int
    n_clamped: int
    d_least: Difference | None  # mean least count, clamped − unclamped; None under MIN_RUNS runs

    @property
    def zero_plain(self) -> str:
        return f"{self.n_zero_plain} of {self.n_plain}"

    @property
    def zero_clamped(self) -> str:
        return f"{self.n_zero_clamped} of {self.n_clamped}"


def contrast(plain_least, clamped_least, min_runs: int = MIN_RUNS) -> Contrast:
    """plain_least (n,), clamped_least (m,): the least-sampled counts of the unclamped and clamped models."""
    a, b = np.asarray(plain_least), np.asarray(clamped_least)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"least counts must be 1-D, got shapes {a.shape} and {b.shape}")
    d = mean_difference(a, b) if min(len(a), len(b)) >= min_runs else None
    return Contrast(int((a == 0).sum()), len(a), int((b == 0).sum()), len(b), d)


def judge_unclamped(runs, least_count):
    """Chapter 4's rule (:func:`gancond.claims.judge_modes`) on unclamped ``runs`` with their
    least-sampled counts (n,): log κ read by the per-z rule (:func:`gancond.resolution.kappa_summary`),
    class counts from one scorer (:func:`gancond.provenance.one_scorer_why`)."""
    from .claims import judge_modes
    from .provenance import one_scorer_why
    from .resolution import kappa_summary

    s = kappa_summary(runs)  # untested κ: the logged means, shown with the reason
    return judge_modes(s.values, np.asarray(least_count), s.why, one_scorer_why(runs))
