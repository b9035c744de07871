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
