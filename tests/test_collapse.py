"""What the memorizing generator does on random z (gancond.collapse), chapter 6's judgement
(gancond.claims.judge_memorizer / record_memorizer) and its figures (gancond.plots), on small
synthetic tensors with hand-computed answers."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from gancond import chapter, claims, collapse, plots
from gancond.memorize import COPY_LABEL, MemorizedSet
from gancond.report import Checks


# --------------------------------------------------------------------------- helpers
def make_set(digit_labels=(0, 1, 2, 3), n_copies=4, seed=0) -> MemorizedSet:
    """len(digit_labels) distinct random digits (training indices 1..) and n_copies copies of one 4
    (training index 0), in that order; z: (N, 3)."""
    g = torch.Generator().manual_seed(seed)
    n_random = len(digit_labels)
    digits = torch.rand(n_random, 1, 28, 28, generator=g) * 2 - 1
    four = torch.rand(1, 1, 28, 28, generator=g) * 2 - 1
    x = torch.cat([digits, four.expand(n_copies, -1, -1, -1)])
    n = n_random + n_copies
    index = torch.cat([torch.arange(1, n_random + 1), torch.zeros(n_copies, dtype=torch.long)])
    label = torch.cat([torch.tensor(digit_labels, dtype=torch.long), torch.full((n_copies,), COPY_LABEL)])
    return MemorizedSet(z=torch.randn(n, 3, generator=g), x=x, index=index, label=label, is_copy=index == 0,
                        slot=torch.arange(n), copy_index=0)


class Lookup(nn.Module):
    """A 'generator' that returns the target of the nearest memorized z (a perfect memorizer)."""

    def __init__(self, mset: MemorizedSet):
        super().__init__()
        self.register_buffer("zs", mset.z)
        self.register_buffer("xs", mset.x)
        self.w = nn.Parameter(torch.zeros(1))  # generate() asks a parameter for the device

    def forward(self, z):
        return self.xs[torch.cdist(z, self.zs).argmin(1)] + self.w


def metrics(steps, log_cond, **cols) -> pd.DataFrame:
    return pd.DataFrame({"step": steps, "mean_log_cond": log_cond, **cols})


def one_hot_logits(labels, k=10) -> torch.Tensor:
    return torch.nn.functional.one_hot(torch.as_tensor(labels), k).float()  # argmax = the label


# --------------------------------------------------------------------------- formatting, scale note
def test_span_formats_a_range():
    assert chapter.span([0.66, 0.44, 0.5], percent=True) == "44–66%"
    assert chapter.span(np.array([3, 0, 1])) == "0–3"
    assert chapter.span([12.34, 9.96], ".1f") == "10.0–12.3"
    with pytest.raises(ValueError, match="at least one"):
        chapter.span([])


def test_scale_note_only_below_the_papers_set():
    assert collapse.scale_note(2000, 0.25) == (
        "Memorized set: 2,000 pairs, not the paper's 10,000 (a width-×0.25 generator does not memorize 10,000 "
        "on a 2-core CPU within the chapter's budget). ")
    assert collapse.scale_note(10_000, 0.25) == ""
    assert collapse.scale_note(20_000, 1.0) == ""
    for bad in (0, -5, 2.5):
        with pytest.raises(ValueError, match="n_memorized"):
            collapse.scale_note(bad, 1.0)


# --------------------------------------------------------------------------- the memorized targets
def test_target_fractions_and_four_prevalence():
    a = make_set((0, 1, 2, 4), n_copies=4)  # 5 fours of 8
    b = make_set((0, 0, 1, 1), n_copies=4)  # 4 fours of 8
    np.testing.assert_allclose(collapse.four_prevalence([a, b]), [5 / 8, 4 / 8])
    f = collapse.target_fractions([a, b])
    assert f.shape == (10,) and f.sum() == pytest.approx(1.0)
    assert f[COPY_LABEL] == pytest.approx((5 / 8 + 4 / 8) / 2)
    assert f[0] == pytest.approx((1 / 8 + 2 / 8) / 2) and f[9] == 0
    with pytest.raises(ValueError):
        collapse.four_prevalence([])
    with pytest.raises(ValueError):
        collapse.target_fractions([])


def test_reference_fours_takes_the_first_n_fours():
    x = torch.arange(6.0).reshape(6, 1, 1, 1)
    y = torch.tensor([4, 1, 4, 4, 0, 4])
    assert collapse.reference_fours(x, y, n=2).flatten().tolist() == [0.0, 2.0]
    assert collapse.reference_fours(x, y).flatten().tolist() == [0.0, 2.0, 3.0, 5.0]
    with pytest.raises(ValueError, match="no image labelled 4"):
        collapse.reference_fours(x, torch.zeros(6, dtype=torch.long))
    with pytest.raises(ValueError, match="one length"):
        collapse.reference_fours(x, y[:5])


# --------------------------------------------------------------------------- samples from random z
def test_random_z_stats_of_a_collapsed_and_a_uniform_sampler():
    g = torch.Generator().manual_seed(1)
    copy = torch.rand(1, 28, 28, generator=g) * 2 - 1
    fours = torch.rand(20, 1, 28, 28, generator=g) * 2 - 1  # other fours, at a positive distance from the copy
    collapsed = copy.expand(30, -1, -1, -1)  # every sample is the copied 4
    spread = -copy.expand(30, -1, -1, -1)  # far from the copy (mean squared distance 4/3 vs about 2/3)
    labels_uniform = torch.arange(30) % 10  # 0..9 three times
    s = collapse.random_z_stats([one_hot_logits([4] * 30), one_hot_logits(labels_uniform)], [collapsed, spread],
                                copy, fours, n_modes=20)
    assert s.fractions.shape == (2, 10)
    np.testing.assert_allclose(s.four_share, [1.0, 0.1])
    np.testing.assert_allclose(s.fractions[1], 0.1)
    assert s.least.tolist() == [0, 2]  # first 20 samples: all 4s / 0..9 twice
    assert s.near.tolist() == [1.0, 0.0]
    assert s.n_modes == 20
    # one copy per run, as a list
    s2 = collapse.random_z_stats([one_hot_logits([4] * 30)], [collapsed], [copy], fours, n_modes=360)
    assert s2.near.tolist() == [1.0] and s2.least.tolist() == [0]


def test_random_z_stats_bad_input():
    copy, fours = torch.zeros(1, 28, 28), torch.ones(3, 1, 28, 28)
    x, lg = torch.zeros(5, 1, 28, 28), one_hot_logits([1] * 5)
    with pytest.raises(ValueError, match="one length"):
        collapse.random_z_stats([lg, lg], [x], copy, fours, n_modes=5)
    with pytest.raises(ValueError, match="one length"):
        collapse.random_z_stats([], [], [], fours, n_modes=5)
    with pytest.raises(ValueError, match="n_modes"):
        collapse.random_z_stats([lg], [x], copy, fours, n_modes=0)


# --------------------------------------------------------------------------- Fig. 8 table, scores
def test_memorization_table_with_a_perfect_memorizer():
    sets = [make_set(seed=0), make_set((5, 6, 7, 8), seed=1)]
    G = [Lookup(s) for s in sets]
    m = [metrics([0, 10], [1.0, 2.0], mse=[0.5, 0.01], mse_random=[0.6, 0.02], mse_copies=[0.4, 0.0]),
         metrics([0, 10], [1.0, 2.0], mse=[0.5, 0.03], mse_random=[0.6, 0.05], mse_copies=[0.4, 0.01])]
    t = collapse.memorization_table(G, sets, m, [7, 8])
    assert t["seed"].tolist() == [7, 8]
    assert t[["recall", "recall_random", "recall_copies"]].to_numpy().tolist() == [[1.0] * 3] * 2
    assert t["mse"].tolist() == [0.01, 0.03] and t["mse_copies"].tolist() == [0.0, 0.01]  # the last evaluation
    assert set(collapse.MEMORIZATION_COLUMNS) <= set(t.columns)
    with pytest.raises(ValueError, match="one length"):
        collapse.memorization_table(G, sets, m[:1], [7, 8])
    with pytest.raises(ValueError, match="columns"):
        collapse.memorization_table(G, sets, [metrics([0], [1.0])] * 2, [7, 8])


class MeanScorer:
    """score = 2 + mean pixel, frechet = 10 + mean |pixel|: known numbers for any images."""

    def __call__(self, x):
        return {"score": 2.0 + float(x.mean()), "frechet": 10.0 + float(x.abs().mean())}


def test_score_sets_table_and_ratios():
    sets = [make_set(seed=0), make_set(seed=1)]
    G = [Lookup(s) for s in sets]
    rand = [torch.full((4, 1, 28, 28), 0.5), torch.full((4, 1, 28, 28), -0.5)]
    sc = collapse.score_sets(MeanScorer(), G, sets, rand, n=3)
    # a perfect memorizer scores exactly like its targets
    np.testing.assert_allclose(sc.get("memorized", "score"), sc.get("targets", "score"), atol=1e-6)
    np.testing.assert_allclose(sc.get("random", "score"), [2.5, 1.5])
    np.testing.assert_allclose(sc.get("random", "frechet"), [10.5, 10.5])
    assert sc.ratio("score") == pytest.approx(np.mean(np.array([2.5, 1.5]) / sc.get("memorized", "score")))
    gan = collapse.final_scores([pd.DataFrame({"score": [1.0, 3.0], "frechet": [50.0, 20.0]}),
                                 pd.DataFrame({"score": [1.0, 5.0], "frechet": [50.0, 30.0]})])
    assert gan == [{"score": 3.0, "frechet": 20.0}, {"score": 5.0, "frechet": 30.0}]
    t = collapse.score_table(sc, gan)
    assert t.shape == (4, 5)
    assert t.iloc[1, 1:3].tolist() == ["4.95", "118"] and t.iloc[2, 1:3].tolist() == ["2.22", "240"]
    assert t.iloc[2, 3] == "2.00 ± 0.71" and t.iloc[2, 4] == "10.50 ± 0.00"  # random z: (2.5, 1.5), (10.5, 10.5)
    assert t.iloc[3, 3] == "4.00 ± 1.41" and t.iloc[3, 4] == "25.00 ± 7.07"  # GAN runs
    one = collapse.score_table(collapse.ScoreSets(sc.targets[:1], sc.memorized[:1], sc.random[:1]), gan[:1])
    assert one.iloc[3, 3] == "3.00"  # one run: no ± part
    with pytest.raises(ValueError, match="one length"):
        collapse.score_sets(MeanScorer(), G, sets, rand[:1], n=3)
    with pytest.raises(ValueError, match="n must"):
        collapse.score_sets(MeanScorer(), G, sets, rand, n=0)


# --------------------------------------------------------------------------- conditioning at equal steps
def test_equal_steps_interpolates_at_the_gans_last_step():
    mem = [metrics([0, 100, 200, 300], [1.0, 2.0, 3.0, 4.0]), metrics([0, 100, 200, 300], [0.0, 0.0, 2.0, 2.0])]
    gan = [metrics([0, 75, 150], [1.0, 5.0, 9.0]), metrics([0, 75, 150], [1.0, 5.0, 6.0]),
           metrics([0, 75, 150], [1.0, 5.0, 12.0])]
    c = collapse.equal_steps(mem, gan)
    assert c.gan_step == 150
    np.testing.assert_allclose(c.mem_at_gan_end, [2.5, 1.0])
    np.testing.assert_allclose(c.mem_final, [4.0, 2.0])
    np.testing.assert_allclose(c.gan_final, [9.0, 6.0, 12.0])
    assert (c.best, c.worst) == (1, 2)
    # past a memorizer's last evaluation its last value is used
    late = [metrics([0, 500], [1.0, 1.0])]
    assert collapse.equal_steps(mem[:1], late).mem_at_gan_end.tolist() == [4.0]
    with pytest.raises(ValueError, match="one step"):
        collapse.equal_steps(mem, [gan[0], metrics([0, 75], [1.0, 2.0])])
    with pytest.raises(ValueError, match="at least one"):
        collapse.equal_steps([], gan)


# --------------------------------------------------------------------------- the judgement
Q360 = claims.uniform_least_quantile(360)
BELOW_Q = math.ceil(Q360) - 1  # the largest count below the quantile


def passing(**changes) -> dict:
    """Inputs on the 'reproduced' side of every rule (3 memorizers, 4 GAN runs in two clusters)."""
    kw = dict(recall_random=[0.95, 1.0, 0.9], recall_copies=[1.0, 1.0, 0.99], four_share=[0.7, 0.6, 0.8],
              prevalence=[0.55, 0.55, 0.56], near_share=[0.2, 0.3, 0.25], gan_near=[0.0, 0.02, 0.01, 0.0],
              least=[0, 1, BELOW_Q], gan_least=[20, 25, 30, 31], n_modes=360,
              score_mem=[4.0, 4.5, 5.0], score_rand=[2.0, 2.5, 3.0], frechet_mem=[100.0, 120.0, 110.0],
              frechet_rand=[200.0, 240.0, 230.0], mem_at_gan_end=[5.0, 6.0, 6.5],
              gan_final=[7.0, 7.5, 14.0, 15.0], gan_step=3000)
    kw.update(changes)
    return kw


def verdicts(j) -> list[str]:
    checks = Checks("book")
    claims.record_memorizer(checks, j)
    rows = [r for r in checks.rows if r["kind"] == "paper claim"]
    assert len(rows) == 5
    return [r["_verdict"] for r in rows]


def test_judge_memorizer_all_reproduced_and_the_texts():
    j = claims.judge_memorizer(**passing())
    assert j.uniform_q == Q360 and j.n_modes == 360 and j.gan_step == 3000
    assert j.good_mean == pytest.approx(7.25)  # the GAN runs split: {7.0, 7.5} | {14, 15}
    assert (j.memorizes, j.collapses, j.drops_modes, j.scores_worse, j.well_conditioned) == (True,) * 5
    assert verdicts(j) == ["reproduced"] * 5
    checks = Checks("book")
    claims.record_memorizer(checks, j)
    m = [r["_measured"] for r in checks.rows]
    assert m[0] == ("own target nearest for 90–100% of random digits, 99–100% of copies "
                    "(criterion: at least 90% in every run)")
    assert m[1] == ("labelled 4: 60–80% of samples vs 55–56% fours among the targets; near the copied 4: 20–30% "
                    "(median run 25%, needs ≥ 25%; GAN runs 1%)")
    assert m[2] == (f"least-sampled class of 360: 0–{BELOW_Q} samples vs a uniform sampler's 5% quantile "
                    f"{Q360:.0f} (GAN runs 20–31)")
    assert m[3] == ("score 4.50 ± 0.50 → 2.50 ± 0.50, Fréchet distance 110.00 ± 10.00 → 223.33 ± 20.82 "
                    "(criterion: in every run)")
    assert m[4] == "mean log κ at step 3,000: memorizers 5.0–6.5 vs GAN runs 7.0–15.0, well-conditioned cluster mean 7.2"


@pytest.mark.parametrize("change, failed", [
    (dict(recall_random=[0.95, 1.0, 0.89]), 0),  # one run under 90%
    (dict(recall_copies=[1.0, 0.5, 1.0]), 0),
    (dict(four_share=[0.7, 0.55, 0.8]), 1),  # equal to its prevalence: not more
    (dict(near_share=[0.2, 0.3, 0.24]), 1),  # median 0.24 < 0.25
    (dict(least=[0, 1, BELOW_Q + 1]), 2),  # at or above the uniform quantile
    (dict(score_rand=[2.0, 4.5, 3.0]), 3),  # equal score in one run
    (dict(frechet_rand=[200.0, 240.0, 110.0]), 3),  # equal distance in one run
    (dict(mem_at_gan_end=[5.0, 6.0, 7.1]), 4),  # above the lowest GAN run
])
def test_judge_memorizer_each_rule_fails_on_its_side(change, failed):
    j = claims.judge_memorizer(**passing(**change))
    expected = ["reproduced"] * 5
    expected[failed] = "not reproduced"
    assert verdicts(j) == expected


def test_judge_memorizer_good_cluster_and_few_gan_runs():
    # at the lowest GAN run's final value, which is also the well-conditioned cluster's mean: reproduced
    j = claims.judge_memorizer(**passing(mem_at_gan_end=[5.0, 6.0, 7.0], gan_final=[7.0, 7.0, 15.0, 15.0],
                                         gan_near=[0.0] * 4))
    assert j.good_mean == pytest.approx(7.0) and j.well_conditioned  # at, not above
    # fewer than 4 GAN runs: no cluster is looked for
    j = claims.judge_memorizer(**passing(gan_final=[7.0, 15.0, 15.5], gan_near=[0.0] * 3, gan_least=[20] * 3))
    assert j.good_mean is None and j.well_conditioned
    checks = Checks("book")
    claims.record_memorizer(checks, j)
    assert checks.rows[-1]["_measured"].endswith(", GAN runs in one band")
    # four GAN runs in one band: no split either
    j = claims.judge_memorizer(**passing(gan_final=[7.0, 7.5, 8.0, 8.5]))
    assert j.good_mean is None
    # a single memorizing run is judged too (no spread, no ± in the text)
    one = {k: (v[:1] if isinstance(v, list) and k in ("recall_random", "recall_copies", "four_share", "prevalence",
                                                        "near_share", "least", "score_mem", "score_rand",
                                                        "frechet_mem", "frechet_rand", "mem_at_gan_end") else v)
           for k, v in passing().items()}
    assert verdicts(claims.judge_memorizer(**one)) == ["reproduced", "not reproduced"] + ["reproduced"] * 3


def test_judge_memorizer_bad_input():
    with pytest.raises(ValueError, match="one value per memorizing run"):
        claims.judge_memorizer(**passing(score_mem=[4.0, 4.5]))
    with pytest.raises(ValueError, match="one value per GAN run"):
        claims.judge_memorizer(**passing(gan_near=[0.0]))
    with pytest.raises(ValueError, match="non-empty 1-D"):
        claims.judge_memorizer(**passing(gan_final=[]))
    with pytest.raises(ValueError, match="non-empty 1-D"):
        claims.judge_memorizer(**passing(four_share=[[0.7, 0.6, 0.8]]))
    with pytest.raises(ValueError, match="sample counts"):
        claims.judge_memorizer(**passing(least=[0, 1.5, 2]))
    with pytest.raises(ValueError, match="n_modes"):
        claims.judge_memorizer(**passing(n_modes=0))


def test_memorizer_thresholds_are_the_registered_ones():
    assert (claims.MEMORIZED_RECALL, claims.NEAR_COPY_SHARE, claims.UNIFORM_QUANTILE, claims.MIN_GAN_RUNS_SPLIT) == \
        (0.9, 0.25, 0.05, 4)


# --------------------------------------------------------------------------- figures (smoke)
@pytest.fixture
def agg():
    """A non-interactive backend; every figure closed afterwards."""
    plt.switch_backend("agg")
    yield
    plt.close("all")


def test_image_grid_shape_and_range(agg):
    a = plots.image_grid(torch.zeros(4, 1, 28, 28) - 1, nrow=2)
    assert a.shape == (2 * 28 + 3 * 2, 2 * 28 + 3 * 2, 3)  # 2 pixels of white padding around each image
    assert a.min() >= 0 and a.max() <= 1
    with pytest.raises(ValueError, match="N, C, H, W"):
        plots.image_grid(torch.zeros(28, 28), nrow=2)


def test_figures_on_tiny_data(agg):
    x = torch.rand(6, 1, 28, 28) * 2 - 1
    fig = plots.memorized_pairs(x, -x, per_row=3, title="t")
    assert len(fig.axes) == 1 and len(fig.axes[0].images) == 1 and fig.axes[0].get_title() == "t"
    with pytest.raises(ValueError, match="one shape"):
        plots.memorized_pairs(x, x[:3])
    fig9 = plots.sample_panels({"a": x, "b": -x}, nrow=3)
    assert [ax.get_title() for ax in fig9.axes] == ["a", "b"]
    fig10 = plots.label_fractions(np.full(10, 0.1), np.random.default_rng(0).dirichlet(np.ones(10), 3),
                                  np.full((2, 10), 0.1))
    ax = fig10.axes[0]
    assert len(fig10.axes) == 1 and len(ax.containers) == 3 and len(ax.lines) == 3  # 3 bar groups, a dot row per run
    mem = [metrics([0, 10, 20], [1.0, 2.0, 2.5], mse_random=[0.5, 0.1, 0.05], mse_copies=[0.4, 0.01, 0.001])] * 2
    gan = [metrics([0, 10], [1.0, v]) for v in (5.0, 9.0, 7.0)]
    fig11 = plots.memorizer_conditioning(mem, gan, best=0, worst=1, gan_seeds=[10, 11, 12])
    left, right = fig11.axes[:2]
    assert len(left.lines) == 3 + 2 and len(right.lines) == 2 * 2
    assert any("seed 10" in t.get_text() for t in left.get_legend().get_texts())
