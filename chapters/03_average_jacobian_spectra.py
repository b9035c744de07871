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
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from gancond import chapter, plots, spectra
from gancond.arms import load_arms
from gancond.claims import FIG3_SPREAD, FIG4_COND, judge_spectra, record_spectra
from gancond.experiments import load_model, vae_experiment
from gancond.report import Checks, markdown_table, paper_vs_build
from gancond.train import fixed_latents
from gancond.vae import train_vaes

chapter.check_parameters()  # a parameter this chapter does not have (papermill -p) stops it here
chapter.setup(device)
arms, scorer, store = load_arms(dataset=dataset, scale=scale, recipe=recipe, second_recipe=second_recipe or None,
                                seed=seed, device=device, workers=workers, eps=eps, q_mode=q_mode, runs=runs,
                                steps=steps, width=width, eval_every=eval_every, n_eval_z=n_eval_z,
                                score_samples=score_samples)
exp = arms[recipe].exp
vae_cfgs = vae_experiment(dataset, scale, seed, device=exp.device, width=exp.scale.width, n_eval_z=exp.scale.n_eval_z,
                          n_train=exp.scale.n_train, eval_seed=exp.base.eval_seed, runs=vae_runs,
                          steps=vae_steps if vae_steps is not None else steps, eval_every=vae_eval_every, likelihood=likelihood, sigma=sigma).configs()
v0 = vae_cfgs[0]
display(HTML(chapter.settings({
    **exp.describe(), "vae_runs": len(vae_cfgs), "vae_steps": v0.steps, "vae_batch_size": v0.batch_size, "vae_lr": v0.lr,
    "vae_likelihood": v0.likelihood + (f" (sigma {v0.sigma:g})" if v0.likelihood == "gaussian" else ""),
    "vae_n_test": v0.n_test, "z_dim": v0.z_dim})))
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
metrics = {name: [r.read_table("metrics") for r in rs] for name, rs in [("GAN", plain), ("GAN, clamped", clamped), ("VAE", vaes)]}
print(f"{recipe}: {len(plain)} + {len(clamped)} GAN runs; {len(vaes)} VAE runs")

# %% [markdown]
# ## The VAEs learn
#
# Left: the held-out ELBO (nats per image, on the first {glue:text}`n_test` test images, one
# fixed reparameterisation sample per image), from the first evaluation after initialisation.
# Right: the mean log-condition number of the decoder on the GAN runs' fixed $z$ over training,
# with the GAN generators' trajectories for comparison.

# %% tags=["hide-input"]
vae_seeds = [c.seed for c in vae_cfgs]
plots.save(plots.vae_training(metrics["VAE"], metrics["GAN"], vae_seeds), f"vae_training_{dataset}_{exp.scale.name}",
           stamp=f"VAEs: {len(vae_cfgs)} runs × {vae_cfgs[0].steps:,} steps · GANs: {exp.stamp}")
plt.show()

final_vae = spectra.vae_final_table(metrics["VAE"], vae_seeds)
display(final_vae.round(2))
elbo = chapter.pm(final_vae["test ELBO [nats]"], 1)
glue("vae_elbo", elbo, display=False)
glue("vae_elbo_start", f"{np.mean([m['test_elbo'].iloc[0] for m in metrics['VAE']]):.0f}", display=False)
glue("vae_kl", f"{np.mean(final_vae['test KL [nats]']):.1f}", display=False)
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
spec = {name: spectra.group_spectra((load_model(r) for r in rs), z_eval, exp.device)
        for name, rs in [("GAN", plain), ("GAN, clamped", clamped), ("VAE", vaes)]}
stored = {name: [m["mean_log_cond"].iloc[-1] for m in ms] for name, ms in metrics.items()}  # the trainers' last values
sv = {name: s.sv for name, s in spec.items()}  # (n_runs, n_z) σ_k(E_z[J_z]) per group
sv_metric = {name: s.sv_metric for name, s in spec.items()}  # (n_runs, n_z) √λ_k(E_z[J_zᵀJ_z])

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
pair = ("GAN", "VAE")
fig3 = plots.average_spectra({k: sv[k] for k in pair}, {k: sv_metric[k] for k in pair},
                             f"{dataset}: final GAN generators ({recipe} recipe, no clamping) and VAE decoders")
plots.save(fig3, f"fig3_{dataset}_{exp.scale.name}", stamp=exp.stamp)
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
j = judge_spectra(sv["GAN"], sv["VAE"], sv["GAN, clamped"])
display(spectra.gan_vae_table(sv["GAN"], sv["VAE"], stored["GAN"], stored["VAE"]).round(3))
print(f"spread ratio GAN / VAE = {j.spread}")
for name, d in [("log σ_1", j.d_top), ("mean log σ_k", j.d_geo)]:
    print(f"VAE − GAN, {name}: {d or 'needs at least 3 runs per group'}")
for name, value in {"spread_ratio": j.spread_text, "spread_gan": f"{j.spread_gan:.2f}", "spread_vae": f"{j.spread_vae:.2f}",
                    "top_gan": f"{j.top_gan:.3g}", "top_vae": f"{j.top_vae:.3g}", "top_ratio": f"{j.top_ratio:.2f}",
                    "geo_ratio": f"{j.geo_ratio:.2f}"}.items():
    glue(name, value, display=False)

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
fig_sd = plots.spread_by_index(spectra.per_index_spread({k: spectra.log_spectrum(sv[k]) for k in pair}))
plots.save(fig_sd, f"fig3_spread_{dataset}_{exp.scale.name}", stamp=exp.stamp)
plt.show()

# %% [markdown]
# ## Figure 4: terminal spectra with and without Jacobian Clamping
#
# The same two readings for the final generators of the runs without clamping and the runs
# clamped with $(\lambda_{\min}, \lambda_{\max})$ = ({glue:text}`band`) (chapter 2), one line per run.

# %% tags=["hide-input"]
pair4 = ("GAN", "GAN, clamped")
fig4 = plots.average_spectra({k: sv[k] for k in pair4}, {k: sv_metric[k] for k in pair4},
                             f"{dataset}: final generators ({recipe} recipe) without and with Jacobian Clamping")
plots.save(fig4, f"fig4_{dataset}_{exp.scale.name}", stamp=exp.stamp)
plt.show()

display(spectra.clamping_table(sv["GAN"], sv["GAN, clamped"], stored["GAN"], stored["GAN, clamped"]))
print(f"clamped − unclamped, log κ(E_z[J_z]): {j.d_cond or 'needs at least 3 runs per condition'}")
glue("d_cond", chapter.na(j.d_cond, "n/a (fewer than 3 runs)"), display=False)
glue("clamp_spread", f"{j.clamp_spread.value:.2f}" if j.clamp_spread else "n/a", display=False)

# %% [markdown]
# Clamping changed the log-condition number of the average Jacobian, $\log\sigma_1/\sigma_{\min}$
# of $\mathbb{E}_z[J_z]$, by {glue:text}`d_cond` (clamped minus unclamped); the across-run
# spread of the clamped spectra is {glue:text}`clamp_spread` times that of the unclamped ones.
#
# ## Paper vs this build

# %% tags=["hide-input"]
table = paper_vs_build([
    ("runs", "10 GAN + 10 VAE (Fig. 3); 10 per condition (Fig. 4)",
     f"{len(plain)} GAN + {len(vaes)} VAE; {len(clamped)} clamped"),
    ("GAN / VAE training", "DCGAN; VAE not described", f"{exp.scale.steps} GAN steps, {v0.steps} VAE steps, batch 64, "
     f"width ×{exp.scale.width:g}, z_dim {v0.z_dim}; decoder = the GAN's generator"),
    ("VAE likelihood", "not stated", v0.likelihood + (f", sigma {v0.sigma:g}" if v0.likelihood == "gaussian" else
                                                      " on grey levels (t = (x+1)/2)")),
    ("VAE held-out ELBO [nats / image]", "not reported (\"successfully models MNIST\")", elbo),
    ("spectrum reading", "σ(E_z[J_z]) (text)", "σ(E_z[J_z]) (left panels) and √eig(E_z[J_zᵀJ_z]) (right)"),
    ("run-to-run spread of the log spectrum, GAN / VAE", "VAE spectra \"almost indistinguishable\"; GAN's vary",
     j.spread_text),
    ("σ_1 of E_z[J_z], GAN vs VAE", "VAE \"quite a bit\" less sensitive",
     f"{j.top_gan:.3g} vs {j.top_vae:.3g} (×{j.top_ratio:.2f})"),
    ("geometric mean σ_k of E_z[J_z], GAN / VAE", "(same claim)", f"×{j.geo_ratio:.2f}"),
    ("Fig. 4: log κ(E_z[J_z]), clamped − unclamped", "clamped runs avoid the ill-conditioned cluster",
     chapter.na(j.d_cond)),
], exp.scale.name, chapter.data_note(dataset, plain[0].manifest()))
display(Markdown(markdown_table(table)))

# %% [markdown]
# ## Checks
#
# The paper's claims are judged by `gancond.claims.judge_spectra` and `record_spectra`, by the
# rules this chapter fixed before its book-scale runs.

# %% tags=["hide-input"]
checks = Checks(exp.scale.name)
n_runs = {"GAN": exp.runs, "GAN, clamped": exp.runs, "VAE": len(vae_cfgs)}
checks.require(all(sv[k].shape == (n, exp.base.z_dim) for k, n in n_runs.items()),
               "one spectrum of n_z singular values per run")
checks.require(all(np.isfinite(v).all() and (v >= 0).all() and (np.diff(v, axis=1) <= 0).all() for v in sv.values()),
               "spectra are finite, non-negative and descending")
checks.require(all((sv_metric[k] >= sv[k] * (1 - 1e-9) - 1e-12).all() for k in sv),
               "√eig(E[JᵀJ]) ≥ σ(E[J]) index by index (E[JᵀJ] − E[J]ᵀE[J] is a covariance)")
checks.require(all(np.allclose(spec[k].mean_log_cond, stored[k], rtol=1e-5, atol=1e-6) for k in spec),
               "the mean log κ(M_z) recomputed from the final checkpoints equals the one stored at the last step")
checks.require(all(m["test_elbo"].iloc[-1] > m["test_elbo"].iloc[0] for m in metrics["VAE"]),
               "every VAE's held-out ELBO rose above its value at initialisation")
checks.require(all(np.isfinite(m[["train_elbo", "test_elbo", "test_kl"]].iloc[1:].to_numpy()).all()
                   and (m["test_kl"] >= 0).all() for m in metrics["VAE"]), "VAE ELBOs are finite and the KL term non-negative")
record_spectra(checks, j, recipe)
display(Markdown(markdown_table(checks.table())))
glue("ch3_summary", checks.summary(), display=False)
glue("ch3_findings", checks.findings(FIG3_SPREAD, FIG4_COND, recipe=recipe), display=False)
glue("scoreboard", HTML(checks.scoreboard("3. Average-Jacobian spectra", "../chapters/03_average_jacobian_spectra.html")),
     display=False)

# %% [markdown]
# **Summary.** {glue:text}`ch3_summary`
