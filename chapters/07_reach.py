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
# # How far the evidence reaches
#
# **The objection.** Every GAN of chapters 1–4 is a quarter of the paper's width and trains
# 5,000 steps; a reader who knows GANs will say the runs are too short and too small for the
# paper's clusters to form, and that the paper's causal evidence is CIFAR-10 (Fig. 5), not MNIST.
# This chapter answers with a *reach ladder*: the book experiment (`tfgan` recipe, 10 runs per
# arm) made 4× longer (`long`: 20,000 steps, the recipe's own length), made 2× wider (`wide`: ½
# width, 5,000 steps), and run on CIFAR-10 (unclamped and calibrated-λ runs, scored by a CNN
# classifier trained on the lossy CIFAR-10 copy, **not** the Inception network). The ladder's
# rungs are trained as background campaigns (`tools/train_book_arms.py --campaign long|wide|cifar10`)
# and committed as bundles under `results/`; the book's own rung comes from chapters 1–4.
#
# **The rules, fixed before the ladder's runs** (`gancond.reach`, `gancond.claims`). Per rung:
# the largest gap between the unclamped runs' final mean $\log\kappa$ (a split needs 2 nats and
# a gap wider than either group's range; Fig. 1's clusters sit about 4 nats apart); Spearman
# $\rho$(final $\log\kappa$, final Fréchet distance), three-way against the paper's $\rho \ge 0.45$;
# Pearson $r$(final $\log\kappa$, least-sampled class count of 360 samples), three-way against
# $r = -0.86$ (MNIST only); the calibrated-λ − unclamped difference of the mean final Fréchet
# distance (the paper: below 0); the dose $\rho$(λ_max, final Fréchet distance) over every run
# of the rung (beyond the paper: above 0). Intervals are 95% percentile bootstraps over runs.
# More reach *moves a statistic toward the paper* when its verdict improves from the book rung
# (contradicted < inconclusive < reproduced; not reproduced < reproduced), *away* when it
# worsens; otherwise it does not move, whatever its point estimate does.
#
# **Resolution** (added after the `long` rung's unclamped runs logged a final mean $\log\kappa$
# near 40 nats, before any of its clamped runs finished). The trainers log $\log\kappa$ from a
# float32 Jacobian, which resolves $\sigma_{\min}$ only down to about $10^{-9}\sigma_{\max}$. A
# run's final mean $\log\kappa$ counts as a measurement only when a float64 copy of its final
# generator gives the same value within 0.1 nat at every $z$ (`gancond.resolution`,
# `tools/precision_check.py`; chapters 1, 2 and 4 apply the same rule to their claims): the `wide` and CIFAR-10 generators agree within 0.011 nat; every
# `long` unclamped generator is singular in float64 at almost every $z$ (310 of 320; numerical
# rank down to 9 of 64), so its 40 nats are float32's floor. The cause is structural: after
# 20,000 steps only 32–41 of the first layer's 256 ReLUs are active at a median $z$ (9–20 at the
# fewest), fewer than $n_z = 64$, and $J_z$ factors through them, so it is singular in any dtype
# (`tools/precision_check.py` prints the count). The paper's full-width first layer has 1,024
# units; this is a limit of the ¼-width network trained long, not evidence about the paper's. On a rung with an unresolved
# unclamped run, the statistics that rank runs by $\log\kappa$ (split gap, $\rho$, $r$) are
# *not tested*; the two that do not use $\kappa$ (Δ Fréchet distance, dose) are judged as before.
# A bundle holds no generators, so it carries each run's float32–float64 gap per $z$; the table
# under "The numbers" counts, per rung and arm, the $z$ at which a run's final $\log\kappa$ is
# unresolved. The `book` rung is not spared: in the timed cold build of 2026-12-07 every
# unclamped and paper-λ ¼-width `tfgan` run was singular to float32 at 1–10 of its 32 $z$ (the
# calibrated-λ and `radford` runs agreed within $5\cdot10^{-5}$ nat), so its $\kappa$ statistics
# are *not tested* too.

# %% tags=["parameters"]
scale = "book"  # the base rung, trained by chapters 1-4: "smoke" (CI), "book" (this book) or "paper"
recipe = "tfgan"  # the main recipe of chapters 1-4, whose arms every rung repeats
rungs = "long,wide,full"  # later MNIST rungs, read from the bundles results/mnist-<rung> ("" for none)
cifar_scale = "book"  # scale of the CIFAR-10 bundle results/cifar10-<scale> ("" for none)
workers = None  # worker processes training the base rung's missing runs (None: one per core on a CPU)
device = "auto"  # "auto" (CUDA if available, else MPS, else CPU), "cpu", "cuda" or "mps"

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from gancond import chapter, plots, reach
from gancond.arms import load_arms
from gancond.bundles import find_bundle
from gancond.provenance import provenance_table
from gancond.report import Checks, markdown_table
from gancond.resolution import resolution_table

chapter.check_parameters()  # a parameter this chapter does not have (papermill -p) stops it here
chapter.setup(device)
arms, scorer, store = load_arms(dataset="mnist", scale=scale, recipe=recipe, second_recipe=None, device=device,
                                workers=workers)
base = arms[recipe].exp.scale.name
ladder = {base: (arms[recipe], "mnist")}
found, missing = [], []
for name, ds, sc in [(r, "mnist", r) for r in rungs.split(",") if r] + ([("cifar10", "cifar10", cifar_scale)] if cifar_scale else []):
    b = find_bundle(ds, sc)
    if b is None:
        missing.append(f"`results/{ds}-{sc}`")
        continue
    ladder[name] = (b.arms()[recipe], ds)
    found.append(f"`{b.path.name}` ({b.label})")
display(Markdown("**Rungs:** " + f"{base} (this build's runs)" + "".join(f"; {f}" for f in found) +
                 (f". *Not committed yet:* {', '.join(missing)}." if missing else ".")))

# %% [markdown]
# ## The figure: each claim's statistic against the reach
#
# One panel per statistic, one point per rung with its 95% interval, coloured by its verdict;
# the paper's value dashed, no effect in grey. CIFAR-10's Fréchet distance is on the fallback
# classifier's features, not Inception's.

# %% tags=["hide-input"]
table = reach.reach_table(ladder)
exps = {name: arm.exp for name, (arm, _) in ladder.items()}  # each rung's sizes, from its runs
labels = {name: "CIFAR-10" if name == "cifar10" else name for name in exps}  # short tick labels (issue 29)
settings = ", ".join(f"{labels[n]} ×{e.scale.width:g} width, {e.scale.steps:,} steps, {e.scale.runs} runs per arm"
                     for n, e in exps.items())
fig = plots.reach_figure(table, reach.STATISTICS, labels)
plots.save(fig, f"reach_{base}", stamp=f"recipe {recipe}; {settings}; scores: pinned MNIST classifier, "
           "CIFAR-10 fallback CNN (not Inception)")
display(Markdown(f"*Rungs:* {settings}."))
plt.show()
paragraph = reach.reach_paragraph(table, base=base)
glue("reach_paragraph", paragraph, display=False)
glue("resolution_sentence", reach.resolution_sentence(table), display=False)

# %% [markdown]
# {glue:text}`reach_paragraph`

# %% [markdown]
# ## The numbers

# %% tags=["hide-input"]
shown = table.assign(statistic=table["key"].map({**reach.STATISTICS, **reach.PREDICTIONS})).drop(columns=["key", "null"])
display(Markdown(markdown_table(shown[["rung", "statistic", "value", "low", "high", "paper", "verdict", "n", "why"]].round(3))))

# %% [markdown]
# **Resolution per arm**: the runs whose final mean $\log\kappa$ is not a measurement (float32 and
# float64 differ by 0.1 nat or more at some evaluated $z$), and at how many of the $z$.

# %% tags=["hide-input"]
display(Markdown(markdown_table(resolution_table({name: arm.named() for name, (arm, _) in ladder.items()}))))

# %% [markdown]
# **Who scored each rung, and on which kernels** (issue 28): Fréchet distances and scores are
# compared only between runs scored by one network. Rungs trained before the scorers were pinned
# carry a classifier trained on their own machine; their numbers are shown and judged within the
# rung, and their manifests do not record the CPU capability.

# %% tags=["hide-input"]
display(Markdown(markdown_table(provenance_table({name: [r for rs in arm.named().values() for r in rs]
                                                  for name, (arm, _) in ladder.items()}))))

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
checks = Checks(base)
checks.require(set(table["rung"]) == set(ladder), "every rung gives its statistics")
for _, s in table.iterrows():
    checks.verdict(s["verdict"], {**reach.STATISTICS, **reach.PREDICTIONS}[s["key"]], reach.stat_text(s, with_verdict=False),
                   "CIFAR-10" if s["rung"] == "cifar10" else "MNIST",
                   None if s["rung"] == base else ("book" if s["rung"] == "cifar10" else s["rung"]))
display(Markdown(markdown_table(checks.table())))
glue("reach_findings", paragraph, display=False)
glue("scoreboard", HTML(checks.scoreboard("How far the evidence reaches", "../chapters/07_reach.html")), display=False)
