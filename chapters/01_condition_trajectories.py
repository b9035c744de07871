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
# # Condition trajectories: does conditioning predict quality?
#
# **The claim (Sec. 3, Figs. 1 and 2).** Fix a batch of latent vectors $z$ and follow the
# condition number of the metric tensor $M_z = J_z^\top J_z$ while a GAN trains. The paper
# reports that $M_z$ starts well conditioned and becomes ill conditioned almost at once, with
# $\log\kappa(M_z)$ spread between about 12 and 20 across $z$ on MNIST (Fig. 2). Across ten runs
# that differ only in their seed, the mean log-condition number falls into two groups: runs
# where it stays put or comes down again, and runs where it keeps climbing (Fig. 1, left). The
# groups line up with the scores: the four best-conditioned runs are the four best-scoring ones.
#
# This chapter trains `runs` GANs identical up to the seed, records $\log\kappa(M_z)$ at a fixed
# batch of $z$ together with the classifier score and the Fréchet distance, and measures how
# well the final conditioning ranks the runs' final scores.
#
# *Quantity.* $\log\kappa(M_z) = \log(\lambda_{\max}/\lambda_{\min}) = 2\log(\sigma_{\max}/\sigma_{\min})$
# with $\sigma$ the singular values of $J_z$ (natural log), computed per $z$ by forward-mode
# differentiation with the generator in eval mode, singular values in float64
# (`gancond.jacobian`).

# %% tags=["parameters"]
dataset = "mnist"  # "mnist", "cifar10" or "stl10"
scale = "book"  # "smoke" (CI, seconds), "book" (this book, 2-core CPU) or "paper" (the paper's settings, GPU)
runs = None  # GAN runs, identical up to the seed (None: the scale's value; paper: 10)
steps = None  # generator updates per run (None: the scale's value)
width = None  # network width multiplier (None: the scale's value; 1.0 is the paper's DCGAN)
eval_every = None  # steps between evaluations of log-condition number and scores (None: the scale's value)
n_eval_z = None  # size of the fixed z batch (None: the scale's value)
score_samples = None  # generated samples per score evaluation (None: the scale's value)
seed = 0  # seed of the first run; run i uses seed + i
device = "cpu"  # "cpu" or "cuda"

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import Markdown, display
from myst_nb import glue

import gancond
from gancond import plots
from gancond.analysis import rank_correlation, two_clusters
from gancond.report import Checks, markdown_table, paper_vs_build
from gancond.runs import RunStore
from gancond.scales import experiment
from gancond.scores import make_scorer
from gancond.train import train_gans

torch.set_num_threads(min(2, torch.get_num_threads()))
exp = experiment(dataset=dataset, scale=scale, seed=seed, device=device, runs=runs, steps=steps, width=width,
                 eval_every=eval_every, n_eval_z=n_eval_z, score_samples=score_samples)
store = RunStore()
plots.style()
display(Markdown(markdown_table(pd.DataFrame([exp.describe()]).T.reset_index().set_axis(["setting", "value"], axis=1))))

# %% [markdown]
# ## Runs
#
# The runs live in the content-addressed run store (`gancond.runs`):
# a rebuild, or the clamping chapter, reuses them instead of training again. The scorer is the
# classifier-based score and Fréchet distance of the paper's MNIST experiments (for CIFAR-10
# and STL-10: Inception score and FID when the standard Inception weights are present, a
# labelled classifier-based fallback otherwise).

# %%
scorer = make_scorer(dataset, store=store, **exp.scorer_kwargs())
gan_runs = train_gans(exp.configs(clamp=False), store, scorer, device=device)
metrics = [r.read_table("metrics") for r in gan_runs]
per_z = gan_runs[0].read_table("per_z")
print(f"scorer: {scorer.name}; {len(gan_runs)} runs in {store.root}")

# %% [markdown]
# ## Figure 2: the condition number at fixed $z$ over training
#
# One line per fixed $z$ (the same batch for every run), for the first run.

# %%
fig2 = plots.per_z_trajectories(per_z, title=f"{dataset}, seed {exp.seed}: log κ(M_z) at {per_z['z'].nunique()} fixed z")
plots.save(fig2, f"fig2_{dataset}_{exp.scale.name}")
plt.show()
last = per_z[per_z["step"] == per_z["step"].max()]["log_cond"]
first = per_z[per_z["step"] == 0]["log_cond"]
glue("fig2_start", f"{first.min():.1f}–{first.max():.1f}", display=False)
glue("fig2_end", f"{last.min():.1f}–{last.max():.1f}", display=False)

# %% [markdown]
# At initialisation $\log\kappa(M_z)$ lies in {glue:text}`fig2_start`; at the end of training
# in {glue:text}`fig2_end` (the paper: from about 12 to about 20 on MNIST).
#
# ## Figure 1, left column: runs identical up to the seed
#
# Rows, as in the paper: mean log-condition number over the fixed $z$, score, Fréchet distance.
# One colour per run.

# %%
score_label = f"score ({scorer.name})"
fig1 = plots.trajectory_grid({"without Jacobian Clamping": metrics}, rows=["mean_log_cond", "score", "frechet"],
                             labels={"score": "score", "frechet": "Fréchet distance"}, seeds=exp.seeds())
fig1.suptitle(score_label, y=0.01, fontsize="small")
plots.save(fig1, f"fig1_left_{dataset}_{exp.scale.name}")
plt.show()

# %% [markdown]
# ## Does the final conditioning rank the final scores?
#
# For each run: its final mean log-condition number, classifier score and Fréchet distance.
# Spearman's $\rho$ over runs with a 95% percentile-bootstrap interval (runs resampled), and a
# split of the final condition numbers at their largest gap, called two clusters when that gap
# is wider than the spread inside either group.

# %%
final = pd.DataFrame({
    "seed": exp.seeds(),
    "final mean log κ(M_z)": [m["mean_log_cond"].iloc[-1] for m in metrics],
    "final score": [m["score"].iloc[-1] for m in metrics],
    "final Fréchet distance": [m["frechet"].iloc[-1] for m in metrics],
    "peak mean log κ(M_z)": [m["mean_log_cond"].max() for m in metrics],
})
display(final.round(3))
lc, sc, fd = (final[c].to_numpy() for c in ["final mean log κ(M_z)", "final score", "final Fréchet distance"])
enough = len(final) >= 3
rho_score = rank_correlation(lc, sc) if enough else None
rho_fd = rank_correlation(lc, fd) if enough else None
clusters = two_clusters(lc)
for name, c in [("log κ vs score", rho_score), ("log κ vs Fréchet distance", rho_fd)]:
    print(f"{name}: {c if c else 'needs at least 3 runs'}")
print(f"largest gap between final mean log κ: {clusters.gap:.2f} at {clusters.threshold:.2f}; "
      f"largest within-group range {clusters.spread:.2f} -> {'two clusters' if clusters.split else 'no split'}")
glue("rho_score", f"{rho_score.value:+.2f}" if rho_score else "n/a", display=False)
glue("rho_fd", f"{rho_fd.value:+.2f}" if rho_fd else "n/a", display=False)
glue("split", "split into two clusters" if clusters.split else "did not split into two clusters", display=False)

# %% [markdown]
# Spearman's $\rho$ between final conditioning and final score: {glue:text}`rho_score`; with
# the Fréchet distance: {glue:text}`rho_fd`. The runs {glue:text}`split`. A negative $\rho$ for
# the score and a positive one for the distance is what the paper's correspondence predicts
# (worse conditioning, worse sample quality).

# %% [markdown]
# ## Paper vs this build

# %%
data_note = f"{dataset}" + (" (lossy JPEG copy)" if gan_runs[0].manifest()["data"]["lossy"] else "")
table = paper_vs_build([
    ("runs, steps, width", "10 runs, DCGAN (Radford et al.), full width",
     f"{exp.runs} runs, {exp.scale.steps} steps, width ×{exp.scale.width:g}"),
    ("log κ(M_z) at fixed z, end of training (Fig. 2)", "about 12 to 20 (MNIST)", f"{last.min():.1f} to {last.max():.1f}"),
    ("log κ(M_z) at initialisation", "well conditioned (low)", f"{first.min():.1f} to {first.max():.1f}"),
    ("final mean log κ(M_z) over runs", "two clusters (Fig. 1)", f"{lc.min():.1f} to {lc.max():.1f}; "
     + ("two clusters" if clusters.split else "one band")),
    ("rank agreement, log κ vs score", "4 best-conditioned = 4 best-scoring (of 10)", str(rho_score) if rho_score else "n/a"),
    ("rank agreement, log κ vs Fréchet distance", "same", str(rho_fd) if rho_fd else "n/a"),
    ("scorer", "MNIST classifier (CIFAR/STL: Inception)", scorer.name),
], exp.scale.name, data_note)
display(Markdown(markdown_table(table)))

# %% [markdown]
# ## Checks
#
# `require` lines must hold at every scale and fail the chapter otherwise; `claim` lines
# record whether the paper's findings reproduced on these runs.

# %%
checks = Checks(exp.scale.name)
checks.require(len(metrics) == exp.runs and all(len(m) == len(metrics[0]) for m in metrics),
               "every run has the same evaluation steps")
checks.require(all(np.isfinite(m["mean_log_cond"]).all() for m in metrics), "log-condition numbers are finite")
checks.require(np.allclose(per_z.groupby("step")["log_cond"].mean().to_numpy(), metrics[0]["mean_log_cond"].to_numpy()),
               "the stored mean log κ is the mean of the stored per-z values")
if dataset == "mnist":
    checks.require(all(m["score"].between(1, 10 + 1e-6).all() for m in metrics),
                   "classifier scores lie in [1, number of classes]")
rise = [m["mean_log_cond"].max() - m["mean_log_cond"].iloc[0] for m in metrics]
checks.claim(min(rise) > 1.0, "M_z becomes ill-conditioned early in training (Fig. 2)",
             f"mean log κ rose by {min(rise):.1f} to {max(rise):.1f} above its initial value")
checks.claim(clusters.split, "final conditioning falls into two clusters (Fig. 1)",
             f"gap {clusters.gap:.2f} vs within-group range {clusters.spread:.2f}")
if enough:
    checks.claim(rho_score.high < 0, "better conditioning goes with a better score (Fig. 1)", str(rho_score))
    checks.claim(rho_fd.low > 0, "better conditioning goes with a lower Fréchet distance (Fig. 1)", str(rho_fd))
else:
    for claim in ["better conditioning goes with a better score (Fig. 1)",
                  "better conditioning goes with a lower Fréchet distance (Fig. 1)"]:
        checks.untested(claim, f"{exp.runs} runs; a rank correlation needs at least 3")
display(Markdown(markdown_table(checks.table())))
glue("ch1_summary", checks.summary(), display=False)

# %% [markdown]
# **Summary.** {glue:text}`ch1_summary`
