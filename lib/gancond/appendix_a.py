"""The rules for measures of conditioning beyond κ (Appendix A) and for partly resolved rungs (issue 27).

Fixed in a commit of their own before the ``full`` rung's runs, the stored spectra and any
number they judge exist. Pure: arrays in, verdicts out.

**The measures** (:mod:`gancond.measures`, from each run's final generator's float64 singular
values, the ``spectra`` table): ``log κ½ = 2 log(σ_1/σ_{n_z/2})`` and the effective rank
``exp H(σ²/Σσ²)``. Why these two: Appendix A names the family ("measures of Jacobian
conditioning that less strongly emphasize the extreme singular values") and the one it rejects
(the log-determinant, because the *largest* singular values separate good from bad MNIST runs,
so a measure must keep σ_1 in it). ``log κ½`` keeps σ_1 and replaces the smallest value by the
median: the paper's ratio, one half of the spectrum deep. The effective rank weighs every
eigenvalue of M_z by its share: a measure of the whole spectrum's spread that no single value
decides. Both are finite where J_z is singular, which κ is not.

**A run's summary** of a measure is its mean over the evaluation z (as the paper's mean log κ),
restricted by the per-z rule below.

**The per-z rule** (a rung resolved at most z but not all): a statistic over a set of runs (the
unclamped runs for a ranking, both arms for a clamped − unclamped difference) reads each run's
mean over Z*, the evaluation z at which *every* run of the set is resolved (κ: float32 and
float64 agree within :data:`gancond.resolution.RESOLVED_NAT`; the other measures: as
:func:`gancond.measures.resolved`). It is tested when Z* holds at least :data:`MIN_COMMON_Z` of
the evaluation z, and not tested otherwise. When every z is resolved, Z* is all of them and the
statistic is the one the chapters computed before. Why per z and not per run: dropping an
unresolved *run* drops exactly the most ill-conditioned generators, which biases a ranking
toward no effect and changes n; the evaluation z are fixed and shared by every run (one
``eval_seed``), so restricting all runs to the same z keeps them compared on identical inputs.
What it costs, and is printed beside the verdict: the statistic no longer sees the singular z;
the Appendix-A measures, resolved there, do.

**The claims, restated for each Appendix-A measure m** (unclamped runs of one recipe; s = the
measure's sign in :data:`gancond.measures.MEASURES`, so s·m grows with ill-conditioning). The
paper gives sizes only for κ; Appendix A gives a direction only, so these are judged by
direction (:func:`directional`): reproduced when the 95% interval excludes 0 on the predicted
side, contradicted when it excludes 0 on the other side, not reproduced when it holds 0.

- C1 split: the runs' summaries split at their largest gap, wider than either group's range,
  groups ≥ 2 (no minimum gap: the paper's 4 nats are κ's) — two-way.
- C2 ρ: Spearman ρ(s·m, Fréchet distance) > 0 and ρ(s·m, score) < 0, each by its interval;
  top-k overlap of the k best-conditioned by m with the k best-scoring, hypergeometric chance
  probability ≤ :data:`gancond.claims.ALPHA` (k = :data:`gancond.claims.TOP_K`, or the
  well-conditioned group's size when the runs split) — two-way.
- C3 r: Pearson r(s·m, least-sampled class count of 360 samples) < 0 by its interval.

**Appendix A's own prediction** ("other measures of conditioning ... would also correlate with
GAN performance"), judged on every rung: reproduced when, for *both* measures, ρ(s·m, FD) > 0
and ρ(s·m, score) < 0 with intervals excluding 0; contradicted when any of these four
intervals excludes 0 on the opposite side; not reproduced otherwise; not tested when a measure
has no ρ (fewer than :data:`gancond.claims.MIN_RUNS` runs, or Z* too small).

Every FD or score statistic also needs its runs scored by one scorer (issue 28).

Used by: chapters 1, 2, 4 and 7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MIN_COMMON_Z", "Summary", "summarize", "directional", "split_claim", "rho_fd_claim", "rho_score_claim",
           "overlap_claim", "r_claim", "APPENDIX_A_CLAIM", "appendix_a_verdict"]

#: the smallest share of the evaluation z at which every run of a statistic must be resolved
MIN_COMMON_Z = 0.5


@dataclass(frozen=True)
class Summary:
    """Each run's mean of a per-z measure over Z*, the z resolved in every run (the per-z rule)."""

    values: np.ndarray  # (n_runs,) the runs' means over Z* (nan when not tested)
    common: np.ndarray  # (n_z,) bool, Z*
    why: str  # "" when tested, else why not

    @property
    def tested(self) -> bool:
        return not self.why

    @property
    def n_common(self) -> int:
        return int(self.common.sum())


def summarize(per_z, resolved, what: str = "log κ") -> Summary:
    """Apply the per-z rule. per_z (n_runs, n_z) a measure at each run's fixed evaluation z;
    resolved (n_runs, n_z) bool. Values at unresolved z are never read (they may be inf or nan)."""
    v, ok = np.asarray(per_z, dtype=float), np.asarray(resolved, dtype=bool)
    if v.ndim != 2 or v.shape != ok.shape or v.shape[0] == 0 or v.shape[1] == 0:
        raise ValueError(f"per_z and resolved must be 2-D (n_runs, n_z) of one shape, got {v.shape} and {ok.shape}")
    common = ok.all(axis=0)
    n, n_z = int(common.sum()), v.shape[1]
    if n < MIN_COMMON_Z * n_z:
        bad = int((~ok).any(axis=1).sum())
        why = (f"{what} unresolved: resolved in every run at only {n} of {n_z} evaluation z "
               f"(the per-z rule needs {MIN_COMMON_Z:.0%}; {bad} of {v.shape[0]} runs have an unresolved z)")
        return Summary(np.full(v.shape[0], np.nan), common, why)
    return Summary(v[:, common].mean(axis=1), common, "")


def directional(low: float, high: float, direction: int) -> str:
    """The verdict of an interval [low, high] on a claim with a direction only (``direction``
    +1: the statistic should exceed 0, −1: fall below it): "reproduced", "contradicted" (the
    interval excludes 0 on the other side), "not reproduced" (it holds 0), "not tested" (nan)."""
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    lo, hi = float(low), float(high)
    if np.isnan(lo) or np.isnan(hi):
        return "not tested"
    if lo > hi:
        raise ValueError(f"need low <= high, got [{lo}, {hi}]")
    if (lo > 0) if direction > 0 else (hi < 0):
        return "reproduced"
    if (hi < 0) if direction > 0 else (lo > 0):
        return "contradicted"
    return "not reproduced"


def split_claim(label: str) -> str:
    return f"final {label} falls into two clusters (Fig. 1, Appendix A)"


def rho_fd_claim(label: str) -> str:
    return f"better conditioning by {label} goes with a lower Fréchet distance (Spearman ρ, Appendix A)"


def rho_score_claim(label: str) -> str:
    return f"better conditioning by {label} goes with a better score (Spearman ρ, Appendix A)"


def overlap_claim(label: str) -> str:
    return f"the k best-conditioned runs by {label} are the k best-scoring (Sec. 3, Appendix A)"


def r_claim(label: str) -> str:
    return f"worse conditioning by {label} goes with fewer samples in the least-sampled class (Appendix A)"


APPENDIX_A_CLAIM = "other measures of conditioning correlate with GAN performance too (Appendix A)"


def appendix_a_verdict(intervals) -> str:
    """Appendix A's prediction on one rung. ``intervals``: for each Appendix-A measure, the pair
    ((low, high) of ρ(s·m, FD), (low, high) of ρ(s·m, score)), or None when the measure has no ρ."""
    intervals = list(intervals)
    if not intervals or any(i is None for i in intervals):
        return "not tested"
    words = [directional(*fd, +1) for fd, _ in intervals] + [directional(*sc, -1) for _, sc in intervals]
    if "not tested" in words:
        return "not tested"
    if "contradicted" in words:
        return "contradicted"
    return "reproduced" if all(w == "reproduced" for w in words) else "not reproduced"
