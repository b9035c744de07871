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
