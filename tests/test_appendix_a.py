"""The Appendix-A measures (gancond.measures) and the rules that judge them (gancond.appendix_a, issue 27)."""

import math

import numpy as np
import pytest
import torch

from gancond.appendix_a import MIN_COMMON_Z, appendix_a_verdict, directional, summarize
from gancond.jacobian import log_cond_M
from gancond.measures import MEASURES, effective_rank, log_cond_half, middle_index, rank_tolerance, resolved


def test_rules_are_pinned():
    assert MIN_COMMON_Z == 0.5
    assert {k: s for k, (s, _) in MEASURES.items()} == {"log_cond_half": +1, "effective_rank": -1}
    assert [middle_index(n) for n in (1, 2, 63, 64, 100)] == [1, 1, 32, 32, 50]


def test_log_cond_half_reads_sigma_1_and_the_median():
    sv = torch.tensor([[8.0, 4.0, 2.0, 1.0], [1.0, 2.0, 4.0, 8.0]])  # any order
    assert torch.allclose(log_cond_half(sv), torch.full((2,), 2 * math.log(8 / 4), dtype=torch.float64))
    singular = torch.tensor([[3.0, 2.0, 1.0, 0.0]])  # κ infinite, κ½ finite
    assert math.isinf(float(log_cond_M(singular.double())[0]))
    assert float(log_cond_half(singular)[0]) == pytest.approx(2 * math.log(3 / 2))
    assert math.isinf(float(log_cond_half(torch.tensor([[1.0, 0.0, 0.0, 0.0]]))[0]))


def test_effective_rank_runs_from_one_to_n_z():
    assert float(effective_rank(torch.ones(1, 64))[0]) == pytest.approx(64.0)
    assert float(effective_rank(torch.tensor([[5.0, 0.0, 0.0]]))[0]) == pytest.approx(1.0)
    two = torch.tensor([[1.0, 1.0, 0.0, 0.0]])
    assert float(effective_rank(two)[0]) == pytest.approx(2.0)
    # a better-conditioned spectrum has a larger effective rank
    assert float(effective_rank(torch.tensor([[2.0, 1.0, 1.0]]))[0]) > float(effective_rank(torch.tensor([[4.0, 1.0, 1.0]]))[0])


def test_resolution_uses_the_float64_rank_tolerance():
    sv = torch.tensor([[1.0, 1e-3, 1e-20, 0.0], [1.0, 1e-15, 1e-16, 0.0]], dtype=torch.float64)
    tol = rank_tolerance(sv, 784)
    assert float(tol[0]) == pytest.approx(784 * np.finfo(np.float64).eps)
    assert resolved(sv, 784, "log_cond_half").tolist() == [True, False]  # σ_2 = 1e-3 vs 1e-15 against ~1.7e-13
    assert resolved(sv, 784, "effective_rank").tolist() == [True, True]
    with pytest.raises(ValueError, match="measure"):
        resolved(sv, 784, "log_det")
    with pytest.raises(ValueError, match="non-negative"):
        log_cond_half(torch.tensor([[1.0, -1.0]]))
    with pytest.raises(ValueError, match="2-D"):
        effective_rank(torch.ones(3))


def test_per_z_rule_reads_the_z_resolved_in_every_run():
    v = np.array([[1.0, 2.0, np.inf, 4.0], [3.0, np.nan, 5.0, 7.0]])
    ok = np.isfinite(v)
    s = summarize(v, ok)  # z 0 and 3 resolved in both: 2 of 4 = 50%, enough
    assert s.tested and s.n_common == 2
    assert s.values.tolist() == [2.5, 5.0]
    ok[0, 3] = False  # now only z 0: 25%
    s = summarize(v, ok)
    assert not s.tested and np.isnan(s.values).all() and "1 of 4" in s.why
    full = summarize(v[:, [0, 3]], np.ones((2, 2), bool))
    assert full.values.tolist() == [2.5, 5.0]  # every z resolved: the plain mean


def test_directional_verdicts():
    assert directional(0.1, 0.9, +1) == "reproduced"
    assert directional(-0.9, -0.1, +1) == "contradicted"
    assert directional(-0.5, 0.5, +1) == "not reproduced"
    assert directional(-0.9, -0.1, -1) == "reproduced"
    assert directional(float("nan"), 0.1, -1) == "not tested"
    with pytest.raises(ValueError):
        directional(0.0, 1.0, 0)


def test_appendix_a_prediction_needs_both_measures_and_both_scores():
    good = ((0.2, 0.8), (-0.8, -0.2))
    assert appendix_a_verdict([good, good]) == "reproduced"
    assert appendix_a_verdict([good, ((-0.3, 0.6), (-0.8, -0.2))]) == "not reproduced"
    assert appendix_a_verdict([good, ((0.2, 0.8), (0.1, 0.5))]) == "contradicted"
    assert appendix_a_verdict([good, None]) == "not tested"
    assert appendix_a_verdict([]) == "not tested"
