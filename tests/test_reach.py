"""The reach ladder's statistics, verdicts, movement rule, paragraph and figure (gancond.reach)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gancond import claims, plots, reach
from gancond.arms import Arms


class FakeRun:
    """What the reach statistics read of a run: its final metrics, class counts and config."""

    path = Path("/nonexistent-run")  # no final checkpoint: the precision comes from the table or nowhere

    def __init__(self, lc, fd, least=36, lambda_max=None, gap=None):
        self.config = {"lambda_max": lambda_max if lambda_max is not None else 20.0, "clamp": lambda_max is not None}
        self._gap = gap  # the largest float32-float64 gap of its final log κ (None: not known)
        self._metrics = pd.DataFrame({"step": [0, 100], "mean_log_cond": [4.0, lc], "frechet": [50.0, fd],
                                      "score": [1.0, 9.0]})
        counts = [least] + [(360 - least) // 9] * 8 + [360 - least - 8 * ((360 - least) // 9)]
        self._counts = pd.DataFrame({"step": 100, "class": range(10), "count": counts})

        self._per_z = pd.DataFrame({"step": [0, 0, 100, 100], "z": [0, 1, 0, 1], "log_cond": [4.0, 4.0, lc, lc]})

    def has(self, name):
        return name in ("metrics", "per_z", "class_counts") or (name == "precision" and self._gap is not None)

    def read_table(self, name):
        if name == "precision":  # a pair: the gaps at both z; a number: the gap at z 1 (z 0 resolved)
            return pd.DataFrame({"z": [0, 1], "gap": list(self._gap) if isinstance(self._gap, tuple) else [0.0, self._gap]})
        return {"metrics": self._metrics, "class_counts": self._counts, "per_z": self._per_z}[name]


def arms(lc, fd, least=None, cal_fd=None, cal_lambda=5.0):
    least = least if least is not None else [36] * len(lc)
    plain = [FakeRun(a, b, c) for a, b, c in zip(lc, fd, least)]
    cal = [FakeRun(10.0, f, 36, cal_lambda) for f in (cal_fd if cal_fd is not None else [])]
    return Arms(exp=None, plain=plain, paper=[], band={"lambda_min": 0.5, "lambda_max": cal_lambda}, calibrated=cal)


RNG = np.random.default_rng(0)
LC = np.linspace(15, 20, 10)


def test_statistics_of_a_rung_like_the_paper():
    a = arms(np.r_[np.linspace(12, 14, 5), np.linspace(18, 20, 5)], fd=np.r_[np.linspace(8, 10, 5), np.linspace(30, 40, 5)],
             least=[36, 35, 34, 33, 32, 5, 4, 3, 1, 0], cal_fd=np.linspace(6, 9, 10))
    s = {x.key: x for x in reach.rung_statistics("long", a)}
    assert s["gap"].value == pytest.approx(4.0) and s["gap"].verdict == "reproduced"
    assert s["rho_fd"].verdict == "reproduced" and s["rho_fd"].paper == pytest.approx(claims.PAPER_RHO)
    assert s["r_modes"].verdict == "reproduced" and s["r_modes"].value < -0.8
    assert s["d_fd"].verdict == "reproduced" and s["d_fd"].paper is None
    assert s["dose"].verdict == "reproduced" and s["dose"].n == 20  # tighter clamp (5 < ∞), lower distance


def test_a_rung_unlike_the_paper_and_one_too_small():
    a = arms(LC, fd=RNG.normal(20, 1, 10)[::-1], cal_fd=RNG.normal(25, 1, 10))  # clamping makes it worse
    s = {x.key: x for x in reach.rung_statistics("book", a)}
    assert s["gap"].verdict == "not reproduced" and s["d_fd"].verdict == "not reproduced"
    assert s["dose"].verdict == "not reproduced"
    small = {x.key: x for x in reach.rung_statistics("wide", arms(LC[:2], [1.0, 2.0]))}
    assert {k: v.verdict for k, v in small.items()} == dict.fromkeys(
        ["gap", "rho_fd", "r_modes", "d_fd", "dose", "rho_fd_log_cond_half", "rho_fd_effective_rank", "appendix_a"],
        "not tested")
    assert small["appendix_a"].why.startswith("no spectra stored")  # these fakes store none
    cifar = {x.key for x in reach.rung_statistics("cifar10", a, dataset="cifar10")}
    assert "r_modes" not in cifar  # the paper's r is MNIST's


def _table(verdicts: dict) -> pd.DataFrame:
    rows = []
    for rung, v in verdicts.items():
        for key in reach.STATISTICS:
            rows.append(dict(rung=rung, key=key, value=0.1, low=-0.1, high=0.3, paper=0.45, null=0.0, verdict=v, n=10))
    return pd.DataFrame(rows)


def test_movement_rule_orders_the_verdicts():
    t = _table({"book": "contradicted", "long": "inconclusive", "wide": "contradicted", "cifar10": "reproduced"})
    mv = reach.movement(t)
    assert mv["rho_fd"] == {"long": "toward the paper", "wide": "does not move"}  # CIFAR-10 is not a later MNIST rung
    t2 = _table({"book": "reproduced", "long": "not reproduced"})
    assert reach.movement(t2)["d_fd"] == {"long": "away from the paper"}
    t3 = _table({"book": "not tested", "long": "reproduced"})
    assert reach.movement(t3)["gap"] == {"long": "not judged"}


def test_paragraph_says_whether_reach_moved_anything():
    p = reach.reach_paragraph(_table({"book": "contradicted", "long": "inconclusive"}))
    assert p.startswith("More reach moved ") and "(long)" in p
    p = reach.reach_paragraph(_table({"book": "contradicted", "long": "contradicted", "wide": "contradicted"}))
    assert p.startswith("Longer and wider training moved none of the claims' verdicts toward the paper.")
    p = reach.reach_paragraph(_table({"book": "contradicted"}))
    assert p.startswith("Only the book rung is here")
    assert reach.reach_paragraph(_table({})) == "No rung has runs yet."


def test_reach_table_and_figure():
    t = reach.reach_table({"book": (arms(LC, RNG.normal(20, 1, 10), cal_fd=RNG.normal(25, 1, 10)), "mnist"),
                           "cifar10": (arms(LC, RNG.normal(20, 1, 10), cal_fd=RNG.normal(18, 1, 10)), "cifar10")})
    assert list(t["rung"].unique()) == ["book", "cifar10"] and len(t) == (5 + 3) + (4 + 3)  # + Appendix A (issue 27)
    fig = plots.reach_figure(t, reach.STATISTICS, {"cifar10": "CIFAR-10"})
    assert sum(ax.get_visible() for ax in fig.axes) == len(reach.STATISTICS)  # two to a row: the rest hidden
    plots.plt.close(fig)


def test_unresolved_log_kappa_leaves_the_kappa_statistics_untested():
    """The resolution rule with the per-z rule (issue 27): one unclamped run whose final log κ is
    float32's floor (gap 39 nats) at both of its z makes gap, ρ and r "not tested", with the
    reason; at one of two z, the other (resolved in every run) is read; Δ FD and dose do not
    use κ and stay judged."""
    lc, fd = np.r_[np.linspace(12, 14, 5), np.linspace(18, 20, 5)], np.r_[np.linspace(8, 10, 5), np.linspace(30, 40, 5)]
    least = [36, 35, 34, 33, 32, 5, 4, 3, 1, 0]

    def rung(gaps):
        a = arms(lc, fd, least=least, cal_fd=np.linspace(6, 9, 10))
        a.plain = [FakeRun(x, y, c, gap=g) for x, y, c, g in zip(lc, fd, least, gaps)]
        return {x.key: x for x in reach.rung_statistics("long", a)}

    resolved = rung([0.01] * 10)  # within RESOLVED_NAT: judged as without the rule
    assert resolved["rho_fd"].verdict == "reproduced" and resolved["gap"].verdict == "reproduced"
    half = rung([0.01] * 9 + [39.0])  # z 1 unresolved in one run: z 0 is half of the z, enough
    assert half["rho_fd"].verdict == "reproduced" and half["gap"].verdict == "reproduced"
    s = rung([0.01] * 9 + [(39.0, 39.0)])
    for key in ("gap", "rho_fd", "r_modes"):
        assert s[key].verdict == "not tested" and "resolved in every run at only 0 of 2" in s[key].why
        assert "κ unresolved" in reach.stat_text(pd.Series(s[key].__dict__))
    assert s["d_fd"].verdict == "reproduced" and s["dose"].verdict == "reproduced"
    assert reach.final_precision(FakeRun(1.0, 1.0, gap=float("nan"))) == float("inf")
    assert reach.final_precision(FakeRun(1.0, 1.0)) is None  # neither a table nor a generator


def test_the_first_page_sentence_names_the_rungs_that_resolve_kappa():
    rows = [dict(rung="book", key="rho_fd", value=np.nan, low=np.nan, high=np.nan, paper=0.45, null=0.0,
                 verdict="not tested", n=10, why="log κ unresolved: resolved in every run at only 3 of 32 evaluation z"),
            dict(rung="full", key="rho_fd", value=-0.2, low=-0.7, high=0.4, paper=0.45, null=0.0,
                 verdict="inconclusive", n=10, why="")]
    s = reach.resolution_sentence(pd.DataFrame(rows))
    assert s.startswith("κ is resolved on full; not on book") and "full inconclusive (-0.20 [-0.70, +0.40])" in s
    assert reach.resolution_sentence(pd.DataFrame(rows[:1])).startswith("No rung resolves κ (book")


def test_the_paragraph_is_at_most_six_sentences_one_per_family():
    """Issue 29: the paragraph under the reach figure names, per statistic family, the rungs of
    each verdict in one sentence; the per-rung numbers stay in the table."""
    import re

    verdicts = {"book": "not tested", "long": "not tested", "wide": "contradicted", "full": "inconclusive",
                "cifar10": "contradicted"}
    rows = [dict(rung=r, key=k, value=0.1, low=-0.1, high=0.3, paper=0.45, null=0.0, verdict=v, n=10, why="")
            for r, v in verdicts.items() for k in [*reach.STATISTICS, *reach.PREDICTIONS]]
    p = reach.reach_paragraph(pd.DataFrame(rows))
    sentences = re.findall(r"[^.]+\.(?:\s|$)", p)
    assert len(sentences) <= 1 + len(reach.FAMILIES) <= 6
    assert "contradicted on wide, cifar10" in p and "+0.10" not in p  # verdicts by rung, no numbers
