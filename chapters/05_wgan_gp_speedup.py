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
# # Jacobian Clamping speeds up a class-conditional WGAN-GP
#
# **The claim (Sec. 4, Fig. 7).** The paper's last experiment leaves the non-saturating DCGAN
# of the earlier chapters for the strongest model of Gulrajani et al. (2017): a
# class-conditional WGAN-GP with a ResNet generator and critic on CIFAR-10. Its defaults give
# scores with little run-to-run variance, but it is slow: every generator update waits for five
# critic updates. The paper varies two things at once, the number of critic updates per
# generator update (5 or 1) and whether Jacobian Clamping is added to the generator loss (with
# the same $\lambda_{\min} = 1$, $\lambda_{\max} = 20$, $\varepsilon = 1$ as before and no
# tuning), and runs five trials of each setting. It reports that
#
# * with one critic update the baseline "collapses" (its Inception score falls away), while
#   the clamped model does not;
# * with five critic updates the clamped model scores slightly lower, a difference the authors
#   attribute to the lack of tuning;
# * one critic update with clamping reaches a similar score in less than half the wall-clock
#   time of the five-step baseline.
#
# This chapter trains the four settings, several trials each, records each run's training
# wall-clock time as it trains (`train_time_s`: the seconds spent in training updates, not in
# evaluations), and plots the score against generator iterations and against that time, one
# colour per setting, as in Figure 7. It also follows the mean log-condition number of each
# generator, which the paper does not show for this model.
#
# *The model* (`gancond.wgan`, following the reference code `gan_cifar_resnet.py`): gradient
# penalty of weight 10 on random interpolates between real and fake images; Adam with
# $\beta = (0, 0.9)$ and a learning rate of $2\cdot10^{-4}$ decayed linearly to zero;
# conditional BatchNorm in the generator (a scale and an offset per class); no normalization
# in the critic, which has an auxiliary classifier head (AC-GAN loss weight 1 on real images
# for the critic, 0.1 on fakes for the generator); critic batch 64, generator batch 128. At
# `paper` scale the networks are the reference's ResNets (DIM = 128); at smaller scales a
# DCGAN-size conditional network (`gancond.models.Generator` with conditional BatchNorm, the
# DCGAN discriminator without BatchNorm and with a class head). The condition number is that of
# the Jacobian of $z \mapsto G(z, y)$ with the label $y$ held fixed, over a fixed batch of $z$
# whose labels cycle through the classes.

# %% tags=["parameters"]
dataset = "mnist"  # "mnist" (book scale), "cifar10" (the paper's; paper scale), or "stl10"
scale = "book"  # "smoke" (CI, seconds), "book" (this book, 2-core CPU) or "paper" (the paper's settings, GPU)
trials = None  # runs per setting, identical up to the seed (None: the scale's value; paper: 5)
steps = None  # generator iterations per run (None: the scale's value; paper: 100,000)
arch = None  # "resnet" (the reference's, 32x32 images) or "dcgan" (None: the scale's value)
width = None  # network width multiplier (None: the scale's value; 1.0 is the reference's DIM = 128)
eval_every = None  # generator iterations between evaluations (None: the scale's value)
n_eval_z = None  # size of the fixed z batch for the log-condition number (None: the scale's value)
score_samples = None  # class-balanced samples per score evaluation (None: the scale's value; reference: 50,000)
lambda_min = 1.0  # λ_min of Jacobian Clamping (paper: 1, untuned)
lambda_max = 20.0  # λ_max of Jacobian Clamping (paper: 20, untuned)
eps = 1.0  # ε of Jacobian Clamping (paper: 1)
similar = 0.95  # "a similar score": this fraction of the 5-step baseline's final mean score
seed = 0  # seed of the first trial; trial i uses seed + i
device = "cpu"  # "cpu" or "cuda"

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from gancond import plots
from gancond.analysis import mean_difference, mean_std, time_to_reach
from gancond.report import Checks, markdown_table, paper_vs_build
from gancond.runs import RunStore
from gancond.scores import make_scorer
from gancond.wgan import SETTINGS, setting_name, train_wgans, wgan_experiment

torch.set_num_threads(min(2, torch.get_num_threads()))
exp = wgan_experiment(dataset=dataset, scale=scale, seed=seed, device=device, lambda_min=lambda_min,
                      lambda_max=lambda_max, eps=eps, trials=trials, steps=steps, arch=arch, width=width,
                      eval_every=eval_every, n_eval_z=n_eval_z, score_samples=score_samples)
if not 0 < similar <= 1:
    raise ValueError(f"parameter 'similar' must be in (0, 1], got {similar!r}")
store = RunStore()
plots.style()
display(Markdown(markdown_table(pd.DataFrame([exp.describe()]).T.reset_index().set_axis(["setting", "value"], axis=1))))

# %% [markdown]
# ## Runs
#
# Four settings, `trials` runs each, one after the other so that each run's clock measures a
# machine doing nothing else. Runs live in the content-addressed run store: a rebuild loads
# them. The score is the paper's for the dataset (MNIST: the classifier score and Fréchet
# distance of the earlier chapters, with the same stored classifier; CIFAR-10 and STL-10: the
# Inception score and FID when the standard weights are present, else a labelled fallback).

# %%
scorer = make_scorer(dataset, store=store, **exp.scorer_kwargs())
BASE, FAST, FAST_JC, BASE_JC = (setting_name(*s) for s in [(5, False), (1, False), (1, True), (5, True)])
runs = {setting_name(nc, cl): train_wgans(exp.configs(nc, cl), store, scorer, device=device) for nc, cl in SETTINGS}
metrics = {name: [r.read_table("metrics") for r in rs] for name, rs in runs.items()}
manifest = runs[BASE][0].manifest()
hardware = (f"{manifest['device']} ({manifest.get('cpu', 'unknown processor')}), "
            f"{manifest['torch_threads']} torch threads")
print(f"scorer: {scorer.name}\nhardware of the first run: {hardware}\n{sum(map(len, runs.values()))} runs in {store.root}")
glue("hardware", hardware, display=False)

# %% [markdown]
# Every run's clock was read on: {glue:text}`hardware`.
#
# ## Figure 7: score against generator iterations and against wall-clock time
#
# One colour per setting; thin lines are the trials, the thick line their mean. Right: the same
# scores against the training time the trainer measured.

# %%
labels = {"score": scorer.metric_names["score"], "frechet": scorer.metric_names["frechet"]}
fig7 = plots.settings_panels(metrics, [("step", "score"), ("train_time_s", "score")], labels)
fig7.suptitle(f"{dataset}, {exp.scale_name} scale", y=0.02, fontsize="small")
plots.save(fig7, f"fig7_{dataset}_{exp.scale_name}")
plt.show()

# %% [markdown]
# The Fréchet distance of the same samples, and the mean log-condition number of each
# generator over training:

# %%
fig7b = plots.settings_panels(metrics, [("train_time_s", "frechet"), ("step", "mean_log_cond")], labels)
plots.save(fig7b, f"fig7_frechet_logcond_{dataset}_{exp.scale_name}")
plt.show()

# %% [markdown]
# ## The numbers
#
# Per setting, over its trials: final score, Fréchet distance and mean log-condition number
# (mean ± standard deviation), the training time of a run, and the fraction of its peak score a
# run still has at the end. A run counts as *collapsed* when its final score is below half of
# the five-step baseline's mean final score. The time to reach a score is read off the mean
# curve of the setting (mean score against mean time at each evaluation), interpolating between
# evaluations.

# %%
final = {name: {col: np.array([m[col].iloc[-1] for m in ms]) for col in ["score", "frechet", "mean_log_cond", "train_time_s"]}
         for name, ms in metrics.items()}
target = float(final[BASE]["score"].mean())


def mean_curve(ms):
    return pd.concat(ms).groupby("step")[["train_time_s", "score"]].mean()


def reach(name, frac):
    c = mean_curve(metrics[name])
    return time_to_reach(c["train_time_s"], c["score"], frac * target)


rows = []
for name, ms in metrics.items():
    f = final[name]
    peak = np.array([m["score"].max() for m in ms])
    row = {"setting": name}
    for col, what in [("score", "final score"), ("frechet", "final Fréchet distance"),
                      ("mean_log_cond", "final mean log κ(M_z)")]:
        mu, sd = mean_std(f[col])
        row[what] = f"{mu:.3f} ± {sd:.3f}" if np.isfinite(sd) else f"{mu:.3f}"
    row["training time per run (s)"] = f"{f['train_time_s'].mean():.0f}"
    row["final / peak score"] = f"{np.mean(f['score'] / peak):.2f}"
    row["collapsed"] = f"{int((f['score'] < 0.5 * target).sum())} of {len(ms)}"
    row[f"time to {similar:.0%} of baseline (s)"] = reach(name, similar)
    row["time to baseline score (s)"] = reach(name, 1.0)
    rows.append(row)
numbers = pd.DataFrame(rows)
display(numbers.round(1))

collapsed = {name: int((final[name]["score"] < 0.5 * target).sum()) for name in metrics}


def ratio(a: float, b: float) -> float:
    """a / b; nan when the baseline's time b is 0 (its score already reached at initialisation)."""
    return a / b if b > 0 else float("nan")


speedup_similar = ratio(reach(FAST_JC, similar), reach(BASE, similar))
speedup_strict = ratio(reach(FAST_JC, 1.0), reach(BASE, 1.0))
time_ratio = final[FAST_JC]["train_time_s"].mean() / final[BASE]["train_time_s"].mean()
several = exp.scale.trials >= 2
d_base_jc = mean_difference(final[BASE]["score"], final[BASE_JC]["score"]) if several else None
d_fast_jc = mean_difference(final[FAST]["score"], final[FAST_JC]["score"]) if several else None


def ratio_text(r: float) -> str:
    return f"{r:.2f}" if np.isfinite(r) else "undefined (never reached, or reached at initialisation)"


glue("target", f"{target:.2f}", display=False)
glue("speedup_similar", ratio_text(speedup_similar), display=False)
glue("speedup_strict", ratio_text(speedup_strict), display=False)
glue("time_ratio", f"{time_ratio:.2f}", display=False)
glue("collapsed_fast", f"{collapsed[FAST]} of {exp.scale.trials}", display=False)
glue("collapsed_fast_jc", f"{collapsed[FAST_JC]} of {exp.scale.trials}", display=False)
glue("d_base_jc", str(d_base_jc) if d_base_jc else "n/a (one trial)", display=False)
glue("d_fast_jc", str(d_fast_jc) if d_fast_jc else "n/a (one trial)", display=False)

# %% [markdown]
# The five-step baseline ends at a mean score of {glue:text}`target`. With one critic update,
# {glue:text}`collapsed_fast` baseline runs and {glue:text}`collapsed_fast_jc` clamped runs
# collapsed. One critic update with clamping needed {glue:text}`speedup_similar` of the
# baseline's training time to reach a similar score (here: the fraction `similar` of it), and
# {glue:text}`speedup_strict` of it to reach the baseline's final score itself ("never reached"
# when its mean curve stays below); a whole run of it took {glue:text}`time_ratio` of the
# baseline's time for the same number of generator iterations. Clamping changed the final
# score by {glue:text}`d_base_jc` with five critic updates and by {glue:text}`d_fast_jc` with
# one (clamped minus unclamped).
#
# ## Paper vs this build

# %%
data_note = f"{dataset}" + (" (lossy JPEG copy)" if manifest["data"]["lossy"] else "")
table = paper_vs_build([
    ("model", "class-conditional WGAN-GP, ResNet (Gulrajani et al.), CIFAR-10",
     f"class-conditional WGAN-GP, {exp.base.arch} ×{exp.base.width:g}, {dataset}"),
    ("trials per setting, generator iterations", "5, 100,000 (reference)", f"{exp.scale.trials}, {exp.scale.steps:,}"),
    ("score", "Inception score", scorer.name),
    ("1 critic step, no clamping", "collapses", f"{collapsed[FAST]} of {exp.scale.trials} collapsed; final "
     + numbers.set_index("setting").loc[FAST, "final score"]),
    ("1 critic step + clamping", "does not collapse", f"{collapsed[FAST_JC]} of {exp.scale.trials} collapsed; final "
     + numbers.set_index("setting").loc[FAST_JC, "final score"]),
    ("5 critic steps: clamped − unclamped final score", "slightly worse, small", str(d_base_jc) if d_base_jc else "n/a"),
    ("time of 1 step + JC to a similar score, ÷ 5-step baseline's", "less than 1/2",
     f"{ratio_text(speedup_similar)} (similar = {similar:.0%}); to the full score: {ratio_text(speedup_strict)}"),
    ("hardware", "not stated (GPU)", hardware),
], exp.scale_name, data_note)
display(Markdown(markdown_table(table)))

# %% [markdown]
# ## Checks

# %%
checks = Checks(exp.scale_name)
all_m = [m for ms in metrics.values() for m in ms]
checks.require(all(len(ms) == exp.scale.trials for ms in metrics.values()), "every setting has all its trials")
checks.require(all(m["step"].tolist() == all_m[0]["step"].tolist() for m in all_m), "every run has the same evaluation steps")
checks.require(all((m["train_time_s"].diff().iloc[1:] > 0).all() and (m["time_s"] >= m["train_time_s"]).all()
                   for m in all_m), "training clocks increase and never exceed the total clock")
checks.require(all(np.isfinite(m["mean_log_cond"]).all() and np.isfinite(m["score"]).all() for m in all_m),
               "log-condition numbers and scores are finite")
per_z = runs[BASE][0].read_table("per_z")
checks.require(np.allclose(per_z.groupby("step")["log_cond"].mean().to_numpy(), metrics[BASE][0]["mean_log_cond"].to_numpy()),
               "the stored mean log κ is the mean of the stored per-z values")
if dataset == "mnist":
    checks.require(all(m["score"].between(1, 10 + 1e-6).all() for m in all_m), "classifier scores lie in [1, 10]")
checks.require(final[FAST]["train_time_s"].mean() < final[BASE]["train_time_s"].mean(),
               "one critic update per iteration trains faster than five")
checks.claim(collapsed[FAST] > exp.scale.trials / 2, "with 1 critic step the baseline collapses",
             f"{collapsed[FAST]} of {exp.scale.trials} runs below half the baseline's final score")
checks.claim(collapsed[FAST_JC] == 0, "with 1 critic step and clamping the model does not collapse",
             f"{collapsed[FAST_JC]} of {exp.scale.trials} runs collapsed")
checks.claim(bool(np.isfinite(speedup_similar) and speedup_similar < 0.5),
             "1 critic step + clamping reaches a similar score in less than half the wall-clock time",
             f"time ratio {ratio_text(speedup_similar)} (similar = {similar:.0%} of {target:.2f})")
if d_base_jc is not None:
    checks.claim(abs(d_base_jc.value) <= 0.1 * target, "with 5 critic steps clamping changes the score only slightly",
                 f"{d_base_jc} (within 10% of {target:.2f}: {abs(d_base_jc.value) <= 0.1 * target})")
else:
    checks.untested("with 5 critic steps clamping changes the score only slightly", "one trial per setting")
display(Markdown(markdown_table(checks.table())))
glue("ch5_summary", checks.summary(), display=False)
glue("scoreboard", HTML(checks.scoreboard("5. WGAN-GP speed-up", "../chapters/05_wgan_gp_speedup.html")), display=False)

# %% [markdown]
# **Summary.** {glue:text}`ch5_summary`
