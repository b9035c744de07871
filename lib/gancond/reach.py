"""How far the evidence reaches (issue 18, item 5): each claim's statistic, with its interval, on
every rung of the reach ladder, against the paper's value.

The rungs (:data:`RUNGS`) are the book experiment (MNIST, ``tfgan`` recipe, ¼ width, 5,000
steps), the same made longer (``long``: 20,000 steps) and wider (``wide``: ½ width), and the
CIFAR-10 intervention of Fig. 5 (``cifar10``: the book experiment on CIFAR-10, unclamped and
calibrated-λ runs only). A rung is an :class:`gancond.arms.Arms` of its main recipe; every
statistic comes from the runs' stored tables (metrics and class counts), so a bundle without
generators suffices.

The statistics (:data:`STATISTICS`), fixed with this module before any run of the ladder existed:

- ``gap``: the largest gap between the unclamped runs' final mean log κ(M_z), in nats (no
  interval); the paper's clusters sit about 4 nats apart (Fig. 1: around 12–14 and 18–20); a
  split needs :data:`gancond.claims.MIN_GAP` and a gap wider than either group's range.
- ``rho_fd``: Spearman ρ(final mean log κ, final Fréchet distance) over the unclamped runs,
  bootstrap interval; paper ≥ +0.45 (:data:`gancond.claims.EFFECTS` ``rho_fd``); three-way.
- ``r_modes``: Pearson r(final mean log κ, least-sampled class count of 360 samples) over the
  unclamped runs, from their stored class counts; paper −0.86; three-way. MNIST rungs only
  (the paper's number is MNIST's).
- ``d_fd``: mean final Fréchet distance, calibrated-λ runs − unclamped runs, bootstrap
  interval; the paper states only a direction (below 0): two-way.
- ``dose``: Spearman ρ(λ_max, final Fréchet distance) over every run of the rung (unclamped =
  +∞), bootstrap interval; beyond the paper (conditioning-causes-quality predicts ρ > 0): two-way.

Whether more reach moved anything toward the paper (:func:`movement`): from the book rung to a
later MNIST rung, a statistic *moves toward the paper* when its verdict improves on the order
contradicted < inconclusive < reproduced (two-way statistics: not reproduced < reproduced; the
split: no split < split), *moves away* when it worsens, and otherwise *does not move*, whatever
its point estimate does. A rung that cannot judge a statistic (too few runs) does not count.

Resolution (added 2026-12-03, after the ``long`` rung's unclamped runs logged a final mean log κ
near 40 nats and before any of its clamped runs had finished): the trainers log log κ(M_z) from
a float32 Jacobian, whose smallest singular value is resolved only down to about 1e-9 σ_max. The
``long`` generators' float64 Jacobians are singular at 310 of 320 evaluated z, so their ~40 nats are
float32's floor, not a conditioning that can rank runs. A run's final mean log κ counts as a
measurement only when its float64 recomputation agrees at every z within :data:`RESOLVED_NAT`
(:mod:`gancond.resolution`; ``tools/precision_check.py`` prints it per run); the
κ-based statistics (``gap``, ``rho_fd``, ``r_modes``) of a rung with an unresolved unclamped run
are *not tested*, and the page says why. ``d_fd`` and ``dose`` do not use κ and stay judged.
The gap comes from a run's ``precision`` table (:func:`gancond.bundles.export_arms` writes one
into every bundle) or from its final generator (:func:`final_precision`); a run with neither is
judged as before (the ``wide`` and CIFAR-10 bundles, exported before the rule; checked with
``tools/precision_check.py``: within 0.011 nat).

Used by: chapter 7 ("How far the evidence reaches").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .analysis import mean_difference, rank_correlation, two_clusters
from .arms import Arms, finals
from .claims import EFFECTS, MIN_GAP, MIN_RUNS, judge_dose, three_way
from .modes import least_count_correlation
from .resolution import RESOLVED_NAT, final_precision, kappa_summary, precision_table

__all__ = ["RUNGS", "STATISTICS", "PREDICTIONS", "FAMILIES", "appendix_a_statistics", "resolution_sentence", "PAPER_GAP", "RESOLVED_NAT", "Stat", "least_counts", "precision_table", "final_precision", "rung_statistics", "reach_table",
           "movement", "stat_text", "reach_paragraph"]

#: rung name -> (dataset, scale) of its runs, in order of reach
RUNGS = {"book": ("mnist", "book"), "long": ("mnist", "long"), "wide": ("mnist", "wide"), "full": ("mnist", "full"),
         "cifar10": ("cifar10", "book")}
#: statistic key -> its label in the figure and the table
STATISTICS = {
    "gap": "split gap of final log κ (nats)",
    "rho_fd": "ρ(final log κ, Fréchet distance)",
    "r_modes": "r(final log κ, least-sampled count)",
    "d_fd": "Δ Fréchet distance, calibrated − unclamped",
    "dose": "dose ρ(λ_max, Fréchet distance)",
    # issue 27, Appendix A's measures (rules in gancond.appendix_a): ρ(s·m, FD), s·m growing with ill-conditioning
    "rho_fd_log_cond_half": "ρ(final log κ½, Fréchet distance)",
    "rho_fd_effective_rank": "ρ(−effective rank, Fréchet distance)",
}
#: statistics with a verdict and no value of their own (in the table, not in the figure)
PREDICTIONS = {"appendix_a": "Appendix A: other measures of conditioning go with quality"}
#: the gap between Fig. 1's clusters (around 12–14 and 18–20 nats)
PAPER_GAP = 4.0

_ORDER = {"contradicted": 0, "not reproduced": 0, "inconclusive": 1, "reproduced": 2}


@dataclass(frozen=True)
class Stat:
    """One statistic on one rung: value with its 95% interval (nan: none), the paper's value
    (None: the paper gives none), no effect, and the verdict (one of gancond.report.VERDICTS)."""

    rung: str
    key: str
    value: float
    low: float
    high: float
    paper: float | None
    null: float
    verdict: str
    n: int  # runs behind it
    why: str = ""  # why a statistic with runs behind it is not tested (e.g. κ unresolved)


def least_counts(runs) -> np.ndarray:
    """The least-sampled class count of each run's last stored class counts (n_runs,)."""
    out = []
    for r in runs:
        t = r.read_table("class_counts")
        out.append(int(t.loc[t["step"] == t["step"].max(), "count"].min()))
    return np.array(out)


def _two_way(ok: bool) -> str:
    return "reproduced" if ok else "not reproduced"


def rung_statistics(rung: str, a: Arms, dataset: str = "mnist") -> list[Stat]:
    """The statistics of :data:`STATISTICS` for one rung's main-recipe arms ``a``: log κ by the
    per-z rule (:func:`gancond.resolution.kappa_summary`), Fréchet distances from one scorer
    (:func:`gancond.provenance.one_scorer_why`), the Appendix-A measures where the runs store spectra."""
    from .provenance import one_scorer_why

    s = kappa_summary(a.plain)
    lc = s.values  # untested κ: the logged means (only ``d_fd`` and ``dose``, which do not rank by κ, read them)
    fd = finals(a.plain, "frechet")
    n = len(lc)
    nan = float("nan")
    out = []
    why = s.why
    scorer_why = one_scorer_why([r for rs in a.named().values() for r in rs])
    if why or scorer_why:  # the resolution rule (module docstring): κ cannot rank these runs; or scores cannot be compared
        out += [Stat(rung, "gap", nan, nan, nan, PAPER_GAP, 0.0, "not tested", n, why)] if why else []
        out += [Stat(rung, "rho_fd", nan, nan, nan, EFFECTS["rho_fd"].value, 0.0, "not tested", n, why or scorer_why)]
        if dataset == "mnist":
            out.append(Stat(rung, "r_modes", nan, nan, nan, EFFECTS["r_modes"].value, EFFECTS["r_modes"].null,
                            "not tested", n, why or scorer_why))
        if not why:
            cl = two_clusters(lc, min_gap=MIN_GAP)
            out.insert(0, Stat(rung, "gap", cl.gap, nan, nan, PAPER_GAP, 0.0,
                               _two_way(cl.split) if n >= 4 else "not tested", n))
        if scorer_why:
            return out + [Stat(rung, k, nan, nan, nan, None, 0.0, "not tested", n, scorer_why) for k in ("d_fd", "dose")] \
                + appendix_a_statistics(rung, a, dataset)
        return out + _kappa_free(rung, a, lc, fd, n) + appendix_a_statistics(rung, a, dataset)
    cl = two_clusters(lc, min_gap=MIN_GAP)
    out.append(Stat(rung, "gap", cl.gap, nan, nan, PAPER_GAP, 0.0, _two_way(cl.split) if n >= 4 else "not tested", n))
    if n >= MIN_RUNS:
        rho = rank_correlation(lc, fd)
        e = EFFECTS["rho_fd"]
        out.append(Stat(rung, "rho_fd", rho.value, rho.low, rho.high, e.value, e.null, three_way(rho.low, rho.high, e), n))
    else:
        out.append(Stat(rung, "rho_fd", nan, nan, nan, EFFECTS["rho_fd"].value, 0.0, "not tested", n))
    if dataset == "mnist":
        e = EFFECTS["r_modes"]
        try:
            r = least_count_correlation(lc, least_counts(a.plain))
        except (FileNotFoundError, KeyError):  # runs trained before class counts were stored
            r = None
        if r is None or not np.isfinite(r.value):
            out.append(Stat(rung, "r_modes", nan, nan, nan, e.value, e.null, "not tested", n))
        else:
            out.append(Stat(rung, "r_modes", r.value, r.low, r.high, e.value, e.null, three_way(r.low, r.high, e), n))
    return out + _kappa_free(rung, a, lc, fd, n) + appendix_a_statistics(rung, a, dataset)


def _kappa_free(rung: str, a: Arms, lc: np.ndarray, fd: np.ndarray, n: int) -> list[Stat]:
    """The statistics that do not rank runs by κ: ``d_fd`` and ``dose`` (ρ(λ_max, Fréchet distance))."""
    nan = float("nan")
    out = []
    if a.calibrated and min(n, len(a.calibrated)) >= MIN_RUNS:
        d = mean_difference(fd, finals(a.calibrated, "frechet"))
        out.append(Stat(rung, "d_fd", d.value, d.low, d.high, None, 0.0, _two_way(d.high < 0), len(a.calibrated)))
    else:
        out.append(Stat(rung, "d_fd", nan, nan, nan, None, 0.0, "not tested", len(a.calibrated)))
    clamped = [r for rs in list(a.named().values())[1:] for r in rs]
    dose = np.r_[np.full(n, np.inf), [r.config["lambda_max"] for r in clamped]]
    lc_all = np.r_[lc, finals(clamped, "mean_log_cond")] if clamped else lc
    fd_all = np.r_[fd, finals(clamped, "frechet")] if clamped else fd
    rho = judge_dose(dose, lc_all, fd_all, lc_all, fd_all).rho_dose_frechet if clamped else None
    if rho is None or not np.isfinite(rho.value):
        out.append(Stat(rung, "dose", nan, nan, nan, None, 0.0, "not tested", len(dose)))
    else:
        out.append(Stat(rung, "dose", rho.value, rho.low, rho.high, None, 0.0, _two_way(rho.low > 0), len(dose)))
    return out


def appendix_a_statistics(rung: str, a: Arms, dataset: str = "mnist") -> list[Stat]:
    """Appendix A's measures on one rung (:mod:`gancond.appendix_a`): ρ(s·m, Fréchet distance) per
    measure (direction only: reproduced / not reproduced / contradicted) and the prediction that
    they go with quality (``appendix_a``); "not tested" with the reason where the runs store no spectra."""
    from .appendix_a import appendix_a_verdict, directional, untested_why
    from .arms import judge_measures

    nan = float("nan")
    n = len(a.plain)
    judged = judge_measures(a)
    if not judged:
        why = "no spectra stored (trained before issue 27; its generators are not kept)"
        return [Stat(rung, k, nan, nan, nan, None, 0.0, "not tested", n, why)
                for k in ("rho_fd_log_cond_half", "rho_fd_effective_rank", "appendix_a")]
    out = []
    for j in judged:
        key = f"rho_fd_{j.measure}"
        if j.rho_fd is None or j.scorer_why or not np.isfinite(j.rho_fd.value):
            out.append(Stat(rung, key, nan, nan, nan, None, 0.0, "not tested", n, j.scorer_why or j.summary.why))
        else:
            out.append(Stat(rung, key, j.rho_fd.value, j.rho_fd.low, j.rho_fd.high, None, 0.0,
                            directional(j.rho_fd.low, j.rho_fd.high, +1), n))
    word = appendix_a_verdict([j.intervals for j in judged])
    why = "" if word != "not tested" else untested_why(judged)
    return out + [Stat(rung, "appendix_a", nan, nan, nan, None, 0.0, word, n, why)]


def reach_table(rungs: dict[str, tuple[Arms, str]]) -> pd.DataFrame:
    """One row per (rung, statistic): rung -> (its main-recipe arms, dataset), in order of reach."""
    rows = [s.__dict__ for rung, (a, ds) in rungs.items() for s in rung_statistics(rung, a, ds)]
    return pd.DataFrame(rows, columns=list(Stat.__dataclass_fields__))


def movement(table: pd.DataFrame, base: str = "book") -> dict[str, dict[str, str]]:
    """statistic -> {later MNIST rung -> "toward the paper" / "away from the paper" / "does not
    move" / "not judged"}: the rule of the module docstring, from the ``base`` rung."""
    out: dict[str, dict[str, str]] = {}
    later = [r for r in table["rung"].unique() if r != base and RUNGS.get(r, ("mnist",))[0] == "mnist"]
    for key in STATISTICS:
        b = table[(table.rung == base) & (table.key == key)]
        for rung in later:
            x = table[(table.rung == rung) & (table.key == key)]
            if b.empty or x.empty or "not tested" in (b.verdict.iloc[0], x.verdict.iloc[0]):
                word = "not judged"
            else:
                d = _ORDER[x.verdict.iloc[0]] - _ORDER[b.verdict.iloc[0]]
                word = "toward the paper" if d > 0 else "away from the paper" if d < 0 else "does not move"
            out.setdefault(key, {})[rung] = word
    return out


def stat_text(s, with_verdict: bool = True) -> str:
    """One statistic (a row of :func:`reach_table`) in words: value, interval, the paper's value,
    runs and (``with_verdict``) its verdict; "not judged" with the reason when it has no value."""
    if not np.isfinite(s["value"]):
        why = s.get("why", "")
        why = f"; {why}" if isinstance(why, str) and why else ""
        if s["verdict"] != "not tested":  # a verdict without a value of its own (Appendix A's prediction)
            return f"{s['n']} runs{why}" + (f" ({s['verdict']})" if with_verdict else "")
        return f"not judged ({s['n']} runs{why})"
    iv = f" [{s['low']:+.2f}, {s['high']:+.2f}]" if np.isfinite(s["low"]) else ""
    paper = f", paper {s['paper']:+.2f}" if s["paper"] is not None and np.isfinite(s["paper"]) else ""
    return f"{s['value']:+.2f}{iv}{paper}, {s['n']} runs" + (f" ({s['verdict']})" if with_verdict else "")


#: the paragraph's statistic families (issue 29: one sentence each), in order
FAMILIES = {
    "the split into two clusters": ("gap",),
    "conditioning against quality (ρ with the Fréchet distance, r with the least-sampled class)": ("rho_fd", "r_modes"),
    "clamping's effect on the Fréchet distance (calibrated − unclamped, and the dose)": ("d_fd", "dose"),
    "Appendix A's measures (ρ of log κ½ and of the effective rank with the Fréchet distance)":
        ("rho_fd_log_cond_half", "rho_fd_effective_rank", "appendix_a"),
}


def _verdict_groups(table: pd.DataFrame, keys) -> str:
    """"reproduced on wide; contradicted on full (ρ), ...": the rungs of each verdict, per statistic."""
    parts = []
    for key in keys:
        rows = table[table.key == key]
        if rows.empty:
            continue
        short = {"gap": "", "rho_fd": "ρ", "r_modes": "r", "d_fd": "Δ FD", "dose": "dose ρ",
                 "rho_fd_log_cond_half": "log κ½", "rho_fd_effective_rank": "effective rank",
                 "appendix_a": "the prediction"}[key]
        by = {}
        for _, r in rows.iterrows():
            by.setdefault(r["verdict"], []).append(r["rung"])
        text = "; ".join(f"{v} on {', '.join(rs)}" for v, rs in by.items())
        parts.append(f"{short}: {text}" if short else text)
    return "; ".join(parts)


def reach_paragraph(table: pd.DataFrame, base: str = "book") -> str:
    """The plain paragraph under the reach figure, generated from ``table``: at most six sentences
    (issue 29), whether more reach moved anything toward the paper (:func:`movement`), then one
    per statistic family (:data:`FAMILIES`) naming the rungs of each verdict; the numbers stay
    in the table below it."""
    if table.empty:
        return "No rung has runs yet."
    mv = movement(table, base)
    rungs = list(table["rung"].unique())
    later = [r for r in rungs if r != base and RUNGS.get(r, ("mnist",))[0] == "mnist"]
    toward = [(key, r) for key in STATISTICS for r in later if mv.get(key, {}).get(r) == "toward the paper"]
    if not later:
        head = f"Only the {base} rung" + (" and CIFAR-10 are" if "cifar10" in rungs else " is") + \
            " here, so nothing can be said yet about more reach."
    elif toward:
        head = "More reach moved " + ", ".join(f"{STATISTICS[k]} ({r})" for k, r in toward) + " toward the paper."
    else:
        judged = any(w in ("does not move", "away from the paper") for d in mv.values() for w in d.values())
        head = ("Longer and wider training moved none of the claims' verdicts toward the paper." if judged else
                "No later rung could judge these statistics.")
    sentences = [head]
    for family, keys in FAMILIES.items():
        groups = _verdict_groups(table, keys)
        if groups:
            sentences.append(f"{family[0].upper()}{family[1:]}: {groups}.")
    return " ".join(sentences)


def resolution_sentence(table: pd.DataFrame) -> str:
    """One sentence for the first page (issue 27): which rungs resolve κ (the per-z rule lets
    their κ statistics be judged) and what those found for ρ(final log κ, Fréchet distance)."""
    if table.empty:
        return "No rung has runs yet."
    rho = table[table.key == "rho_fd"].set_index("rung")
    unresolved = [r for r in rho.index if isinstance(rho.loc[r, "why"], str) and "unresolved" in rho.loc[r, "why"]]
    resolved = [r for r in rho.index if r not in unresolved and rho.loc[r, "verdict"] != "not tested"]
    if not resolved:
        return (f"No rung resolves κ ({', '.join(unresolved)}: singular at too many z), so no rung can say whether "
                f"conditioning predicts quality.")
    found = "; ".join(f"{r} {rho.loc[r, 'verdict']} ({rho.loc[r, 'value']:+.2f} [{rho.loc[r, 'low']:+.2f}, "
                      f"{rho.loc[r, 'high']:+.2f}])" for r in resolved)
    tail = f"; not on {', '.join(unresolved)}, whose generators are singular at too many z" if unresolved else ""
    return (f"κ is resolved on {', '.join(resolved)}{tail}. Where it is, the paper's ρ(log κ, Fréchet distance) "
            f"≥ +0.45 was: {found}.")
