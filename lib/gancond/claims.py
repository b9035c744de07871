"""The decision rules of chapters 1–4, fixed before the book-scale runs they judge (pure, no I/O).

Each of the paper's claims is turned into a statistic, an interval and a threshold here, in a
commit of its own that precedes the runs of the ``tfgan`` recipe (issue 11). The chapters
state these rules above their numbers and call these functions; the thresholds are module
constants so that a reader can see them, and a test pins them.

Rules (paper section in brackets; "interval" = 95% percentile bootstrap over runs, 2,000
resamples, seed 0):

- **Two clusters** [Sec. 3, Fig. 1]: the final mean log κ(M_z) of the unclamped runs split at
  their largest gap, which must be wider than either group's range, each group ≥ 2 runs
  (:func:`gancond.analysis.two_clusters`). Runs that *change cluster* are reported (the paper's
  "dark purple run"): a run whose side of the final threshold at the middle of training differs
  from its side at the end (:func:`cluster_changes`); the paper's observation that such a run
  exists is reproduced when the runs split and at least one run changes, not tested otherwise.
- **Conditioning ranks quality** [Sec. 3]: Spearman ρ of final mean log κ against the final
  Fréchet distance must have its interval above 0 (against the score: below 0). The paper's own
  form: of the k best-conditioned runs, how many are among the k best-scoring (k = size of the
  well-conditioned cluster when the runs split, else :data:`TOP_K`), with the hypergeometric
  probability of at least that overlap by chance; reproduced when that probability is at most
  :data:`ALPHA` (:func:`top_k_overlap`).
- **Ill-conditioned early** [Sec. 3, Fig. 2]: the step by which mean log κ first reaches
  :data:`EARLY_LEVEL` (90%) of its final value, as a fraction of training; reproduced when the
  median over runs is at most :data:`EARLY_FRACTION` (:func:`early_fraction`).
- **Missing modes** [Sec. 3]: Pearson r of mean log κ against the least-sampled class count
  (360 samples per model); reproduced when its interval lies below 0.
- **Clamping** [Sec. 4]: clamped − unclamped differences of the means of final log κ, Fréchet
  distance (both: interval below 0) and score (interval above 0); the ratio of standard
  deviations clamped / unclamped of the final Fréchet distance and of the score, reproduced
  when the interval lies below 1 (:func:`sd_ratio`); clamped runs above the unclamped runs'
  cluster threshold, reproduced when at most :data:`MAX_ILL_FRACTION` of them are (paper:
  MNIST 0/10, CIFAR-10 1/10); the clamped mean reaches the best unclamped cluster when its mean
  Fréchet distance is at most, and its mean score at least, that cluster's mean. The last two
  are not tested when the unclamped runs do not split.
- **Dose and response** [beyond the paper]: clamp strength as the dose, λ_max for clamped runs
  and +∞ for unclamped ones. Tighter clamps lower κ (manipulation check) when Spearman ρ(dose,
  final log κ) has its interval above 0; they lower the distance when ρ(dose, final Fréchet
  distance) has its interval above 0. Pooled over every run of every arm and both recipes,
  conditioning and quality go together when ρ(final log κ, final Fréchet distance) has its
  interval above 0. The dose levels are the calibrated λ_max times :data:`DOSE_FRACTIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["ALPHA", "TOP_K", "EARLY_LEVEL", "EARLY_FRACTION", "MAX_ILL_FRACTION", "DOSE_FRACTIONS", "LEVEL",
           "N_BOOT", "Overlap", "top_k_overlap", "early_fraction", "cluster_changes", "Ratio", "sd_ratio",
           "dose_levels"]

LEVEL = 0.95  # level of every bootstrap interval
N_BOOT = 2000  # bootstrap resamples
ALPHA = 0.05  # largest chance probability of the top-k overlap that counts as reproduced
TOP_K = 4  # k of the top-k overlap when the runs do not split (the paper: "the 4 best")
EARLY_LEVEL = 0.9  # "reaches 90% of its final value"
EARLY_FRACTION = 0.25  # "early" = the median run gets there within the first quarter of training
MAX_ILL_FRACTION = 0.1  # clamped runs allowed above the unclamped cluster threshold (paper: 0/10, 1/10)
DOSE_FRACTIONS = (1.0, 0.5, 0.25)  # λ_max of the dose arms, as fractions of the calibrated λ_max


@dataclass(frozen=True)
class Overlap:
    """How many of the k best-conditioned runs are among the k best-scoring ones."""

    overlap: int
    k: int
    n: int
    p_chance: float  # P(overlap >= observed) when the two rankings are unrelated (hypergeometric)

    @property
    def reproduced(self) -> bool:
        return self.p_chance <= ALPHA

    def __str__(self) -> str:
        return f"{self.overlap} of the {self.k} best-conditioned runs are among the {self.k} best (n = {self.n}; " \
               f"chance probability {self.p_chance:.3f})"


def top_k_overlap(log_cond, quality, k: int, higher_is_better: bool) -> Overlap:
    """The paper's form of "conditioning ranks quality" (Sec. 3, Fig. 1).

    Args:
        log_cond: (n_runs,) final mean log κ (lower = better conditioned).
        quality: (n_runs,) final score (``higher_is_better``) or distance (not).
        k: the size of the groups compared, 1 <= k < n_runs.
    """
    c, q = np.asarray(log_cond, dtype=float), np.asarray(quality, dtype=float)
    if c.shape != q.shape or c.ndim != 1:
        raise ValueError(f"log_cond and quality must be 1-D of one length, got {c.shape} and {q.shape}")
    n = len(c)
    if not (isinstance(k, (int, np.integer)) and 1 <= k < n):
        raise ValueError(f"k must be an integer in [1, {n - 1}], got {k!r}")
    best_cond = set(np.argsort(c, kind="stable")[:k].tolist())
    best_q = set(np.argsort(-q if higher_is_better else q, kind="stable")[:k].tolist())
    m = len(best_cond & best_q)
    p = float(stats.hypergeom(n, k, k).sf(m - 1))
    return Overlap(m, int(k), n, p)


def early_fraction(steps, values, level: float = EARLY_LEVEL) -> float:
    """First step at which ``values`` reaches ``level`` × its final value, as a fraction of the
    last step (steps (n,), values (n,), e.g. a run's mean log κ at its evaluations)."""
    s, v = np.asarray(steps, dtype=float), np.asarray(values, dtype=float)
    if s.ndim != 1 or s.shape != v.shape or len(s) < 2 or s[-1] <= 0:
        raise ValueError(f"need 1-D steps and values of one length >= 2 ending after step 0, got {s.shape}, {v.shape}")
    hit = np.flatnonzero(v >= level * v[-1])
    return float(s[hit[0]] / s[-1])


def cluster_changes(trajectories, steps, threshold: float, at: float = 0.5) -> list[int]:
    """Indices of runs whose side of ``threshold`` at the evaluation nearest to fraction ``at``
    of training differs from their side at the end (the paper's "dark purple run", Fig. 1).

    trajectories: (n_runs, n_evals) mean log κ; steps: (n_evals,).
    """
    t, s = np.asarray(trajectories, dtype=float), np.asarray(steps, dtype=float)
    if t.ndim != 2 or t.shape[1] != len(s):
        raise ValueError(f"trajectories must be (n_runs, {len(s)}), got {t.shape}")
    i = int(np.argmin(np.abs(s - at * s[-1])))
    return [r for r in range(t.shape[0]) if (t[r, i] > threshold) != (t[r, -1] > threshold)]


@dataclass(frozen=True)
class Ratio:
    """A ratio of standard deviations with its bootstrap interval."""

    value: float
    low: float
    high: float
    level: float

    def __str__(self) -> str:
        return f"{self.value:.2f} ({100 * self.level:.0f}% bootstrap interval [{self.low:.2f}, {self.high:.2f}])"


def sd_ratio(a, b, n_boot: int = N_BOOT, level: float = LEVEL, seed: int = 0) -> Ratio:
    """sd(b) / sd(a) (ddof 1) for per-run values a (n_a,), b (n_b,), each resampled separately.

    Resamples whose denominator is 0 are skipped. "Clamping cuts the run-to-run variance" holds
    when the whole interval lies below 1.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 1 or b.ndim != 1 or len(a) < 3 or len(b) < 3:
        raise ValueError(f"need two 1-D groups of at least 3 runs, got shapes {a.shape} and {b.shape}")
    if a.std(ddof=1) == 0:
        raise ValueError("the reference group has no spread")
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        sa = rng.choice(a, len(a)).std(ddof=1)
        if sa > 0:
            boots.append(rng.choice(b, len(b)).std(ddof=1) / sa)
    q = (1 - level) / 2
    lo, hi = np.quantile(boots, [q, 1 - q])
    return Ratio(float(b.std(ddof=1) / a.std(ddof=1)), float(lo), float(hi), level)


def dose_levels(lambda_min: float, lambda_max: float) -> list[tuple[float, float]]:
    """The (λ_min, λ_max) bands of the dose arms from the calibrated band: λ_max times each of
    :data:`DOSE_FRACTIONS`, λ_min kept unless it would not stay below half the new λ_max.
    Rounded to 3 decimals (the values are part of the runs' identity)."""
    if not 0 <= lambda_min < lambda_max:
        raise ValueError(f"need 0 <= lambda_min < lambda_max, got {lambda_min}, {lambda_max}")
    out = []
    for f in DOSE_FRACTIONS:
        hi = round(lambda_max * f, 3)
        out.append((round(min(lambda_min, hi / 2), 3), hi))
    return out
