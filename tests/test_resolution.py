"""The resolution rule (gancond.resolution): a run stores whether its final log κ is a
measurement, and chapters 1, 2 and 4 leave every κ-level claim untested when it is not."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from gancond import claims
from gancond.analysis import two_clusters
from gancond.jacobian import precision_gap
from gancond.models import Generator
from gancond.report import Checks
from gancond.resolution import (RESOLVED_NAT, final_per_z, final_precision, kappa_summary, kappa_trajectories,
                                precision_table, unresolved_why)
from gancond.train import fixed_latents


class GapRun:
    """A run known only by its stored precision table (as in a bundle without generators)."""

    path = Path("/nonexistent-run")

    def __init__(self, gap):
        self._gap = gap

    def has(self, name):
        return name == "precision" and self._gap is not None

    def read_table(self, name):
        return pd.DataFrame({"z": [0, 1], "gap": [0.0, self._gap]})


def test_a_trained_run_stores_the_precision_of_its_final_log_kappa(smoke_arms):
    """The trainer writes ``precision`` when a run ends, from the final weights: equal to the
    table recomputed from the stored final generator, one row per evaluation z."""
    _, arms, _ = smoke_arms
    gaps = []
    for r in arms["tfgan"].plain + arms["tfgan"].paper:
        assert r.has("precision")
        stored = r.read_table("precision")
        assert list(stored["z"]) == list(range(r.config["n_eval_z"]))
        np.testing.assert_allclose(stored["gap"], precision_table(r)["gap"], rtol=0, atol=1e-9, equal_nan=True)
        gaps.append(final_precision(r))
        assert gaps[-1] == (math.inf if stored["gap"].isna().any() else pytest.approx(stored["gap"].max()))
    s = kappa_summary(arms["tfgan"].plain)  # the per-z rule on these runs (issue 27)
    ok = np.stack([final_per_z(r)[1] for r in arms["tfgan"].plain])
    assert s.common.tolist() == ok.all(axis=0).tolist()
    assert unresolved_why(arms["tfgan"].plain) == s.why and (s.why == "") == (ok.all(axis=0).sum() >= ok.shape[1] / 2)


def test_a_quarter_width_generator_is_resolved_and_an_eighth_width_one_is_not():
    """Why the smoke scale's κ claims are not tested: at ⅛ width G's first layer has 128 ReLUs,
    about half of them active at a z, so J_z has rank near or below n_z = 64 and κ is infinite
    (float32 reads about 35-40 nats); the book's ¼ width resolves κ at initialisation."""
    torch.manual_seed(0)
    z = fixed_latents(64, 8, 0, 0)
    assert float(precision_gap(Generator(28, 64, 0.25), z).max()) < 1e-3
    assert int((precision_gap(Generator(28, 64, 0.125), z) > 10).sum()) >= 4


class PZRun:
    """A run known by its tables: final per-z log κ ``lc`` at step 10 (step 0: all 1.0), the
    logged mean, and the per-z precision gaps (None: no precision table stored)."""

    path = Path("/nonexistent-run")

    def __init__(self, lc, gap=None):
        self.lc, self.gap = [float(v) for v in lc], gap

    def has(self, name):
        return name in ("per_z", "metrics") or (name == "precision" and self.gap is not None)

    def read_table(self, name):
        n = len(self.lc)
        if name == "per_z":
            return pd.DataFrame({"step": [0] * n + [10] * n, "z": [*range(n), *range(n)], "log_cond": [1.0] * n + self.lc})
        if name == "metrics":
            return pd.DataFrame({"step": [0, 10], "mean_log_cond": [1.0, float(np.mean(self.lc))]})
        return pd.DataFrame({"z": range(n), "gap": self.gap})


def test_the_per_z_rule_reads_the_z_resolved_in_every_run():
    a = PZRun([10.0, 11.0, 12.0, 40.0], [0.0, 0.0, 0.0, 30.0])  # z 3 singular
    b = PZRun([13.0, 14.0, 39.0, 16.0], [0.0, 0.01, 25.0, 0.0])  # z 2 singular
    s = kappa_summary([a, b])
    assert s.tested and s.common.tolist() == [True, True, False, False]
    assert s.values.tolist() == [10.5, 13.5] and unresolved_why([a, b]) == ""
    steps, traj = kappa_trajectories([a, b], s.common)
    assert steps.tolist() == [0, 10] and traj.tolist() == [[1.0, 10.5], [1.0, 13.5]]
    c = PZRun([1.0, 2.0, 3.0, 4.0], [float("nan"), 0.0, 0.0, 0.0])  # singular in both dtypes at z 0
    why = unresolved_why([a, b, c])
    assert why.startswith("log κ unresolved: resolved in every run at only 1 of 4 evaluation z") and "3 of 3 runs" in why


def test_with_every_z_resolved_the_logged_means_are_read_bit_for_bit():
    runs = [PZRun([10.1, 11.3, 12.7], [0.0, 0.0, 0.0]), PZRun([0.1, 0.2, 0.7])]  # the second stores no table
    s = kappa_summary(runs)
    assert s.common.all() and s.values.tolist() == [float(np.mean(r.lc)) for r in runs]
    assert kappa_trajectories(runs, s.common)[1][:, -1].tolist() == s.values.tolist()


STEPS = np.array([0, 100, 200, 300, 400])
TRAJ = np.array([[4, 12, 12.5, 12.8, 13.0 + i * 0.1] for i in range(4)] + [[4, 14, 17, 18.5, 19.0 + i * 0.1] for i in range(5)])


def _verdicts(record, *args, **kw):
    c = Checks("book")
    record(c, *args, **kw)
    return {row["_claim"]: (row["_verdict"], row["_measured"]) for row in c.rows}


def test_chapter_1_judges_nothing_on_an_unresolved_log_kappa():
    fd = 10 * TRAJ[:, -1]
    judged = _verdicts(claims.record_ranking, claims.judge_ranking(STEPS, TRAJ, fd, -fd), "tfgan", len(fd))
    assert judged[claims.SPLIT_CLAIM][0] == "reproduced" and judged[claims.RHO_FD_CLAIM][0] == "reproduced"
    why = "κ unresolved: 1 of 9 unclamped runs' final log κ differ"
    untested = _verdicts(claims.record_ranking, claims.judge_ranking(STEPS, TRAJ, fd, -fd, why), "tfgan", len(fd))
    assert untested.keys() == judged.keys() and len(untested) == 6
    assert all(v == ("not tested", why) for v in untested.values())


def test_chapter_2_keeps_the_kappa_free_clamping_claims():
    rng = np.random.default_rng(0)
    plain = {"log_cond": TRAJ[:, -1], "frechet": np.r_[rng.normal(10, 1, 4), rng.normal(40, 5, 5)],
             "score": np.r_[rng.normal(9, 0.1, 4), rng.normal(7, 0.5, 5)]}
    clamped = {"log_cond": rng.normal(12, 0.2, 9), "frechet": rng.normal(7, 0.5, 9), "score": rng.normal(9.3, 0.05, 9)}
    cl = two_clusters(plain["log_cond"], min_gap=claims.MIN_GAP)
    judged = _verdicts(claims.record_clamping, claims.judge_clamping(plain, clamped, cl), "paper λ", "tfgan")
    assert all(v[0] == "reproduced" for v in judged.values())
    why = "κ unresolved: 9 of 9"
    v = _verdicts(claims.record_clamping, claims.judge_clamping(plain, clamped, cl, why), "paper λ", "tfgan")
    assert v.keys() == judged.keys()
    kappa = {"clamping (paper λ) lowers the final mean log κ", "clamped runs (paper λ) avoid the ill-conditioned cluster",
             "clamped runs (paper λ) do as well as the best unclamped cluster"}
    assert kappa <= v.keys()
    for claim, (word, measured) in v.items():
        assert (word, measured == why) == (("not tested", True) if claim in kappa else ("reproduced", False)), claim


def test_chapter_4_leaves_r_untested_and_still_counts_empty_classes():
    lc, least = np.linspace(12, 20, 10), np.arange(10)[::-1]
    assert _verdicts(claims.record_modes, claims.judge_modes(lc, least), "tfgan")[claims.MODES_CLAIM][0] == "reproduced"
    v = _verdicts(claims.record_modes, claims.judge_modes(lc, least, "κ unresolved"), "tfgan")
    assert v[claims.MODES_CLAIM] == ("not tested", "κ unresolved")
    assert v[claims.ZERO_CLAIM][0] == "reproduced"  # one model has an empty class: κ-free, still judged


def test_scores_from_two_scorers_are_not_compared():
    fd = 10 * TRAJ[:, -1]
    why = "scored by 2 different networks"
    v = _verdicts(claims.record_ranking, claims.judge_ranking(STEPS, TRAJ, fd, -fd, scorer_why=why), "tfgan", len(fd))
    assert v[claims.SPLIT_CLAIM][0] == "reproduced"  # κ alone: still judged
    for c in (claims.RHO_FD_CLAIM, claims.RHO_SCORE_CLAIM, claims.OVERLAP_CLAIM):
        assert v[c] == ("not tested", why)
    lc, least = np.linspace(12, 20, 10), np.arange(10)[::-1]
    assert _verdicts(claims.record_modes, claims.judge_modes(lc, least, scorer_why=why), "tfgan")[claims.MODES_CLAIM] == \
        ("not tested", why)


class ZRun(GapRun):
    """A run whose precision table has the given per-z gaps (None: no table stored)."""

    def read_table(self, name):
        return pd.DataFrame({"z": range(len(self._gap)), "gap": self._gap})


def test_resolution_table_counts_unresolved_z_per_run_and_arm():
    from gancond.resolution import resolution_table, unresolved_z

    ok, some, nan = ZRun([0.0, 0.01, 0.0]), ZRun([0.0, RESOLVED_NAT, 30.0]), ZRun([float("nan"), 0.0, 0.0])
    assert unresolved_z(ok) == (0, 3) and unresolved_z(some) == (2, 3) and unresolved_z(nan) == (1, 3)
    assert unresolved_z(ZRun(None)) is None
    t = resolution_table({"long": {"unclamped": [ok, some, nan], "paper": [ZRun(None)]}, "book": {"unclamped": [ok]}})
    assert t.to_dict("records") == [
        {"rung": "long", "arm": "unclamped", "runs": 3, "unresolved runs": "2 of 3", "unresolved z per run": "0–2 of 3"},
        {"rung": "long", "arm": "paper", "runs": 1, "unresolved runs": "not stored", "unresolved z per run": "not stored"},
        {"rung": "book", "arm": "unclamped", "runs": 1, "unresolved runs": "0 of 1", "unresolved z per run": "0–0 of 3"},
    ]
