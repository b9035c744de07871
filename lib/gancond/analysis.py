"""Statistics the chapters report about a set of runs (pure functions, no I/O).

- :func:`rank_correlation`: Spearman's ρ (or Pearson's r) between two per-run quantities with
  a percentile-bootstrap interval over runs (paper Sec. 3: "the 4 runs with the lowest
  condition number also have the 4 best scores"; Sec. 3: r = −0.86 for missing modes).
- :func:`two_clusters`: does a set of final mean log-condition numbers split into a
  well-conditioned and an ill-conditioned cluster (paper Sec. 3, Fig. 1)?
- :func:`time_to_reach`: when a score curve first reaches a target (paper Sec. 4, Fig. 7:
  the wall-clock time a WGAN-GP setting needs for the baseline's score).

Used by: chapters 2, 3, 4, 5 and 6; chapter 1 through :mod:`gancond.claims`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Correlation", "rank_correlation", "Clusters", "two_clusters", "mean_std", "Difference", "mean_difference",
           "time_to_reach"]


@dataclass(frozen=True)
class Correlation:
    """A correlation over runs with its bootstrap interval."""

    method: str  # "spearman" or "pearson"
    value: float  # ρ or r on all runs
    low: float  # lower end of the interval (nan when undefined)
    high: float  # upper end
    n: int  # number of runs
    level: float  # interval level, e.g. 0.95

    def __str__(self) -> str:
        sym = "ρ" if self.method == "spearman" else "r"
        return f"{sym} = {self.value:+.2f} ({100 * self.level:.0f}% bootstrap interval [{self.low:+.2f}, {self.high:+.2f}], n = {self.n})"


def _corr(x: np.ndarray, y: np.ndarray, method: str) -> float:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    f = stats.spearmanr if method == "spearman" else stats.pearsonr
    return float(f(x, y)[0])


def rank_correlation(x, y, method: str = "spearman", n_boot: int = 2000, level: float = 0.95,
                     seed: int = 0) -> Correlation:
    """Correlation of two per-run quantities (x, y: (n_runs,)) with a bootstrap interval.

    Runs are resampled with replacement ``n_boot`` times; resamples in which either quantity is
    constant are skipped. The interval is the central ``level`` percentile range.
    """
    if method not in ("spearman", "pearson"):
        raise ValueError(f"method must be 'spearman' or 'pearson', got {method!r}")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of the same length, got {x.shape} and {y.shape}")
    if len(x) < 3:
        raise ValueError(f"a correlation over runs needs at least 3 runs, got {len(x)}")
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        i = rng.integers(0, len(x), len(x))
        c = _corr(x[i], y[i], method)
        if np.isfinite(c):
            boots.append(c)
    a = (1 - level) / 2
    lo, hi = np.quantile(boots, [a, 1 - a]) if boots else (np.nan, np.nan)
    return Correlation(method, _corr(x, y, method), float(lo), float(hi), len(x), level)


@dataclass(frozen=True)
class Clusters:
    """A split of per-run values into a low and a high group at the largest gap."""

    threshold: float  # midpoint of the largest gap between sorted values
    low: list[int]  # indices of runs below the threshold (well-conditioned)
    high: list[int]  # indices above it (ill-conditioned)
    gap: float  # size of the largest gap
    spread: float  # largest within-group range
    split: bool  # True when gap > ratio x spread, gap >= min_gap and each group holds at least min_size runs


def two_clusters(values, ratio: float = 1.0, min_size: int = 2, min_gap: float = 0.0) -> Clusters:
    """Split values (n_runs,) at their largest gap; call it a split if gap > ratio · spread and
    gap >= ``min_gap`` (the chapters pass :data:`gancond.claims.MIN_GAP`, the size of Fig. 1's gap).

    "Spread" is the larger within-group range (max − min). With the paper's Fig. 1 (final mean
    log-condition numbers around 12–14 vs 18–20) the gap exceeds the within-cluster ranges;
    values that climb together in one band (no bimodality) have gaps smaller than their spread.
    A group must hold at least ``min_size`` runs: one run away from the rest is an outlier,
    not a cluster.
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(v) < 1:
        raise ValueError(f"need a 1-D array of at least 1 value, got shape {v.shape}")
    if len(v) == 1:  # one run is one group: no split
        return Clusters(float(v[0]), [0], [], 0.0, 0.0, False)
    order = np.argsort(v)
    s = v[order]
    gaps = np.diff(s)
    k = int(np.argmax(gaps))
    thr = float((s[k] + s[k + 1]) / 2)
    low, high = sorted(order[: k + 1].tolist()), sorted(order[k + 1:].tolist())
    spread = max(np.ptp(s[: k + 1]), np.ptp(s[k + 1:]))
    gap = float(gaps[k])
    big_enough = min(len(low), len(high)) >= min_size
    return Clusters(thr, low, high, gap, float(spread), bool(gap > ratio * spread and gap >= min_gap and big_enough))


def mean_std(x) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; nan for a single value)."""
    a = np.asarray(x, dtype=float)
    return float(a.mean()), float(a.std(ddof=1)) if len(a) > 1 else float("nan")


@dataclass(frozen=True)
class Difference:
    """Difference of means between two groups of runs, with a bootstrap interval."""

    value: float  # mean(b) - mean(a)
    low: float
    high: float
    level: float

    def __str__(self) -> str:
        return f"{self.value:+.3f} ({100 * self.level:.0f}% bootstrap interval [{self.low:+.3f}, {self.high:+.3f}])"


def mean_difference(a, b, n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> Difference:
    """mean(b) − mean(a) for per-run values a (n_a,), b (n_b,); each group resampled separately.

    Used for "clamping improves the mean score": the claim holds when the whole interval is on
    the predicted side of zero, not merely when the point estimate is.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 1 or b.ndim != 1 or len(a) < 2 or len(b) < 2:
        raise ValueError(f"need two 1-D groups of at least 2 runs, got shapes {a.shape} and {b.shape}")
    rng = np.random.default_rng(seed)
    boots = [rng.choice(b, len(b)).mean() - rng.choice(a, len(a)).mean() for _ in range(n_boot)]
    q = (1 - level) / 2
    lo, hi = np.quantile(boots, [q, 1 - q])
    return Difference(float(b.mean() - a.mean()), float(lo), float(hi), level)


def time_to_reach(t, score, target: float) -> float:
    """The first time at which ``score`` reaches ``target``, linearly interpolated; nan if never.

    Args:
        t: (n,) increasing times (or iterations) of the evaluations.
        score: (n,) the score at those times (higher is better).
        target: the score to reach.

    Between the last evaluation below the target and the first at or above it the curve is
    taken to be a straight line (the evaluations are the only knowledge of it).
    """
    t, s = np.asarray(t, dtype=float), np.asarray(score, dtype=float)
    if t.ndim != 1 or t.shape != s.shape or len(t) == 0:
        raise ValueError(f"t and score must be 1-D arrays of one non-empty length, got {t.shape} and {s.shape}")
    if np.any(np.diff(t) < 0):
        raise ValueError("t must be non-decreasing")
    hit = np.flatnonzero(s >= target)
    if hit.size == 0:
        return float("nan")
    k = int(hit[0])
    if k == 0:
        return float(t[0])
    return float(t[k - 1] + (target - s[k - 1]) / (s[k] - s[k - 1]) * (t[k] - t[k - 1]))
