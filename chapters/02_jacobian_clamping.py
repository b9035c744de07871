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
# # Jacobian Clamping: intervening on the conditioning
#
# **The claim (Sec. 4, Fig. 1 right column, Figs. 5, 6, 12, 13).** If ill-conditioning *causes*
# bad samples, controlling it should help. Jacobian Clamping (Algorithm 1) feeds $z$ and a
# perturbed copy $z' = z + \delta$ with $\|\delta\| = \varepsilon$ through the generator, forms the
# quotient $Q = \|G(z) - G(z')\| / \|z - z'\|$, and adds
# $(\max(Q, \lambda_{\max}) - \lambda_{\max})^2 + (\min(Q, \lambda_{\min}) - \lambda_{\min})^2$ to
# the generator loss. With $\lambda_{\max} = 20$, $\lambda_{\min} = 1$, $\varepsilon = 1$ the
# paper reports that clamped runs stop the growth of the condition number early, avoid the
# ill-conditioned cluster (MNIST: all 10 runs; CIFAR-10: 9 of 10), score like the best
# unclamped runs, and vary much less from run to run.
#
# This chapter trains the clamped runs with the same seeds as the unclamped runs of the
# previous chapter (which it reuses from the run store), compares them, and applies the
# paper's procedure for choosing $\lambda_{\min}, \lambda_{\max}$ from the $Q$ of unclamped runs
# that scored well.
#
# *Reading of $Q$.* By default $Q$ is formed per sample (the paper's "for all $z$"), $z$ and $z'$
# pass through the generator as one batch so BatchNorm statistics are shared; `q_mode="batch"`
# gives the whole-batch reading of some public code (`gancond.clamping`).

# %% tags=["parameters"]
dataset = "mnist"  # "mnist", "cifar10" or "stl10"
scale = "book"  # "smoke" (CI, seconds), "book" (this book, 2-core CPU) or "paper" (the paper's settings, GPU)
runs = None  # GAN runs per condition, identical up to the seed (None: the scale's value; paper: 10)
steps = None  # generator updates per run (None: the scale's value)
width = None  # network width multiplier (None: the scale's value; 1.0 is the paper's DCGAN)
eval_every = None  # steps between evaluations (None: the scale's value)
n_eval_z = None  # size of the fixed z batch (None: the scale's value)
score_samples = None  # generated samples per score evaluation (None: the scale's value)
lambda_min = 1.0  # λ_min of Algorithm 1 (paper: 1)
lambda_max = 20.0  # λ_max of Algorithm 1 (paper: 20)
eps = 1.0  # ε, the norm of the perturbation δ (paper: 1)
q_mode = "per_sample"  # "per_sample" (the paper's text) or "batch" (one Q per batch)
calibrated = True  # also train clamped runs with λ chosen by the paper's procedure on the unclamped runs
seed = 0  # seed of the first run; run i uses seed + i
device = "cpu"  # "cpu" or "cuda"

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import Markdown, display
from myst_nb import glue

from gancond import plots
from gancond.analysis import mean_difference, mean_std, two_clusters
from gancond.clamping import calibrate_lambdas
from gancond.report import Checks, markdown_table, paper_vs_build
from gancond.runs import RunStore
from gancond.scales import experiment
from gancond.scores import make_scorer
from gancond.train import train_gans

torch.set_num_threads(min(2, torch.get_num_threads()))
if not isinstance(calibrated, bool):
    raise ValueError(f"parameter 'calibrated' must be True or False, got {calibrated!r}")
exp = experiment(dataset=dataset, scale=scale, seed=seed, device=device, runs=runs, steps=steps, width=width,
                 eval_every=eval_every, n_eval_z=n_eval_z, score_samples=score_samples,
                 lambda_min=lambda_min, lambda_max=lambda_max, eps=eps, q_mode=q_mode)
store = RunStore()
plots.style()
display(Markdown(markdown_table(pd.DataFrame([exp.describe()]).T.reset_index().set_axis(["setting", "value"], axis=1))))

# %% [markdown]
# ## Runs without and with clamping
#
# The unclamped runs are the previous chapter's (same configs, so the same runs in the store).

# %%
scorer = make_scorer(dataset, store=store, **exp.scorer_kwargs())
plain = train_gans(exp.configs(clamp=False), store, scorer, device=device)
clamped = train_gans(exp.configs(clamp=True), store, scorer, device=device)
m_plain = [r.read_table("metrics") for r in plain]
m_clamp = [r.read_table("metrics") for r in clamped]

# %% [markdown]
# ## The paper's procedure for choosing $\lambda_{\min}, \lambda_{\max}$
#
# "We looked at the empirical value of the quotient $Q$ during training without Jacobian
# Clamping [and] set $\lambda_{\min}, \lambda_{\max}$ such that the runs that achieved good scores
# had $Q$ mostly lying between those two values." Made concrete in
# `gancond.clamping.calibrate_lambdas`: the better-scoring half of the unclamped runs (by final
# score) are the good runs; their per-$z$ $Q$ at every evaluation after initialisation are
# pooled, and the band is their central 90% interval.

# %%
q_by_run = {}
for r in plain:
    pz = r.read_table("per_z")
    q_by_run[r.id] = pz[pz["step"] > 0]["q"].to_numpy()
final_scores = {r.id: m["score"].iloc[-1] for r, m in zip(plain, m_plain)}
cal = calibrate_lambdas(q_by_run, final_scores, good_fraction=0.5, coverage=0.9)
print(f"calibrated band: [{cal['lambda_min']:.3g}, {cal['lambda_max']:.3g}] from {cal['n_q']} Q values "
      f"of {len(cal['good_runs'])} good runs (paper: [1, 20])")
glue("cal_band", f"[{cal['lambda_min']:.2f}, {cal['lambda_max']:.2f}]", display=False)
conditions = {"without clamping": m_plain, f"clamped, λ ∈ [{exp.gan.lambda_min:g}, {exp.gan.lambda_max:g}]": m_clamp}
if calibrated:
    lo, hi = round(cal["lambda_min"], 3), round(cal["lambda_max"], 3)
    cal_cfgs = [c.replace(lambda_min=lo, lambda_max=hi) for c in exp.configs(clamp=True)]
    m_cal = [r.read_table("metrics") for r in train_gans(cal_cfgs, store, scorer, device=device)]
    conditions[f"clamped, calibrated λ ∈ [{lo:g}, {hi:g}]"] = m_cal

# %% [markdown]
# The procedure gives {glue:text}`cal_band` on these runs; the paper used $[1, 20]$.
#
# ## Figure 1: without (left) and with (right) Jacobian Clamping
#
# Same rows as the paper; one colour per seed, the same colour for the same seed in every column.

# %%
fig = plots.trajectory_grid(conditions, rows=["mean_log_cond", "score", "frechet"],
                            labels={"score": "score", "frechet": "Fréchet distance"}, seeds=exp.seeds())
fig.suptitle(f"score: {scorer.name}", y=0.01, fontsize="small")
plots.save(fig, f"fig1_{dataset}_{exp.scale.name}")
plt.show()

# %% [markdown]
# ## The quotient $Q$ over training
#
# Median (line) and 10–90% range (shade) of the per-sample $Q$ over the fixed $z$, generator in
# eval mode, with the paper's band shaded grey. Where the band binds, the clamped runs' $Q$ is
# pushed into it.

# %%
figq = plots.quotient_band({k: v for k, v in list(conditions.items())[:2]}, exp.gan.lambda_min, exp.gan.lambda_max)
plots.save(figq, f"quotient_{dataset}_{exp.scale.name}")
plt.show()

# %% [markdown]
# ## Final scores: mean, spread, clusters
#
# Mean ± standard deviation over runs of the final numbers, and how many runs end above the
# threshold that separates well- from ill-conditioned unclamped runs (their largest gap).

# %%
thr = two_clusters([m["mean_log_cond"].iloc[-1] for m in m_plain])
rows = []
for name, ms in conditions.items():
    row = {"condition": name}
    for col, label in [("mean_log_cond", "final mean log κ"), ("score", "final score"), ("frechet", "final Fréchet")]:
        mu, sd = mean_std([m[col].iloc[-1] for m in ms])
        row[label] = f"{mu:.3f} ± {sd:.3f}"
    inside = np.mean([((m["q_p50"] >= exp.gan.lambda_min) & (m["q_p50"] <= exp.gan.lambda_max)).iloc[1:].mean() for m in ms])
    row[f"evaluations with median Q in [{exp.gan.lambda_min:g}, {exp.gan.lambda_max:g}]"] = f"{100 * inside:.0f}%"
    row["runs above the ill-conditioning threshold"] = (
        f"{sum(m['mean_log_cond'].iloc[-1] > thr.threshold for m in ms)} of {len(ms)}" if thr.split else "no split")
    rows.append(row)
summary = pd.DataFrame(rows)
display(summary)


def finals(ms, col):
    return np.array([m[col].iloc[-1] for m in ms])


several = exp.runs >= 3  # intervals over fewer runs say nothing
d_lc = mean_difference(finals(m_plain, "mean_log_cond"), finals(m_clamp, "mean_log_cond")) if several else None
d_sc = mean_difference(finals(m_plain, "score"), finals(m_clamp, "score")) if several else None
d_fd = mean_difference(finals(m_plain, "frechet"), finals(m_clamp, "frechet")) if several else None
sd_ratio = finals(m_clamp, "score").std(ddof=1) / max(finals(m_plain, "score").std(ddof=1), 1e-12) if several else np.nan
for name, d in [("final mean log κ", d_lc), ("final score", d_sc), ("final Fréchet distance", d_fd)]:
    print(f"clamped − unclamped, {name}: {d if d else 'needs at least 3 runs per condition'}")
glue("d_lc", str(d_lc) if d_lc else "n/a", display=False)
glue("d_sc", str(d_sc) if d_sc else "n/a", display=False)
glue("sd_ratio", f"{sd_ratio:.2f}", display=False)

# %% [markdown]
# With the paper's band, clamping changed the final mean log-condition number by
# {glue:text}`d_lc` and the mean final score by {glue:text}`d_sc` (clamped minus unclamped,
# runs resampled within each condition); the standard deviation of the final score across runs
# is {glue:text}`sd_ratio` times that of the unclamped runs.
#
# ## Paper vs this build

# %%
data_note = f"{dataset}" + (" (lossy JPEG copy)" if plain[0].manifest()["data"]["lossy"] else "")
table = paper_vs_build([
    ("runs per condition", "10", str(exp.runs)),
    ("λ_min, λ_max, ε", "1, 20, 1", f"{exp.gan.lambda_min:g}, {exp.gan.lambda_max:g}, {exp.gan.eps:g} ({exp.gan.q_mode} Q)"),
    ("λ band from the paper's procedure", "[1, 20] (chosen by the authors)", f"[{cal['lambda_min']:.2f}, {cal['lambda_max']:.2f}]"),
    ("clamped runs in the ill-conditioned cluster", "MNIST 0/10, CIFAR-10 1/10, STL-10 0/10",
     summary.iloc[1]["runs above the ill-conditioning threshold"]),
    ("effect on final mean log κ (clamped − unclamped)", "lower (growth stops early)", str(d_lc)),
    ("effect on mean final score", "higher (like the best unclamped runs)", str(d_sc)),
    ("effect on mean final Fréchet distance", "lower", str(d_fd)),
    ("score spread, clamped / unclamped", "much smaller", f"{sd_ratio:.2f}"),
], exp.scale.name, data_note)
display(Markdown(markdown_table(table)))

# %% [markdown]
# ## Checks

# %%
checks = Checks(exp.scale.name)
checks.require(all(len(m) == len(m_plain[0]) for m in m_plain + m_clamp), "both conditions have the same evaluations")
checks.require(all(m["penalty"].iloc[1:].notna().all() for m in m_clamp) and all(m["penalty"].isna().all() for m in m_plain),
               "the penalty is logged for clamped runs only")
checks.require([r.config["seed"] for r in plain] == [r.config["seed"] for r in clamped],
               "clamped and unclamped runs share their seeds")
checks.require(0 <= cal["lambda_min"] < cal["lambda_max"], "the calibrated band is a valid band")
if several:  # a claim holds when the whole bootstrap interval lies on the predicted side of zero
    checks.claim(d_lc.high < 0, "clamping lowers the final mean log-condition number", str(d_lc))
    checks.claim(d_sc.low > 0, "clamping improves the mean final score", str(d_sc))
    checks.claim(d_fd.high < 0, "clamping lowers the mean final Fréchet distance", str(d_fd))
    checks.claim(sd_ratio < 0.5, "clamping greatly reduces the run-to-run spread of the score",
                 f"standard deviation of the final score, clamped / unclamped = {sd_ratio:.2f}")
else:
    for claim in ["clamping lowers the final mean log-condition number", "clamping improves the mean final score",
                  "clamping lowers the mean final Fréchet distance", "clamping greatly reduces the run-to-run spread of the score"]:
        checks.untested(claim, f"{exp.runs} runs per condition; at least 3 are needed")
checks.claim(thr.split, "unclamped runs split into well- and ill-conditioned clusters (precondition for the cluster count)",
             f"gap {thr.gap:.2f} vs within-group range {thr.spread:.2f}")
display(Markdown(markdown_table(checks.table())))
glue("ch2_summary", checks.summary(), display=False)

# %% [markdown]
# **Summary.** {glue:text}`ch2_summary`
