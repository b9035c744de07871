"""The spectra of Figs. 3-4 (gancond.spectra), chapter 3's rules (gancond.claims.judge_spectra,
record_spectra) and its figures: networks with Jacobians known in closed form, hand-computed
arrays, the too-few-runs paths, and bad shapes."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from gancond import claims, plots, spectra  # noqa: E402
from gancond.analysis import mean_difference  # noqa: E402
from gancond.report import Checks  # noqa: E402

# A = diag(3, 2, 0.5) stacked on two zero rows: n_x = 5, n_z = 3, σ(A) = (3, 2, 0.5)
A = torch.tensor([[3.0, 0, 0], [0, 2, 0], [0, 0, 0.5], [0, 0, 0], [0, 0, 0]], dtype=torch.float64)


def _linear(weight: torch.Tensor) -> nn.Linear:
    """G(z) = W z + b: J_z = W for every z."""
    G = nn.Linear(weight.shape[1], weight.shape[0]).double()
    with torch.no_grad():
        G.weight.copy_(weight)
        G.bias.copy_(torch.arange(weight.shape[0], dtype=torch.float64))
    return G


class HalfSquare(nn.Module):
    """G(z) = z² / 2 elementwise: J_z = diag(z), so the Jacobian changes sign with z."""

    def forward(self, z):
        return 0.5 * z ** 2


def _z(n: int = 6, n_z: int = 3) -> torch.Tensor:
    return torch.randn(n, n_z, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


# ------------------------------------------------------------------------------------------ spectra of a network

def test_linear_generator_spectra_are_those_of_its_matrix():
    s = spectra.network_spectra(_linear(A), _z(), "cpu")
    # J_z = A for every z: E[J] = A and E[JᵀJ] = AᵀA, both with singular values σ(A)
    np.testing.assert_allclose(s.sv, [3, 2, 0.5], rtol=1e-12)
    np.testing.assert_allclose(s.sv_metric, [3, 2, 0.5], rtol=1e-12)
    assert s.mean_log_cond == pytest.approx(math.log(36))  # κ(M_z) = (3 / 0.5)²
    assert s.sv.shape == s.sv_metric.shape == (3,)


def test_the_two_readings_differ_when_the_jacobian_changes_sign():
    z = torch.tensor([[1.0, 1.0], [-1.0, 1.0]], dtype=torch.float64)
    s = spectra.network_spectra(HalfSquare(), z, "cpu")
    # J = diag(±1, 1): E[J] = diag(0, 1) but E[JᵀJ] = I; every M_z = I, so log κ(M_z) = 0
    np.testing.assert_allclose(s.sv, [1, 0], atol=1e-12)
    np.testing.assert_allclose(s.sv_metric, [1, 1], atol=1e-12)
    assert s.mean_log_cond == pytest.approx(0.0, abs=1e-12)


def test_group_spectra_stacks_one_row_per_network_in_order():
    g = spectra.group_spectra((_linear(c * A) for c in (1.0, 2.0)), _z(), "cpu")
    np.testing.assert_allclose(g.sv, [[3, 2, 0.5], [6, 4, 1]], rtol=1e-12)
    np.testing.assert_allclose(g.sv_metric, g.sv, rtol=1e-12)
    np.testing.assert_allclose(g.mean_log_cond, [math.log(36)] * 2)
    with pytest.raises(ValueError, match="at least one network"):
        spectra.group_spectra([], _z(), "cpu")


def test_network_spectra_bad_z():
    with pytest.raises(ValueError, match="2-D"):
        spectra.network_spectra(_linear(A), torch.zeros(3, dtype=torch.float64), "cpu")
    with pytest.raises(ValueError, match="input dimension"):
        spectra.network_spectra(_linear(A), _z(n_z=4), "cpu")


# ------------------------------------------------------------------------------------------ per-run statistics

SV = np.array([[4.0, 2.0, 1.0], [8.0, 1.0, 1.0]])  # two runs, n_z = 3


def test_per_run_statistics_known_values():
    np.testing.assert_allclose(spectra.sigma_1(SV), [4, 8])
    np.testing.assert_allclose(spectra.mean_log_sigma(SV), [math.log(2)] * 2)  # geometric mean 2 in both
    np.testing.assert_allclose(spectra.log_cond_average(SV), [math.log(4), math.log(8)])
    # a zero σ_min is floored, never -inf / +inf
    zero = np.array([[1.0, 0.0]])
    assert np.isfinite(spectra.log_spectrum(zero)).all() and spectra.log_spectrum(zero)[0, 1] == pytest.approx(math.log(1e-300))
    assert np.isfinite(spectra.log_cond_average(zero)).all()


@pytest.mark.parametrize("bad", [np.ones(3), np.ones((2, 0)), np.ones((0, 3)), np.ones((2, 3, 1))])
def test_per_run_statistics_reject_bad_shapes(bad):
    for f in (spectra.log_spectrum, spectra.sigma_1, spectra.mean_log_sigma, spectra.log_cond_average):
        with pytest.raises(ValueError, match="n_runs, n_z"):
            f(bad)


def test_log_spread_known_value_and_too_few_runs():
    log_sv = np.array([[0.0, 0.0], [2.0, 4.0]])  # sd (ddof 1) per column: √2, 2√2
    assert spectra.log_spread(log_sv) == pytest.approx(1.5 * math.sqrt(2))
    with pytest.raises(ValueError, match="at least 2"):
        spectra.log_spread(log_sv[:1])
    with pytest.raises(ValueError):
        spectra.log_spread(np.zeros(4))


def _chapter_spread_ratio(a, b, n_boot=2000, level=0.95, seed=0):
    """Chapter 3's spread ratio as it was written in the chapter before it moved to the library."""
    def log_spread(x):
        return float(x.std(axis=0, ddof=1).mean())

    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        sa, sb = log_spread(a[rng.integers(0, len(a), len(a))]), log_spread(b[rng.integers(0, len(b), len(b))])
        if sb > 0:
            boots.append(sa / sb)
    q = (1 - level) / 2
    lo, hi = np.quantile(boots, [q, 1 - q]) if boots else (np.nan, np.nan)
    return log_spread(a) / log_spread(b), float(lo), float(hi)


def test_spread_ratio_known_value_and_the_chapters_numbers():
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, (8, 6))
    b = 0.5 * a  # every log σ_k of b varies half as much: the ratio is exactly 2
    r = spectra.spread_ratio(a, b)
    assert r.value == pytest.approx(2.0) and r.level == 0.95
    assert r.low < r.value < r.high  # resampled separately: an interval around 2
    # identical, bit for bit, to the chapter's former code (same RNG draws in the same order)
    assert (r.value, r.low, r.high) == _chapter_spread_ratio(a, b)
    assert str(r) == f"2.00 (95% bootstrap interval [{r.low:.2f}, {r.high:.2f}])"
    # a clearly wider group: the whole interval above 1
    wide = spectra.spread_ratio(rng.normal(0, 1, (10, 6)), rng.normal(0, 0.1, (10, 6)))
    assert wide.low > 1
    assert spectra.spread_ratio(a, b, seed=1) != r  # the seed is the resampling's


def test_spread_ratio_few_runs_and_bad_input():
    a = np.array([[0.0, 1.0], [1.0, 0.0]])
    r = spectra.spread_ratio(a, a)  # two runs: a value; resamples repeating one run are skipped
    assert r.value == pytest.approx(1.0) and r.low <= 1 <= r.high
    with pytest.raises(ValueError, match="at least 2"):
        spectra.spread_ratio(a[:1], a)
    with pytest.raises(ValueError, match="one n_z"):
        spectra.spread_ratio(a, np.ones((3, 3)) * [[1], [2], [3]])
    with pytest.raises(ValueError, match="no spread"):
        spectra.spread_ratio(a, np.ones((3, 2)))


def test_per_index_spread():
    t = spectra.per_index_spread({"GAN": np.array([[0.0, 0.0], [2.0, 4.0]]), "VAE": np.array([[1.0, 1.0]])})
    assert list(t.columns) == ["k", "GAN", "VAE"] and t["k"].tolist() == [1, 2]
    np.testing.assert_allclose(t["GAN"], [math.sqrt(2), 2 * math.sqrt(2)])
    assert t["VAE"].isna().all()  # one run: no spread
    with pytest.raises(ValueError, match="one n_z"):
        spectra.per_index_spread({"GAN": np.ones((2, 2)), "VAE": np.ones((2, 3))})
    with pytest.raises(ValueError):
        spectra.per_index_spread({})


# ------------------------------------------------------------------------------------------ tables

def test_gan_vae_table_known_values():
    vae = np.array([[2.0, 1.0, 0.5], [2.0, 1.0, 0.5]])  # identical runs: no spread
    t = spectra.gan_vae_table(SV, vae, [15.0, 17.0], [4.0, 6.0])
    assert t["network"].tolist() == ["GAN generator", "VAE decoder"]
    row = t.set_index("network")
    assert row.loc["GAN generator", "σ_1(E[J]) (mean over runs)"] == pytest.approx(6.0)
    assert row.loc["GAN generator", "geometric mean σ_k(E[J])"] == pytest.approx(2.0)
    assert row.loc["GAN generator", "log σ_1 / σ_min of E[J]"] == pytest.approx((math.log(4) + math.log(8)) / 2)
    assert row.loc["VAE decoder", "across-run spread of log σ_k"] == 0.0
    assert row.loc["GAN generator", "final mean log κ(M_z)"] == 16.0 and row.loc["VAE decoder", "final mean log κ(M_z)"] == 5.0
    one = spectra.gan_vae_table(SV[:1], vae, [15.0], [4.0, 6.0])  # one GAN run: spread nan, no crash
    assert np.isnan(one.loc[0, "across-run spread of log σ_k"])
    with pytest.raises(ValueError, match="one value per run"):
        spectra.gan_vae_table(SV, vae, [15.0], [4.0, 6.0])


def test_clamping_table_known_values():
    clamped = np.array([[2.0, 1.0, 1.0], [2.0, 1.0, 0.5]])
    t = spectra.clamping_table(SV, clamped, [15.0, 17.0], [10.0, 12.0])
    assert t["condition"].tolist() == ["without clamping", "with clamping"]
    lk = np.log([4.0, 8.0])
    assert t.loc[0, "log κ(E[J]) = log σ_1 / σ_min (mean ± sd)"] == f"{lk.mean():.2f} ± {lk.std(ddof=1):.2f}"
    assert t.loc[1, "σ_1(E[J]) (mean over runs)"] == pytest.approx(2.0)
    assert t.loc[1, "final mean log κ(M_z)"] == 11.0
    with pytest.raises(ValueError):
        spectra.clamping_table(SV, np.ones(3), [15.0, 17.0], [10.0, 12.0])


def _vae_metrics(final_elbo: float) -> pd.DataFrame:
    return pd.DataFrame({"step": [0, 10], "test_elbo": [-500.0, final_elbo], "test_loglik": [-490.0, final_elbo + 20],
                         "test_kl": [10.0, 20.0], "active_units": [0.0, 7.0], "mean_log_cond": [3.0, 9.5],
                         "train_elbo": [-510.0, final_elbo - 1]})


def test_vae_final_table():
    t = spectra.vae_final_table([_vae_metrics(-100.0), _vae_metrics(-110.0)], [0, 1])
    assert t["seed"].tolist() == [0, 1] and t["test ELBO [nats]"].tolist() == [-100.0, -110.0]
    assert t["test log p(x|z) [nats]"].tolist() == [-80.0, -90.0] and t["test KL [nats]"].tolist() == [20.0, 20.0]
    assert t["active units"].tolist() == [7, 7] and t["active units"].dtype.kind == "i"
    assert t["final mean log κ(M_z)"].tolist() == [9.5, 9.5]
    with pytest.raises(ValueError, match="one seed"):
        spectra.vae_final_table([_vae_metrics(-100.0)], [0, 1])
    with pytest.raises(ValueError, match="lacks"):
        spectra.vae_final_table([_vae_metrics(-100.0).drop(columns="test_kl")], [0])


# ------------------------------------------------------------------------------------------ judging

def _groups(n_gan: int, n_vae: int, n_clamped: int, seed: int = 0):
    """Spectra (n_runs, 8) that satisfy every claim: GAN spectra high and varied, VAE ones low and
    alike, clamped ones flat (well conditioned)."""
    rng = np.random.default_rng(seed)
    base = np.linspace(0, -6, 8)
    gan = np.sort(np.exp(base + 3 + rng.normal(0, 1.0, (n_gan, 8))), axis=1)[:, ::-1]
    vae = np.sort(np.exp(base + rng.normal(0, 0.05, (n_vae, 8))), axis=1)[:, ::-1]
    clamped = np.sort(np.exp(0.2 * base + 3 + rng.normal(0, 0.1, (n_clamped, 8))), axis=1)[:, ::-1]
    return gan, vae, clamped


def _verdicts(checks):
    return {row["_claim"]: (row["_verdict"], row["_measured"]) for row in checks.rows}


def test_thresholds_are_the_chapters():
    assert (claims.MIN_SPREAD_RUNS, claims.MIN_RUNS) == (5, 3)


def test_judge_spectra_all_claims_reproduce_and_numbers_follow_the_chapters_formulas():
    gan, vae, clamped = _groups(6, 5, 6)
    j = claims.judge_spectra(gan, vae, clamped)
    assert (j.n_gan, j.n_vae, j.n_clamped) == (6, 5, 6) and j.enough_for_spread
    log_g, log_v = np.log(gan), np.log(vae)
    assert (j.spread.value, j.spread.low, j.spread.high) == _chapter_spread_ratio(log_g, log_v)
    assert j.spread.low > 1
    assert j.d_top == mean_difference(np.log(gan[:, 0]), np.log(vae[:, 0])) and j.d_top.high < 0
    assert j.d_geo == mean_difference(log_g.mean(axis=1), log_v.mean(axis=1)) and j.d_geo.high < 0
    assert j.d_cond == mean_difference(np.log(gan[:, 0] / gan[:, -1]), np.log(clamped[:, 0] / clamped[:, -1]))
    assert j.top_ratio == pytest.approx(gan[:, 0].mean() / vae[:, 0].mean())
    assert j.geo_ratio == pytest.approx(np.exp(log_g.mean() - log_v.mean()))
    assert j.spread_text == f"{j.spread.value:.2f} (95% interval [{j.spread.low:.2f}, {j.spread.high:.2f}])"
    c = Checks("book")
    claims.record_spectra(c, j, "tfgan")
    v = _verdicts(c)
    assert [x[0] for x in v.values()] == ["reproduced"] * 4 and len(c.rows) == 4
    assert v[claims.FIG3_SPREAD][1] == f"spread of log σ_k, GAN / VAE = {j.spread_text}"
    assert v[claims.FIG4_COND][1] == f"log κ(E_z[J_z]), clamped − unclamped: {j.d_cond}"


def test_judge_spectra_claims_that_do_not_hold():
    gan, vae, _ = _groups(5, 5, 5)
    j = claims.judge_spectra(vae, gan, vae)  # roles swapped: the "GAN" is the stable, insensitive one
    c = Checks("book")
    claims.record_spectra(c, j, "tfgan")
    v = _verdicts(c)
    assert [v[k][0] for k in (claims.FIG3_SPREAD, claims.FIG3_TOP, claims.FIG3_GEO)] == ["not reproduced"] * 3
    assert v[claims.FIG4_COND][0] == "not reproduced"  # identical spectra: the difference is 0


def test_judge_spectra_three_or_four_runs_test_all_but_the_spread():
    j = claims.judge_spectra(*_groups(4, 3, 4))
    assert not j.enough_for_spread and j.spread is not None and j.d_top is not None and j.d_cond is not None
    assert j.spread_text == f"{j.spread.value:.2f}"  # no interval quoted under 5 runs
    c = Checks("book")
    claims.record_spectra(c, j, "tfgan")
    v = _verdicts(c)
    assert v[claims.FIG3_SPREAD] == ("not tested", "3 runs per group; a spread ratio needs at least 5")
    assert v[claims.FIG3_TOP][0] == v[claims.FIG4_COND][0] == "reproduced"


def test_judge_spectra_too_few_runs_leave_every_claim_untested():
    j = claims.judge_spectra(*_groups(2, 2, 2))
    assert j.d_top is None and j.d_geo is None and j.d_cond is None and j.spread is not None
    c = Checks("smoke")
    claims.record_spectra(c, j, "tfgan")
    v = _verdicts(c)
    assert v == {claims.FIG3_SPREAD: ("not tested", "2 runs per group; a spread ratio needs at least 5"),
                 claims.FIG3_TOP: ("not tested", "2 runs per group; at least 3 are needed"),
                 claims.FIG3_GEO: ("not tested", "2 runs per group; at least 3 are needed"),
                 claims.FIG4_COND: ("not tested", "2 runs per condition; at least 3 are needed")}
    # one run per group: no spread at all, still no crash
    j1 = claims.judge_spectra(*_groups(1, 1, 1))
    assert j1.spread is None and j1.clamp_spread is None and j1.spread_text == "n/a" and np.isnan(j1.spread_gan)
    c1 = Checks("smoke")
    claims.record_spectra(c1, j1, "tfgan")
    assert all(row["_verdict"] == "not tested" for row in c1.rows)


def test_judge_spectra_vae_without_spread_leaves_the_ratio_untested():
    gan, vae, clamped = _groups(5, 5, 5)
    j = claims.judge_spectra(gan, np.ones((5, 8)), clamped)  # five identical decoders (log σ_k = 0 exactly)
    assert j.spread is None and not j.enough_for_spread and j.spread_vae == 0.0
    c = Checks("book")
    claims.record_spectra(c, j, "tfgan")
    assert _verdicts(c)[claims.FIG3_SPREAD] == ("not tested", "the VAE spectra have no spread across runs (the ratio is undefined)")


def test_judge_spectra_bad_shapes():
    gan, vae, clamped = _groups(3, 3, 3)
    with pytest.raises(ValueError, match="n_runs, n_z"):
        claims.judge_spectra(gan[0], vae, clamped)


# ------------------------------------------------------------------------------------------ figures

def test_figures_smoke():
    gan, vae, clamped = _groups(3, 2, 3)
    fig = plots.average_spectra({"GAN": gan, "VAE": vae}, {"GAN": gan * 1.1, "VAE": vae}, "title")
    assert len(fig.axes) == 2 and all(len(ax.lines) == 5 for ax in fig.axes)
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)
    fig = plots.spread_by_index(spectra.per_index_spread({"GAN": np.log(gan), "VAE": np.log(vae)}))
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 2
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["GAN", "VAE"]
    plt.close(fig)
    m = [_vae_metrics(-100.0), _vae_metrics(-110.0)]
    g = [pd.DataFrame({"step": [0, 10, 20], "mean_log_cond": [3.0, 12.0, 15.0]})] * 3
    fig = plots.vae_training(m, g, [0, 1])
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2 and len(fig.axes[1].lines) == 5
    assert len(fig.axes[0].lines[0].get_xdata()) == 1  # the ELBO from the first evaluation after initialisation
    plt.close(fig)
