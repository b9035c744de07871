"""The non-saturating GAN trainer, with or without Jacobian Clamping (paper §§3–4).

Losses (eqs. 1, 2): L_D = −E[log D(x)] − E[log(1 − D(G(z)))], L_G = −E[log D(G(z))], with
D returning logits (so log D = −softplus(−logit)). Optimiser: Adam with separate learning rates
for G and D, set by a *recipe* (:data:`RECIPES`):

- ``"radford"``: the settings the paper's text names (Radford et al. 2015): batch 64, Adam
  2e-4 for both networks, β1 0.5;
- ``"tfgan"``: the TF-GAN MNIST example, with which the paper's MNIST setup shares its
  64-dimensional latent and its classifier-based scores: batch 32, Adam β1 0.5, 1e-3 for G and
  1e-4 for D;
- ``"custom"``: any values.

With clamping, the penalty L of Algorithm 1 is added to L_G, and the GAN update uses the
G(z) half of the same concatenated forward pass.

Every ``eval_every`` generator steps (and at steps 0 and ``steps``) the trainer records, on a
batch of z fixed by ``eval_seed`` (the same z for every run, so runs are comparable):

- ``log_cond`` per z: log κ(M_z) = 2 log(σ_max/σ_min) of J_z, G in eval mode (Fig. 2), and
  its mean ``mean_log_cond`` (Fig. 1, top row);
- the per-sample quotient Q of Algorithm 1 (G in eval mode, a fixed δ of norm ε), for the
  Q-band figure;
- the *training-time* Q of every run, clamped or not: a training batch z and its perturbed
  copy z + δ pass through (a copy of) G in training mode, as Algorithm 1 would pass them, with
  no gradient and no effect on the run (``train_q_p10/p50/p90``, per sample in ``train_q.csv``).
  This is the "empirical value of Q during training without Jacobian Clamping" from which the
  paper chose λ (Sec. 4); clamped runs also log ``clamp_q_p50``, the interval's mean of the
  median Q that the penalty saw;
- the scorer's numbers (e.g. classifier score and Fréchet distance) on ``score_samples``
  samples from fixed z, if a scorer is given;
- losses averaged over the interval and wall-clock times;
- with a 10-class classifier scorer, the predicted-class counts of :data:`MODE_SAMPLES` samples
  at the fixed z of chapter 4's protocol (:func:`fixed_latents` offset :data:`MODE_Z_OFFSET`),
  in the table ``class_counts`` (step, class, count): chapter 4's missing-modes statistics
  travel with a run's tables, without its generator (issue 18). Classifying in eval mode under
  no_grad draws no random numbers, so the run's other numbers are unchanged by it.

When the run ends, the table ``precision`` (z, gap) records how far the final generator's
log κ(M_z) at the fixed z moves when its Jacobian is taken in float64 instead of float32
(:func:`precision_frame`): whether the last logged mean log κ is a measurement or float32's
rounding floor (:mod:`gancond.resolution`). The table ``spectra`` (z, s1 … s{n_z}) holds the
final generator's singular values of J_z at the same z, from a float64 Jacobian
(:func:`spectra_frame`), so that any conditioning measure (:mod:`gancond.measures`) can be
recomputed from the run's tables without its generator (issue 27). Both are computed after the
final checkpoint, from the final weights alone, and draw no random numbers.

It checkpoints at every evaluation (models, optimisers, the random generator, the data
order and the metrics so far), so a killed run resumes and ends with the numbers an
uninterrupted run gives. That loop is :class:`gancond.loop.Loop`; this module gives it one
training step (:func:`_gan_step`) and the evaluation.

Used by: chapters 3, 4 and 6; chapters 1-4 through :mod:`gancond.arms`.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
from dataclasses import dataclass
from typing import Any, Protocol

import torch
import torch.nn.functional as F

from .clamping import Q_MODES, check_lambdas, jacobian_clamping, quotient
from .data import DATASETS, dataset_info, gan_training_images
from .jacobian import jacobian, mean_log_cond, precision_gap, singular_values
from .loop import Loop, Work, optimizer_step
from .models import Discriminator, Generator
from .runs import Run, RunStore

__all__ = ["MODE_SAMPLES", "MODE_Z_OFFSET", "class_counts", "precision_frame", "spectra_frame", "GANConfig", "RECIPES", "Scorer", "fixed_latents", "generate", "load_generator", "run_config", "train_gan",
           "train_gans", "train_quotient", "default_workers"]

#: Optimiser settings of each training recipe (see the module docstring). A config whose
#: ``recipe`` is one of these must carry exactly these values; ``"custom"`` carries any.
RECIPES: dict[str, dict[str, Any]] = {
    "radford": {"batch_size": 64, "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999},
    "tfgan": {"batch_size": 32, "lr_g": 1e-3, "lr_d": 1e-4, "beta1": 0.5, "beta2": 0.999},
}


#: samples per model for the predicted-class counts (the paper's 360, Sec. 3 "Missing modes")
MODE_SAMPLES = 360
#: offset of their fixed z batch in :func:`fixed_latents` (0: log κ and Q, 1: the scores)
MODE_Z_OFFSET = 2


class Scorer(Protocol):
    """What the trainer needs of a scorer (see :mod:`gancond.scores`)."""

    name: str  # e.g. "mnist-cnn/logits"; stored with the numbers
    config: dict  # JSON-able identity, part of the run's hash

    def __call__(self, fake: torch.Tensor) -> dict[str, float]: ...


@dataclass(frozen=True)
class GANConfig:
    """Everything that determines a GAN run's numbers (it is hashed into the run's id)."""

    dataset: str = "mnist"  # "mnist", "cifar10" or "stl10"
    z_dim: int = 64  # latent dimension n_z
    width: float = 1.0  # network width multiplier (1.0 = the paper's DCGAN)
    steps: int = 20_000  # generator updates
    recipe: str = "radford"  # "radford", "tfgan" (RECIPES) or "custom": names the next five fields
    batch_size: int = 64  # B (radford: 64, tfgan: 32)
    lr_g: float = 2e-4  # Adam learning rate of G (radford: 2e-4, tfgan: 1e-3)
    lr_d: float = 2e-4  # Adam learning rate of D (radford: 2e-4, tfgan: 1e-4)
    beta1: float = 0.5  # Adam β1 (both recipes: 0.5)
    beta2: float = 0.999  # Adam β2
    clamp: bool = False  # add the Jacobian Clamping penalty (Algorithm 1)
    lambda_min: float = 1.0  # λ_min (paper: 1)
    lambda_max: float = 20.0  # λ_max (paper: 20)
    eps: float = 1.0  # ε, the norm of δ (paper: 1)
    q_mode: str = "per_sample"  # "per_sample" or "batch" (see gancond.clamping)
    eval_every: int = 500  # steps between evaluations and checkpoints
    n_eval_z: int = 64  # size of the fixed z batch for log κ(M_z) and Q
    eval_seed: int = 0  # seed of the fixed evaluation z (shared by all runs)
    score_samples: int = 1000  # samples per score evaluation (0 = no scores)
    n_train: int = 0  # use only the first n_train training images (0 = all)
    seed: int = 0  # seed of this run (initialisation, data order, z, δ)

    def __post_init__(self):
        def need(cond: bool, field: str, what: str) -> None:
            if not cond:
                raise ValueError(f"GANConfig.{field} {what}, got {getattr(self, field)!r}")

        need(self.dataset in DATASETS, "dataset", f"must be one of {sorted(DATASETS)}")
        for f in ("z_dim", "steps", "batch_size", "eval_every", "n_eval_z"):
            need(isinstance(getattr(self, f), int) and getattr(self, f) > 0, f, "must be a positive integer")
        for f in ("score_samples", "n_train", "seed", "eval_seed"):
            need(isinstance(getattr(self, f), int) and getattr(self, f) >= 0, f, "must be a non-negative integer")
        need(isinstance(self.width, (int, float)) and math.isfinite(self.width) and self.width > 0, "width", "must be > 0")
        need(0 < self.lr_g < 1, "lr_g", "must be in (0, 1)")
        need(0 < self.lr_d < 1, "lr_d", "must be in (0, 1)")
        need(self.recipe in (*RECIPES, "custom"), "recipe", f"must be one of {(*RECIPES, 'custom')}")
        if self.recipe in RECIPES:
            for f, v in RECIPES[self.recipe].items():
                need(getattr(self, f) == v, f, f"must be {v!r} under recipe {self.recipe!r} (use recipe='custom')")
        need(0 <= self.beta1 < 1 and 0 <= self.beta2 < 1, "beta1", "and beta2 must be in [0, 1)")
        need(self.q_mode in Q_MODES, "q_mode", f"must be one of {Q_MODES}")
        check_lambdas(self.lambda_min, self.lambda_max, self.eps, self.q_mode)

    @property
    def image_size(self) -> int:
        return DATASETS[self.dataset][1]

    def replace(self, **changes: Any) -> "GANConfig":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_recipe(cls, recipe: str, **fields: Any) -> "GANConfig":
        """A config with the optimiser settings of ``recipe`` (:data:`RECIPES`) and ``fields``."""
        if recipe not in RECIPES:
            raise ValueError(f"recipe must be one of {sorted(RECIPES)}, got {recipe!r}")
        return cls(recipe=recipe, **{**RECIPES[recipe], **fields})


def fixed_latents(z_dim: int, n: int, eval_seed: int = 0, offset: int = 0) -> torch.Tensor:
    """A batch of z ~ N(0, I), (n, z_dim), fixed by (eval_seed, offset) and shared by all runs.

    offset 0: the evaluation batch for log κ(M_z) and Q; offset 1: the scoring samples.
    Other trainers (VAE, memorizing generator) use the same batches so their numbers compare.
    """
    g = torch.Generator().manual_seed(eval_seed * 1_000_003 + offset)
    return torch.randn(n, z_dim, generator=g)


@torch.no_grad()
def generate(G: torch.nn.Module, z: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """G(z) in eval mode, in chunks; returns (N, C, H, W) on the CPU. Restores G's mode."""
    was = G.training
    G.eval()
    try:
        dev = next(G.parameters()).device
        return torch.cat([G(c.to(dev)).cpu() for c in z.split(batch_size)])
    finally:
        G.train(was)


def q_quantiles(q: torch.Tensor) -> dict[str, float]:
    """The 10%, 50% and 90% quantiles of the quotients Q (B,) as ``q_p10``, ``q_p50``, ``q_p90``."""
    q = q.double()
    return {"q_p10": float(q.quantile(0.1)), "q_p50": float(q.median()), "q_p90": float(q.quantile(0.9))}


@torch.no_grad()
def train_quotient(G: torch.nn.Module, z: torch.Tensor, delta: torch.Tensor, q_mode: str = "per_sample") -> torch.Tensor:
    """Q of Algorithm 1 as training sees it, without touching the run: (B,) or (1,) on the CPU.

    z (B, n_z) and z + δ pass through a copy of G in training mode as one batch (the
    BatchNorm statistics of the concatenated batch, as in :func:`~gancond.clamping.jacobian_clamping`);
    the copy keeps G's running statistics unchanged and no gradient is formed.
    """
    Gc = copy.deepcopy(G).train()
    out = Gc(torch.cat([z, z + delta]))  # (2B, C, H, W)
    return quotient(out[: z.shape[0]], out[z.shape[0]:], delta, q_mode).double().cpu()


def _probe_batch(cfg: "GANConfig", step: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The training-time Q probe's z (B, n_z) and δ at ``step``: a function of (seed, step) only,
    drawn from its own generator so the run's random stream is untouched."""
    g = torch.Generator().manual_seed(1_000_003 * (cfg.seed + 1) + step)
    z = torch.randn(cfg.batch_size, cfg.z_dim, generator=g)
    d = torch.randn(cfg.batch_size, cfg.z_dim, generator=g)
    norm = d.norm(dim=1, keepdim=True) if cfg.q_mode == "per_sample" else d.norm()
    return z, cfg.eps * d / norm


def class_counts(G: torch.nn.Module, scorer, z: torch.Tensor, n_classes: int = 10) -> list[int] | None:
    """Predicted-class counts (n_classes,) of G(z) for z (N, n_z) under the scorer's classifier,
    or None when the scorer has no ``n_classes``-class classifier (e.g. Inception's 1008 logits)."""
    features = getattr(scorer, "features", None)
    if features is None:
        return None
    logits = features(generate(G, z))[0]  # (N, K)
    if logits.shape[1] != n_classes:
        return None
    return torch.bincount(logits.argmax(1), minlength=n_classes).tolist()


def precision_frame(G: torch.nn.Module, z: torch.Tensor) -> "pd.DataFrame":
    """The ``precision`` table of a GAN run: columns ``z`` (index into the fixed evaluation z) and
    ``gap``, the absolute difference of log κ(M_z) at G's dtype and at float64 in nats
    (:func:`gancond.jacobian.precision_gap`; nan where both are infinite). G (eval mode is used),
    z (n_eval_z, z_dim) on G's device."""
    import pandas as pd

    gap = precision_gap(G, z)
    return pd.DataFrame({"z": range(len(gap)), "gap": gap.numpy()})


def spectra_frame(G: torch.nn.Module, z: torch.Tensor) -> "pd.DataFrame":
    """The ``spectra`` table of a GAN run: one row per evaluation z (column ``z``) and the singular
    values of J_z in float64, descending, in columns ``s1`` … ``s{n_z}``: (n_eval_z, 1 + n_z).
    J_z is taken of a float64 copy of G in eval mode (G itself is unchanged); z (n_eval_z, z_dim)."""
    import pandas as pd

    was = G.training
    G64 = copy.deepcopy(G).double().eval()
    G.train(was)
    sv = singular_values(jacobian(G64, z.double())).cpu().numpy()  # (n_eval_z, n_z)
    frame = pd.DataFrame(sv, columns=[f"s{k + 1}" for k in range(sv.shape[1])])
    frame.insert(0, "z", range(sv.shape[0]))
    return frame


def _evaluate(G, cfg: GANConfig, step: int, z_eval, delta_eval, z_score, scorer, device, z_modes=None
              ) -> tuple[dict, list[dict], list[dict], list[dict]]:
    mean, per_z = mean_log_cond(G, z_eval.to(device))
    was = G.training
    G.eval()
    with torch.no_grad():
        x, x_prime = G(z_eval.to(device)), G((z_eval + delta_eval).to(device))
    G.train(was)
    q = quotient(x, x_prime, delta_eval.to(device)).double().cpu()
    row = {"mean_log_cond": float(mean), **q_quantiles(q)}
    z_p, d_p = _probe_batch(cfg, step)
    q_train = train_quotient(G, z_p.to(device), d_p.to(device), cfg.q_mode)
    row.update({f"train_{k}": v for k, v in q_quantiles(q_train).items()})
    if scorer is not None and z_score is not None:
        row.update({k: float(v) for k, v in scorer(generate(G, z_score)).items()})
    per = [{"z": i, "log_cond": float(lc), "q": float(qi)} for i, (lc, qi) in enumerate(zip(per_z.tolist(), q.tolist()))]
    counts = class_counts(G, scorer, z_modes) if scorer is not None and z_modes is not None else None
    rows_counts = [{"class": k, "count": c} for k, c in enumerate(counts)] if counts is not None else []
    return row, per, [{"i": i, "q": float(qi)} for i, qi in enumerate(q_train.tolist())], rows_counts


def gan_models(cfg: GANConfig, device: torch.device | str = "cpu"):
    """A run's freshly initialised ``(G, D, opt_G, opt_D)``: the DCGAN pair of ``cfg`` and their Adam
    optimisers. Initialisation draws from torch's global generator: seed it first (``Loop`` does)."""
    G = Generator(cfg.image_size, cfg.z_dim, cfg.width).to(device)
    D = Discriminator(cfg.image_size, cfg.width).to(device)
    opt_G = torch.optim.Adam(G.parameters(), cfg.lr_g, betas=(cfg.beta1, cfg.beta2))
    opt_D = torch.optim.Adam(D.parameters(), cfg.lr_d, betas=(cfg.beta1, cfg.beta2))
    return G, D, opt_G, opt_D


class _GANWork(Work):
    """The work of one GAN run (picklable, so a sweep can ship it to an executor)."""

    def __call__(self, run: Run) -> None:
        cfg, dev = self.cfg, torch.device(self.device)
        x_all = gan_training_images(cfg.dataset, cfg.n_train, self.root).to(dev)  # (N, C, H, W)
        loop = Loop(cfg, x_all.shape[0])  # seeds the initialisation; loop.rng: data order, z, δ
        G, D, opt_G, opt_D = gan_models(cfg, dev)
        z_eval = fixed_latents(cfg.z_dim, cfg.n_eval_z, cfg.eval_seed, 0)  # (n_eval_z, z_dim), the same for every run
        d = torch.randn(z_eval.shape, generator=torch.Generator().manual_seed(cfg.eval_seed + 1))
        delta_eval = cfg.eps * d / d.norm(dim=1, keepdim=True)
        z_score = fixed_latents(cfg.z_dim, cfg.score_samples, cfg.eval_seed, 1) if cfg.score_samples and self.scorer else None
        z_modes = fixed_latents(cfg.z_dim, MODE_SAMPLES, cfg.eval_seed, MODE_Z_OFFSET) if self.scorer else None

        def step(_: int) -> dict[str, float]:
            x_real = x_all[loop.batch().to(dev)]  # (B, C, H, W)
            z = torch.randn(cfg.batch_size, cfg.z_dim, generator=loop.rng).to(dev)  # (B, z_dim)
            return _gan_step(G, D, opt_G, opt_D, x_real, z, cfg, loop.rng)

        def evaluate(step: int, mean) -> tuple[dict, dict]:
            row, per, q_train, counts = _evaluate(G, cfg, step, z_eval, delta_eval, z_score, self.scorer, dev, z_modes)
            losses = {k: mean[k] for k in ("loss_d", "loss_g", "penalty", "clamp_q_p50")}
            return {**losses, **row}, {"per_z": per, "train_q": q_train, "class_counts": counts}

        loop.train(run, {"G": G, "D": D, "opt_G": opt_G, "opt_D": opt_D}, step, evaluate, final=("G", "D"),
                   tables=("per_z", "train_q", "class_counts"), info={"device": str(dev), "data": dataset_info(cfg.dataset, self.root),
                                                      "n_train": loop.n, "scorer": getattr(self.scorer, "name", None)},
                   desc=f"{'JC ' if cfg.clamp else ''}seed {cfg.seed}", progress=self.progress,
                   show={"log_cond": ("mean_log_cond", ".2f")})
        if not run.has("precision"):  # after the final checkpoint: the resolution of the last log κ
            run.write_table("precision", precision_frame(G.eval(), z_eval.to(dev)))
        if not run.has("spectra"):  # the final singular values in float64 (issue 27)
            run.write_table("spectra", spectra_frame(G.eval(), z_eval.to(dev)))


def _gan_step(G, D, opt_G, opt_D, x_real: torch.Tensor, z: torch.Tensor, cfg: GANConfig,
              rng: torch.Generator) -> dict[str, float]:
    """One update of D, then of G, on real images (B, C, H, W) and latents z (B, n_z); the losses."""
    if cfg.clamp:
        jc = jacobian_clamping(G, z, cfg.lambda_min, cfg.lambda_max, cfg.eps, cfg.q_mode, generator=rng)
        x_fake, penalty = jc.x, jc.penalty
    else:
        x_fake, penalty = G(z), None

    # discriminator: eq. (1) with logits
    loss_d = F.softplus(-D(x_real)).mean() + F.softplus(D(x_fake.detach())).mean()
    optimizer_step(opt_D, loss_d)

    # generator: eq. (2), plus L of Algorithm 1 when clamping
    loss_g = F.softplus(-D(x_fake)).mean()
    total_g = loss_g + penalty if penalty is not None else loss_g
    optimizer_step(opt_G, total_g)
    out = {"loss_d": loss_d.item(), "loss_g": loss_g.item()}
    if penalty is not None:  # the interval means of these are nan for an unclamped run
        out.update(penalty=penalty.item(), clamp_q_p50=jc.Q.median().item())
    return out


def run_config(cfg: GANConfig, scorer: Scorer | None) -> dict:
    """The dict a GAN run is stored under: the config plus the scorer's identity."""
    return {**dataclasses.asdict(cfg), "scorer": scorer.config if scorer is not None else None}


def train_gan(cfg: GANConfig, store: RunStore | None = None, scorer: Scorer | None = None,
              device: str = "cpu", progress: bool = True, root=None) -> Run:
    """Train (or load, or resume) the GAN run for ``cfg``; returns its :class:`~gancond.runs.Run`.

    The run holds ``metrics.csv`` (one row per evaluation: step, losses, mean_log_cond, Q
    quantiles, scores, time_s), ``per_z.csv`` (step, z, log_cond, q) and the checkpoints
    ``last`` and ``final``. ``device`` is not part of the run's identity.
    """
    store = store or RunStore()
    return store.get_or_run("gan", run_config(cfg, scorer), _GANWork(cfg, device, progress, root, scorer))


def default_workers(n_jobs: int, device: str = "cpu") -> int:
    """Worker processes for a sweep of ``n_jobs`` missing runs: one per available core (at most
    ``n_jobs``) on a CPU, where small networks use one core each best; 1 on an accelerator."""
    if not str(device).startswith("cpu"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(n_jobs, cores))


def _one_thread() -> None:
    """Initializer of sweep workers: one torch thread per process (the processes share the cores)."""
    torch.set_num_threads(1)


def train_gans(cfgs: list[GANConfig], store: RunStore | None = None, scorer: Scorer | None = None,
               device: str = "cpu", progress: bool = True, root=None, executor=None,
               workers: int | None = None) -> list[Run]:
    """:func:`train_gan` for many configs through :meth:`RunStore.sweep` (missing runs only).

    Independent runs go to ``workers`` worker processes with one torch thread each (None: one
    per core on a CPU, see :func:`default_workers`; 1: in this process, one progress bar per
    run). A run's numbers do not depend on the process that trained it: a sweep with workers
    equals a sequential one in a process with one thread (``tests/test_train.py``). Pass any
    ``concurrent.futures.Executor`` (dask's, submitit's) as ``executor`` to send the runs there.
    """
    store = store or RunStore()
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")
    if executor is None:
        missing = [c for c in cfgs if store.get("gan", run_config(c, scorer)) is None]
        n = default_workers(len(missing), device) if workers is None else min(workers, max(len(missing), 1))
        if n > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"), initializer=_one_thread) as ex:
                return train_gans(cfgs, store, scorer, device, progress, root, executor=ex)
    show = progress and executor is None
    jobs = [(run_config(c, scorer), _GANWork(c, device, show, root, scorer)) for c in cfgs]
    return store.sweep("gan", jobs, executor, progress=progress and executor is not None)


def load_generator(run: Run, name: str = "final") -> Generator:
    """The generator stored in a GAN run's checkpoint ``name``, in eval mode."""
    cfg = GANConfig(**{k: v for k, v in run.config.items() if k in {f.name for f in dataclasses.fields(GANConfig)}})
    G = Generator(cfg.image_size, cfg.z_dim, cfg.width)
    G.load_state_dict(run.require_checkpoint(name)["G"])
    return G.eval()
