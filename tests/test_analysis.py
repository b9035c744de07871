"""Statistics over runs: correlations with bootstrap intervals, the two-cluster split."""

import numpy as np
import pytest
from scipy import stats

from gancond.analysis import mean_difference, mean_std, rank_correlation, two_clusters


def test_spearman_matches_scipy_and_interval_contains_it():
    rng = np.random.default_rng(1)
    x = rng.normal(size=12)
    y = -x + 0.3 * rng.normal(size=12)
    c = rank_correlation(x, y, n_boot=500)
    assert c.value == pytest.approx(stats.spearmanr(x, y)[0])
    assert c.low <= c.value <= c.high and c.high < 0 and c.n == 12
    assert "ρ = " in str(c)


def test_perfect_rank_agreement_has_degenerate_interval():
    c = rank_correlation([1, 2, 3, 4, 5], [10, 20, 30, 40, 50], n_boot=200)
    assert c.value == pytest.approx(1.0) and c.low == pytest.approx(1.0)


def test_pearson_and_bad_input():
    assert rank_correlation([1, 2, 3, 5], [2, 4, 6, 10], method="pearson").value == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 3"):
        rank_correlation([1, 2], [1, 2])
    with pytest.raises(ValueError, match="method"):
        rank_correlation([1, 2, 3], [1, 2, 3], method="kendall")
    with pytest.raises(ValueError, match="same length"):
        rank_correlation([1, 2, 3], [1, 2])


def test_two_clusters_like_figure_1():
    final = [12.1, 19.5, 12.8, 18.9, 13.4, 20.2, 12.5, 19.1, 13.0, 18.4]
    c = two_clusters(final)
    assert c.split and c.low == [0, 2, 4, 6, 8] and c.high == [1, 3, 5, 7, 9]
    assert 13.4 < c.threshold < 18.4


def test_one_band_is_not_a_split():
    c = two_clusters([15.4, 15.7, 15.9, 16.0, 16.3])
    assert not c.split


def test_a_single_outlier_is_not_a_cluster():
    # the book-scale runs: four close together, one 0.5 above; the gap beats the spread
    c = two_clusters([15.65, 15.84, 15.86, 15.94, 16.45])
    assert c.gap > c.spread and c.high == [4] and not c.split
    assert two_clusters([15.65, 15.84, 15.86, 15.94, 16.45], min_size=1).split


def test_mean_std():
    assert mean_std([1.0, 3.0]) == (2.0, pytest.approx(np.sqrt(2)))
    m, s = mean_std([4.0])
    assert m == 4.0 and np.isnan(s)


def test_mean_difference_interval():
    a = [1.0, 1.1, 0.9, 1.05, 0.95]
    b = [2.0, 2.1, 1.9, 2.05, 1.95]
    d = mean_difference(a, b, n_boot=500)
    assert d.value == pytest.approx(1.0) and 0.8 < d.low < 1.0 < d.high < 1.2
    noisy = mean_difference([0.0, 2.0, -1.0, 1.0], [0.5, 1.5, -0.5, 0.0], n_boot=500)
    assert noisy.low < 0 < noisy.high  # no clear difference: the interval straddles zero
    with pytest.raises(ValueError, match="at least 2 runs"):
        mean_difference([1.0], [2.0, 3.0])


def test_two_clusters_of_one_run_is_no_split():
    c = two_clusters([15.0])
    assert not c.split and c.low == [0] and c.high == []
    with pytest.raises(ValueError):
        two_clusters([])
