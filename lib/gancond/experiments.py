"""Every experiment of the book in one place: the scale presets, the validation of the chapters'
parameters, the builders that turn them into run configs, and :func:`load_model`.

The three scales, each a preset of ordinary parameters per kind of run:

- ``smoke``: CI. Tiny networks, a few hundred images, seconds per chapter. Numbers mean nothing.
- ``book``:  the default; the published book, built on a 2-core CPU. Quarter-width DCGANs,
  one run per core (about 20 steps/s each at batch 32). The main experiment is the ``tfgan``
  recipe with the paper's 10 runs per arm x 5,000 steps (unclamped, clamped with the paper's λ,
  clamped with the calibrated λ, plus ``dose_runs`` runs at each clamp tighter than the calibrated one);
  the ``radford`` recipe is the second reading, 5 runs x 3,000 steps per arm (unclamped, paper's
  λ), as in earlier builds (:data:`RECIPE_PRESETS`). Measured on the 2-core build machine: the
  10 unclamped ``tfgan`` runs take about 30-40 minutes, a clamped one about 7 minutes of a core,
  so the whole sweep (48 runs) takes about 2.5-3 hours: over the 2-hour budget of a cold build
  (issue 11 asked for 10 runs per arm of at least 5,000 steps). This is far shorter than the
  paper's training: the chapters say what that does and does not allow one to see.
- ``long``, ``wide``: the reach ladder (issue 18), GAN runs only (chapters 1, 2 and 4 and the
  reach figure): the book experiment at the ``tfgan`` recipe's own length (20,000 steps, ¼
  width), and at ½ width for 5,000 steps: the floor the issue sets, chosen because a ½-width
  step costs about 2.2x a ¼-width one here (REFERENCES' prototype on 2 cores: 12.6 vs 27.8
  steps/s at batch 64), so its 30 runs of 5,000 steps cost about as much of a core as 30 runs
  of 11,000 ¼-width steps, the most one background campaign beside a session's work affords.
  The runs' own training times are in their manifests (issue 18's closing note reports them).
  10 runs per arm: unclamped, paper λ and calibrated λ.
- ``paper``: the paper's settings (10 runs per condition, the paper's DCGAN widths), for a GPU.
  The paper does not state its training length; 20,000 generator steps at batch 64 is about
  21 epochs of MNIST (25.6 of CIFAR-10), close to the 25 epochs of the DCGAN reference code.

One builder per kind of run, all of one shape: ``<kind>_experiment(dataset, scale, seed,
device, <the kind's settings>, **overrides)`` validates the chapter's parameters (``None``
means "the scale's value"; ``overrides`` are fields of the kind's scale preset) and returns an
:class:`Experiment`: ``exp.scale`` (the preset with the overrides, ``exp.scale.name`` its
name), ``exp.runs`` (runs per condition), ``exp.base`` (the first run's config),
``exp.configs(**changes)`` (one config per seed), ``exp.scorer_kwargs()`` and ``exp.describe()``.

- :func:`gan_experiment` (kind ``gan``, :data:`GAN_SCALES`): chapters 1-4 (through
  :func:`gancond.arms.load_arms`) and 6;
- :func:`vae_experiment` (kind ``vae``, :data:`VAE_SCALES`): chapter 3;
- :func:`wgan_experiment` (kind ``wgan``, :data:`WGAN_SCALES`): chapter 5;
- :func:`memorize_experiment` (kind ``memorize``, :data:`MEMORIZE_SCALES`): chapter 6.

:func:`load_model` loads the trained network of a run of any kind.

A bad parameter fails at once with a ValueError naming it. The environment variable
``GANCOND_SCALE`` (set by CI) overrides the ``scale`` parameter. This module sits above the
trainers (:mod:`gancond.train`, :mod:`gancond.vae`, :mod:`gancond.memorize`,
:mod:`gancond.wgan`, :mod:`gancond.classifier`), which import nothing from it: a run's config
is all a trainer needs, and the run ids of the store are the hashes of those configs, so the
presets here must keep yielding the same configs (``tests/test_experiment_configs.py``).

Used by: chapters 3, 4, 5 and 6; chapters 1-4 through :func:`gancond.arms.load_arms`.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Union

from torch import nn

from .classifier import load_classifier
from .data import DATASETS
from .loop import positive_int as _positive_int
from .memorize import MemorizeConfig, load_memorizer
from .runs import Run
from .train import RECIPES, GANConfig, load_generator
from .vae import LIKELIHOODS, VAEConfig, load_decoder
from .wgan import ARCHS, WGANConfig, load_wgan_generator

__all__ = ["Z_DIM", "GANScale", "GAN_SCALES", "RECIPE_PRESETS", "VAEScale", "VAE_SCALES", "MemorizeScale",
           "MEMORIZE_SCALES", "WGANScale", "WGAN_SCALES", "WGAN_SETTINGS", "LADDER", "setting_name", "Experiment",
           "gan_experiment", "vae_experiment", "memorize_experiment", "wgan_experiment", "scale_from_env",
           "scorer_kwargs", "check_device", "resolve_device", "override", "load_model"]

#: latent dimension per dataset: 64 for MNIST (TF-GAN's MNIST GAN, Appendix B.1), 100 for the
#: colour datasets (Radford et al.'s DCGAN).
Z_DIM = {"mnist": 64, "cifar10": 100, "stl10": 100}


# --------------------------------------------------------------------------- GAN presets (chapters 1-4, 6)
@dataclass(frozen=True)
class GANScale:
    """Sizes of the GAN experiments at one scale. Every field but ``name`` can be overridden."""

    name: str
    runs: int  # runs per condition (paper: 10)
    steps: int  # generator updates per run
    width: float  # network width multiplier (1.0 = the paper's DCGAN)
    eval_every: int  # steps between evaluations (log κ, Q, scores) and checkpoints
    n_eval_z: int  # fixed z batch for the log-condition number (Figs. 1, 2)
    score_samples: int  # generated samples per score evaluation
    n_real: int  # real images for the scorer's reference statistics
    n_train: int  # training images used (0 = the whole split)
    mode_samples: int  # samples per model for the missing-modes count (paper: 360)
    dose_runs: int = 4  # runs per tighter clamp of the dose-response sweep (chapter 2)


GAN_SCALES = {
    "smoke": GANScale("smoke", runs=2, steps=40, width=0.125, eval_every=20, n_eval_z=4, score_samples=200,
                      n_real=500, n_train=2_000, mode_samples=360, dose_runs=3),
    "book": GANScale("book", runs=5, steps=3_000, width=0.25, eval_every=200, n_eval_z=32, score_samples=1_000,
                     n_real=5_000, n_train=0, mode_samples=360, dose_runs=4),
    "paper": GANScale("paper", runs=10, steps=20_000, width=1.0, eval_every=500, n_eval_z=64, score_samples=5_000,
                      n_real=10_000, n_train=0, mode_samples=360, dose_runs=10),

    # The reach ladder (issue 18): the book experiment made longer, then wider; trained as
    # background campaigns (tools/train_book_arms.py --scale long|wide), exported as bundles.
    "long": GANScale("long", runs=10, steps=20_000, width=0.25, eval_every=1_000, n_eval_z=32, score_samples=1_000,
                     n_real=5_000, n_train=0, mode_samples=360, dose_runs=0),
    "wide": GANScale("wide", runs=10, steps=5_000, width=0.5, eval_every=250, n_eval_z=32, score_samples=1_000,
                     n_real=5_000, n_train=0, mode_samples=360, dose_runs=0),
    # The paper's own MNIST networks (issue 27): full width at the book length, evaluated as at
    # book; 183 ms per unclamped and 231 ms per clamped step (one idle AVX512 core, batch 32,
    # bench/bench_train_step.py), so a run costs about 17-21 min of one core
    "full": GANScale("full", runs=10, steps=5_000, width=1.0, eval_every=250, n_eval_z=32, score_samples=1_000,
                     n_real=5_000, n_train=0, mode_samples=360, dose_runs=0),
}
#: the rungs of the reach ladder, in order of reach (issue 18): the book scale, 4x longer
#: (the ``tfgan`` recipe's own 20,000 steps), then 2x wider at the book length
LADDER = ("book", "long", "wide")

#: Per-recipe changes to a scale's GAN preset. At book scale the ``tfgan`` recipe is the main
#: experiment (the paper's 10 runs; 5,000 steps, the most that fits the budget by the
#: throughput measured in ``bench/bench_sweep.py``); ``radford`` keeps the earlier builds' size.
RECIPE_PRESETS: dict[tuple[str, str], dict[str, int]] = {
    ("book", "tfgan"): {"runs": 10, "steps": 5_000, "eval_every": 250},
    ("book", "radford"): {"runs": 5, "steps": 3_000, "eval_every": 200},
}


# --------------------------------------------------------------------------- VAE presets (chapter 3)
@dataclass(frozen=True)
class VAEScale:
    """Sizes of the VAE runs at one scale. ``width``, ``n_eval_z`` and ``n_train`` are the GAN
    preset's, so decoder and generator have one architecture and see the same z and images."""

    name: str
    runs: int  # VAE runs, identical up to the seed (paper: 10, as many as GAN runs)
    steps: int  # Adam updates per run
    eval_every: int  # steps between evaluations and checkpoints
    n_test: int  # test images for the held-out ELBO
    width: float  # width multiplier of encoder and decoder (the GAN's)
    n_eval_z: int  # fixed z batch for log κ(M_z) (the GAN's)
    n_train: int  # training images used (0 = the whole split; the GAN's)


def _vae_scale(name: str, **sizes: int) -> VAEScale:
    gan = GAN_SCALES[name]
    return VAEScale(name, **sizes, width=gan.width, n_eval_z=gan.n_eval_z, n_train=gan.n_train)


#: VAE presets per scale. ``book``: as many runs and updates as the GAN runs of the same scale
#: (5 runs x 4,000 updates of batch 64). Measured on the book's 2-core machine: one such run
#: (width 0.25, 1 thread) took 105 s of CPU time, evaluations included, so the five take about
#: 9 minutes; the rest of chapters 03 and 04 (Jacobians, samples, figures) takes about one more.
VAE_SCALES = {
    "smoke": _vae_scale("smoke", runs=2, steps=40, eval_every=20, n_test=200),
    "book": _vae_scale("book", runs=5, steps=4_000, eval_every=500, n_test=2_000),
    "paper": _vae_scale("paper", runs=10, steps=20_000, eval_every=500, n_test=10_000),
}


# --------------------------------------------------------------------------- memorizer presets (chapter 6)
@dataclass(frozen=True)
class MemorizeScale:
    """Sizes of the memorizing-generator chapter at one scale. Every field but ``name`` can be overridden."""

    name: str
    runs: int  # memorizing runs, identical up to the seed (Fig. 11: 10)
    steps: int  # Adam updates per run
    width: float  # generator width multiplier (the GAN runs' width at the same scale)
    batch_size: int  # memorized pairs per update
    eval_every: int  # steps between evaluations (log κ, reconstruction error) and checkpoints
    n_eval_z: int  # fixed evaluation z batch: the GAN runs' n_eval_z at the same scale
    n_memorized: int  # memorized (z, target) pairs (B.1: 10,000)
    n_copies: int  # of which copies of one "4" (B.1: 5,000)
    score_samples: int  # samples scored from memorized z and from random z
    mode_samples: int  # random-z samples for the least-sampled-class count (paper Sec. 3: 360)


#: The memorizer presets. ``book`` was chosen by measurement on the 2-core CPU (see chapter 6):
#: at the GAN runs' book width (0.25) a generator cannot memorize 5,000 random digits
#: in minutes (10,000 pairs, 8,000 steps: MSE 0.136 per pixel on the random digits, own target
#: nearest for 56% of them), while 2,000 pairs with the paper's half-and-half split are
#: memorized exactly (MSE 0.014, 100%). Cost: about 11-16 ms of one core per step, so the five
#: 6,000-step runs take 6-9 minutes.
MEMORIZE_SCALES = {
    "smoke": MemorizeScale("smoke", runs=2, steps=60, width=0.125, batch_size=32, eval_every=20, n_eval_z=4,
                           n_memorized=256, n_copies=128, score_samples=200, mode_samples=360),
    "book": MemorizeScale("book", runs=5, steps=6_000, width=0.25, batch_size=64, eval_every=500, n_eval_z=32,
                          n_memorized=2_000, n_copies=1_000, score_samples=1_000, mode_samples=360),
    "paper": MemorizeScale("paper", runs=10, steps=20_000, width=1.0, batch_size=64, eval_every=500, n_eval_z=64,
                           n_memorized=10_000, n_copies=5_000, score_samples=5_000, mode_samples=360),
}


# --------------------------------------------------------------------------- WGAN-GP presets (chapter 5)
@dataclass(frozen=True)
class WGANScale:
    """Sizes of the WGAN-GP experiment at one scale. Every field but ``name`` can be overridden."""

    name: str
    runs: int  # runs per setting, identical up to the seed (paper: 5 "trials")
    steps: int  # generator iterations per run (reference: 100,000)
    arch: str  # "resnet" (reference) or "dcgan"
    width: float  # width multiplier
    eval_every: int  # generator iterations between evaluations
    n_eval_z: int  # fixed z for the log-condition number
    score_samples: int  # class-balanced samples per score evaluation (reference: 50,000)
    n_real: int  # real images for the scorer's reference statistics
    n_train: int  # training images used (0 = the whole split)


#: WGAN-GP presets. ``paper`` is the reference's setting. ``book`` fits the chapter's 30-minute
#: cold-build budget on the 2-core machine, by measurement (``bench/bench_wgan_preset.py``, idle
#: machine, 2026-11-29): at width 0.25 one generator iteration costs 0.307 s (5 critic steps),
#: 0.296 s (5 + JC), 0.079 s (1) and 0.120 s (1 + JC), one evaluation 1.5 s; real runs are about
#: 13% slower than these medians (a 1,500-iteration 5-step run took 514-527 s of training). The
#: earlier 1,500 iterations would take 64 min. Width 0.125 at 1,000 iterations would fit (24 min
#: predicted), but there a 1-step + JC iteration costs 0.62 of a 5-step one instead of 0.39: the
#: small networks' per-call overhead hides the critic's cost, which is what the paper's speed-up
#: is about (on a GPU at DIM = 128, one critic update dominates an iteration). So the width
#: stays and the iterations come down to 600 (evaluation every 60): 27 min of training and
#: evaluations predicted, about 31 min with the 13%. Measured: the chapter's cold build took
#: 1,874 s (31 min; runs of 186-218 s with 5 critic steps, 64-77 s with 1).
WGAN_SCALES = {
    "smoke": WGANScale("smoke", runs=1, steps=12, arch="dcgan", width=0.125, eval_every=6, n_eval_z=10,
                       score_samples=200, n_real=500, n_train=2_000),
    "book": WGANScale("book", runs=3, steps=600, arch="dcgan", width=0.25, eval_every=60, n_eval_z=20,
                      score_samples=1_000, n_real=5_000, n_train=0),
    "paper": WGANScale("paper", runs=5, steps=100_000, arch="resnet", width=1.0, eval_every=1_000, n_eval_z=50,
                       score_samples=50_000, n_real=10_000, n_train=0),
}

#: the four settings of Fig. 7: (critic steps, clamping)
WGAN_SETTINGS = ((5, False), (5, True), (1, False), (1, True))


def setting_name(n_critic: int, clamp: bool) -> str:
    """The legend name of a WGAN-GP setting, e.g. "1 critic step + JC"."""
    return f"{n_critic} critic step{'s' if n_critic > 1 else ''}" + (" + JC" if clamp else "")


# --------------------------------------------------------------------------- parameter validation
def scale_from_env(scale: str) -> str:
    """``$GANCOND_SCALE`` if set (CI uses it to run every chapter at smoke scale), else ``scale``."""
    return os.environ.get("GANCOND_SCALE") or scale


def scorer_kwargs(scale: GANScale, n_real: int | None = None) -> dict:
    """Keyword arguments of :func:`gancond.scores.make_scorer` at ``scale``: the real images of the
    reference statistics (every scale scores with the same pinned classifier, issue 28);
    ``n_real`` overrides the scale's."""
    return {"n_real": n_real or scale.n_real}


def _choice(name: str, v: Any, options, what: str = "parameter") -> None:
    if v not in options:
        raise ValueError(f"{what} {name!r} must be one of {sorted(options)}, got {v!r}")


def check_device(device: Any) -> None:
    """Raise ValueError unless ``device`` is "auto", "cpu", "cuda", "cuda:N" or "mps" (the chapters' parameter)."""
    if not (isinstance(device, str) and (device in ("auto", "cpu", "mps") or device.startswith("cuda"))):
        raise ValueError(f"parameter 'device' must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}")


def resolve_device(device: str = "auto") -> str:
    """``device`` with "auto" replaced by "cuda" when a CUDA GPU is available, else "mps" when an
    Apple GPU is, else "cpu". Other values are checked and returned unchanged."""
    import torch

    check_device(device)
    if device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def override(preset: Any, overrides: dict[str, Any], allow_zero: tuple[str, ...] = (),
             choices: dict[str, tuple] | None = None, what: str = "parameter") -> Any:
    """The dataclass ``preset`` with the chapter's non-None ``overrides`` applied, each validated.

    ``width`` must be a positive number, fields in ``choices`` one of their values, every other
    field a positive integer (non-negative for the fields in ``allow_zero``). Unknown names and
    bad values raise ValueError naming the parameter (as ``what``, e.g. "VAE parameter").
    """
    choices = choices or {}
    fields = {f.name for f in dataclasses.fields(preset)} - {"name"}
    unknown = set(overrides) - fields
    if unknown:
        raise ValueError(f"unknown {what}(s) {sorted(unknown)}; known: {sorted(fields)}")
    given = {k: v for k, v in overrides.items() if v is not None}
    for k, v in given.items():
        if k == "width":
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0):
                raise ValueError(f"{what} 'width' must be a positive number, got {v!r}")
        elif k in choices:
            if v not in choices[k]:
                raise ValueError(f"{what} {k!r} must be one of {choices[k]}, got {v!r}")
        else:
            _positive_int(k, v, allow_zero=k in allow_zero, what=what)
    return dataclasses.replace(preset, **given)


def _preset(presets: dict, scale: str) -> Any:
    """The preset of ``scale`` (``$GANCOND_SCALE`` first); an unknown scale raises ValueError."""
    scale = scale_from_env(scale)
    _choice("scale", scale, presets)
    return presets[scale]


# --------------------------------------------------------------------------- the experiment
AnyScale = Union[GANScale, VAEScale, MemorizeScale, WGANScale]
AnyConfig = Union[GANConfig, VAEConfig, MemorizeConfig, WGANConfig]


@dataclass(frozen=True)
class Experiment:
    """A chapter's validated parameters for one kind of run: the scale preset with the
    chapter's overrides, and the runs' configs (identical up to the seed, and to the
    ``changes`` that make the conditions of the chapter, e.g. ``clamp``)."""

    kind: str  # the run kind its configs train: "gan", "vae", "memorize" or "wgan"
    dataset: str
    scale: AnyScale  # the preset with the overrides; ``scale.name`` is the scale's name
    seed: int  # seed of the first run; run i has seed + i
    device: str  # resolved: "cpu", "cuda", "cuda:N" or "mps"
    base: AnyConfig  # the first run's config (seed ``seed``; GAN: unclamped; WGAN-GP: 5 critic steps, unclamped)
    scoring: dict  # keyword arguments of gancond.scores.make_scorer: the classifier of every chapter of the scale

    @property
    def runs(self) -> int:
        """Runs per condition."""
        return self.scale.runs

    def seeds(self, runs: int | None = None) -> list[int]:
        """The seeds of the runs (``runs`` of them; None: :attr:`runs`)."""
        return [self.seed + i for i in range(self.runs if runs is None else runs)]

    def configs(self, runs: int | None = None, **changes: Any) -> list[AnyConfig]:
        """One config per seed, :attr:`base` with ``changes`` (config fields: ``clamp=True``,
        ``lambda_min``/``lambda_max``, ``n_critic``, ...); ``runs`` the number of seeds."""
        return [self.base.replace(**changes, seed=s) for s in self.seeds(runs)]

    def scorer_kwargs(self) -> dict:
        """Keyword arguments of :func:`gancond.scores.make_scorer` for this experiment."""
        return dict(self.scoring)

    @property
    def stamp(self) -> str:
        """One line naming what a figure of these runs shows, for :func:`gancond.plots.save`:
        dataset, recipe (GAN runs), scale and its sizes, e.g. ``"mnist · tfgan · book scale:
        10 runs × 5,000 steps, width ×0.25"``."""
        s = self.scale
        recipe = getattr(self.base, "recipe", None)
        return " · ".join([self.dataset, *([recipe] if recipe else []),
                           f"{s.name} scale: {s.runs} runs × {s.steps:,} steps, width ×{s.width:g}"])

    def describe(self) -> dict:
        """The settings, flat, for the chapter's settings table."""
        return _DESCRIBE[self.kind](self)


def _sizes(e: Experiment) -> dict:
    """The scale preset's name (as ``scale``) and sizes, for :meth:`Experiment.describe`."""
    return {"scale": e.scale.name, **{k: v for k, v in dataclasses.asdict(e.scale).items() if k != "name"}}


def _describe_gan(e: Experiment) -> dict:
    b = e.base
    return {"dataset": e.dataset, "recipe": b.recipe, "batch_size": b.batch_size, "lr_g": b.lr_g, "lr_d": b.lr_d,
            "beta1": b.beta1, **_sizes(e), "seed": e.seed, "device": e.device,
            "lambda_min": b.lambda_min, "lambda_max": b.lambda_max, "eps": b.eps, "q_mode": b.q_mode}


def _describe_vae(e: Experiment) -> dict:
    b = e.base
    return {"dataset": e.dataset, **_sizes(e), "z_dim": b.z_dim, "batch_size": b.batch_size,
            "lr": b.lr, "likelihood": b.likelihood, "sigma": b.sigma, "eval_seed": b.eval_seed, "seed": e.seed,
            "device": e.device}


def _describe_memorize(e: Experiment) -> dict:
    b = e.base
    return {"dataset": "mnist", **_sizes(e), "n_random": b.n_random, "z_dim": b.z_dim, "lr": b.lr, "beta1": b.beta1,
            "eval_seed": b.eval_seed, "seed": e.seed, "device": e.device}


def _describe_wgan(e: Experiment) -> dict:
    b = e.base
    return {"dataset": e.dataset, **_sizes(e),
            "z_dim": b.z_dim, "batch (critic / generator)": f"{b.batch_size} / {b.gen_batch_size}",
            "Adam lr, β": f"{b.lr:g}, ({b.beta1:g}, {b.beta2:g}), linear decay: {b.lr_decay}",
            "gradient penalty, AC-GAN weights": f"{b.gp_weight:g}; {b.acgan_real:g} (real), {b.acgan_fake:g} (fake)",
            "λ_min, λ_max, ε": f"{b.lambda_min:g}, {b.lambda_max:g}, {b.eps:g}", "seed": e.seed, "device": e.device}


_DESCRIBE: dict[str, Callable[[Experiment], dict]] = {
    "gan": _describe_gan, "vae": _describe_vae, "memorize": _describe_memorize, "wgan": _describe_wgan}


# --------------------------------------------------------------------------- the builders
def _config(make: Callable[..., Any], what: str = "parameters", **fields: Any) -> Any:
    """``make(**fields)``, a config; its ValueError (naming the config's field) is re-raised as
    one about the chapter's parameters."""
    try:
        return make(**fields)
    except ValueError as err:
        raise ValueError(f"invalid {what}: {err}") from None


def gan_experiment(dataset: str = "mnist", scale: str = "book", seed: int = 0, device: str = "auto",
                   recipe: str = "tfgan", lambda_min: float = 1.0, lambda_max: float = 20.0, eps: float = 1.0,
                   q_mode: str = "per_sample", **overrides: Any) -> Experiment:
    """Validate a GAN chapter's parameters and build its :class:`Experiment` (kind ``"gan"``).

    ``recipe`` is a training recipe of :data:`gancond.train.RECIPES`; it picks the optimiser
    settings and, at some scales, the run count and length (:data:`RECIPE_PRESETS`).
    ``overrides`` are :class:`GANScale` fields (``runs``, ``steps``, ``width``, ...); ``None``
    keeps the scale's value. ``exp.base`` is the unclamped config; ``exp.configs(clamp=True,
    lambda_min=..., lambda_max=...)`` the clamped runs. Raises ValueError naming the parameter.
    """
    _choice("recipe", recipe, RECIPES)
    _choice("dataset", dataset, DATASETS)
    preset = _preset(GAN_SCALES, scale)
    _positive_int("seed", seed, allow_zero=True)
    device = resolve_device(device)
    preset = dataclasses.replace(preset, **RECIPE_PRESETS.get((preset.name, recipe), {}))
    sc = override(preset, overrides, allow_zero=("n_train",))
    base = _config(GANConfig.from_recipe, recipe=recipe, dataset=dataset, z_dim=Z_DIM[dataset], width=float(sc.width),
                   steps=sc.steps, eval_every=min(sc.eval_every, sc.steps), n_eval_z=sc.n_eval_z,
                   score_samples=sc.score_samples, n_train=sc.n_train, lambda_min=float(lambda_min),
                   lambda_max=float(lambda_max), eps=float(eps), q_mode=q_mode, seed=seed)
    return Experiment("gan", dataset, sc, seed, device, base, scorer_kwargs(sc))


def vae_experiment(dataset: str = "mnist", scale: str = "book", seed: int = 0, device: str = "auto",
                   eval_seed: int = 0, likelihood: str = "bernoulli", sigma: float = 0.1,
                   **overrides: Any) -> Experiment:
    """Validate a chapter's VAE parameters and build its :class:`Experiment` (kind ``"vae"``).

    ``overrides`` are :class:`VAEScale` fields (``runs``, ``steps``, ``eval_every``, ``n_test``,
    and the GAN's ``width``, ``n_eval_z``, ``n_train``); ``None`` keeps the scale's value.
    ``z_dim`` is :data:`Z_DIM`, as for the GAN. Errors name the field as a "VAE parameter".
    """
    preset = _preset(VAE_SCALES, scale)
    _choice("dataset", dataset, DATASETS)
    _positive_int("seed", seed, allow_zero=True)
    _positive_int("eval_seed", eval_seed, allow_zero=True)
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"parameter 'likelihood' must be one of {LIKELIHOODS}, got {likelihood!r}")
    device = resolve_device(device)
    sc = override(preset, overrides, allow_zero=("n_train",), what="VAE parameter")
    base = _config(VAEConfig, "VAE parameters", dataset=dataset, z_dim=Z_DIM[dataset], width=float(sc.width),
                   steps=sc.steps, eval_every=min(sc.eval_every, sc.steps), n_eval_z=sc.n_eval_z, eval_seed=eval_seed,
                   n_test=sc.n_test, n_train=sc.n_train, likelihood=likelihood, sigma=float(sigma), seed=seed)
    return Experiment("vae", dataset, sc, seed, device, base, scorer_kwargs(GAN_SCALES[sc.name]))


def memorize_experiment(scale: str = "book", seed: int = 0, device: str = "cpu", lr: float = 2e-4,
                        beta1: float = 0.5, eval_seed: int = 0, **overrides: Any) -> Experiment:
    """Validate chapter 6's parameters and build its :class:`Experiment` (kind ``"memorize"``, MNIST).

    ``overrides`` are :class:`MemorizeScale` fields (``runs``, ``steps``, ``width``,
    ``n_memorized``, ``n_copies``, ...); ``None`` keeps the scale's value. The scorer is the
    GAN chapters' at the scale. Raises ValueError naming the offending parameter.
    """
    preset = _preset(MEMORIZE_SCALES, scale)
    _positive_int("seed", seed, allow_zero=True)
    _positive_int("eval_seed", eval_seed, allow_zero=True)
    device = resolve_device(device)
    sc = override(preset, overrides, allow_zero=("n_copies",))
    if sc.n_copies > sc.n_memorized:
        raise ValueError(f"parameter 'n_copies' must be at most n_memorized ({sc.n_memorized}), got {sc.n_copies}")
    if sc.score_samples > sc.n_memorized or sc.score_samples < 2:
        raise ValueError(f"parameter 'score_samples' must be in [2, n_memorized = {sc.n_memorized}] (memorized z are "
                         f"scored too), got {sc.score_samples}")
    base = _config(MemorizeConfig, z_dim=Z_DIM["mnist"], width=float(sc.width), n_memorized=sc.n_memorized,
                   n_copies=sc.n_copies, steps=sc.steps, batch_size=sc.batch_size,
                   eval_every=min(sc.eval_every, sc.steps), n_eval_z=sc.n_eval_z, eval_seed=eval_seed, lr=lr,
                   beta1=beta1, seed=seed)
    return Experiment("memorize", "mnist", sc, seed, device, base, scorer_kwargs(GAN_SCALES[sc.name]))


def wgan_experiment(dataset: str = "mnist", scale: str = "book", seed: int = 0, device: str = "cpu",
                    lambda_min: float = 1.0, lambda_max: float = 20.0, eps: float = 1.0,
                    **overrides: Any) -> Experiment:
    """Validate chapter 5's parameters and build its :class:`Experiment` (kind ``"wgan"``).

    ``overrides`` are :class:`WGANScale` fields (``runs``, ``steps``, ``arch``, ...; None keeps
    the scale's). The ResNet is the reference's 32x32 network, so for MNIST and STL-10 the
    DCGAN-size network is used whatever the scale says (``describe`` shows which). z_dim is 128
    for the ResNet (reference) and :data:`Z_DIM` for the DCGAN-size network. ``exp.base`` has 5
    critic steps and no clamping; ``exp.configs(n_critic=..., clamp=...)`` gives a setting of
    :data:`WGAN_SETTINGS`. The scorer is the GAN chapters' classifier at the scale. Raises
    ValueError naming the offending parameter.
    """
    _choice("dataset", dataset, DATASETS)
    preset = _preset(WGAN_SCALES, scale)
    _positive_int("seed", seed, allow_zero=True)
    device = resolve_device(device)
    sc = override(preset, overrides, allow_zero=("n_train",), choices={"arch": ARCHS})
    if sc.arch == "resnet" and DATASETS[dataset][1] != 32:
        sc = dataclasses.replace(sc, arch="dcgan")  # the reference ResNet is for 32x32 images only
    base = _config(WGANConfig, dataset=dataset, arch=sc.arch, z_dim=128 if sc.arch == "resnet" else Z_DIM[dataset],
                   width=float(sc.width), steps=sc.steps, n_critic=5, eval_every=min(sc.eval_every, sc.steps),
                   n_eval_z=sc.n_eval_z, score_samples=sc.score_samples, n_train=sc.n_train,
                   lambda_min=float(lambda_min), lambda_max=float(lambda_max), eps=float(eps), seed=seed)
    return Experiment("wgan", dataset, sc, seed, device, base, scorer_kwargs(GAN_SCALES[sc.name], sc.n_real))


# --------------------------------------------------------------------------- loading trained models
#: run kind -> (loader, name of the checkpoint holding the trained weights)
_LOADERS: dict[str, tuple[Callable[[Run, str], nn.Module], str]] = {
    "gan": (load_generator, "final"),  # the generator
    "vae": (load_decoder, "final"),  # the decoder (a GAN generator); the encoder: gancond.vae.load_encoder
    "memorize": (load_memorizer, "final"),  # the memorizing generator
    "wgan": (load_wgan_generator, "final"),  # the conditional generator G(z, y)
    "classifier": (load_classifier, "model"),  # the frozen scoring classifier
}


def load_model(run: Run, name: str | None = None) -> nn.Module:
    """The trained network of any run, in eval mode, by the run's kind: the generator of a
    ``gan``, ``memorize`` or ``wgan`` run, the decoder of a ``vae`` run, the network of a
    ``classifier`` run. ``name`` is the checkpoint (None: the run's final weights, ``"final"``;
    a classifier run keeps only ``"model"``); an intermediate one, e.g. ``"last"``, works too.
    """
    if run.kind not in _LOADERS:
        raise ValueError(f"run {run.id} is a {run.kind!r} run; load_model knows the kinds {sorted(_LOADERS)}")
    loader, final = _LOADERS[run.kind]
    return loader(run, final if name is None else name)
