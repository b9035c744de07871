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
# # Use it in your own GAN
#
# This page is a recipe: its code is meant to be copied. It takes a generator that is *not*
# gancond's (a three-layer MLP trained on MNIST) and, with gancond's functions,
#
# 1. measures its conditioning: the per-$z$ Jacobians $J_z$, their singular values, the paper's
#    $\log\kappa(M_z)$ and the spectrum of the average Jacobian (chapters 1 and 3);
# 2. adds Jacobian Clamping (Algorithm 1 of the paper, chapter 2) to a plain training loop: three
#    changed lines;
# 3. checks, by measurement, that the clamp does what it promises. Two copies of the GAN are
#    trained from the same initial weights on the same batches, one plain and one clamped; the
#    clamped copy's quotient $Q$ must end inside the band $[\lambda_{\min}, \lambda_{\max}]$ and
#    the plain copy's outside it.
#
# At `book` scale the whole page runs in under a minute on one CPU thread; at `smoke` scale
# (continuous integration) in seconds.

# %% tags=["parameters"]
scale = "book"  # "smoke" (CI: 150 steps, seconds) or "book" (500 steps, under a minute); "paper" runs the book's settings (this page is not in the paper)
steps = None  # generator updates per copy (None: the scale's value)
z_dim = 8  # n_z, the latent dimension of the small generator
batch_size = 64  # images (and z's) per step
lr = 1e-3  # Adam learning rate of G and D (betas 0.5, 0.999)
n_train = 10000  # MNIST training images used (0: all 60,000)
eps = 1.0  # ε, the norm of the perturbation δ in Algorithm 1 (paper: 1)
band_low = 0.5  # λ_min = band_low × the untrained generator's median Q
band_high = 2.0  # λ_max = band_high × the untrained generator's median Q
eval_every = 25  # steps between measurements of the mean log κ(M_z)
seed = 0  # seed of the initial weights, the batches and the perturbations

# %% [markdown]
# All the imports, in one place. The conditioning and clamping functions are `gancond`'s public
# names (`help(gancond)` lists them); `quotient` is the Q of Algorithm 1 on outputs you already
# have. The last three lines are this book's plumbing (thread cap and plot style, the
# `GANCOND_SCALE` override, the MNIST loader).

# %%
import copy
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from myst_nb import glue
from torch import nn

from gancond import average_jacobian_spectrum, jacobian_clamping, log_condition_numbers, mean_log_condition
from gancond.clamping import quotient

from gancond import chapter, plots
from gancond.data import gan_training_images
from gancond.experiments import scale_from_env

chapter.check_parameters()  # a parameter this page does not have (papermill -p) stops it here

# %% tags=["hide-input"]
SCALE_STEPS = {"smoke": 150, "book": 500, "paper": 500}  # generator updates per copy at each scale
scale = scale_from_env(scale)
if scale not in SCALE_STEPS:
    raise ValueError(f"parameter 'scale' must be one of {sorted(SCALE_STEPS)}, got {scale!r}")
steps = SCALE_STEPS[scale] if steps is None else steps
for name, v in {"steps": steps, "z_dim": z_dim, "batch_size": batch_size, "eval_every": eval_every}.items():
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"parameter {name!r} must be a positive int, got {v!r}")
if isinstance(n_train, bool) or not isinstance(n_train, int) or n_train < 0:
    raise ValueError(f"parameter 'n_train' must be an int >= 0 (0: all images), got {n_train!r}")
for name, v in {"lr": lr, "eps": eps, "band_low": band_low, "band_high": band_high}.items():
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < float("inf"):
        raise ValueError(f"parameter {name!r} must be a positive number, got {v!r}")
if not band_low < band_high:
    raise ValueError(f"parameters 'band_low' < 'band_high' needed, got {band_low} and {band_high}")

chapter.setup("cpu", threads=1)  # networks this small gain nothing from a second thread
t_page = time.perf_counter()
print(f"scale {scale}: {steps} steps per copy, batch {batch_size}, z_dim {z_dim}, Adam lr {lr:g}, seed {seed}")

# %% [markdown]
# ## 1. A generator that is not gancond's
#
# Any `nn.Module` that maps a batch of latent vectors $(B, n_z)$ to a batch of outputs works,
# provided it treats the $z$'s of a batch independently in eval mode. Here a three-layer MLP,
# and an MLP discriminator for the GAN below.

# %%
def make_generator(z_dim: int) -> nn.Module:
    return nn.Sequential(  # z (B, z_dim) -> image (B, 1, 28, 28) in [-1, 1]
        nn.Linear(z_dim, 128), nn.ReLU(),
        nn.Linear(128, 256), nn.ReLU(),
        nn.Linear(256, 784), nn.Tanh(),
        nn.Unflatten(1, (1, 28, 28)),
    )


def make_discriminator() -> nn.Module:
    return nn.Sequential(  # image (B, 1, 28, 28) -> logit (B, 1)
        nn.Flatten(),
        nn.Linear(784, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 128), nn.LeakyReLU(0.2),
        nn.Linear(128, 1),
    )


torch.manual_seed(seed)
G0, D0 = make_generator(z_dim), make_discriminator()  # both copies start from these weights

# %% [markdown]
# ## 2. Measure its conditioning
#
# On a fixed batch of $z$, with $G$ in eval mode (the functions refuse a network left in
# training mode): `log_condition_numbers` gives the paper's
# $\log\kappa(M_z) = 2\log(\sigma_{\max}/\sigma_{\min})$ of $M_z = J_z^\top J_z$ for every $z$
# (natural log; $J_z$ by forward mode, singular values in float64), `mean_log_condition` their
# mean, and `average_jacobian_spectrum` the singular values of the batch-average Jacobian
# $\mathbb{E}_z[J_z]$ (the paper's Figs. 3 and 4). The training loop below measures through
# `measure`, which puts $G$ in eval mode and back.

# %%
z_eval = torch.randn(128, z_dim, generator=torch.Generator().manual_seed(seed + 100))  # (128, z_dim), fixed

G0.eval()
log_kappa = log_condition_numbers(G0, z_eval)  # (128,) float64: log κ(M_z) for every z
spectrum0 = average_jacobian_spectrum(G0, z_eval)  # (z_dim,) singular values of E_z[J_z]
G0.train()

print(f"log κ(M_z): mean {log_kappa.mean():.2f}, range {log_kappa.min():.2f}–{log_kappa.max():.2f}")
print("average-Jacobian spectrum:", np.array2string(spectrum0.numpy(), precision=3))

# %% [markdown]
# ## 3. Choose the band $[\lambda_{\min}, \lambda_{\max}]$
#
# Algorithm 1 watches the quotient $Q = \|G(z) - G(z + \delta)\| / \|\delta\|$ with
# $\|\delta\| = \varepsilon$, per sample: the stretch of $G$ along one random direction, which
# for a small $\varepsilon$ lies between $\sigma_{\min}(J_z)$ and $\sigma_{\max}(J_z)$. The paper
# sets $\lambda_{\min}, \lambda_{\max}$ so that the $Q$ of unclamped runs that scored well lies
# mostly between them (chapter 2 does this over 10 runs). With one GAN and no score, this page
# fixes the band *before training*, from the untrained generator: $Q$ may grow or shrink by up to
# a factor `band_high` = 2 (`band_low` = ½) from its starting median $Q_0$. The band depends on
# nothing either copy does afterwards, so both checks at the end are measurements, not
# consequences of how the band was chosen.

# %%
z = torch.randn(1024, z_dim, generator=torch.Generator().manual_seed(seed + 101))  # (1024, z_dim)
delta = torch.randn(1024, z_dim, generator=torch.Generator().manual_seed(seed + 102))
delta = eps * delta / delta.norm(dim=1, keepdim=True)  # ‖δ_b‖ = ε for every sample
with torch.no_grad():
    Q0 = quotient(G0(z), G0(z + delta), delta)  # (1024,) per-sample Q of the untrained generator

q0 = float(Q0.median())
lambda_min, lambda_max = band_low * q0, band_high * q0
print(f"untrained generator: median Q = {q0:.3f} (10–90%: {Q0.quantile(0.1):.3f}–{Q0.quantile(0.9):.3f})")
print(f"band: λ_min = {lambda_min:.3f}, λ_max = {lambda_max:.3f}")

# %% [markdown]
# ## 4. Add the clamp to a training loop
#
# The whole change to a plain non-saturating GAN loop (Algorithm 1): feed $z$ and $z + \delta$
# through $G$ in one pass, use the first half as the usual $G(z)$, and add the penalty $L$ to the
# generator loss.
#
# ```diff
#      z = torch.randn(batch_size, z_dim)
# -    fake = G(z)
# +    jc = jacobian_clamping(G, z, lambda_min, lambda_max, eps=1.0)  # G(z) and G(z + δ), one pass
# +    fake = jc.x                                                     # G(z), for both GAN losses
#      ...                                                             # the discriminator step, unchanged
# -    loss_G = F.softplus(-D(fake)).mean()
# +    loss_G = F.softplus(-D(fake)).mean() + jc.penalty               # Algorithm 1's L
# ```
#
# `jc.Q` holds the per-sample $Q$ of the batch (detached), for logging. The loop below trains
# either copy: the plain one makes the same call only to *measure* $Q$ (so both copies log it
# the same way) and leaves the penalty out. The lines marked `# JC` are the clamp. If your
# generator has BatchNorm, $z$ and $z + \delta$ share its batch statistics in the joint pass,
# as in Algorithm 1 and `gancond.clamping`.

# %%
def measure(G: nn.Module) -> float:
    """Mean log κ(M_z) of G on z_eval, in eval mode; G is left in training mode."""
    G.eval()
    try:
        return mean_log_condition(G, z_eval)
    finally:
        G.train()


def train(G: nn.Module, D: nn.Module, images: torch.Tensor, clamp: bool) -> tuple[np.ndarray, dict]:
    """Train G and D in place for `steps` steps; return the per-sample Q of every step (steps, B)
    and the mean log κ(M_z) on z_eval, {steps done: value}."""
    opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    data_rng = torch.Generator().manual_seed(seed + 1)  # the same batches and z's for both copies
    delta_rng = torch.Generator().manual_seed(seed + 2)  # the same perturbations δ
    Q, log_kappa = [], {0: measure(G)}
    for step in range(1, steps + 1):
        real = images[torch.randint(len(images), (batch_size,), generator=data_rng)]  # (B, 1, 28, 28)
        z = torch.randn(batch_size, z_dim, generator=data_rng)  # (B, z_dim)
        jc = jacobian_clamping(G, z, lambda_min, lambda_max, eps=eps, generator=delta_rng)  # JC
        fake = jc.x  # JC: G(z)
        Q.append(jc.Q)  # (B,) per-sample Q

        loss_D = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()

        loss_G = F.softplus(-D(fake)).mean()
        if clamp:
            loss_G = loss_G + jc.penalty  # JC
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()

        if step % eval_every == 0 or step == steps:
            log_kappa[step] = measure(G)
    return torch.stack(Q).numpy(), log_kappa


images = gan_training_images("mnist", n_train)  # (N, 1, 28, 28) in [-1, 1]
copies = {}
for name, clamp in [("unclamped", False), ("clamped", True)]:
    G, D = copy.deepcopy(G0), copy.deepcopy(D0)
    t = time.perf_counter()
    Q, lk = train(G, D, images, clamp)
    copies[name] = {"G": G, "Q": Q, "log_kappa": lk, "seconds": time.perf_counter() - t}
    print(f"{name}: {steps} steps in {copies[name]['seconds']:.1f} s")

# %% [markdown]
# ## 5. Measure both copies
#
# The *final median $Q$* of a copy is the median of the per-sample $Q$ pooled over its last 10%
# of steps. The figure shows the median $Q$ of every step (thin) and its running median over
# 25 steps (thick) against the band (grey), the mean $\log\kappa(M_z)$ on the fixed batch of $z$
# over training, and the average-Jacobian spectrum of each copy at the end.

# %%
def final_median_q(Q: np.ndarray) -> float:
    """Median of the per-sample Q (steps, B) over the last 10% of steps."""
    return float(np.median(Q[-max(1, len(Q) // 10):]))


for c in copies.values():
    c["G"].eval()
    c["q_final"] = final_median_q(c["Q"])
    c["log_kappa_final"] = mean_log_condition(c["G"], z_eval)
    c["spectrum"] = average_jacobian_spectrum(c["G"], z_eval).numpy()

print(f"band [λ_min, λ_max] = [{lambda_min:.3f}, {lambda_max:.3f}]; untrained: median Q {q0:.3f}, "
      f"mean log κ {log_kappa.mean():.2f}")
for name, c in copies.items():
    inside = lambda_min <= c["q_final"] <= lambda_max
    print(f"{name:>9}: final median Q {c['q_final']:.3f} ({'inside' if inside else 'outside'} the band), "
          f"final mean log κ(M_z) {c['log_kappa_final']:.2f}")

# %% tags=["hide-input"]
colors = {"unclamped": "tab:red", "clamped": "tab:blue"}
fig, axes = plt.subplots(1, 3, figsize=(plots.MAX_WIDTH_IN, 3.6))
ax = axes[0]
ax.axhspan(lambda_min, lambda_max, color="0.85", label="band [λ_min, λ_max]")
for name, c in copies.items():
    med = np.median(c["Q"], axis=1)  # (steps,) median over the batch
    run = np.array([np.median(med[max(0, i - 24):i + 1]) for i in range(len(med))])
    x = np.arange(1, len(med) + 1)
    ax.plot(x, med, color=colors[name], lw=0.5, alpha=0.4)
    ax.plot(x, run, color=colors[name], lw=2, label=name)
ax.set(xlabel="generator step", ylabel="median Q over the batch", title="quotient Q")
ax.legend(fontsize="small")
ax = axes[1]
for name, c in copies.items():
    ax.plot(list(c["log_kappa"]), list(c["log_kappa"].values()), color=colors[name], marker=".", label=name)
ax.set(xlabel="generator step", ylabel="mean log κ(M_z)", title="conditioning on the fixed z")
ax.legend(fontsize="small")
ax = axes[2]
k = np.arange(1, z_dim + 1)
ax.plot(k, spectrum0.numpy(), color="0.5", marker="o", label="untrained")
for name, c in copies.items():
    ax.plot(k, c["spectrum"], color=colors[name], marker="o", label=name)
ax.set(yscale="log", xlabel="index i", ylabel="σ_i of the average Jacobian", title="spectrum at the end")
ax.legend(fontsize="small")
fig.tight_layout()
plots.save(fig, f"use_in_your_gan_{scale}", stamp=f"mnist · {scale} scale: {len(copies)} copies of one GAN × {steps:,} steps")
plt.show()

# %% [markdown]
# Samples of both copies on the same 64 latent vectors (the first of the fixed batch). After a
# few hundred steps of a small MLP neither copy draws good digits: this page measures $Q$ and
# $\kappa$, not sample quality.

# %% tags=["hide-input"]
with torch.no_grad():
    samples = {name: c["G"].eval()(z_eval[:64]) for name, c in copies.items()}
figs = plots.sample_panels(samples, nrow=8)
plots.save(figs, f"use_in_your_gan_samples_{scale}", stamp=f"mnist · {scale} scale: {len(copies)} copies of one GAN × {steps:,} steps")
plt.show()

# %% [markdown]
# ## 6. Check
#
# What must hold, asserted: the clamped copy's final median $Q$ lies in the band and below the
# plain copy's; the plain copy's lies outside the band. The last check needs the `book` length:
# the plain copy's $Q$ starts to grow only after about 250–300 steps (first figure), so the
# 150 steps of `smoke` scale (which checks that the code runs, not the result) do not test it.

# %%
q_plain, q_clamped = copies["unclamped"]["q_final"], copies["clamped"]["q_final"]
band = f"[{lambda_min:.3f}, {lambda_max:.3f}]"
assert lambda_min <= q_clamped <= lambda_max, f"clamped copy: final median Q {q_clamped:.3f} outside the band {band}"
assert q_clamped < q_plain, f"the clamp did not lower Q: {q_clamped:.3f} (clamped) vs {q_plain:.3f} (plain)"
if scale != "smoke":
    assert not lambda_min <= q_plain <= lambda_max, f"plain copy: final median Q {q_plain:.3f} inside the band {band}"
print(f"holds: clamped {q_clamped:.3f} in {band}, below plain {q_plain:.3f}"
      + ("" if scale == "smoke" else "; plain outside the band")
      + f" ({time.perf_counter() - t_page:.0f} s for the page after the imports)")

glue("uyg_band", band, display=False)
glue("uyg_q0", f"{q0:.2f}", display=False)
glue("uyg_q_plain", f"{q_plain:.2f}", display=False)
glue("uyg_q_clamped", f"{q_clamped:.2f}", display=False)
glue("uyg_lk_plain", f"{copies['unclamped']['log_kappa_final']:.2f}", display=False)
glue("uyg_lk_clamped", f"{copies['clamped']['log_kappa_final']:.2f}", display=False)
glue("uyg_lk0", f"{log_kappa.mean():.2f}", display=False)

# %% [markdown]
# **What this build measured.** The untrained generator starts at a median $Q$ of
# {glue:text}`uyg_q0`, which sets the band {glue:text}`uyg_band`. Trained plainly, the final median
# $Q$ is {glue:text}`uyg_q_plain`; with the clamp, {glue:text}`uyg_q_clamped`. The mean
# $\log\kappa(M_z)$ on the fixed $z$ goes from {glue:text}`uyg_lk0` to {glue:text}`uyg_lk_plain`
# without the clamp and to {glue:text}`uyg_lk_clamped` with it.
#
# **Reading it.** The clamp is a soft wall: the penalty is zero inside the band, so the
# generator is free to drift up to $\lambda_{\max}$ and is pushed back only once samples pass it.
# The clamped copy's $Q$ therefore creeps towards $\lambda_{\max}$ while the plain copy's keeps
# growing; trained much longer, the GAN loss pushes the clamped $Q$ past $\lambda_{\max}$ by an
# amount set by how hard it pushes (in trial runs of 900 steps it ended up to 8% above
# $\lambda_{\max}$). The clamp
# bounds $Q$, a stretch along random directions, not $\kappa$ itself; the lower $\log\kappa$ of
# the clamped copy is the side effect the paper relies on. Whether that makes *better samples*
# is what chapters 2 and 4 measure, with scores, over many runs.
