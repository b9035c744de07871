"""The missing-modes test (gancond.modes) and its rule (gancond.claims.judge_modes / record_modes)."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from gancond import claims, modes, plots  # noqa: E402
from gancond.report import Checks  # noqa: E402


# ------------------------------------------------------------------------- stubs
class LinearG(nn.Module):
    """G(z) = A z as a (1, 2, 2) image: J_z = A for every z, singular values 2 and 1."""

    z_dim = 2

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 4, bias=False)
        with torch.no_grad():
            self.lin.weight.copy_(torch.tensor([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]))

    def forward(self, z):
        return self.lin(z).reshape(-1, 1, 2, 2)


class StubRun:
    def __init__(self, seed, clamp, stored=2 * math.log(2.0)):
        self.config = {"seed": seed, "clamp": clamp, "recipe": "tfgan", "dataset": "mnist"}
        self._stored = stored

    def read_table(self, name):
        assert name == "metrics"
        return pd.DataFrame({"step": [0, 10], "mean_log_cond": [0.5, self._stored]})


class OneClassScorer:
    """Labels every sample ``label`` among ``k`` classes (logits one-hot)."""

    name = "one-class"

    def __init__(self, label=3, k=10):
        self.label, self.k = label, k

    def features(self, images):
        logits = torch.zeros(len(images), self.k)
        logits[:, self.label] = 1.0
        return logits, logits


@pytest.fixture
def linear_runs(monkeypatch):
    monkeypatch.setattr(modes, "load_model", lambda run: LinearG())
    return [StubRun(0, False), StubRun(1, False), StubRun(0, True)]


Z_MODES = torch.randn(36, 2, generator=torch.Generator().manual_seed(1))
Z_EVAL = torch.randn(4, 2, generator=torch.Generator().manual_seed(2))


# ------------------------------------------------------------------------- classify
def test_classify_one_class_generator_misses_nine_modes(linear_runs):
    row = modes.classify(linear_runs[0], OneClassScorer(label=3), Z_MODES, Z_EVAL, "cpu")
    assert row["counts"] == [0, 0, 0, 36] + [0] * 6
    assert (row["least_count"], row["least_class"], row["n_missing"]) == (0, 0, 9)
    assert (row["most_class"], row["most_count"]) == (3, 36)
    assert (row["seed"], row["clamp"], row["recipe"]) == (0, False, "tfgan")
    # log κ(M_z) = 2 log(σ_max / σ_min) = 2 log 2 for the linear map, stored and recomputed
    assert row["recomputed_log_cond"] == pytest.approx(2 * math.log(2.0), rel=1e-6)
    assert row["mean_log_cond"] == pytest.approx(row["recomputed_log_cond"], rel=1e-6)


def test_classify_rejects_a_scorer_without_ten_classes(linear_runs):
    with pytest.raises(ValueError, match="10-class classifier.*1008 logits"):
        modes.classify(linear_runs[0], OneClassScorer(k=1008), Z_MODES, Z_EVAL, "cpu")


def test_classify_runs_table_split_and_display(linear_runs):
    table = modes.classify_runs(linear_runs, OneClassScorer(), Z_MODES, Z_EVAL, "cpu")
    assert len(table) == 3 and list(table["condition"]) == ["without clamping"] * 2 + ["with clamping"]
    plain, clamped = modes.split_conditions(table)
    assert list(plain.index) == [0, 1] and list(clamped.index) == [0] and list(plain["seed"]) == [0, 1]
    shown = modes.model_table(table)
    assert list(shown.columns) == ["recipe", "condition", "seed", "final mean log κ(M_z)", "least-sampled class",
                                   "least count", "classes missing", "most-sampled class", "most count"]
    assert shown["final mean log κ(M_z)"].iloc[0] == round(2 * math.log(2.0), 3)


def test_best_worst_and_classifier_accuracy():
    t = pd.DataFrame({"mean_log_cond": [3.0, 1.0, 5.0, 1.0], "seed": [0, 1, 2, 3]})
    best, worst = modes.best_worst(t)
    assert (best["seed"], worst["seed"]) == (1, 2)  # ties: the first
    with pytest.raises(ValueError):
        modes.best_worst(t.iloc[:0])

    class S:
        class classifier:
            test_accuracy = 0.99

    assert modes.classifier_accuracy(S()) == 0.99 and modes.classifier_accuracy(OneClassScorer()) is None


# ------------------------------------------------------------------------- the uniform sampler's null
def test_uniform_least_counts_exact_small_cases():
    # one sample among 10 classes: nine classes are always empty
    assert modes.uniform_least_counts(1, 10, draws=500).tolist() == [0] * 500
    # 9 samples cannot fill 10 classes; one class: the least count is every sample
    assert modes.uniform_least_counts(9, 10, draws=200).max() == 0
    assert modes.uniform_least_counts(7, 1, draws=50).tolist() == [7] * 50
    # two classes, two samples: least count 1 with probability 1/2 (one in each), else 0
    least = modes.uniform_least_counts(2, 2, draws=20_000)
    assert set(least.tolist()) == {0, 1} and least.mean() == pytest.approx(0.5, abs=0.02)
    c = modes.chance_baseline(1)
    assert (c.mean, c.low, c.high, c.balanced) == (0.0, 0.0, 0.0, 0.1)
    assert str(c) == "0.0 (5–95%: 0–0)"


def test_uniform_least_counts_seeded_and_shared_with_chapter_6():
    a = modes.uniform_least_counts(360)
    assert a.shape == (modes.CHANCE_DRAWS,) and a.max() <= 36
    assert np.array_equal(a, modes.uniform_least_counts(360, seed=0))
    assert not np.array_equal(a, modes.uniform_least_counts(360, seed=1))
    # the chapter's former inline draw, and chapter 6's quantile, are these draws
    old = np.random.default_rng(0).multinomial(360, [1 / 10] * 10, 20_000).min(axis=1)
    assert np.array_equal(a, old)
    assert claims.uniform_least_quantile(360) == float(np.quantile(old, 0.05))
    c = modes.chance_baseline(360)
    assert (c.mean, c.low, c.high) == (float(old.mean()), float(np.quantile(old, 0.05)), float(np.quantile(old, 0.95)))
    assert c.balanced == 36 and c.low < c.mean < c.high < 36


@pytest.mark.parametrize("kw", [dict(n_samples=-1), dict(n_samples=3.5), dict(n_samples=10, n_classes=0),
                                dict(n_samples=10, draws=0)])
def test_uniform_least_counts_bad_arguments(kw):
    with pytest.raises(ValueError):
        modes.uniform_least_counts(**kw)


# ------------------------------------------------------------------------- correlation and contrast
def test_least_count_correlation_needs_five_models():
    assert modes.least_count_correlation([1.0, 2, 3, 4], [4, 3, 2, 1]) is None
    assert modes.describe(None) == "n/a (fewer than 5 models)"
    r = modes.least_count_correlation([1.0, 2, 3, 4, 5], [10, 8, 6, 4, 2])
    assert r.method == "pearson" and r.value == pytest.approx(-1.0) and r.n == 5
    assert modes.describe(r) == str(r)
    flat = modes.least_count_correlation([1.0, 2, 3, 4, 5], [0, 0, 0, 0, 0])
    assert modes.describe(flat) == "undefined (one of the two quantities is the same for all 5 models)"
    with pytest.raises(ValueError):
        modes.least_count_correlation([1.0, 2, 3], [1, 2])


def test_contrast_counts_empty_classes_and_difference():
    e = modes.contrast([0, 3, 0, 5], [10, 12, 11])
    assert (e.n_zero_plain, e.n_plain, e.n_zero_clamped, e.n_clamped) == (2, 4, 0, 3)
    assert e.zero_plain == "2 of 4" and e.zero_clamped == "0 of 3"
    assert e.d_least.value == pytest.approx(11 - 2)
    assert modes.contrast([0, 3], [1, 2]).d_least is None  # fewer than 3 runs per condition
    with pytest.raises(ValueError):
        modes.contrast(np.zeros((2, 2)), [1, 2, 3])


# ------------------------------------------------------------------------- the rule
def _verdicts(checks):
    return {row["_claim"]: (row["_verdict"], row["_measured"]) for row in checks.rows}


def test_judge_modes_reproduced():
    j = claims.judge_modes([1.0, 2, 3, 4, 5, 6], [30, 25, 20, 8, 0, 0])
    assert (j.n, j.n_zero) == (6, 2) and j.r.value < -0.9 and j.r.high < 0
    ch = Checks("book")
    claims.record_modes(ch, j, "tfgan")
    v = _verdicts(ch)
    assert v[claims.MODES_CLAIM][0] == "reproduced" and v[claims.MODES_CLAIM][1].startswith(str(j.r) + "; paper: -0.86")
    assert v[claims.ZERO_CLAIM] == ("reproduced", "2 of 6")
    assert all(row["_recipe"] == "tfgan" for row in ch.rows)


def test_judge_modes_not_reproduced():
    j = claims.judge_modes([1.0, 2, 3, 4, 5, 6], [1, 5, 9, 14, 20, 30])  # positive r, no empty class
    ch = Checks("book")
    claims.record_modes(ch, j, "radford")
    v = _verdicts(ch)
    assert v[claims.MODES_CLAIM][0] == "contradicted" and v[claims.ZERO_CLAIM] == ("not reproduced", "0 of 6")


def test_judge_modes_untested_paths():
    ch = Checks("smoke")
    claims.record_modes(ch, claims.judge_modes([1.0, 2], [0, 3]), "tfgan")  # 2 models: nothing testable
    v = _verdicts(ch)
    assert v[claims.MODES_CLAIM] == ("not tested", "n/a (fewer than 5 models)")
    assert v[claims.ZERO_CLAIM] == ("not tested", "2 unclamped models; at least 3 are needed")
    ch = Checks("smoke")
    claims.record_modes(ch, claims.judge_modes([1.0, 2, 3, 4, 5], [0, 0, 0, 0, 0]), "tfgan")  # r undefined
    v = _verdicts(ch)
    assert v[claims.MODES_CLAIM] == ("not tested", "undefined (one of the two quantities is the same for all 5 models)")
    assert v[claims.ZERO_CLAIM] == ("reproduced", "5 of 5")
    # 4 models: no correlation, but the empty-class count is judged
    j = claims.judge_modes([1.0, 2, 3, 4], [3, 0, 2, 1])
    assert j.r is None and j.n_zero == 1
    with pytest.raises(ValueError):
        claims.judge_modes([1.0, 2, 3], [0, 1])


def test_rule_constants():
    assert (modes.MIN_MODELS, claims.MIN_ZERO_MODELS, modes.N_CLASSES) == (5, 3, 10)


# ------------------------------------------------------------------------- figures
def _plain_clamped():
    counts = [[36] * 10, [0, 40, 40, 40, 40, 40, 40, 40, 40, 40], [30, 38] + [36.5] * 8]
    plain = pd.DataFrame({"seed": [0, 1, 2], "mean_log_cond": [10.0, 20.0, 15.0], "least_count": [36, 0, 30],
                          "counts": counts})
    clamped = pd.DataFrame({"seed": [0, 1, 2], "mean_log_cond": [8.0, 9.0, 8.5], "least_count": [33, 34, 35]})
    return plain, clamped


def test_missing_modes_scatter_smoke():
    plain, clamped = _plain_clamped()
    fig = plots.missing_modes_scatter(plain, clamped, 360, (25.0, 31.0), title="t")
    (ax,) = fig.axes
    assert len(ax.collections) == 3 + 1 + 3 + 1  # a point per model, plus one legend entry per condition
    assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 4
    assert ax.lines[0].get_ydata()[0] == 36  # the balanced count
    plt.close(fig)


def test_class_histograms_smoke():
    plain, _ = _plain_clamped()
    fig = plots.class_histograms(plain, 360, prefix="tfgan, ")
    assert len(fig.axes) == 2
    assert [len(ax.patches) for ax in fig.axes] == [10, 10]
    assert fig.axes[0].get_title().startswith("tfgan, best-conditioned: seed 0")
    assert fig.axes[1].get_title().startswith("tfgan, worst-conditioned: seed 1")
    assert [p.get_height() for p in fig.axes[1].patches][:2] == [0, 40]
    plt.close(fig)
