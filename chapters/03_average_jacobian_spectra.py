# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Average Jacobian spectra: GAN generators, VAE decoders, and clamping
#
# **The claim (Sec. 3, Fig. 3; Sec. 4, Fig. 4).** The condition number summarises the spectrum
# of $J_z$ in one number per $z$. For a fuller picture the paper follows Hoffman (2017) and
# looks at the singular values of the *average* Jacobian $\mathbb{E}_z[J_z]$ over a batch of
# $z$, and puts ten GAN generators beside ten decoders of variational autoencoders (Kingma &
# Welling, 2013) trained on the same data, both fed $z \sim \mathcal N(0, I)$. Two readings of
# Fig. 3: the VAE spectra are almost indistinguishable from run to run while the GAN spectra
# are not, which puts a number on how much less stable GAN training is; and the VAE decoder is
# overall much less sensitive to its input than the GAN generator, yet models MNIST well. Fig. 4
# shows the terminal spectra of $\mathbb{E}_z[J_z]$ with and without Jacobian Clamping (in
# Sec. 5 the paper points at it as evidence that adversarial training need not end
# ill-conditioned).
#
# This chapter reuses the GAN runs of the previous two chapters (from the run store), trains
# VAEs whose decoder is the *same* generator network (`gancond.vae`), computes $J_z$ of every
# final generator and decoder on the fixed evaluation batch of $z$ that the trainers use, and
# compares the spectra.
#
# *Two readings of "the spectrum of the average Jacobian".* The paper's text: the singular
# values $\sigma_k(\mathbb{E}_z[J_z])$. The authors' later metric code: the eigenvalues of the
# average metric tensor $\mathbb{E}_z[J_z^\top J_z]$, shown here as their square roots so both
# are in the units of a singular value of $J$. We plot both (the figures follow the text).
#
# *The VAE.* Decoder = `gancond.models.Generator` at the GAN's width and $z$-dimension; encoder
# = the discriminator's feature stack with a linear layer to the mean and log-variance of
# $q(z \mid x)$; prior $\mathcal N(0, I)$; Adam. The paper does not say which likelihood its VAE
# used; by default ours is Bernoulli on grey levels $t = (x+1)/2$ with logits twice the
# generator's pre-tanh output, so the decoder's mean image *is* $G(z)$ in the GAN's units and
# its Jacobian is directly comparable (`likelihood="gaussian"` with a fixed $\sigma$ is the
# alternative). The ELBO $= \mathbb{E}_{q(z\mid x)}[\log p(x \mid z)] - \mathrm{KL}(q(z\mid x)\,\|\,p(z))$
# is reported in nats per image on held-out test images; with Bernoulli grey-level targets it
# is a lower bound on the expected log-likelihood of a random binarisation of the image.

# %% tags=["parameters"]
dataset = "mnist"  # "mnist", "cifar10" or "stl10" (the paper's Fig. 3 is MNIST)
scale = "book"  # "smoke" (CI, seconds), "book" (this book, 2-core CPU) or "paper" (the paper's settings, GPU)
runs = None  # GAN runs per condition, identical up to the seed (None: the scale's value; paper: 10)
steps = None  # generator updates per GAN run (None: the scale's value)
width = None  # width multiplier of generator, discriminator, encoder and decoder (None: the scale's value)
eval_every = None  # steps between GAN evaluations (None: the scale's value)
n_eval_z = None  # size of the fixed z batch the Jacobians are averaged over (None: the scale's value)
score_samples = None  # generated samples per score evaluation of the GAN runs (None: the scale's value)
recipe = "tfgan"  # main training recipe: "tfgan" (TF-GAN MNIST: batch 32, Adam G 1e-3 / D 1e-4) or "radford" (the paper's text: batch 64, Adam 2e-4)
second_recipe = "radford"  # the second reading of chapters 1-2 (trained with them; "" for none)
workers = None  # worker processes training runs side by side (None: one per core on a CPU)
eps = 1.0  # ε of Jacobian Clamping (paper: 1)
q_mode = "per_sample"  # "per_sample" (the paper's text) or "batch" (one Q per batch)
vae_runs = None  # VAE runs, identical up to the seed (None: the scale's value; paper: 10)
vae_steps = None  # Adam updates per VAE run, batch 64 (None: `steps` if given, else the scale's value)
vae_eval_every = None  # VAE steps between evaluations (None: the scale's value)
likelihood = "bernoulli"  # VAE decoder likelihood: "bernoulli" (grey levels) or "gaussian" (fixed sigma)
sigma = 0.1  # standard deviation of the Gaussian likelihood on [-1, 1] pixels (likelihood="gaussian" only)
seed = 0  # seed of the first run; run i uses seed + i (GANs and VAEs alike)
device = "auto"  # "auto" (CUDA if available, else MPS, else CPU), "cpu", "cuda" or "mps"

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from gancond import plots
from gancond.analysis import mean_difference, mean_std
from gancond.jacobian import average_jacobian_spectrum, average_metric_eigenvalues, jacobian, log_cond_M, singular_values
from gancond.report import Checks, markdown_table, paper_vs_build
from gancond.arms import load_arms
from gancond.experiments import load_model, vae_experiment
from gancond.train import fixed_latents
from gancond.vae import train_vaes

torch.set_num_threads(min(2, torch.get_num_threads()))
arms, scorer, store = load_arms(dataset=dataset, scale=scale, recipe=recipe, second_recipe=second_recipe or None,
                                seed=seed, device=device, workers=workers, eps=eps, q_mode=q_mode, runs=runs,
                                steps=steps, width=width, eval_every=eval_every, n_eval_z=n_eval_z,
                                score_samples=score_samples)
exp = arms[recipe].exp
vae_cfgs = vae_experiment(dataset, scale, seed, device=exp.device, width=exp.scale.width, n_eval_z=exp.scale.n_eval_z,
                          n_train=exp.scale.n_train, eval_seed=exp.base.eval_seed, runs=vae_runs,
                          steps=vae_steps if vae_steps is not None else steps, eval_every=vae_eval_every, likelihood=likelihood, sigma=sigma).configs()
plots.style()
v0 = vae_cfgs[0]
settings = {**exp.describe(), "vae_runs": len(vae_cfgs), "vae_steps": v0.steps, "vae_batch_size": v0.batch_size,
            "vae_lr": v0.lr, "vae_likelihood": v0.likelihood + (f" (sigma {v0.sigma:g})" if v0.likelihood == "gaussian" else ""),
            "vae_n_test": v0.n_test, "z_dim": v0.z_dim}
display(Markdown(markdown_table(pd.DataFrame([settings]).T.reset_index().set_axis(["setting", "value"], axis=1))))
glue("n_test", f"{v0.n_test:,}", display=False)
glue("n_z_batch", f"{exp.base.n_eval_z}", display=False)
glue("band", "1, 20", display=False)

# %% [markdown]
# ## Runs
#
# The GAN runs, without and with clamping (the paper's band), are those of the main recipe in
# chapters 1 and 2 (the same configs, so the run store returns them without training). The VAE
# runs use the same seeds and the same training images; their length is `vae_steps` updates of
# batch 64 (by default the VAE preset of this scale; a `steps` override sets both the GANs' and
# the VAEs' length).

# %% tags=["hide-input"]
plain, clamped = arms[recipe].plain, arms[recipe].paper
vaes = train_vaes(vae_cfgs, store, device=exp.device)
m_plain = [r.read_table("metrics") for r in plain]
m_vae = [r.read_table("metrics") for r in vaes]
print(f"{recipe}: {len(plain)} + {len(clamped)} GAN runs; {len(vaes)} VAE runs")

# %% [markdown]
# ## The VAEs learn
#
# Left: the held-out ELBO (nats per image, on the first {glue:text}`n_test` test images, one
# fixed reparameterisation sample per image), from the first evaluation after initialisation.
# Right: the mean log-condition number of the decoder on the GAN runs' fixed $z$ over training,
# with the GAN generators' trajectories for comparison.

# %% tags=["hide-input"]
fig_v, axes = plt.subplots(1, 2, figsize=(9.5, 3.2))
vae_colors, gan_colors = sns.color_palette("Blues_d", len(vaes)), sns.color_palette("Oranges_d", len(plain))
for k, m in enumerate(m_vae):
    after = m.iloc[1:]  # from the first evaluation after initialisation (the value at step 0 is far below)
    axes[0].plot(after["step"], after["test_elbo"], color=vae_colors[k], lw=1.3, label=f"VAE seed {vae_cfgs[k].seed}")
    axes[1].plot(m["step"], m["mean_log_cond"], color=vae_colors[k], lw=1.3)
for k, m in enumerate(m_plain):
    axes[1].plot(m["step"], m["mean_log_cond"], color=gan_colors[k], lw=1.3, ls="--")
axes[0].set(xlabel="VAE step", ylabel="test ELBO [nats / image]", title="VAE held-out ELBO")
axes[1].set(xlabel="step", ylabel=plots.LABELS["mean_log_cond"], title="decoder (solid) vs GAN generator (dashed)")
axes[0].legend(loc="lower right")
fig_v.tight_layout()
plots.save(fig_v, f"vae_training_{dataset}_{exp.scale.name}")
plt.show()

final_vae = pd.DataFrame({
    "seed": [c.seed for c in vae_cfgs],
    "test ELBO [nats]": [m["test_elbo"].iloc[-1] for m in m_vae],
    "test log p(x|z) [nats]": [m["test_loglik"].iloc[-1] for m in m_vae],
    "test KL [nats]": [m["test_kl"].iloc[-1] for m in m_vae],
    "active units": [int(m["active_units"].iloc[-1]) for m in m_vae],
    "final mean log κ(M_z)": [m["mean_log_cond"].iloc[-1] for m in m_vae],
})
display(final_vae.round(2))
elbo_mu, elbo_sd = mean_std(final_vae["test ELBO [nats]"])
kl_mu, _ = mean_std(final_vae["test KL [nats]"])
glue("vae_elbo", f"{elbo_mu:.1f} ± {elbo_sd:.1f}" if len(vaes) > 1 else f"{elbo_mu:.1f}", display=False)
glue("vae_elbo_start", f"{np.mean([m['test_elbo'].iloc[0] for m in m_vae]):.0f}", display=False)
glue("vae_kl", f"{kl_mu:.1f}", display=False)
glue("vae_active", f"{final_vae['active units'].min()}–{final_vae['active units'].max()} of {v0.z_dim}", display=False)

# %% [markdown]
# The final held-out ELBO is {glue:text}`vae_elbo` nats per image (mean ± standard deviation
# over runs; {glue:text}`vae_elbo_start` at initialisation), of which {glue:text}`vae_kl` nats
# are the KL term. {glue:text}`vae_active` latent dimensions are active (the variance over test
# images of the posterior mean exceeds 0.01, Burda et al. 2015); the decoder can ignore the
# others, which shows up as small singular values of $J_z$ below.
#
# ## Jacobians of the final generators and decoders
#
# $J_z$ of every final network (eval mode, forward mode, float64 singular values) on the fixed
# batch of {glue:text}`n_z_batch` latent vectors that the trainers use for their log-condition
# numbers; from it the spectrum of the average Jacobian, the square roots of the eigenvalues of
# the average metric tensor, and the mean log-condition number (which must equal the one the
# trainer stored at the last step).

# %% tags=["hide-input"]
z_eval = fixed_latents(exp.base.z_dim, exp.base.n_eval_z, exp.base.eval_seed, 0)  # (n_eval_z, z_dim)


def spectra(G) -> dict:
    """σ(E_z[J_z]), sqrt(eig E_z[J_zᵀJ_z]) (n_z,) and the mean log κ(M_z) of one network."""
    J = jacobian(G.to(exp.device), z_eval.to(exp.device)).cpu()  # (n_eval_z, n_x, n_z)
    return {"sv_avg": average_jacobian_spectrum(J).numpy(),
            "sv_metric": average_metric_eigenvalues(J).sqrt().numpy(),
            "mean_log_cond": float(log_cond_M(singular_values(J)).mean())}


spec = {
    "GAN": [spectra(load_model(r)) for r in plain],
    "GAN, clamped": [spectra(load_model(r)) for r in clamped],
    "VAE": [spectra(load_model(r)) for r in vaes],
}
stored = {"GAN": [m["mean_log_cond"].iloc[-1] for m in m_plain],
          "GAN, clamped": [r.read_table("metrics")["mean_log_cond"].iloc[-1] for r in clamped],
          "VAE": [m["mean_log_cond"].iloc[-1] for m in m_vae]}
sv = {k: np.stack([s["sv_avg"] for s in v]) for k, v in spec.items()}  # (n_runs, n_z) each
sv_metric = {k: np.stack([s["sv_metric"] for s in v]) for k, v in spec.items()}
print({k: v.shape for k, v in sv.items()})

# %% [markdown]
# ## Figure 3: log spectra of the average Jacobian, GAN vs VAE
#
# One line per run, singular values in descending order. Left: the paper's reading
# $\sigma_k(\mathbb{E}_z[J_z])$. Right: $\sqrt{\lambda_k(\mathbb{E}_z[J_z^\top J_z])}$. Because
# $\mathbb{E}_z[J_z^\top J_z] = \mathbb{E}_z[J_z]^\top\mathbb{E}_z[J_z] + \mathrm{Cov}_z(J_z)$, the
# right-hand values are never below the left-hand ones; the left reading loses whatever part
# of $J_z$ changes direction from one $z$ to the next (it cancels in the mean), the right one
# keeps it.

# %% tags=["hide-input"]
def plot_spectra(groups: dict, palettes: dict, title: str) -> plt.Figure:
    """Two panels (σ of the average Jacobian, sqrt eig of the average metric); one line per run."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, (what, data) in zip(axes, [("σ_k(E_z[J_z])", groups[0]), ("√λ_k(E_z[J_zᵀ J_z])", groups[1])]):
        for name, arr in data.items():
            colors = sns.color_palette(palettes[name], len(arr))
            for k, row in enumerate(arr):
                ax.plot(np.arange(1, len(row) + 1), row, color=colors[k], lw=1.2,
                        label=f"{name} ({len(arr)} runs)" if k == len(arr) // 2 else None)
        ax.set(yscale="log", xlabel="index k (descending)", title=what)
    axes[0].set_ylabel("singular value [output units per unit of z]")
    axes[1].legend(loc="lower left")
    fig.suptitle(title, fontsize="medium")
    fig.tight_layout()
    return fig


palettes = {"GAN": "Oranges_d", "VAE": "Blues_d", "GAN, clamped": "Greens_d"}
fig3 = plot_spectra([{k: sv[k] for k in ("GAN", "VAE")}, {k: sv_metric[k] for k in ("GAN", "VAE")}], palettes,
                    f"{dataset}: final GAN generators ({recipe} recipe, no clamping) and VAE decoders")
plots.save(fig3, f"fig3_{dataset}_{exp.scale.name}")
plt.show()

# %% [markdown]
# ### How much more do the GAN spectra vary, and how much more sensitive is the GAN?
#
# *Spread across runs*: at each index $k$ the standard deviation over runs of
# $\log\sigma_k(\mathbb{E}_z[J_z])$ (natural log), averaged over $k$; the ratio GAN / VAE says
# how many times more the GAN spectra vary. *Sensitivity*: the top singular value $\sigma_1$ of
# the average Jacobian and the geometric mean of all its singular values, GAN vs VAE. Intervals:
# 95% percentile bootstrap, the runs of each group resampled separately.

# %% tags=["hide-input"]
def log_spread(log_sv: np.ndarray) -> float:
    """Mean over k of the across-run standard deviation of log σ_k; log_sv (n_runs, n_z)."""
    return float(log_sv.std(axis=0, ddof=1).mean())


def spread_ratio(a: np.ndarray, b: np.ndarray, n_boot: int = 2000, level: float = 0.95, seed: int = 0):
    """log_spread(a) / log_spread(b) and its bootstrap interval (runs resampled within a and b)."""
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        sa, sb = log_spread(a[rng.integers(0, len(a), len(a))]), log_spread(b[rng.integers(0, len(b), len(b))])
        if sb > 0:
            boots.append(sa / sb)
    q = (1 - level) / 2
    lo, hi = np.quantile(boots, [q, 1 - q]) if boots else (np.nan, np.nan)
    return log_spread(a) / log_spread(b), float(lo), float(hi)


log_sv = {k: np.log(np.clip(v, 1e-300, None)) for k, v in sv.items()}
several = min(len(sv["GAN"]), len(sv["VAE"])) >= 3  # intervals over fewer runs say nothing
# a spread ratio needs more: with 3 runs a resample often repeats one run, whose spread is 0
enough_for_spread = min(len(sv["GAN"]), len(sv["VAE"])) >= 5
ratio, ratio_lo, ratio_hi = spread_ratio(log_sv["GAN"], log_sv["VAE"])
top = {k: v[:, 0] for k, v in sv.items()}  # σ_1 per run
geo = {k: v.mean(axis=1) for k, v in log_sv.items()}  # mean log σ_k per run
d_top = mean_difference(np.log(top["GAN"]), np.log(top["VAE"])) if several else None  # log σ_1: VAE − GAN
d_geo = mean_difference(geo["GAN"], geo["VAE"]) if several else None
per_k = pd.DataFrame({"k": np.arange(1, sv["GAN"].shape[1] + 1),
                      "GAN sd of log σ_k": log_sv["GAN"].std(axis=0, ddof=1),
                      "VAE sd of log σ_k": log_sv["VAE"].std(axis=0, ddof=1)})
summary3 = pd.DataFrame({
    "network": ["GAN generator", "VAE decoder"],
    "σ_1(E[J]) (mean over runs)": [top["GAN"].mean(), top["VAE"].mean()],
    "geometric mean σ_k(E[J])": [np.exp(geo["GAN"]).mean(), np.exp(geo["VAE"]).mean()],
    "log σ_1 / σ_min of E[J]": [(log_sv["GAN"][:, 0] - log_sv["GAN"][:, -1]).mean(),
                                (log_sv["VAE"][:, 0] - log_sv["VAE"][:, -1]).mean()],
    "across-run spread of log σ_k": [log_spread(log_sv["GAN"]), log_spread(log_sv["VAE"])],
    "final mean log κ(M_z)": [np.mean(stored["GAN"]), np.mean(stored["VAE"])],
})
display(summary3.round(3))
print(f"spread ratio GAN / VAE = {ratio:.2f} (95% bootstrap interval [{ratio_lo:.2f}, {ratio_hi:.2f}])")
for name, d in [("log σ_1", d_top), ("mean log σ_k", d_geo)]:
    print(f"VAE − GAN, {name}: {d if d else 'needs at least 3 runs per group'}")
ratio_text = f"{ratio:.2f} (95% interval [{ratio_lo:.2f}, {ratio_hi:.2f}])" if enough_for_spread else f"{ratio:.2f}"
top_ratio = top["GAN"].mean() / top["VAE"].mean()
geo_ratio = float(np.exp(geo["GAN"].mean() - geo["VAE"].mean()))
glue("spread_ratio", ratio_text, display=False)
glue("spread_gan", f"{log_spread(log_sv['GAN']):.2f}", display=False)
glue("spread_vae", f"{log_spread(log_sv['VAE']):.2f}", display=False)
glue("top_gan", f"{top['GAN'].mean():.3g}", display=False)
glue("top_vae", f"{top['VAE'].mean():.3g}", display=False)
glue("top_ratio", f"{top_ratio:.2f}", display=False)
glue("geo_ratio", f"{geo_ratio:.2f}", display=False)

# %% [markdown]
# Across runs, $\log\sigma_k(\mathbb{E}_z[J_z])$ varies by {glue:text}`spread_gan` (standard
# deviation, averaged over $k$) for the GAN generators and by {glue:text}`spread_vae` for the VAE
# decoders: the GAN spectra vary {glue:text}`spread_ratio` times as much. The top singular
# value of the average Jacobian is {glue:text}`top_gan` for the GANs and {glue:text}`top_vae`
# for the VAEs (ratio GAN / VAE {glue:text}`top_ratio`); the geometric mean of all singular
# values differs by a factor {glue:text}`geo_ratio` (GAN / VAE).
#
# Where along the spectrum the runs differ matters for reading the ratio. A VAE decoder
# typically uses only some of its latent dimensions (the active units above); its spectrum
# then drops at a knee, and runs can agree closely above and below the knee while differing in
# where it lies. The spread index by index:

# %% tags=["hide-input"]
fig_sd, ax = plt.subplots(figsize=(6.5, 2.8))
ax.plot(per_k["k"], per_k["GAN sd of log σ_k"], color=sns.color_palette("Oranges_d", 3)[1], label="GAN")
ax.plot(per_k["k"], per_k["VAE sd of log σ_k"], color=sns.color_palette("Blues_d", 3)[1], label="VAE")
ax.set(xlabel="index k (descending)", ylabel="sd over runs of log σ_k", title="across-run spread of the Fig. 3 spectra")
ax.legend()
fig_sd.tight_layout()
plots.save(fig_sd, f"fig3_spread_{dataset}_{exp.scale.name}")
plt.show()

# %% [markdown]
# ## Figure 4: terminal spectra with and without Jacobian Clamping
#
# The same two readings for the final generators of the runs without clamping and the runs
# clamped with $(\lambda_{\min}, \lambda_{\max})$ = ({glue:text}`band`) (chapter 2), one line per run.

# %% tags=["hide-input"]
fig4 = plot_spectra([{k: sv[k] for k in ("GAN", "GAN, clamped")}, {k: sv_metric[k] for k in ("GAN", "GAN, clamped")}],
                    palettes, f"{dataset}: final generators ({recipe} recipe) without and with Jacobian Clamping")
plots.save(fig4, f"fig4_{dataset}_{exp.scale.name}")
plt.show()

cond_avg = {k: v[:, 0] / np.clip(v[:, -1], 1e-300, None) for k, v in sv.items()}  # κ(E_z[J_z]) per run
several_gan = exp.runs >= 3
d_cond = mean_difference(np.log(cond_avg["GAN"]), np.log(cond_avg["GAN, clamped"])) if several_gan else None
clamp_spread = spread_ratio(log_sv["GAN, clamped"], log_sv["GAN"])
summary4 = pd.DataFrame({
    "condition": ["without clamping", "with clamping"],
    "σ_1(E[J]) (mean over runs)": [top["GAN"].mean(), top["GAN, clamped"].mean()],
    "log κ(E[J]) = log σ_1 / σ_min (mean ± sd)": [
        "{:.2f} ± {:.2f}".format(*mean_std(np.log(cond_avg[k]))) for k in ("GAN", "GAN, clamped")],
    "across-run spread of log σ_k": [log_spread(log_sv["GAN"]), log_spread(log_sv["GAN, clamped"])],
    "final mean log κ(M_z)": [np.mean(stored["GAN"]), np.mean(stored["GAN, clamped"])],
})
display(summary4)
print(f"clamped − unclamped, log κ(E_z[J_z]): {d_cond if d_cond else 'needs at least 3 runs per condition'}")
glue("d_cond", str(d_cond) if d_cond else "n/a (fewer than 3 runs)", display=False)
glue("clamp_spread", f"{clamp_spread[0]:.2f}", display=False)

# %% [markdown]
# Clamping changed the log-condition number of the average Jacobian, $\log\sigma_1/\sigma_{\min}$
# of $\mathbb{E}_z[J_z]$, by {glue:text}`d_cond` (clamped minus unclamped); the across-run
# spread of the clamped spectra is {glue:text}`clamp_spread` times that of the unclamped ones.
#
# ## Paper vs this build

# %% tags=["hide-input"]
data_note = f"{dataset}" + (" (lossy JPEG copy)" if plain[0].manifest()["data"]["lossy"] else "")
table = paper_vs_build([
    ("runs", "10 GAN + 10 VAE (Fig. 3); 10 per condition (Fig. 4)",
     f"{len(plain)} GAN + {len(vaes)} VAE; {len(clamped)} clamped"),
    ("GAN / VAE training", "DCGAN; VAE not described", f"{exp.scale.steps} GAN steps, {v0.steps} VAE steps, batch 64, "
     f"width ×{exp.scale.width:g}, z_dim {v0.z_dim}; decoder = the GAN's generator"),
    ("VAE likelihood", "not stated", v0.likelihood + (f", sigma {v0.sigma:g}" if v0.likelihood == "gaussian" else
                                                      " on grey levels (t = (x+1)/2)")),
    ("VAE held-out ELBO [nats / image]", "not reported (\"successfully models MNIST\")",
     f"{elbo_mu:.1f} ± {elbo_sd:.1f}" if len(vaes) > 1 else f"{elbo_mu:.1f}"),
    ("spectrum reading", "σ(E_z[J_z]) (text)", "σ(E_z[J_z]) (left panels) and √eig(E_z[J_zᵀJ_z]) (right)"),
    ("run-to-run spread of the log spectrum, GAN / VAE", "VAE spectra \"almost indistinguishable\"; GAN's vary",
     ratio_text),
    ("σ_1 of E_z[J_z], GAN vs VAE", "VAE \"quite a bit\" less sensitive",
     f"{top['GAN'].mean():.3g} vs {top['VAE'].mean():.3g} (×{top_ratio:.2f})"),
    ("geometric mean σ_k of E_z[J_z], GAN / VAE", "(same claim)", f"×{geo_ratio:.2f}"),
    ("Fig. 4: log κ(E_z[J_z]), clamped − unclamped", "clamped runs avoid the ill-conditioned cluster",
     str(d_cond) if d_cond else "n/a"),
], exp.scale.name, data_note)
display(Markdown(markdown_table(table)))

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
checks = Checks(exp.scale.name)
n_z = exp.base.z_dim
checks.require(all(v.shape == (n, n_z) for v, n in [(sv["GAN"], exp.runs), (sv["GAN, clamped"], exp.runs),
                                                    (sv["VAE"], len(vae_cfgs))]),
               "one spectrum of n_z singular values per run")
checks.require(all(np.isfinite(v).all() and (v >= 0).all() and (np.diff(v, axis=1) <= 0).all() for v in sv.values()),
               "spectra are finite, non-negative and descending")
checks.require(all((sv_metric[k] >= sv[k] * (1 - 1e-9) - 1e-12).all() for k in sv),
               "√eig(E[JᵀJ]) ≥ σ(E[J]) index by index (E[JᵀJ] − E[J]ᵀE[J] is a covariance)")
checks.require(all(np.allclose([s["mean_log_cond"] for s in spec[k]], stored[k], rtol=1e-5, atol=1e-6) for k in spec),
               "the mean log κ(M_z) recomputed from the final checkpoints equals the one stored at the last step")
checks.require(all(m["test_elbo"].iloc[-1] > m["test_elbo"].iloc[0] for m in m_vae),
               "every VAE's held-out ELBO rose above its value at initialisation")
checks.require(all(np.isfinite(m[["train_elbo", "test_elbo", "test_kl"]].iloc[1:].to_numpy()).all() for m in m_vae)
               and all((m["test_kl"] >= 0).all() for m in m_vae), "VAE ELBOs are finite and the KL term non-negative")
if enough_for_spread:
    checks.claim(ratio_lo > 1, "GAN spectra vary more from run to run than VAE spectra (Fig. 3)",
                 f"spread of log σ_k, GAN / VAE = {ratio_text}", recipe)
else:
    checks.untested("GAN spectra vary more from run to run than VAE spectra (Fig. 3)",
                    f"{min(exp.runs, len(vaes))} runs per group; a spread ratio needs at least 5", recipe)
if several:
    checks.claim(d_top.high < 0, "the VAE decoder is less sensitive than the GAN generator: lower σ_1 of E_z[J_z] (Fig. 3)",
                 f"log σ_1, VAE − GAN: {d_top}", recipe)
    checks.claim(d_geo.high < 0, "the VAE decoder is less sensitive overall: lower singular values across the spectrum (Fig. 3)",
                 f"mean log σ_k, VAE − GAN: {d_geo}", recipe)
else:
    for claim in ["the VAE decoder is less sensitive than the GAN generator: lower σ_1 of E_z[J_z] (Fig. 3)",
                  "the VAE decoder is less sensitive overall: lower singular values across the spectrum (Fig. 3)"]:
        checks.untested(claim, f"{min(exp.runs, len(vaes))} runs per group; at least 3 are needed", recipe)
if several_gan:
    checks.claim(d_cond.high < 0, "clamped generators end with a better-conditioned average Jacobian (Fig. 4)",
                 f"log κ(E_z[J_z]), clamped − unclamped: {d_cond}", recipe)
else:
    checks.untested("clamped generators end with a better-conditioned average Jacobian (Fig. 4)",
                    f"{exp.runs} runs per condition; at least 3 are needed", recipe)
display(Markdown(markdown_table(checks.table())))
glue("ch3_summary", checks.summary(), display=False)
glue("scoreboard", HTML(checks.scoreboard("3. Average-Jacobian spectra", "../chapters/03_average_jacobian_spectra.html")),
     display=False)

# %% [markdown]
# **Summary.** {glue:text}`ch3_summary`
