"""The pre-registered decision rules (gancond.claims): known answers and pinned thresholds."""

import math

import numpy as np
import pytest

from gancond import claims
from gancond.claims import cluster_changes, dose_levels, early_fraction, sd_ratio, top_k_overlap


def test_thresholds_are_the_registered_ones():
    # these numbers were committed before the runs they judge; changing them needs a new issue
    assert (claims.ALPHA, claims.TOP_K, claims.EARLY_LEVEL, claims.EARLY_FRACTION, claims.MAX_ILL_FRACTION, claims.MIN_RISE) == \
        (0.05, 4, 0.9, 0.25, 0.1, 1.0)
    assert claims.DOSE_FRACTIONS == (1.0, 0.5, 0.25) and (claims.LEVEL, claims.N_BOOT) == (0.95, 2000)


def test_top_k_overlap_paper_case_and_chance():
    cond = np.arange(10.0)  # run 0 best conditioned
    fd = np.arange(10.0)  # run 0 lowest distance: perfect agreement
    o = top_k_overlap(cond, fd, k=4, higher_is_better=False)
    assert (o.overlap, o.k, o.n) == (4, 4, 10)
    assert o.p_chance == pytest.approx(1 / math.comb(10, 4))  # the paper's 4-of-4 among 10: p = 1/210
    assert o.reproduced
    # reversed ranking: no overlap, probability 1
    o = top_k_overlap(cond, -fd, k=4, higher_is_better=False)
    assert o.overlap == 0 and o.p_chance == pytest.approx(1.0) and not o.reproduced
    # scores: higher is better
    assert top_k_overlap(cond, -fd, k=3, higher_is_better=True).overlap == 3
    # 2 of 4: P(X >= 2) for hypergeom(10, 4, 4) = 1 - P(0) - P(1)
    q = np.array([0, 1, 8, 9, 2, 3, 4, 5, 6, 7.0])
    o = top_k_overlap(cond, q, k=4, higher_is_better=False)
    p0, p1 = math.comb(6, 4) / 210, 4 * math.comb(6, 3) / 210
    assert o.overlap == 2 and o.p_chance == pytest.approx(1 - p0 - p1)


def test_top_k_overlap_bad_input():
    with pytest.raises(ValueError, match="k must"):
        top_k_overlap([1, 2, 3], [1, 2, 3], k=3, higher_is_better=True)
    with pytest.raises(ValueError, match="1-D"):
        top_k_overlap([1, 2, 3], [1, 2], k=1, higher_is_better=True)


def test_early_fraction():
    steps = np.array([0, 100, 200, 300, 400])
    assert early_fraction(steps, [4, 15, 16, 16, 16]) == pytest.approx(0.25)  # 15 >= 0.9 * 16
    assert early_fraction(steps, [4, 5, 6, 7, 16]) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        early_fraction([0], [1])


def test_cluster_changes_finds_the_run_that_crossed():
    steps = np.array([0, 50, 100])
    traj = np.array([[4, 18, 19], [4, 18, 12], [4, 12, 12], [4, 12, 19.0]])
    assert cluster_changes(traj, steps, threshold=15) == [1, 3]
    assert cluster_changes(traj[:1], steps, threshold=15) == []


def test_sd_ratio_known_and_interval():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 40), rng.normal(0, 0.2, 40)
    r = sd_ratio(a, b)
    assert r.value == pytest.approx(b.std(ddof=1) / a.std(ddof=1))
    assert r.low < r.value < r.high < 1  # clearly smaller spread: interval below 1
    r2 = sd_ratio(a, rng.normal(0, 1, 40))
    assert r2.low < 1 < r2.high  # equal spreads: the interval straddles 1
    with pytest.raises(ValueError, match="no spread"):
        sd_ratio([1, 1, 1], [1, 2, 3])
    with pytest.raises(ValueError, match="at least 3"):
        sd_ratio([1, 2], [1, 2, 3])


def test_dose_levels():
    assert dose_levels(0.5, 8.0) == [(0.5, 8.0), (0.5, 4.0), (0.5, 2.0)]
    assert dose_levels(1.5, 6.0) == [(1.5, 6.0), (1.5, 3.0), (0.75, 1.5)]  # λ_min stays below λ_max
    for lo, hi in dose_levels(0.47, 6.38):
        assert 0 <= lo < hi
    with pytest.raises(ValueError):
        dose_levels(2.0, 1.0)


def _checks():
    from gancond.report import Checks

    return Checks("book")


def test_judge_ranking_on_two_clear_clusters():
    steps = np.array([0, 100, 200, 300, 400])
    good = [[4, 12, 12.5, 12.8, 13.0 + i * 0.1] for i in range(4)]
    bad = [[4, 14, 17, 18.5, 19.0 + i * 0.1] for i in range(5)]
    crosser = [[4, 18.5, 19, 15, 13.3]]  # ill-conditioned at mid-training, ends well conditioned
    traj = np.array(good + bad + crosser)
    lc = traj[:, -1]
    fd = 10 * lc  # distance rises with conditioning: perfect agreement
    r = claims.judge_ranking(steps, traj, fd, -fd)
    assert r.clusters.split and sorted(r.clusters.low) == [0, 1, 2, 3, 9]
    assert r.changes == [9]
    assert r.rho_fd.value == pytest.approx(1.0) and r.rho_score.value == pytest.approx(-1.0)
    assert r.overlap.k == 5 and r.overlap.overlap == 5 and r.overlap.reproduced
    assert r.early.tolist() == [0.25] * 4 + [0.75] * 5 + [0.25]  # first evaluation at 90% of the final value
    assert r.rise.min() > claims.MIN_RISE
    c = _checks()
    claims.record_ranking(c, r, "tfgan", len(lc))
    verdicts = {row["_claim"]: row["_verdict"] for row in c.rows}
    assert verdicts["final conditioning falls into two clusters (Fig. 1)"] == "reproduced"
    assert verdicts["a run changes cluster during training (Fig. 1's dark purple run)"] == "reproduced"
    assert verdicts["better conditioning goes with a lower Fréchet distance (Spearman ρ)"] == "reproduced"


def test_judge_ranking_one_band_leaves_cluster_claims_untested():
    steps = np.array([0, 100, 200])
    traj = np.array([[4, 15, 16 + 0.1 * i] for i in range(6)])
    r = claims.judge_ranking(steps, traj, np.arange(6.0)[::-1], np.arange(6.0))
    assert not r.clusters.split and r.overlap.k == claims.TOP_K
    c = _checks()
    claims.record_ranking(c, r, "radford", 6)
    v = {row["_claim"]: row["_verdict"] for row in c.rows}
    assert v["final conditioning falls into two clusters (Fig. 1)"] == "not reproduced"
    assert v["a run changes cluster during training (Fig. 1's dark purple run)"] == "not tested"
    assert v["better conditioning goes with a lower Fréchet distance (Spearman ρ)"] == "contradicted"  # ρ = −1 excludes +0.45


def test_judge_clamping_rules():
    from gancond.analysis import two_clusters

    rng = np.random.default_rng(0)
    plain = {"log_cond": np.r_[rng.normal(13, 0.3, 5), rng.normal(19, 0.3, 5)],
             "frechet": np.r_[rng.normal(10, 1, 5), rng.normal(40, 5, 5)],
             "score": np.r_[rng.normal(9, 0.1, 5), rng.normal(7, 0.5, 5)]}
    clamped = {"log_cond": rng.normal(12, 0.2, 10), "frechet": rng.normal(7, 0.5, 10), "score": rng.normal(9.3, 0.05, 10)}
    cl = two_clusters(plain["log_cond"], min_gap=claims.MIN_GAP)
    c = claims.judge_clamping(plain, clamped, cl)
    assert c.d_log_cond.high < 0 and c.d_frechet.high < 0 and c.d_score.low > 0
    assert c.sd_frechet.high < 1 and c.n_ill == 0 and c.reach[0] <= c.reach[1]
    ch = _checks()
    claims.record_clamping(ch, c, "paper λ", "tfgan")
    assert all(row["_verdict"] == "reproduced" for row in ch.rows)
    assert c.beat == (1.0, 1.0, 1.0) and c.good == (1.0, 1.0, 1.0) and c.good_null == 0.5
    # a clamp that does nothing: no claim reproduces; the two with a size exclude MNIST's "all 10"
    c2 = claims.judge_clamping(plain, plain, cl)
    ch2 = _checks()
    claims.record_clamping(ch2, c2, "paper λ", "tfgan")
    assert [row["_verdict"] for row in ch2.rows] == ["not reproduced"] * 5 + ["contradicted"] * 2 + ["not reproduced"]
    # CIFAR-10's "9 of 10" beat the median: 5 of 10, interval [10%, 90%], holds it
    ch3 = _checks()
    claims.record_clamping(ch3, c2, "paper λ", "tfgan", dataset="cifar10")
    assert [row["_verdict"] for row in ch3.rows][5:7] == ["inconclusive", "contradicted"]


def test_judge_dose_rank_preserving_infinity():
    dose = np.array([np.inf] * 4 + [8.0] * 4 + [2.0] * 4)
    lc = np.r_[np.full(4, 18.0), np.full(4, 15.0), np.full(4, 12.0)] + np.arange(12) * 0.01
    fd = lc * 2
    d = claims.judge_dose(dose, lc, fd, lc, fd)
    assert d.rho_dose_log_cond.value > 0.8 and d.rho_dose_frechet.low > 0 and d.rho_pooled.value == pytest.approx(1.0)
    ch = _checks()
    claims.record_dose(ch, d, "tfgan")
    assert [row["_verdict"] for row in ch.rows] == ["reproduced"] * 3


def test_collapse_is_measured_above_the_floor_and_against_the_own_peak():
    assert claims.collapsed([1, 3, 4, 1.5], target=4)  # rose to 4, fell to 1.5: keeps 1/6 of its height
    assert not claims.collapsed([1, 3, 4, 3.5], target=4)
    assert claims.collapsed([1, 1.2, 1.3, 1.3], target=5)  # never took off: 0.3 < 0.25 * 4
    assert not claims.collapsed([1, 1.5, 2.2, 2.1], target=4)  # 1.2 >= 0.25 * 3, keeps 1.1 of 1.2
    # the old rule (final < half the target) would call 2.1 of 4 "not collapsed" only by luck of the floor
    with pytest.raises(ValueError):
        claims.collapsed([], target=3)


def test_time_to_stay_uses_the_smoothed_curve_and_must_stay():
    t = np.array([0, 10, 20, 30, 40, 50.0])
    s = np.array([1, 5, 2, 5, 5, 5.0])  # touches 5 at t=10, dips, then stays
    assert claims.smoothed(s).tolist() == pytest.approx([1, 3, 8 / 3, 4, 4, 5])
    assert claims.time_to_stay(t, s, target=4.0) == 30.0
    assert claims.time_to_stay(t, s, target=5.0) == 50.0
    assert claims.time_to_stay(t, [1, 2, 3, 4, 3, 2], target=3.5) == float("inf")
    assert claims.time_to_stay(t, np.full(6, 9.0), target=3) == 0.0


def test_near_copy_share_and_uniform_quantile():
    import torch

    g = torch.Generator().manual_seed(0)
    copy = torch.zeros(1, 4, 4)
    others = torch.rand(50, 1, 4, 4, generator=g)  # typical distance to the copy: about 1/3
    samples = torch.cat([copy.expand(3, -1, -1, -1) + 0.01, torch.ones(1, 1, 4, 4)])
    share, radius = claims.near_copy_share(samples, copy, others)
    assert share == pytest.approx(0.75) and 0.2 < radius < 0.5
    q = claims.uniform_least_quantile(360)
    assert 20 <= q <= 30  # 36 per class when balanced; the least of ten is lower by chance
    assert claims.uniform_least_quantile(360, seed=0) == q
