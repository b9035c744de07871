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
           "overlap_claim", "r_claim", "APPENDIX_A_CLAIM", "appendix_a_verdict", "MeasureRanking", "judge_measure",
           "record_measure", "record_prediction", "clamp_claim", "record_clamped_measure", "measure_table",
           "untested_why"]

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


# ---------------------------------------------------------------------------------------------
# The rules above applied to one recipe's runs (wired after the rules commit; same rules).
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureRanking:
    """C1–C3 for one Appendix-A measure over the unclamped runs of one recipe."""

    measure: str  # key of gancond.measures.MEASURES
    summary: Summary  # each run's mean over Z*
    clusters: object | None  # gancond.analysis.Clusters of the summaries (None: not tested)
    rho_fd: object | None  # Spearman ρ(s·m, Fréchet distance), gancond.analysis.Correlation
    rho_score: object | None  # Spearman ρ(s·m, score)
    overlap: object | None  # gancond.claims.Overlap, the k best-conditioned by m among the k best-scoring
    r_modes: object | None  # Pearson r(s·m, least-sampled count) (None: no counts or too few runs)
    scorer_why: str = ""  # why scores cannot be compared (gancond.provenance)

    @property
    def label(self) -> str:
        from .measures import MEASURES

        return MEASURES[self.measure][1]

    @property
    def intervals(self):
        """((low, high) of ρ with FD, (low, high) of ρ with score), or None (for :func:`appendix_a_verdict`)."""
        if self.rho_fd is None or self.rho_score is None or self.scorer_why:
            return None
        return (self.rho_fd.low, self.rho_fd.high), (self.rho_score.low, self.rho_score.high)


def judge_measure(measure: str, summary: Summary, fd, score, least=None, scorer_why: str = "") -> MeasureRanking:
    """Apply C1–C3 to ``measure``'s per-run summaries (``summary``, from the per-z rule) with the
    runs' final Fréchet distances and scores (n,), and least-sampled counts (n,) or None."""
    from .analysis import rank_correlation, two_clusters
    from .claims import MIN_RUNS, TOP_K, top_k_overlap
    from .measures import MEASURES
    from .modes import least_count_correlation

    if not summary.tested:
        return MeasureRanking(measure, summary, None, None, None, None, None, scorer_why)
    sign = MEASURES[measure][0]
    m = sign * summary.values  # grows with ill-conditioning
    n = len(m)
    cl = two_clusters(m)
    enough = n >= MIN_RUNS
    k = len(cl.low) if cl.split else TOP_K
    ov = top_k_overlap(m, np.asarray(score, dtype=float), k, higher_is_better=True) if enough and 1 <= k < n else None
    r = least_count_correlation(m, least) if least is not None else None
    return MeasureRanking(measure, summary, cl, rank_correlation(m, fd) if enough else None,
                          rank_correlation(m, score) if enough else None, ov, r, scorer_why)


def _zn(s: Summary) -> str:
    return "" if s.common.all() else f"; read at the {s.n_common} of {len(s.common)} z resolved in every run"


def record_measure(checks, j: MeasureRanking, recipe: str, scale: str | None = None, modes: bool = False) -> None:
    """Record C1 and C2 (and C3 with ``modes``) for one measure on ``checks`` (a gancond.report.Checks)."""
    from .claims import MIN_RUNS

    lab = j.label
    claims = [split_claim(lab), rho_fd_claim(lab), rho_score_claim(lab), overlap_claim(lab)] if not modes else [r_claim(lab)]
    if not j.summary.tested:
        for c in claims:
            checks.untested(c, j.summary.why, recipe, scale)
        return
    zn = _zn(j.summary)
    if modes:
        r = j.r_modes
        if r is None or not np.isfinite(r.value) or j.scorer_why:
            checks.untested(claims[0], j.scorer_why or "too few models or no class counts", recipe, scale)
        else:
            checks.verdict(directional(r.low, r.high, -1), claims[0], f"Pearson {r}{zn}", recipe, scale)
        return
    cl = j.clusters
    n = len(j.summary.values)
    if n < 4:
        checks.untested(claims[0], f"{n} runs; two clusters of at least 2 need at least 4", recipe, scale)
    else:
        checks.claim(cl.split, claims[0], f"largest gap {cl.gap:.3g} vs within-group range {cl.spread:.3g}; groups of "
                     f"{len(cl.low)} and {len(cl.high)}{zn}", recipe, scale)
    if j.rho_fd is None or j.scorer_why:
        for c in claims[1:]:
            checks.untested(c, j.scorer_why or f"{n} runs; at least {MIN_RUNS} are needed", recipe, scale)
        return
    checks.verdict(directional(j.rho_fd.low, j.rho_fd.high, +1), claims[1], f"{j.rho_fd} (of s·m, s = sign){zn}",
                   recipe, scale)
    checks.verdict(directional(j.rho_score.low, j.rho_score.high, -1), claims[2], f"{j.rho_score}{zn}", recipe, scale)
    if j.overlap is None:
        checks.untested(claims[3], "k not defined", recipe, scale)
    else:
        checks.claim(j.overlap.reproduced, claims[3], str(j.overlap), recipe, scale)


def record_prediction(checks, judged, recipe: str, scale: str | None = None) -> str:
    """Appendix A's own prediction on one rung from its measures' judgements (``judged``: list of
    :class:`MeasureRanking`); records it on ``checks`` and returns the verdict word."""
    word = appendix_a_verdict([j.intervals for j in judged])
    if word == "not tested":
        checks.untested(APPENDIX_A_CLAIM, untested_why(judged) or "no spectra stored", recipe, scale)
    else:
        detail = "; ".join(f"{j.label}: ρ with FD [{j.rho_fd.low:+.2f}, {j.rho_fd.high:+.2f}], with score "
                           f"[{j.rho_score.low:+.2f}, {j.rho_score.high:+.2f}]" for j in judged)
        checks.verdict(word, APPENDIX_A_CLAIM, detail, recipe, scale)
    return word


def untested_why(judged) -> str:
    """Why Appendix A's prediction is not tested on these measures' judgements (each reason once)."""
    from .claims import MIN_RUNS

    reasons = [j.scorer_why or j.summary.why or f"{len(j.summary.values)} runs; at least {MIN_RUNS} are needed"
               for j in judged if j.intervals is None]
    return "; ".join(dict.fromkeys(reasons))


def clamp_claim(label: str, sign: int, arm: str) -> str:
    return f"clamping ({arm}) {'lowers' if sign > 0 else 'raises'} the final {label} (Appendix A)"


def record_clamped_measure(checks, measure: str, diff, summary: Summary, arm: str, recipe: str,
                           scale: str | None = None) -> None:
    """Chapter 2's manipulation check on an Appendix-A measure: clamped − unclamped difference of
    the runs' means over Z* of both arms (``diff``: gancond.analysis.Difference, or None)."""
    from .measures import MEASURES

    sign, label = MEASURES[measure]
    claim = clamp_claim(label, sign, arm)
    if not summary.tested:
        checks.untested(claim, summary.why, recipe, scale)
    elif diff is None:
        checks.untested(claim, "too few runs per arm", recipe, scale)
    else:
        checks.verdict(directional(diff.low, diff.high, -sign), claim, f"clamped − unclamped {diff}{_zn(summary)}",
                       recipe, scale)


def measure_table(judged: dict, where: str) -> "pd.DataFrame":
    """One row per recipe and measure (``judged``: recipe -> list of :class:`MeasureRanking`, [] when
    the runs store no spectra): the runs' final values, the z read, ρ with FD and score, top-k overlap."""
    import pandas as pd

    def show(x) -> str:
        return "n/a" if x is None else str(x)

    rows = []
    for rc, js in judged.items():
        for j in js:
            v = j.summary.values
            rows.append({"runs": where, "recipe": rc, "measure": j.label,
                         "final values": f"{np.min(v):.2f}–{np.max(v):.2f}" if j.summary.tested else "not tested",
                         "z read": f"{j.summary.n_common} of {len(j.summary.common)}",
                         "ρ with Fréchet": show(j.rho_fd), "ρ with score": show(j.rho_score),
                         "top-k overlap": show(j.overlap)})
        if not js:
            rows.append({"runs": where, "recipe": rc, "measure": "—", "final values": "no spectra stored"})
    return pd.DataFrame(rows).fillna("")
