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
similar = 0.95  # "a similar score": this fraction of the 5-step baseline's mean final height above the floor of 1
seed = 0  # seed of the first trial; trial i uses seed + i
device = "auto"  # "auto" (CUDA if available, else MPS, else CPU), "cpu", "cuda" or "mps"

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from gancond import chapter, claims, plots, speedup
from gancond.experiments import WGAN_SETTINGS, setting_name, wgan_experiment
from gancond.report import Checks, markdown_table, paper_vs_build
from gancond.runs import RunStore
from gancond.provenance import scorer_text
from gancond.scores import make_scorer
from gancond.wgan import train_wgans

chapter.check_parameters()  # a parameter this chapter does not have (papermill -p) stops it here
chapter.setup(device)
exp = wgan_experiment(dataset=dataset, scale=scale, seed=seed, device=device, lambda_min=lambda_min,
                      lambda_max=lambda_max, eps=eps, runs=trials, steps=steps, arch=arch, width=width,
                      eval_every=eval_every, n_eval_z=n_eval_z, score_samples=score_samples)
speedup.check_similar(similar)
store = RunStore()
display(HTML(chapter.settings(exp.describe())))

# %% [markdown]
# ## Runs
#
# Four settings, `trials` runs each, one after the other so that each run's clock measures a
# machine doing nothing else. Runs live in the content-addressed run store: a rebuild loads
# them. The score is the paper's for the dataset (MNIST: the classifier score and Fréchet
# distance of the earlier chapters, with the same stored classifier; CIFAR-10 and STL-10: the
# Inception score and FID when the standard weights are present, else a labelled fallback).

# %% tags=["hide-input"]
scorer = make_scorer(dataset, store=store, device=exp.device, **exp.scorer_kwargs())
runs = {setting_name(nc, cl): train_wgans(exp.configs(n_critic=nc, clamp=cl), store, scorer, device=exp.device)
        for nc, cl in WGAN_SETTINGS}
metrics = {name: [r.read_table("metrics") for r in rs] for name, rs in runs.items()}
manifest = runs[speedup.BASE][0].manifest()
hardware = speedup.hardware(manifest)
print(f"scorer: {scorer_text(scorer)}\nhardware of the first run: {hardware}\n{sum(map(len, runs.values()))} runs in the run store")
glue("hardware", hardware, display=False)

# %% [markdown]
# Every run's clock was read on: {glue:text}`hardware`.
#
# ## Figure 7: score against generator iterations and against wall-clock time
#
# One colour per setting; thin lines are the trials, the thick line their mean. Right: the same
# scores against the training time the trainer measured.

# %% tags=["hide-input"]
labels = {"score": scorer.metric_names["score"], "frechet": scorer.metric_names["frechet"]}
fig7 = plots.settings_panels(metrics, [("step", "score"), ("train_time_s", "score")], labels)
plots.save(fig7, f"fig7_{dataset}_{exp.scale.name}", stamp=exp.stamp)
plt.show()

# %% [markdown]
# The Fréchet distance of the same samples, and the mean log-condition number of each
# generator over training:

# %% tags=["hide-input"]
fig7b = plots.settings_panels(metrics, [("train_time_s", "frechet"), ("step", "mean_log_cond")], labels)
plots.save(fig7b, f"fig7_frechet_logcond_{dataset}_{exp.scale.name}", stamp=exp.stamp)
plt.show()

# %% [markdown]
# ## The definitions, fixed before this build's runs
#
# Written down before this build trained its WGAN-GP runs; they live in `gancond.claims`
# (`collapsed`, `time_to_stay`, and `judge_fig7` / `record_fig7`, which judge what
# `gancond.speedup.measure` measured). An earlier build had reported final scores of 3.89,
# 3.81, 2.82 and 2.99 for the four settings at 1,500 iterations, so these rules were not
# written blind to that; they follow the paper's words, not those numbers. Scores are
# measured as heights above their floor of 1 (a score of 1 is the worst possible, not 0); the
# *target* is the five-step baseline's mean final score.
#
# - **Collapsed run**: its final score keeps less than half of its own peak's height above the
#   floor (it rose, then fell away), or its peak never rose above a quarter of the target's
#   height (it never took off). "The baseline collapses with one critic step" is reproduced
#   when more than half of those runs collapsed; "clamping prevents it" when none of the
#   clamped one-step runs did.
# - **Little degradation** (one critic step with clamping against the five-step baseline):
#   its mean final score lies inside the baseline runs' range of final scores, or the
#   difference's 95% interval includes 0 with both ends within 10% of the target's height.
# - **Small cost at five steps**: the clamped − unclamped difference of the final score has its
#   interval's lower end within 10% of the target's height below 0.
# - **Time to score**: per run, the training seconds from which its score, smoothed over 3
#   evaluations (trailing mean), stays at or above `similar` (95%) of the target's height to
#   the end (∞ if it ends below); per setting the median over runs. The speed-up is the median
#   of one step with clamping over the baseline's median, with a 95% bootstrap interval over
#   trials. Since issue 18 (a commit before its new campaigns; before it: reproduced when the
#   ratio is below one half) it is judged three-way: **reproduced** when the interval lies below
#   1 (faster than the baseline), **contradicted** when it excludes the paper's ½ ("more than
#   halves the wall-clock time"), **inconclusive** otherwise.
#
# ## The numbers
#
# Per setting, over its trials: final score, Fréchet distance and mean log-condition number
# (mean ± standard deviation), the training time of a run, the final/peak height, collapsed
# runs, and the median time to the target.

# %% tags=["hide-input"]
m = speedup.measure(metrics, similar)
display(speedup.numbers_table(m))
for name, text in speedup.texts(m).items():
    glue(name, text, display=False)

# %% [markdown]
# The five-step baseline ends at a mean score of {glue:text}`target`. With one critic update,
# {glue:text}`collapsed_fast` baseline runs and {glue:text}`collapsed_fast_jc` clamped runs
# collapsed. The median run of one critic update with clamping needed {glue:text}`speedup` of
# the median baseline run's training time to reach and keep a similar score; a whole run of it
# took {glue:text}`time_ratio` of the baseline's time for the same number of generator
# iterations. Clamping changed the final score by {glue:text}`d_base_jc` with five critic
# updates and by {glue:text}`d_fast_jc` with one (clamped minus unclamped).
#
# ## Paper vs this build

# %% tags=["hide-input"]
build = speedup.build_column(m)
table = paper_vs_build([
    ("model", "class-conditional WGAN-GP, ResNet (Gulrajani et al.), CIFAR-10",
     f"class-conditional WGAN-GP, {exp.base.arch} ×{exp.base.width:g}, {dataset}"),
    ("trials per setting, generator iterations", "5, 100,000 (reference)", f"{exp.runs}, {exp.scale.steps:,}"),
    ("score", "Inception score", scorer.name),
    ("1 critic step, no clamping", "collapses", build["collapse_fast"]),
    ("1 critic step + clamping", "does not collapse", build["collapse_fast_jc"]),
    ("1 critic step + clamping vs the 5-step baseline", "similar score (\"little degradation\")", build["degradation"]),
    ("5 critic steps: clamped − unclamped final score", "slightly worse, small", build["cost_5"]),
    ("median time of 1 step + JC to a similar score, ÷ the baseline's", "less than 1/2", build["time"]),
    ("hardware", "not stated (GPU)", hardware),
], exp.scale.name, chapter.data_note(dataset, manifest))
display(Markdown(markdown_table(table)))

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
checks = Checks(exp.scale.name)
per_z = runs[speedup.BASE][0].read_table("per_z")
for holds, what in speedup.consistency(metrics, exp.runs, per_z, score_bounds=(1, 10) if dataset == "mnist" else None):
    checks.require(holds, what)
claims.record_fig7(checks, speedup.judge(m))
display(Markdown(markdown_table(checks.table())))
glue("ch5_summary", speedup.regime_note(m, exp.scale.steps) + checks.summary(), display=False)
glue("ch5_findings", checks.findings(claims.SPEEDUP_CLAIM), display=False)
glue("scoreboard", HTML(checks.scoreboard("5. WGAN-GP speed-up", "../chapters/05_wgan_gp_speedup.html")), display=False)

# %% [markdown]
# **Summary.** {glue:text}`ch5_summary`
