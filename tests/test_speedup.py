"""Fig. 7's measurements (gancond.speedup) and their judging (gancond.claims.judge_fig7 /
record_fig7) on synthetic metrics tables with hand-computed answers."""

import math

import numpy as np
import pandas as pd
import pytest

from gancond import claims, speedup
from gancond.analysis import Difference
from gancond.report import Checks
from gancond.speedup import BASE, BASE_JC, FAST, FAST_JC

T = np.arange(8) * 10.0  # training seconds at the 8 evaluations of a 5-step run
RISE = [1, 3, 5, 5, 5, 5, 5, 5]  # smoothed: 1, 2, 3, 4.33, 5, 5, 5, 5 -> stays >= 4.8 from the 5th evaluation
FALL = [1, 3, 5, 4, 2, 1.5, 1.2, 1.2]  # peaks at 5 and keeps 0.2 of its height 4: collapsed


def table(scores, times, log_cond=2.0):
    """One run's metrics table (columns as the WGAN-GP trainer writes them)."""
    n = len(scores)
    times = np.asarray(times, dtype=float)
    return pd.DataFrame({"step": np.arange(n) * 100, "score": np.asarray(scores, dtype=float),
                         "frechet": np.linspace(50, 10, n), "mean_log_cond": np.full(n, log_cond),
                         "train_time_s": times, "time_s": times + 1.0})


def ending(scores, last):
    return list(scores[:-1]) + [last]


def fig7_metrics(trials=3, fast_jc=RISE):
    """The four settings: the baseline ends at 5 on average, 1 step collapses, 1 step + JC gets
    there in 0.4 of the time (1 step trains 2.5x faster), 5 steps + JC ends 0.1 lower."""
    deltas = [0.0] if trials == 1 else np.linspace(-0.1, 0.1, trials)
    return {BASE: [table(ending(RISE, 5 + d), T) for d in deltas],
            BASE_JC: [table(ending(RISE, 4.9 + d), T) for d in deltas],
            FAST: [table(FALL, 0.4 * T) for _ in deltas],
            FAST_JC: [table(ending(fast_jc, fast_jc[-1] + d), 0.4 * T) for d in deltas]}


def verdicts(j):
    ch = Checks("book")
    claims.record_fig7(ch, j)
    return [r["_verdict"] for r in ch.rows]


def test_settings_are_the_chapters_four_in_its_order():
    assert speedup.SETTINGS == ("5 critic steps", "5 critic steps + JC", "1 critic step", "1 critic step + JC")
    assert (BASE, FAST, FAST_JC, BASE_JC) == ("5 critic steps", "1 critic step", "1 critic step + JC", "5 critic steps + JC")


def test_measure_known_target_goal_collapse_and_speedup():
    m = speedup.measure(fig7_metrics(3), similar=0.95)
    assert m.target == pytest.approx(5.0) and m.height == pytest.approx(4.0)
    assert m.goal == pytest.approx(1 + 0.95 * 4)
    assert m.collapsed == {BASE: 0, BASE_JC: 0, FAST: 3, FAST_JC: 0}  # the 1-step baseline collapses, clamped does not
    assert m.t_goal[BASE].tolist() == [40.0] * 3 and m.t_goal[FAST_JC].tolist() == [16.0] * 3
    assert np.isinf(m.t_goal[FAST]).all()
    assert m.speedup == pytest.approx(0.4)  # 16 s / 40 s
    assert m.time_ratio == pytest.approx(0.4)  # 28 s / 70 s per whole run
    assert m.final[BASE]["score"].tolist() == pytest.approx([4.9, 5.0, 5.1])
    assert m.final[FAST]["train_time_s"].shape == (3,)
    # differences of mean final scores: clamped − unclamped, and 1 step + JC − baseline
    assert m.d_base_jc.value == pytest.approx(-0.1) and m.d_fast_jc.value == pytest.approx(5 - 1.2)
    assert m.d_fast_jc_base.value == pytest.approx(0.0) and m.d_fast_jc_base.low <= 0 <= m.d_fast_jc_base.high


def test_numbers_table_strings_and_rounding():
    m = speedup.measure(fig7_metrics(3))
    t = speedup.numbers_table(m)
    assert t["setting"].tolist() == list(speedup.SETTINGS)
    assert list(t.columns) == ["setting", "final score", "final Fréchet distance", "final mean log κ(M_z)",
                               "training time per run (s)", "final / peak height", "collapsed", "median time to 4.80 (s)"]
    row = t.set_index("setting")
    assert row.loc[BASE, "final score"] == "5.000 ± 0.100"
    assert row.loc[BASE, "final mean log κ(M_z)"] == "2.000 ± 0.000"
    assert row.loc[BASE, "training time per run (s)"] == "70" and row.loc[FAST, "training time per run (s)"] == "28"
    assert row.loc[BASE, "final / peak height"] == "0.99"  # (3.9/4 + 1 + 1) / 3
    assert row.loc[FAST, "final / peak height"] == "0.05"  # 0.2 / 4
    assert row.loc[FAST, "collapsed"] == "3 of 3" and row.loc[FAST_JC, "collapsed"] == "0 of 3"
    assert row["median time to 4.80 (s)"].tolist() == [40.0, 40.0, math.inf, 16.0]


def test_texts_and_build_column():
    m = speedup.measure(fig7_metrics(3))
    tx = speedup.texts(m)
    assert tx["target"] == "5.00" and tx["speedup"] == "0.40" and tx["time_ratio"] == "0.40"
    assert tx["collapsed_fast"] == "3 of 3" and tx["collapsed_fast_jc"] == "0 of 3"
    assert tx["d_base_jc"] == str(m.d_base_jc) and tx["d_base_jc"].startswith("-0.100 (95% bootstrap interval")
    b = speedup.build_column(m)
    assert b["collapse_fast"] == "3 of 3 collapsed; final 1.200 ± 0.000"
    assert b["degradation"].startswith("mean 5.000 vs baseline range [4.900, 5.100]; difference +0.000")
    assert b["cost_5"] == str(m.d_base_jc)
    assert b["time"] == "0.40 (similar = 95% of the height above 1, score 4.80)"


def test_one_trial_has_no_differences_and_leaves_two_claims_untested():
    m = speedup.measure(fig7_metrics(1))
    assert m.d_base_jc is None and m.d_fast_jc is None and m.d_fast_jc_base is None
    assert speedup.texts(m)["d_fast_jc"] == "n/a (one trial)"
    assert speedup.build_column(m)["cost_5"] == "n/a" and speedup.build_column(m)["collapse_fast_jc"].endswith("final 5.000")
    assert speedup.numbers_table(m).set_index("setting").loc[BASE, "final score"] == "5.000"
    ch = Checks("smoke")
    claims.record_fig7(ch, speedup.judge(m))
    assert [r["_verdict"] for r in ch.rows] == ["reproduced", "reproduced", "not tested", "not tested", "not tested"]
    assert "an interval needs at least 2" in ch.rows[2]["result"]


def test_a_median_run_that_never_stays_makes_the_speedup_undefined():
    m = speedup.measure(fig7_metrics(3, fast_jc=FALL))
    assert math.isnan(m.speedup) and m.collapsed[FAST_JC] == 3
    assert speedup.texts(m)["speedup"] == "undefined (a median run never stays above the target)"
    assert verdicts(speedup.judge(m))[-1] == "contradicted"  # every resample's ratio is infinite: far above 1/2


def test_the_whole_chapter_judgement_on_the_synthetic_runs():
    j = speedup.judge(speedup.measure(fig7_metrics(3)))
    assert (j.n, j.collapsed_fast, j.collapsed_fast_jc) == (3, 3, 0)
    assert (j.base_lo, j.base_hi, j.fast_jc_mean) == pytest.approx((4.9, 5.1, 5.0))
    assert j.height == pytest.approx(4.0) and j.several
    assert verdicts(j) == ["reproduced"] * 5


def test_measure_bad_input():
    with pytest.raises(ValueError, match="similar"):
        speedup.measure(fig7_metrics(2), similar=0)
    with pytest.raises(ValueError, match="similar"):
        speedup.check_similar(1.5)
    speedup.check_similar(1.0)
    with pytest.raises(ValueError, match="missing"):
        speedup.measure({k: v for k, v in fig7_metrics(2).items() if k != FAST})
    bad = fig7_metrics(2)
    bad[BASE] = [t.drop(columns="train_time_s") for t in bad[BASE]]
    with pytest.raises(ValueError, match="train_time_s"):
        speedup.measure(bad)
    with pytest.raises(ValueError, match="no runs"):
        speedup.measure({**fig7_metrics(2), FAST: []})


# ---------------------------------------------------------------------------------------------- judging

def fig7(**kw):
    """A judgement with every claim reproduced, changed by ``kw`` (height 4: target 5)."""
    d0 = Difference(0.0, -0.2, 0.2, 0.95)
    args = dict(n=4, collapsed_fast=3, collapsed_fast_jc=0, base_final=[4.8, 5.0, 5.2, 5.0], fast_jc_final=[5.0] * 4,
                d_fast_jc_base=d0, d_base_jc=d0, target=5.0, speedup=0.4, goal=4.8, t_base=[40.0] * 4,
                t_fast_jc=[16.0] * 4)
    return claims.judge_fig7(**{**args, **kw})


def test_collapse_claims_on_both_sides_of_their_thresholds():
    assert verdicts(fig7(collapsed_fast=3))[0] == "reproduced"  # 3 > 4/2
    assert verdicts(fig7(collapsed_fast=2))[0] == "not reproduced"  # half is not more than half
    assert verdicts(fig7(n=5, collapsed_fast=3))[0] == "reproduced"
    assert verdicts(fig7(collapsed_fast_jc=0))[1] == "reproduced"
    assert verdicts(fig7(collapsed_fast_jc=1))[1] == "not reproduced"


def test_little_degradation_inside_the_range_or_a_small_interval_around_zero():
    far = Difference(-1.0, -1.5, -0.5, 0.95)
    assert verdicts(fig7(fast_jc_final=[4.8] * 4, d_fast_jc_base=far))[2] == "reproduced"  # inside [4.8, 5.2]
    assert verdicts(fig7(fast_jc_final=[4.79] * 4, d_fast_jc_base=far))[2] == "not reproduced"
    # outside the range: the interval must hold 0 and stay within 0.1 * 4 = 0.4 on both sides
    out = [4.5] * 4
    assert verdicts(fig7(fast_jc_final=out, d_fast_jc_base=Difference(-0.1, -0.4, 0.4, 0.95)))[2] == "reproduced"
    assert verdicts(fig7(fast_jc_final=out, d_fast_jc_base=Difference(-0.1, -0.41, 0.2, 0.95)))[2] == "not reproduced"
    assert verdicts(fig7(fast_jc_final=out, d_fast_jc_base=Difference(-0.1, -0.2, 0.41, 0.95)))[2] == "not reproduced"
    assert verdicts(fig7(fast_jc_final=out, d_fast_jc_base=Difference(-0.2, -0.3, -0.1, 0.95)))[2] == "not reproduced"


def test_small_cost_at_five_steps_is_the_lower_end_within_a_tenth_of_the_height():
    assert verdicts(fig7(d_base_jc=Difference(-0.2, -0.4, 0.0, 0.95)))[3] == "reproduced"  # -0.4 >= -0.1 * 4
    assert verdicts(fig7(d_base_jc=Difference(-0.2, -0.41, 0.0, 0.95)))[3] == "not reproduced"
    assert verdicts(fig7(d_base_jc=Difference(-0.2, -0.41, 0.0, 0.95), target=6.0))[3] == "reproduced"  # height 5


def test_speedup_is_three_way_against_no_speedup_and_the_papers_half():
    def v(t_fast, t_base=(40.0,) * 4):
        return verdicts(fig7(t_base=list(t_base), t_fast_jc=list(t_fast)))[4]

    assert v([16.0] * 4) == "reproduced"  # 0.4, interval [0.4, 0.4]: below 1
    assert v([30.0] * 4) == "reproduced"  # 0.75: faster, though slower than the paper's half (the text says so)
    assert v([40.0] * 4) == "contradicted"  # no speed-up: 1 excludes 1/2
    assert v([60.0] * 4) == "contradicted"  # slower
    assert v([float("inf")] * 4) == "contradicted"  # never reaches the goal
    assert v([16.0, 16.0, 60.0, 60.0]) == "inconclusive"  # the interval holds both 1/2 and 1
    assert v([16.0] * 4, t_base=[float("inf")] * 4) == "not tested"  # no baseline time: no ratio
    ch = Checks("book")
    claims.record_fig7(ch, fig7(t_fast_jc=[30.0] * 4))
    assert "outside the interval: the measured effect is weaker" in ch.rows[4]["result"]
    with pytest.raises(ValueError, match="t_base"):
        claims.judge_fig7(**{**dict(n=4, collapsed_fast=3, collapsed_fast_jc=0, base_final=[5.0], fast_jc_final=[5.0],
                                    d_fast_jc_base=None, d_base_jc=None, target=5.0, speedup=0.4, goal=4.8)})


def test_record_fig7_texts():
    ch = Checks("book")
    claims.record_fig7(ch, fig7(speedup=0.4))
    res = [r["result"] for r in ch.rows]
    assert res[0] == "reproduced: 3 of 4 runs collapsed (final height under half the run's peak, or no take-off)"
    assert res[1] == "reproduced: 0 of 4 runs collapsed"
    assert res[2].startswith("reproduced: mean final score 5.000 vs the baseline's range [4.800, 5.200]; difference +0.000")
    assert res[3].endswith("allowed: down to −0.400")
    assert res[4] == ("reproduced: median time ratio 0.40 (to score 4.80; 95% bootstrap interval over trials [0.40, 0.40], "
                      "no speed-up: 1); paper: 0.50 (Sec. 4 / Fig. 7: 'more than halves the wall-clock time'); outside "
                      "the interval: the measured effect is stronger")
    assert claims.ratio_text(float("nan")) == "undefined (a median run never stays above the target)"


def test_judge_fig7_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        fig7(base_final=[])
    with pytest.raises(ValueError, match="n must"):
        fig7(n=0)


# ---------------------------------------------------------------------------------------------- consistency

def per_z_of(metrics_table):
    """A per-z table whose per-step mean is the run's mean log κ (two z per step, ±1 around it)."""
    rows = [(s, v + e) for s, v in zip(metrics_table["step"], metrics_table["mean_log_cond"]) for e in (-1.0, 1.0)]
    return pd.DataFrame(rows, columns=["step", "log_cond"])


def test_consistency_holds_on_good_runs_and_names_each_check():
    mt = fig7_metrics(2)
    got = list(speedup.consistency(mt, 2, per_z_of(mt[BASE][0]), score_bounds=(1, 10)))
    assert [w for _, w in got] == ["every setting has all its trials", "every run has the same evaluation steps",
                                   "training clocks increase and never exceed the total clock",
                                   "log-condition numbers and scores are finite",
                                   "the stored mean log κ is the mean of the stored per-z values",
                                   "classifier scores lie in [1, 10]",
                                   "one critic update per iteration trains faster than five"]
    assert all(bool(ok) for ok, _ in got)
    assert len(list(speedup.consistency(mt, 2, per_z_of(mt[BASE][0])))) == 6  # no score bounds: not checked


def test_consistency_catches_each_fault():
    def failed(mt, trials=2, per_z=None, bounds=(1, 10)):
        pz = per_z if per_z is not None else per_z_of(mt[BASE][0])
        return [w for ok, w in speedup.consistency(mt, trials, pz, bounds) if not ok]

    assert failed(fig7_metrics(2), trials=3) == ["every setting has all its trials"]
    mt = fig7_metrics(2)
    mt[FAST][1] = mt[FAST][1].assign(step=mt[FAST][1]["step"] + 1)
    assert failed(mt) == ["every run has the same evaluation steps"]
    mt = fig7_metrics(2)
    mt[FAST_JC][0] = mt[FAST_JC][0].assign(time_s=0.0)
    assert failed(mt) == ["training clocks increase and never exceed the total clock"]
    mt = fig7_metrics(2)
    mt[BASE_JC][0].loc[3, "mean_log_cond"] = np.nan
    assert failed(mt) == ["log-condition numbers and scores are finite"]
    mt = fig7_metrics(2)
    assert failed(mt, per_z=per_z_of(mt[BASE][0]).assign(log_cond=9.0)) == [
        "the stored mean log κ is the mean of the stored per-z values"]
    mt = fig7_metrics(2)
    mt[BASE][0].loc[7, "score"] = 10.5
    assert failed(mt) == ["classifier scores lie in [1, 10]"]
    mt = fig7_metrics(2)
    mt[FAST] = [t.assign(train_time_s=t["train_time_s"] * 10, time_s=t["time_s"] * 10) for t in mt[FAST]]
    assert failed(mt) == ["one critic update per iteration trains faster than five"]


def test_hardware_line():
    assert speedup.hardware({"device": "cpu", "cpu": "Xeon", "torch_threads": 2}) == "cpu (Xeon), 2 torch threads"
    assert speedup.hardware({"device": "cuda", "torch_threads": 8}) == "cuda (unknown processor), 8 torch threads"


def test_regime_note_says_how_far_the_baseline_got():
    from gancond.speedup import PAPER_ITERATIONS, regime_note

    m = speedup.measure(fig7_metrics(), 0.95)
    fd = float(np.mean(m.final[BASE]["frechet"]))
    note = regime_note(m, 600)
    assert note.startswith("These runs are 600 generator iterations long, 0.6% of the paper's 100,000:")
    assert f"a score of {m.target:.2f} (the floor is 1) and a Fréchet distance of {fd:.0f}," in note
    assert note.endswith("not the paper's trained models. ")
    assert regime_note(m, PAPER_ITERATIONS) == ""


def test_clocks_of_runs_too_short_to_time_are_not_compared():
    mt = {s: [t.assign(train_time_s=t["train_time_s"] / 100, time_s=t["time_s"] / 100) for t in ts]
          for s, ts in fig7_metrics(2).items()}  # a 5-step run of 0.7 s: smoke scale on a loaded machine
    mt[FAST] = [t.assign(train_time_s=t["train_time_s"] * 10, time_s=t["time_s"] * 10) for t in mt[FAST]]
    checks = [w for _, w in speedup.consistency(mt, 2, per_z_of(mt[BASE][0]), (1, 10))]
    assert "one critic update per iteration trains faster than five" not in checks and len(checks) == 6
