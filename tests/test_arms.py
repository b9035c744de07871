"""The experiment chapters 1-4 share (gancond.arms): its arms, the calibrated band, bad input."""

import numpy as np
import pytest

from gancond.arms import PAPER_BAND, calibrated_band, load_arms, train_arms, training_q
from gancond.claims import dose_levels
from gancond.clamping import calibrate_lambdas


def test_train_arms_at_smoke_scale(smoke_arms, data_root):
    store, arms, (main, second, Scorer) = smoke_arms
    assert list(arms) == ["tfgan", "radford"]
    a, b = arms["tfgan"], arms["radford"]
    assert [len(v) for v in a.named().values()] == [3, 3, 3, 2, 2] and [len(v) for v in b.named().values()] == [2, 2]
    assert all(r.config["recipe"] == "tfgan" for v in a.named().values() for r in v)
    assert [r.config["seed"] for r in a.paper] == [r.config["seed"] for r in a.plain] == [0, 1, 2]
    assert all((r.config["lambda_min"], r.config["lambda_max"]) == PAPER_BAND and r.config["clamp"] for r in a.paper)
    # the band is the paper's procedure on the unclamped runs' training-time Q, rounded
    scores = {r.id: float(r.read_table("metrics")["score"].iloc[-1]) for r in a.plain}
    ref = calibrate_lambdas({r.id: training_q(r) for r in a.plain}, scores, good_fraction=0.5, coverage=0.9)
    assert a.band["lambda_min"] == round(ref["lambda_min"], 3) and a.band["lambda_max"] == round(ref["lambda_max"], 3)
    assert calibrated_band(a.plain) == a.band
    levels = dose_levels(a.band["lambda_min"], a.band["lambda_max"])
    assert all(r.config["lambda_max"] == levels[0][1] for r in a.calibrated)
    assert list(a.dose) == levels[1:]
    # asked again: everything comes from the store
    again = train_arms(main, second, store, Scorer(), progress=False, workers=1, root=data_root)
    assert [r.id for v in again["tfgan"].named().values() for r in v] == [r.id for v in a.named().values() for r in v]
    assert np.isfinite(training_q(a.plain[0])).all()


def test_bad_arms_input():
    with pytest.raises(ValueError, match="second_recipe"):
        load_arms(scale="smoke", recipe="tfgan", second_recipe="tfgan")
    with pytest.raises(ValueError, match="recipe"):
        load_arms(scale="smoke", recipe="sgd")
    with pytest.raises(ValueError, match="runs"):
        load_arms(scale="smoke", runs=-1)


def test_what_chapters_1_and_2_compute_from_the_arms(smoke_arms):
    from dataclasses import replace

    from gancond.arms import (Arms, clamping_line, clamping_rows, dose_points, judge_arms, judge_dose_points,
                              judge_ranking, ranking_lines, ranking_rows, require_clamping_data, require_ranking_data)
    from gancond.report import Checks

    _, arms, _ = smoke_arms
    verdicts = {rc: judge_ranking(a) for rc, a in arms.items()}
    lines = ranking_lines("tfgan", verdicts["tfgan"])
    assert lines[0].startswith("tfgan: largest gap") and lines[3].startswith("  top-k overlap:")
    # at ⅛ width J_z is singular (tests/test_resolution.py): shown, not judged, when float32 cannot resolve κ
    unresolved = verdicts["tfgan"].unresolved
    assert lines[4:] == ([f"  not judged: {unresolved}"] if unresolved else [])
    rows = ranking_rows(arms, verdicts, "tfgan", (1.0, 2.0), (3.0, 4.5), "const")
    assert all(len(r) == 3 for r in rows) and rows[-1] == ("scorer", "MNIST classifier (CIFAR/STL: Inception)", "const")
    assert len(rows) == 2 + 2 + 6 * 2 + 1  # runs per recipe, Fig. 2 rows, 6 per recipe, scorer
    assert ("log κ(M_z) at fixed z, end of training (Fig. 2)", "about 12 to 20 (MNIST)", "3.0 to 4.5 (tfgan)") in rows

    splits, judged = judge_arms(arms)
    assert set(splits) == {"tfgan", "radford"}
    assert set(judged) == {("tfgan", "paper λ"), ("tfgan", "calibrated λ"), ("radford", "paper λ")}
    assert clamping_line("tfgan", "paper λ", judged[("tfgan", "paper λ")]).startswith("tfgan, paper λ: Δ log κ ")
    pts = dose_points(arms)
    assert len(pts) == sum(len(v) for a in arms.values() for v in a.named().values())
    assert np.isinf(pts.loc[pts.arm == "unclamped", "lambda_max"]).all()
    assert (pts.loc[pts.arm != "unclamped", "lambda_max"] < np.inf).all()
    dose = judge_dose_points(pts, "tfgan")
    rows2 = clamping_rows(arms, judged, dose, "tfgan")
    assert len(rows2) == 3 + 6 * len(judged) + 3 and rows2[0][0] == "runs per arm"

    checks = Checks("smoke")
    require_ranking_data(checks, arms, "tfgan", "cifar10")  # the stand-in scorer's "scores" are not in [1, 10]
    require_clamping_data(checks, arms, "tfgan")
    assert all(r["result"] == "holds" for r in checks.rows) and len(checks.rows) == 2 * 2 + 1 + 4 * 2 + 2
    with pytest.raises(AssertionError, match=r"classifier scores lie in \[1, number of classes\]"):
        require_ranking_data(Checks("smoke"), arms, "tfgan", "mnist")  # on MNIST they must be
    # a clamped arm whose seeds differ from the unclamped runs' fails the chapter
    a = arms["radford"]
    bad = {"tfgan": arms["tfgan"], "radford": replace(a, paper=list(reversed(a.paper)))}
    with pytest.raises(AssertionError, match="share their seeds"):
        require_clamping_data(Checks("smoke"), bad, "tfgan")
    assert isinstance(bad["radford"], Arms)
