"""The three-way verdicts of issue 18 (gancond.claims.three_way and the claims that carry a size)."""

import numpy as np
import pytest

from gancond import claims
from gancond.analysis import two_clusters
from gancond.report import MARKS, VERDICTS, Checks

UP = claims.Effect(0.45, 0.0, "a positive effect")
DOWN = claims.Effect(-0.86, 0.0, "a negative effect")


@pytest.mark.parametrize("low, high, effect, word", [
    (0.10, 0.90, UP, "reproduced"),        # excludes 0 on the paper's side
    (0.60, 0.90, UP, "reproduced"),        # ... even when it also excludes the paper's value (weaker/stronger)
    (-0.49, 0.81, UP, "inconclusive"),     # holds 0 and +0.45 (chapter 1's ρ at book scale)
    (-0.50, 0.30, UP, "contradicted"),     # holds 0, excludes +0.45
    (-0.90, -0.10, UP, "contradicted"),    # significantly of the opposite sign
    (-0.74, 0.67, DOWN, "contradicted"),   # chapter 4's r at book scale: −0.86 lies outside
    (-0.95, 0.10, DOWN, "inconclusive"),
    (-0.99, -0.20, DOWN, "reproduced"),
    (0.0, 0.0, UP, "contradicted"),        # exactly no effect, with no spread
    (float("nan"), 0.5, UP, "not tested"),
])
def test_three_way_hits_every_verdict(low, high, effect, word):
    assert claims.three_way(low, high, effect) == word


def test_three_way_with_infinite_ends_and_a_null_other_than_zero():
    e = claims.EFFECTS["speedup"]  # 0.5 against no speed-up 1
    assert e.direction == -1
    assert claims.three_way(0.3, 0.9, e) == "reproduced"
    assert claims.three_way(0.4, float("inf"), e) == "inconclusive"
    assert claims.three_way(float("inf"), float("inf"), e) == "contradicted"


def test_bad_effects_and_intervals_are_refused():
    with pytest.raises(ValueError, match="value != null"):
        claims.Effect(0.0, 0.0, "no effect")
    with pytest.raises(ValueError, match="finite"):
        claims.Effect(float("nan"), 0.0, "x")
    with pytest.raises(ValueError, match="low <= high"):
        claims.three_way(0.5, 0.1, UP)


def test_every_sized_claim_names_its_source():
    for key, e in claims.EFFECTS.items():
        assert "Sec." in e.source and e.value != e.null, key
    assert claims.PAPER_RHO == pytest.approx(0.4545, abs=1e-4)


def test_paper_rho_is_the_smallest_rho_of_a_perfect_top4_split():
    """Brute force over within-group orders: the least Spearman ρ of 10 runs whose 4 lowest on one
    quantity are the 4 lowest on the other."""
    from itertools import permutations

    from scipy import stats

    x = np.arange(10)
    worst = min(stats.spearmanr(x, list(a) + list(b))[0]
                for a in permutations(range(4)) for b in permutations(range(4, 10)))
    assert worst == pytest.approx(claims.PAPER_RHO)


def test_effect_text_says_where_the_paper_lies():
    assert "inside the interval" in claims.effect_text(-0.95, 0.1, DOWN)
    assert "weaker" in claims.effect_text(-0.5, -0.2, DOWN)
    assert "stronger" in claims.effect_text(-0.99, -0.95, DOWN)


def test_share_interval_and_beat_median():
    plain, clamped = np.arange(10.0), np.arange(10.0) - 100  # every clamped run beats the median
    assert claims.beat_median(plain, clamped) == 1.0
    assert claims.share_interval(claims.beat_median, plain, clamped) == (1.0, 1.0, 1.0)
    v, lo, hi = claims.share_interval(claims.beat_median, plain, plain)
    assert v == 0.5 and lo < 0.5 < hi
    assert np.isnan(claims.median_ratio([np.inf, np.inf], [1.0, 1.0])) and claims.median_ratio([2.0], [1.0]) == 0.5


def test_two_clusters_need_the_gap_of_fig1():
    close = [15.0, 15.01, 15.02, 15.5, 15.51, 15.52]  # the gap beats the ranges, not the size of Fig. 1
    assert two_clusters(close).split and not two_clusters(close, min_gap=claims.MIN_GAP).split
    far = [12.5, 13.0, 13.5, 18.5, 19.0, 19.5]
    assert two_clusters(far, min_gap=claims.MIN_GAP).split


def test_checks_record_and_summarise_every_verdict():
    c = Checks("book")
    for w in VERDICTS:
        c.verdict(w, f"claim {w}", "numbers")
    assert c.counts() == dict.fromkeys(VERDICTS, 1)
    assert c.not_reproduced == ["claim contradicted", "claim not reproduced"]
    s = c.summary()
    assert s.startswith("1 of 4 of the paper's claims tested at book scale reproduced.")
    for lead in ("Contradicted", "Inconclusive", "Did not reproduce: claim not reproduced", "Not tested: claim not tested"):
        assert lead in s
    html = c.scoreboard("ch", "x.html")
    assert all(MARKS[w] in html for w in VERDICTS)
    with pytest.raises(ValueError, match="verdict must be one of"):
        c.verdict("maybe", "claim", "numbers")


def test_ranking_rho_is_judged_three_way():
    steps = np.array([0, 100, 200])
    lc = np.array([15.0, 15.5, 16.0, 16.5, 17.0, 17.5, 18.0, 18.5, 19.0, 19.5])
    traj = np.stack([np.full(10, 4.0), lc - 1, lc], axis=1)
    rng = np.random.default_rng(1)
    r = claims.judge_ranking(steps, traj, rng.normal(size=10), rng.normal(size=10))  # unrelated: wide interval
    c = Checks("book")
    claims.record_ranking(c, r, "tfgan", 10)
    v = {row["_claim"]: row["_verdict"] for row in c.rows}
    word = claims.three_way(r.rho_fd.low, r.rho_fd.high, claims.EFFECTS["rho_fd"])
    assert v["better conditioning goes with a lower Fréchet distance (Spearman ρ)"] == word != "reproduced"
