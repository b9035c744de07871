"""Figure 7's measurements: the WGAN-GP speed-up of §4 (pure, no I/O).

The paper's last experiment (Sec. 4, the WGAN-GP paragraph, Fig. 7) trains four settings of a
class-conditional WGAN-GP, several trials each: 5 or 1 critic updates per generator update,
with or without Jacobian Clamping. From each run's metrics table (one row per evaluation,
columns ``step``, ``score``, ``frechet``, ``mean_log_cond``, ``train_time_s``, ``time_s``) this
module computes what the chapter reports and judges:

- :func:`measure`: per setting the final values; the *target* (the 5-step baseline's mean final
  score) and the *goal* ``floor + similar * (target - floor)`` ("a similar score"); collapsed
  runs (:func:`gancond.claims.collapsed`); per run the training time from which the smoothed
  score stays at or above the goal (:func:`gancond.claims.time_to_stay`); the median-time ratio
  of 1 step + JC to the baseline (the "speed-up"); the ratio of whole-run training times; and,
  with at least 2 trials per setting, three differences of mean final scores with bootstrap
  intervals (:func:`gancond.analysis.mean_difference`).
- :func:`numbers_table`, :func:`texts`, :func:`build_column`, :func:`hardware`: the chapter's
  per-setting table, its glued sentences and its "paper vs this build" column, as strings.
- :func:`consistency`: the checks that the stored runs are consistent (``Checks.require``).
- :func:`judge`: the measurements handed to :func:`gancond.claims.judge_fig7`, whose rules
  (fixed before the runs) :func:`gancond.claims.record_fig7` records.

Used by: chapter 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from . import claims
from .analysis import Difference, mean_difference
from .chapter import na, pm
from .experiments import WGAN_SETTINGS, setting_name

__all__ = ["BASE", "FAST", "FAST_JC", "BASE_JC", "SETTINGS", "COLUMNS", "PAPER_ITERATIONS", "regime_note",
           "Measurements", "check_similar", "measure",
           "numbers_table", "texts", "build_column", "hardware", "consistency", "judge"]

BASE, FAST, FAST_JC, BASE_JC = (setting_name(*s) for s in [(5, False), (1, False), (1, True), (5, True)])
SETTINGS = tuple(setting_name(*s) for s in WGAN_SETTINGS)  # Fig. 7's four settings, in the chapter's order
COLUMNS = ("score", "frechet", "mean_log_cond", "train_time_s")  # the metrics whose final values are kept


def check_similar(similar: float) -> None:
    """Raise ValueError unless the chapter's parameter ``similar`` lies in (0, 1]."""
    if not 0 < similar <= 1:
        raise ValueError(f"parameter 'similar' must be in (0, 1], got {similar!r}")


@dataclass(frozen=True, eq=False)
class Measurements:
    """What Fig. 7's runs measured (settings named as in :data:`SETTINGS`)."""

    final: dict  # setting -> {column of COLUMNS -> (n_trials,) final values}
    peak: dict  # setting -> (n_trials,) highest score of each run
    trials: dict  # setting -> number of trials
    similar: float  # "a similar score": this fraction of the target's height above the floor
    target: float  # the 5-step baseline's mean final score
    goal: float  # floor + similar * (target - floor)
    collapsed: dict  # setting -> collapsed runs (claims.collapsed against the target)
    t_goal: dict  # setting -> (n_trials,) training seconds to reach and keep the goal (inf: never)
    speedup: float  # median t_goal of 1 step + JC / that of the baseline (nan when undefined)
    time_ratio: float  # mean whole-run training time of 1 step + JC / that of the baseline
    d_base_jc: Difference | None  # final score, 5 steps: clamped − unclamped (None: one trial)
    d_fast_jc: Difference | None  # final score, 1 step: clamped − unclamped
    d_fast_jc_base: Difference | None  # final score: 1 step + JC − the 5-step baseline

    @property
    def floor(self) -> float:
        return claims.SCORE_FLOOR

    @property
    def height(self) -> float:
        """The target's height above the floor."""
        return self.target - self.floor

    def median_time(self, setting: str) -> float:
        return float(np.median(self.t_goal[setting]))


def _validate(metrics: Mapping[str, Sequence[pd.DataFrame]]) -> None:
    missing = [s for s in SETTINGS if s not in metrics]
    if missing:
        raise ValueError(f"metrics must hold the settings {list(SETTINGS)}; missing {missing}")
    for s in SETTINGS:
        if len(metrics[s]) == 0:
            raise ValueError(f"setting {s!r} has no runs")
        for m in metrics[s]:
            lack = [c for c in ("step", *COLUMNS) if c not in m.columns]
            if lack or len(m) == 0:
                raise ValueError(f"a metrics table of {s!r} is empty or lacks the columns {lack}")


def measure(metrics: Mapping[str, Sequence[pd.DataFrame]], similar: float = claims.SIMILAR) -> Measurements:
    """Fig. 7's numbers from the runs' metrics tables.

    Args:
        metrics: setting name (:data:`SETTINGS`) -> the metrics tables of its trials, each with
            one row per evaluation and the columns ``step`` and :data:`COLUMNS`.
        similar: "a similar score" is ``floor + similar * (target - floor)``, in (0, 1].

    The differences of means need at least 2 trials in every setting; with fewer they are None.
    """
    check_similar(similar)
    _validate(metrics)
    floor = claims.SCORE_FLOOR
    final = {s: {c: np.array([m[c].iloc[-1] for m in metrics[s]]) for c in COLUMNS} for s in SETTINGS}
    target = float(final[BASE]["score"].mean())
    goal = floor + similar * (target - floor)
    collapsed = {s: sum(claims.collapsed(m["score"], target) for m in metrics[s]) for s in SETTINGS}
    t_goal = {s: np.array([claims.time_to_stay(m["train_time_s"], m["score"], goal) for m in metrics[s]])
              for s in SETTINGS}
    med_base, med_fast_jc = float(np.median(t_goal[BASE])), float(np.median(t_goal[FAST_JC]))
    ok = np.isfinite(med_base) and med_base > 0 and np.isfinite(med_fast_jc)
    speedup = med_fast_jc / med_base if ok else float("nan")
    time_ratio = float(final[FAST_JC]["train_time_s"].mean() / final[BASE]["train_time_s"].mean())
    trials = {s: len(metrics[s]) for s in SETTINGS}
    several = min(trials.values()) >= 2

    def diff(a, b):
        return mean_difference(final[a]["score"], final[b]["score"]) if several else None

    return Measurements(final, {s: np.array([m["score"].max() for m in metrics[s]]) for s in SETTINGS}, trials,
                        similar, target, goal, collapsed, t_goal, float(speedup), time_ratio,
                        diff(BASE, BASE_JC), diff(FAST, FAST_JC), diff(BASE, FAST_JC))


def numbers_table(m: Measurements) -> pd.DataFrame:
    """One row per setting: final score, Fréchet distance and mean log κ (mean ± sd over trials),
    training time per run, mean final/peak height, collapsed runs, median time to the goal
    (numbers rounded to 1 decimal, as the chapter shows them)."""
    rows = []
    for s in SETTINGS:
        f = m.final[s]
        row = {"setting": s}
        for col, what in [("score", "final score"), ("frechet", "final Fréchet distance"),
                          ("mean_log_cond", "final mean log κ(M_z)")]:
            row[what] = pm(f[col], 3)
        row["training time per run (s)"] = f"{f['train_time_s'].mean():.0f}"
        row["final / peak height"] = f"{np.mean((f['score'] - m.floor) / np.maximum(m.peak[s] - m.floor, 1e-12)):.2f}"
        row["collapsed"] = f"{m.collapsed[s]} of {m.trials[s]}"
        row[f"median time to {m.goal:.2f} (s)"] = m.median_time(s)
        rows.append(row)
    return pd.DataFrame(rows).round(1)


def texts(m: Measurements) -> dict[str, str]:
    """The values the chapter's text glues in, by glue name."""
    return {"target": f"{m.target:.2f}",
            "speedup": claims.ratio_text(m.speedup),
            "time_ratio": f"{m.time_ratio:.2f}",
            "collapsed_fast": f"{m.collapsed[FAST]} of {m.trials[FAST]}",
            "collapsed_fast_jc": f"{m.collapsed[FAST_JC]} of {m.trials[FAST_JC]}",
            "d_base_jc": na(m.d_base_jc, "n/a (one trial)"),
            "d_fast_jc": na(m.d_fast_jc, "n/a (one trial)")}


def build_column(m: Measurements) -> dict[str, str]:
    """This build's entries of the measured rows of the "paper vs this build" table, by key:
    ``collapse_fast``, ``collapse_fast_jc``, ``degradation``, ``cost_5``, ``time``."""
    base = m.final[BASE]["score"]
    return {
        "collapse_fast": f"{m.collapsed[FAST]} of {m.trials[FAST]} collapsed; final " + pm(m.final[FAST]["score"], 3),
        "collapse_fast_jc": f"{m.collapsed[FAST_JC]} of {m.trials[FAST_JC]} collapsed; final "
                            + pm(m.final[FAST_JC]["score"], 3),
        "degradation": f"mean {m.final[FAST_JC]['score'].mean():.3f} vs baseline range [{base.min():.3f}, "
                       f"{base.max():.3f}]; difference " + na(m.d_fast_jc_base, "n/a"),
        "cost_5": na(m.d_base_jc, "n/a"),
        "time": f"{claims.ratio_text(m.speedup)} (similar = {m.similar:.0%} of the height above 1, score {m.goal:.2f})",
    }


#: generator iterations of the reference's (and the paper's) WGAN-GP runs
PAPER_ITERATIONS = 100_000


def regime_note(m: Measurements, steps: int) -> str:
    """One sentence for the summary: how far the 5-step baseline got (its mean final score and
    Fréchet distance) in ``steps`` iterations, against the paper's :data:`PAPER_ITERATIONS`.
    Empty at the paper's length or longer."""
    if steps >= PAPER_ITERATIONS:
        return ""
    fd = float(np.mean(m.final[BASE]["frechet"]))
    return (f"These runs are {steps:,} generator iterations long, {steps / PAPER_ITERATIONS:.1%} of the paper's "
            f"{PAPER_ITERATIONS:,}: the five-step baseline ends at a score of {m.target:.2f} (the floor is "
            f"{m.floor:g}) and a Fréchet distance of {fd:.0f}, still early in training; these verdicts concern that "
            f"early phase, not the paper's trained models. ")


def hardware(manifest: Mapping) -> str:
    """The machine a run's clock was read on, from its manifest: device (processor), threads."""
    return f"{manifest['device']} ({manifest.get('cpu', 'unknown processor')}), {manifest['torch_threads']} torch threads"


#: the baseline's training time below which the chapter does not compare the settings' clocks
MIN_TIMED_S = 10.0


def consistency(metrics: Mapping[str, Sequence[pd.DataFrame]], trials: int, per_z: pd.DataFrame,
                score_bounds: tuple[float, float] | None = None) -> Iterator[tuple[bool, str]]:
    """(condition, statement) pairs that the stored runs must satisfy, in order, for ``Checks.require``.

    Args:
        metrics: setting name -> the metrics tables of its trials (as for :func:`measure`).
        trials: the number of trials every setting must have.
        per_z: the per-z table (columns ``step``, ``log_cond``) of the 5-step baseline's first trial.
        score_bounds: (low, high) the scores must lie in (a classifier score over 10 classes:
            (1, 10)), or None not to check.

    Conditions are computed one at a time, so a failed ``require`` stops before the next.
    """
    all_m = [m for ms in metrics.values() for m in ms]
    yield all(len(ms) == trials for ms in metrics.values()), "every setting has all its trials"
    yield all(m["step"].tolist() == all_m[0]["step"].tolist() for m in all_m), "every run has the same evaluation steps"
    yield (all((m["train_time_s"].diff().iloc[1:] > 0).all() and (m["time_s"] >= m["train_time_s"]).all() for m in all_m),
           "training clocks increase and never exceed the total clock")
    yield (all(np.isfinite(m["mean_log_cond"]).all() and np.isfinite(m["score"]).all() for m in all_m),
           "log-condition numbers and scores are finite")
    yield (bool(np.allclose(per_z.groupby("step")["log_cond"].mean().to_numpy(), metrics[BASE][0]["mean_log_cond"].to_numpy())),
           "the stored mean log κ is the mean of the stored per-z values")
    if score_bounds is not None:
        lo, hi = score_bounds
        yield all(m["score"].between(lo, hi + 1e-6).all() for m in all_m), f"classifier scores lie in [{lo:g}, {hi:g}]"
    t_fast = np.mean([m["train_time_s"].iloc[-1] for m in metrics[FAST]])
    t_base = np.mean([m["train_time_s"].iloc[-1] for m in metrics[BASE]])
    if t_base >= MIN_TIMED_S:  # shorter runs (smoke scale) are all noise of a loaded machine: a clock says nothing
        yield t_fast < t_base, "one critic update per iteration trains faster than five"


def judge(m: Measurements) -> claims.Fig7:
    """Fig. 7's claims judged by :func:`gancond.claims.judge_fig7` on these measurements."""
    return claims.judge_fig7(n=m.trials[FAST], collapsed_fast=m.collapsed[FAST], collapsed_fast_jc=m.collapsed[FAST_JC],
                             base_final=m.final[BASE]["score"], fast_jc_final=m.final[FAST_JC]["score"],
                             d_fast_jc_base=m.d_fast_jc_base, d_base_jc=m.d_base_jc, target=m.target,
                             speedup=m.speedup, goal=m.goal, t_base=m.t_goal[BASE], t_fast_jc=m.t_goal[FAST_JC])
