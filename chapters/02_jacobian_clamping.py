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
# paper's procedure for choosing $\lambda_{\min}, \lambda_{\max}$ from the training-time $Q$
# of unclamped runs that scored well. Beyond the paper, it gives the clamp in doses: if
# conditioning *causes* quality, tighter clamps that lower $\kappa$ should lower the distance.
#
# *Arms* (main recipe, book scale `tfgan`, 10 seeds each): unclamped; clamped with the
# paper's band $[1, 20]$; clamped with the calibrated band; and `dose_runs` seeds at each of
# two tighter bands ($\lambda_{\max}$ halved and quartered). The second recipe
# (`radford`) has the unclamped and paper-band arms.
#
# *Reading of $Q$.* By default $Q$ is formed per sample (the paper's "for all $z$"), $z$ and $z'$
# pass through the generator as one batch so BatchNorm statistics are shared; `q_mode="batch"`
# gives the whole-batch reading of some public code (`gancond.clamping`).

# %% tags=["parameters"]
dataset = "mnist"  # "mnist", "cifar10" or "stl10"
scale = "book"  # "smoke" (CI, seconds), "book" (this book, 2-core CPU) or "paper" (the paper's settings, GPU)
recipe = "tfgan"  # main training recipe: "tfgan" (TF-GAN MNIST: batch 32, Adam G 1e-3 / D 1e-4) or "radford" (the paper's text: batch 64, Adam 2e-4)
second_recipe = "radford"  # the second reading, shown in compact form ("" for none)
runs = None  # GAN runs per arm of the main recipe, identical up to the seed (None: the scale's value; paper: 10)
steps = None  # generator updates per run of the main recipe (None: the scale's value)
width = None  # network width multiplier (None: the scale's value; 1.0 is the paper's DCGAN)
eval_every = None  # steps between evaluations (None: the scale's value)
n_eval_z = None  # size of the fixed z batch (None: the scale's value)
score_samples = None  # generated samples per score evaluation (None: the scale's value)
dose_runs = None  # runs per tighter clamp of the dose-response sweep (None: the scale's value)
eps = 1.0  # ε, the norm of the perturbation δ (paper: 1)
q_mode = "per_sample"  # "per_sample" (the paper's text) or "batch" (one Q per batch)
workers = None  # worker processes training runs side by side (None: one per core on a CPU)
seed = 0  # seed of the first run; run i uses seed + i
device = "auto"  # "auto" (CUDA if available, else MPS, else CPU), "cpu", "cuda" or "mps"
compare_scale = "full"  # scale of a committed bundle (results/<dataset>-<scale>) shown beside this build ("" for none; "full": the paper's network, issue 27)
cifar_scale = "book"  # scale of the CIFAR-10 bundle (results/cifar10-<scale>) judged as Fig. 5 ("" for none)

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from gancond import appendix_a, chapter, claims, plots
from gancond.arms import (PAPER_BAND, arm_table, clamped_measures, clamping_line, clamping_rows, dose_points,
                          judge_arms, judge_dose_points, load_arms, require_clamping_data)
from gancond.bundles import bundle_note, find_bundle
from gancond.measures import MEASURES
from gancond.report import Checks, markdown_table, paper_vs_build

chapter.check_parameters()  # a parameter this chapter does not have (papermill -p) stops it here
chapter.setup(device)
arms, scorer, store = load_arms(dataset=dataset, scale=scale, recipe=recipe, second_recipe=second_recipe or None,
                                seed=seed, device=device, workers=workers, eps=eps, q_mode=q_mode, runs=runs,
                                steps=steps, width=width, eval_every=eval_every, n_eval_z=n_eval_z,
                                score_samples=score_samples, dose_runs=dose_runs)
main = arms[recipe]
exp, band = main.exp, main.band
for rc, a in arms.items():
    print(f"{rc}: " + ", ".join(f"{k} ({len(v)} runs)" for k, v in a.named().items())
          + f"; {a.exp.scale.steps} steps, batch {a.exp.base.batch_size}, lr G {a.exp.base.lr_g:g} / D {a.exp.base.lr_d:g}")
glue("cal_band", f"[{band['lambda_min']:g}, {band['lambda_max']:g}]", display=False)

# %% [markdown]
# ## The rules, fixed before the runs
#
# Committed (`gancond.claims`) before any book-scale run of the `tfgan` recipe existed, applied
# to each clamped arm against the unclamped runs of its recipe. Intervals are 95% percentile
# bootstraps over runs (each arm resampled separately).
#
# - clamped − unclamped difference of the mean final $\log\kappa$ and Fréchet distance: interval
#   below 0; of the mean final score: interval above 0;
# - run-to-run spread: the ratio of standard deviations clamped / unclamped of the final Fréchet
#   distance and of the score, interval below 1;
# - most clamped runs beat the unclamped median (issue 18): the share of clamped runs whose final
#   Fréchet distance is below the unclamped runs' median, with a bootstrap interval over both
#   groups; no effect is 50%, the paper's effect 9 of 10 (Fig. 5, CIFAR-10; all 10 for MNIST and
#   STL-10), judged three-way;
# - clamped runs avoid the ill-conditioned cluster: the share of clamped runs below the threshold
#   that splits the unclamped runs, with a bootstrap interval, against the unclamped runs' own
#   share (no effect) and the paper's (MNIST 10 of 10, CIFAR-10 9 of 10), judged three-way
#   (issue 18; before it: at most 10% of them above the threshold);
# - the clamped mean reaches the best unclamped cluster: mean Fréchet distance at most, and mean
#   score at least, that cluster's mean. The last two need the unclamped runs to split.
# - dose and response (beyond the paper), dose = $\lambda_{\max}$, $+\infty$ for unclamped runs,
#   main recipe: Spearman $\rho$(dose, final $\log\kappa$) with its interval above 0 says the
#   clamp did lower $\kappa$ (manipulation check); $\rho$(dose, final Fréchet distance) above 0
#   says tighter clamps gave better samples. Pooled over every run of every arm and recipe,
#   $\rho$(final $\log\kappa$, final Fréchet distance) above 0 says conditioning and quality go
#   together.
#
# *Three-way verdicts* (added by issue 18 in a commit of its own, before any run of the reach
# ladder or the CIFAR-10 intervention existed, and applied to every scale). A claim that the
# paper states with a size carries that size (`gancond.claims.EFFECTS`, each with its sentence):
# **reproduced** when the interval excludes no effect on the paper's side; **contradicted** when
# it excludes the paper's effect (or is significantly of the opposite sign); **inconclusive**
# when it holds both. Claims the paper states only as a direction stay reproduced / not reproduced.
#
# *Resolution* (issue 18; a validity guard added after the `long` rung's unclamped runs logged
# float32's rounding floor, not an effect threshold): the trainers take $\log\kappa$ from a float32
# Jacobian, which resolves $\sigma_{\min}$ only down to about $10^{-9}\sigma_{\max}$. When a run
# ends it stores, per evaluation $z$, how far a float64 copy of its final generator moves that
# number (`gancond.resolution`); if any unclamped run moves by 0.1 nat or more somewhere, its
# final $\log\kappa$ is not a measurement and the claims that read it (clamping lowers $\kappa$,
# avoiding the ill-conditioned cluster, reaching the best cluster) are *not tested*, with that
# reason; those on the Fréchet distance, the score and their spread stand.
#
# ## The paper's procedure for choosing $\lambda_{\min}, \lambda_{\max}$
#
# "We looked at the empirical value of the quotient $Q$ during training without Jacobian
# Clamping [and] set $\lambda_{\min}, \lambda_{\max}$ such that the runs that achieved good scores
# had $Q$ mostly lying between those two values." Made concrete (`gancond.arms.calibrated_band`):
# every unclamped run logs, at each evaluation, the per-sample $Q$ of a training batch and its
# perturbed copy passed through the generator in training mode as Algorithm 1 passes them
# (with no gradient, on a copy, so the run is untouched). The better-scoring half of the
# unclamped runs are the good runs; the band is the central 90% of their pooled training-time
# $Q$ after initialisation. It gives {glue:text}`cal_band` here; the paper used $[1, 20]$.

# %% tags=["hide-input"]
m = {k: [r.read_table("metrics") for r in v] for k, v in main.named().items()}  # arm -> metrics tables
figq = plots.quotient_band({f"{recipe}: unclamped, training-time Q": m["unclamped"]}, *PAPER_BAND,
                           prefix="train_", other_band=("calibrated", band["lambda_min"], band["lambda_max"]))
plots.save(figq, f"quotient_train_{dataset}_{recipe}_{exp.scale.name}", stamp=exp.stamp)
plt.show()
good = [r.id for r in main.plain if r.id in band["good_runs"]]
print(f"calibrated band [{band['lambda_min']:g}, {band['lambda_max']:g}] from {band['n_q']} training-time Q "
      f"of the {len(good)} better-scoring unclamped runs (paper: [1, 20])")

# %% [markdown]
# Median (line) and 10–90% range (shade) of the training-time $Q$ of each unclamped run; the
# paper's band grey, the calibrated one hatched.
#
# ## Figure 1: without and with Jacobian Clamping
#
# Same rows as the paper; one colour per seed, the same colour for the same seed in every
# column. Main recipe, the unclamped arm and the two clamped arms of 10 seeds.

# %% tags=["hide-input"]
cols = dict(list(m.items())[:3])
fig = plots.trajectory_grid({f"{recipe}: {k}": v for k, v in cols.items()}, rows=["mean_log_cond", "score", "frechet"],
                            labels={"score": "score", "frechet": "Fréchet distance"}, seeds=exp.seeds())
plots.save(fig, f"fig1_{dataset}_{recipe}_{exp.scale.name}", stamp=f"{exp.stamp} · score: {scorer.name}")
plt.show()

# %% [markdown]
# ## Final numbers of every arm
#
# Mean ± standard deviation over runs, and how many runs end above the threshold that splits
# the unclamped runs of their recipe (if they split).

# %% tags=["hide-input"]
splits, judged = judge_arms(arms)
display(arm_table(arms, splits))

# %% [markdown]
# ## Clamped against unclamped, by the rules

# %% tags=["hide-input"]
for (rc, arm), c in judged.items():
    print(clamping_line(rc, arm, c))
c = judged[(recipe, "paper λ")]
glue("d_lc", chapter.na(c.d_log_cond), display=False)
glue("d_fd", chapter.na(c.d_frechet), display=False)
glue("sd_fd", chapter.na(c.sd_frechet), display=False)

# %% [markdown]
# Main recipe, paper's band: clamping changed the final mean log-condition number by
# {glue:text}`d_lc` and the mean final Fréchet distance by {glue:text}`d_fd` (clamped minus
# unclamped); the ratio of the standard deviations of the final Fréchet distance, clamped over
# unclamped, is {glue:text}`sd_fd`.
#
# **Appendix A's measures under clamping** (issue 27; rules in `gancond.appendix_a`, committed
# before the runs they judge): if clamping improves conditioning, it should lower
# $\log\kappa_{1/2} = 2\log(\sigma_1/\sigma_{n_z/2})$ and raise the effective rank
# $\exp H(\sigma^2/\sum\sigma^2)$ too, not only $\kappa$ (which Algorithm 1 targets through
# $Q$). Clamped − unclamped difference of the runs' means over the $z$ resolved in both arms,
# judged by direction (the paper gives no size).

# %% tags=["hide-input"]
measured = clamped_measures(main)
for arm, m, d, zs in measured:
    print(f"{recipe}, {arm}: Δ {MEASURES[m][1]} = {chapter.na(d, zs.why or 'n/a (too few runs)')}")
if not measured:
    print("no spectra stored for these runs (trained before issue 27)")

# %% [markdown]
# ## Dose and response (beyond the paper)
#
# Every run of every arm and both recipes: final mean log-condition number against final
# Fréchet distance, coloured by arm, marker by recipe.

# %% tags=["hide-input"]
pts = dose_points(arms)
dose = judge_dose_points(pts, recipe)
figd = plots.dose_response(pts, title=f"{dataset}: every run, pooled Spearman {dose.rho_pooled}"
                           if dose.rho_pooled else dataset)
plots.save(figd, f"dose_response_{dataset}_{exp.scale.name}", stamp=f"{exp.stamp} (dose arms: {exp.scale.dose_runs} runs)")
plt.show()
means = pts[pts.recipe == recipe].groupby("lambda_max", sort=True)[["log_cond", "frechet"]].agg(["mean", "std", "count"])
display(means.round(3))
for name, rho in [("ρ(dose, final log κ)", dose.rho_dose_log_cond), ("ρ(dose, final Fréchet distance)", dose.rho_dose_frechet),
                  ("pooled ρ(final log κ, final Fréchet distance)", dose.rho_pooled)]:
    print(f"{name}: {chapter.na(rho)}")
glue("rho_pooled", chapter.na(dose.rho_pooled), display=False)
glue("rho_dose_fd", chapter.na(dose.rho_dose_frechet), display=False)
glue("rho_dose_lc", chapter.na(dose.rho_dose_log_cond), display=False)

# %% [markdown]
# Over the main recipe's runs, the clamp strength against the final mean log-condition number:
# {glue:text}`rho_dose_lc`; against the final Fréchet distance: {glue:text}`rho_dose_fd`
# (dose = $\lambda_{\max}$, unclamped = $+\infty$; a positive $\rho$ means tighter clamps give
# lower values). Pooled over every run: {glue:text}`rho_pooled`. The table gives the arm means
# by $\lambda_{\max}$ (`inf` = unclamped).
#
# ## Paper vs this build

# %% tags=["hide-input"]
rows = clamping_rows(arms, judged, dose, recipe)
display(Markdown(markdown_table(paper_vs_build(rows, exp.scale.name, chapter.data_note(dataset, main.plain[0].manifest())))))

# %% [markdown]
# ## The paper's own network, from a bundle
#
# Runs trained elsewhere at another scale can be committed as a *bundle* of their tables under
# `results/` (`tools/bundle.py`); the same rules then judge them here, labelled with their rung.
# By default this is the `full` rung (issue 27): the paper's MNIST networks at full width,
# `tfgan` recipe, 5,000 steps, with the paper's band $\lambda \in [1, 20]$ and the calibrated one.

# %% tags=["hide-input"]
bundle = find_bundle(dataset, compare_scale) if compare_scale else None
bjudged, bmeasured = {}, []
display(Markdown(bundle_note(bundle, dataset, compare_scale)))
if bundle is not None:
    barms = bundle.arms()
    bsplits, bjudged = judge_arms(barms)
    display(arm_table(barms, bsplits))
    for (rc, arm), c in bjudged.items():
        print(clamping_line(rc, arm, c))
    bmeasured = clamped_measures(barms[recipe]) if recipe in barms else []

# %% [markdown]
# ## CIFAR-10: the paper's causal evidence (Fig. 5), from a bundle
#
# The paper's strongest evidence for causality is CIFAR-10: with Jacobian Clamping, 9 of its 10
# runs ended in the good cluster, the mean score rose and the spread across runs fell (Sec. 4,
# Fig. 5). The CIFAR-10 campaign (`tools/train_book_arms.py --campaign cifar10`) trains the book
# experiment on the shared CIFAR-10 copy (lossy JPEG, quality 75): 10 unclamped runs and 10 runs
# clamped in the band calibrated from their training-time $Q$, ¼ width, 5,000 steps. Inception
# weights are not available here, so **scores and Fréchet distances use a CNN classifier trained
# on that copy, not the Inception network**: the numbers are not comparable with the paper's
# Inception score or FID, only their direction and spread are. The same rules as above judge
# them, with the paper's CIFAR-10 sizes (9 of 10).

# %% tags=["hide-input"]
cifar = find_bundle("cifar10", cifar_scale) if cifar_scale else None
cjudged = {}
display(Markdown(bundle_note(cifar, "cifar10", cifar_scale) if cifar is not None else
                 f"*No CIFAR-10 bundle `results/cifar10-{cifar_scale}` is committed yet:* its campaign "
                 f"(`python tools/train_book_arms.py --campaign cifar10 --export`) has not completed."))
if cifar is not None:
    carms = {f"{rc}, CIFAR-10": a for rc, a in cifar.arms().items()}
    csplits, cjudged = judge_arms(carms)
    ca = next(iter(carms.values()))
    cscorer = ca.plain[0].manifest().get("scorer") or "fallback CNN classifier"
    figc = plots.trajectory_grid({f"CIFAR-10: {k}": [r.read_table("metrics") for r in v] for k, v in ca.named().items()},
                                 rows=["mean_log_cond", "frechet", "score"],
                                 labels={"frechet": "Fréchet distance\n(fallback CNN, not Inception)",
                                         "score": "classifier score\n(fallback CNN, not Inception)"},
                                 seeds=ca.exp.seeds())
    plots.save(figc, f"fig5_cifar10_{ca.exp.scale.name}",
               stamp=f"{ca.exp.stamp} (lossy JPEG copy) · scores: {cscorer}")
    plt.show()
    display(arm_table(carms, csplits))
    for (rc, arm), c in cjudged.items():
        print(clamping_line(rc, arm, c))

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
checks = Checks(exp.scale.name)
require_clamping_data(checks, arms, recipe)
for (rc, arm), c in judged.items():
    claims.record_clamping(checks, c, arm, rc, dataset=dataset)
claims.record_dose(checks, dose, recipe)
for arm, m, d, zs in measured:
    appendix_a.record_clamped_measure(checks, m, d, zs, arm, recipe)
for (rc, arm), c in bjudged.items():
    claims.record_clamping(checks, c, arm, rc, scale=bundle.doc["label"]["scale"], dataset=dataset)
for arm, m, d, zs in bmeasured:
    appendix_a.record_clamped_measure(checks, m, d, zs, arm, recipe, scale=bundle.doc["label"]["scale"])
for (rc, arm), c in cjudged.items():
    claims.record_clamping(checks, c, arm, rc, scale=cifar.doc["label"]["scale"], dataset="cifar10")
display(Markdown(markdown_table(checks.table())))
glue("ch2_summary", checks.summary(), display=False)
glue("ch2_dose", checks.headlines(claims.DOSE_FD_CLAIM, claims.DOSE_LOG_COND_CLAIM, claims.POOLED_CLAIM,
                                  recipe=recipe), display=False)
glue("ch2_findings", checks.findings(*(claims.CLAMP_FD_CLAIM.format(arm=a) for a in ("paper λ", "calibrated λ")),
                                     recipe=recipe), display=False)
glue("scoreboard", HTML(checks.scoreboard("2. Jacobian Clamping", "../chapters/02_jacobian_clamping.html")), display=False)

# %% [markdown]
# **Summary.** {glue:text}`ch2_summary`
