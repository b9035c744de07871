"""The class-conditional WGAN-GP trainer, with or without Jacobian Clamping (paper §4, Figure 7).

The paper's last experiment takes the conditional WGAN-GP of Gulrajani et al. (2017)
(``improved_wgan_training/gan_cifar_resnet.py``), varies the number of critic updates per
generator update (5, the default, or 1) and whether Jacobian Clamping is applied (λ_max = 20,
λ_min = 1, ε = 1, untuned), and plots the Inception score against wall-clock time. The claim:
with one critic step the baseline collapses while the clamped model does not, which more
than halves the wall-clock time for a similar score.

One generator iteration (reference order, see ``shared/REFERENCES.md``):

1. ``n_critic`` critic updates, each on a real batch (x, y) of ``batch_size`` and fakes
   G(z, y) with the same labels:
   L_D = E[D(x̃)] − E[D(x)] + 10 · E[(‖∇_x̂ D(x̂)‖₂ − 1)²] + 1 · CE(D_aux(x), y),
   x̂ = x + α (x̃ − x), α ~ U[0, 1] per sample (the gradient penalty is on the critic value
   only; the AC-GAN term on real images only);
2. one generator update on ``gen_batch_size`` fakes with uniformly drawn labels:
   L_G = −E[D(x̃)] + 0.1 · CE(D_aux(x̃), y), plus the penalty L of Algorithm 1 when
   clamping (computed on the same concatenated forward pass, labels fixed).

Adam (lr 2e-4, β = (0, 0.9)) for both networks, the learning rate decayed linearly to 0 over
``steps`` generator iterations. Networks: the reference ResNet (:mod:`gancond.resnet`,
CIFAR-10 only) at ``arch="resnet"``; a DCGAN-size conditional network at ``arch="dcgan"``
(:class:`gancond.models.Generator` with conditional BatchNorm and
:class:`gancond.models.Discriminator` without normalization and with an AC-GAN head).

Every ``eval_every`` generator iterations (and at 0 and ``steps``) the trainer records the
losses, the mean log-condition number of G(·, y) over a fixed batch of z with labels cycling
through the classes (the Jacobian with respect to z, labels held fixed), the quotient Q of
Algorithm 1 on the same batch, the scorer's numbers on ``score_samples`` class-balanced
samples, and two clocks: ``train_time_s``, the seconds spent in training updates only (the
x-axis of Fig. 7: evaluations cost every setting the same and are excluded), and ``time_s``,
everything since the start, when the evaluation begins. Both survive a resume. Checkpoints at
every evaluation. The loop around the step (data order, cadence, clocks, resume) is
:class:`gancond.loop.Loop`.

Used by: chapter 5 (WGAN-GP speed-up, Fig. 7).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .clamping import Q_MODES, check_lambdas, jacobian_clamping, quotient
from .data import DATASETS, dataset_info, load_dataset
from .jacobian import mean_log_cond
from .loop import Loop, Work, optimizer_step
from .models import Discriminator, Generator
from .resnet import ResNetCritic, ResNetGenerator
from .runs import Run, RunStore
from .train import Scorer, fixed_latents, q_quantiles

__all__ = ["ARCHS", "WGANConfig", "WithLabels", "gradient_penalty", "critic_loss", "generator_loss",
           "build_models", "eval_labels", "generate_conditional", "conditional_log_cond", "wgan_run_config",
           "train_wgan", "train_wgans", "load_wgan_generator"]

ARCHS = ("dcgan", "resnet")


@dataclass(frozen=True)
class WGANConfig:
    """Everything that determines a WGAN-GP run's numbers (it is hashed into the run's id)."""

    dataset: str = "cifar10"  # "mnist", "cifar10" or "stl10" (labelled splits)
    arch: str = "resnet"  # "resnet" (the reference's; 32x32 only) or "dcgan" (conditional DCGAN)
    z_dim: int = 128  # latent dimension n_z (reference: 128)
    width: float = 1.0  # resnet: DIM = 128·width; dcgan: the DCGAN width multiplier
    n_classes: int = 10  # K
    steps: int = 100_000  # generator iterations (reference: 100,000)
    n_critic: int = 5  # critic updates per generator iteration (reference: 5; the paper also 1)
    batch_size: int = 64  # real/fake batch of a critic update (reference: 64)
    gen_batch_size: int = 128  # fake batch of a generator update (reference: 2 x 64)
    lr: float = 2e-4  # Adam learning rate of both networks
    beta1: float = 0.0  # Adam β1 (reference: 0)
    beta2: float = 0.9  # Adam β2 (reference: 0.9)
    lr_decay: bool = True  # decay the learning rate linearly to 0 over ``steps``
    gp_weight: float = 10.0  # gradient-penalty weight (reference: 10)
    acgan_real: float = 1.0  # AC-GAN loss weight for the critic on real images (reference: 1)
    acgan_fake: float = 0.1  # AC-GAN loss weight for the generator on fakes (reference: 0.1)
    clamp: bool = False  # add the Jacobian Clamping penalty (Algorithm 1) to L_G
    lambda_min: float = 1.0  # λ_min (paper: 1, untuned)
    lambda_max: float = 20.0  # λ_max (paper: 20, untuned)
    eps: float = 1.0  # ε (paper: 1)
    q_mode: str = "per_sample"  # "per_sample" or "batch" (see gancond.clamping)
    eval_every: int = 1000  # generator iterations between evaluations and checkpoints
    n_eval_z: int = 50  # fixed z for log κ(M_z) and Q (labels cycle through the classes)
    eval_seed: int = 0  # seed of the fixed evaluation z (shared by all runs)
    score_samples: int = 5000  # class-balanced samples per score evaluation (0 = no scores)
    n_train: int = 0  # use only the first n_train training images (0 = all)
    seed: int = 0  # seed of this run (initialisation, data order, z, labels, α, δ)

    def __post_init__(self):
        def need(cond: bool, field: str, what: str) -> None:
            if not cond:
                raise ValueError(f"WGANConfig.{field} {what}, got {getattr(self, field)!r}")

        need(self.dataset in DATASETS, "dataset", f"must be one of {sorted(DATASETS)}")
        need(self.arch in ARCHS, "arch", f"must be one of {ARCHS}")
        need(self.arch != "resnet" or self.image_size == 32, "arch",
             f"'resnet' is the reference's 32x32 network; dataset {self.dataset!r} needs arch='dcgan'")
        for f in ("z_dim", "steps", "n_critic", "batch_size", "gen_batch_size", "eval_every", "n_eval_z"):
            need(_is_int(getattr(self, f)) and getattr(self, f) > 0, f, "must be a positive integer")
        need(_is_int(self.n_classes) and self.n_classes >= 2, "n_classes", "must be an integer >= 2")
        for f in ("score_samples", "n_train", "seed", "eval_seed"):
            need(_is_int(getattr(self, f)) and getattr(self, f) >= 0, f, "must be a non-negative integer")
        need(isinstance(self.width, (int, float)) and math.isfinite(self.width) and self.width > 0, "width", "must be > 0")
        need(0 < self.lr < 1, "lr", "must be in (0, 1)")
        need(0 <= self.beta1 < 1 and 0 <= self.beta2 < 1, "beta1", "and beta2 must be in [0, 1)")
        for f in ("gp_weight", "acgan_real", "acgan_fake"):
            need(math.isfinite(getattr(self, f)) and getattr(self, f) >= 0, f, "must be a finite number >= 0")
        need(self.q_mode in Q_MODES, "q_mode", f"must be one of {Q_MODES}")
        check_lambdas(self.lambda_min, self.lambda_max, self.eps, self.q_mode)

    @property
    def image_size(self) -> int:
        return DATASETS[self.dataset][1]

    def replace(self, **changes: Any) -> "WGANConfig":
        return dataclasses.replace(self, **changes)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# --------------------------------------------------------------------------- models and losses
def build_models(cfg: WGANConfig) -> tuple[nn.Module, nn.Module]:
    """(G, D) for ``cfg``: G(z (B, n_z), y (B,)) -> x; D(x) -> (critic value (B,), class logits (B, K))."""
    if cfg.arch == "resnet":
        return ResNetGenerator(cfg.z_dim, cfg.width, cfg.n_classes), ResNetCritic(cfg.width, cfg.n_classes)
    G = Generator(cfg.image_size, cfg.z_dim, cfg.width, n_classes=cfg.n_classes)
    D = Discriminator(cfg.image_size, cfg.width, n_classes=cfg.n_classes, batchnorm=False)  # no norm in a WGAN-GP critic
    return G, D


class WithLabels(nn.Module):
    """G(·, y) as a function of z alone, so Jacobians, Q and clamping apply to a conditional G.

    ``y`` is one class (an int: every z gets it; what :mod:`gancond.jacobian` needs, since it
    pads batches with extra rows) or a label vector (B,), repeated when G is called on a
    multiple of B rows (the concatenated [z; z + δ] pass of Algorithm 1).
    """

    def __init__(self, G: nn.Module, y: int | Tensor):
        super().__init__()
        self.G = G
        self.y = y
        self.z_dim = G.z_dim

    def forward(self, z: Tensor) -> Tensor:
        if isinstance(self.y, int):
            y = torch.full((z.shape[0],), self.y, dtype=torch.long, device=z.device)
        else:
            if z.shape[0] % self.y.shape[0]:
                raise ValueError(f"{z.shape[0]} latent vectors do not fit {self.y.shape[0]} labels")
            y = self.y.to(z.device).repeat(z.shape[0] // self.y.shape[0])
        return self.G(z, y)


def gradient_penalty(D: nn.Module, x_real: Tensor, x_fake: Tensor, alpha: Tensor) -> Tensor:
    """E[(‖∇_x̂ D(x̂)‖₂ − 1)²] at x̂ = x_real + α (x_fake − x_real) (Gulrajani et al. 2017, eq. 3).

    Args:
        D: critic returning (value (B,), class logits) or value (B,).
        x_real, x_fake: (B, C, H, W).
        alpha: (B,) in [0, 1], one mixing weight per sample.

    Returns:
        scalar tensor, differentiable w.r.t. D's parameters (double backprop).
    """
    a = alpha.view(-1, *([1] * (x_real.dim() - 1)))  # (B, 1, 1, 1)
    x_hat = (x_real + a * (x_fake - x_real)).detach().requires_grad_(True)
    out = D(x_hat)
    value = out[0] if isinstance(out, tuple) else out  # the critic value, not the AC-GAN head
    (grad,) = torch.autograd.grad(value.sum(), x_hat, create_graph=True)
    slopes = grad.flatten(1).norm(dim=1)  # (B,)
    return ((slopes - 1.0) ** 2).mean()


def critic_loss(D: nn.Module, x_real: Tensor, y_real: Tensor, x_fake: Tensor, alpha: Tensor,
                gp_weight: float = 10.0, acgan_real: float = 1.0) -> tuple[Tensor, dict]:
    """L_D = E[D(x̃)] − E[D(x)] + gp_weight · GP + acgan_real · CE(D_aux(x), y); and its parts."""
    v_real, c_real = D(x_real)
    v_fake, _ = D(x_fake)
    wasserstein = v_real.mean() - v_fake.mean()  # the critic's estimate of the W distance
    gp = gradient_penalty(D, x_real, x_fake, alpha)
    ce = F.cross_entropy(c_real, y_real)
    loss = -wasserstein + gp_weight * gp + acgan_real * ce
    return loss, {"wasserstein": wasserstein.item(), "gp": gp.item(), "acgan_real": ce.item()}


def generator_loss(D: nn.Module, x_fake: Tensor, y_fake: Tensor, acgan_fake: float = 0.1) -> Tensor:
    """L_G = −E[D(x̃)] + acgan_fake · CE(D_aux(x̃), y) (the reference's conditional WGAN-GP)."""
    v, c = D(x_fake)
    return -v.mean() + acgan_fake * F.cross_entropy(c, y_fake)


# --------------------------------------------------------------------------- evaluation
def eval_labels(n: int, n_classes: int) -> Tensor:
    """Class-balanced labels (n,): 0, 1, ..., K−1, 0, 1, ... (evaluation and scoring batches)."""
    return torch.arange(n) % n_classes


@torch.no_grad()
def generate_conditional(G: nn.Module, z: Tensor, y: Tensor, batch_size: int = 500) -> Tensor:
    """G(z, y) in eval mode, in chunks; (N, C, H, W) on the CPU. Restores G's mode."""
    was = G.training
    G.eval()
    try:
        dev = next(G.parameters()).device
        return torch.cat([G(zc.to(dev), yc.to(dev)).cpu() for zc, yc in zip(z.split(batch_size), y.split(batch_size))])
    finally:
        G.train(was)


def conditional_log_cond(G: nn.Module, z: Tensor, y: Tensor) -> tuple[float, Tensor]:
    """Mean and per-z log κ(M_z) of z ↦ G(z, y_i), labels held fixed (see :func:`gancond.jacobian.mean_log_cond`).

    Args:
        G: conditional generator; evaluated in eval mode.
        z: (B, n_z) latent vectors; y: (B,) their labels.

    Returns:
        (mean over the batch, per-z (B,) float64 in the order of z).
    """
    per_z = torch.empty(z.shape[0], dtype=torch.float64)
    for c in y.unique().tolist():
        idx = (y == c).nonzero().squeeze(1)
        per_z[idx.cpu()] = mean_log_cond(WithLabels(G, int(c)), z[idx])[1].cpu()  # labels may live on a GPU
    return float(per_z.mean()), per_z


def _evaluate(G, cfg: WGANConfig, z_eval, y_eval, delta_eval, z_score, y_score, scorer, device) -> tuple[dict, list]:
    mean, per_z = conditional_log_cond(G, z_eval.to(device), y_eval.to(device))
    was = G.training
    G.eval()
    with torch.no_grad():
        x = G(z_eval.to(device), y_eval.to(device))
        x_prime = G((z_eval + delta_eval).to(device), y_eval.to(device))
    G.train(was)
    q = quotient(x, x_prime, delta_eval.to(device)).double().cpu()
    row = {"mean_log_cond": mean, **q_quantiles(q)}
    if scorer is not None and z_score is not None:
        row.update({k: float(v) for k, v in scorer(generate_conditional(G, z_score, y_score)).items()})
    per = [{"z": i, "label": int(lbl), "log_cond": float(lc), "q": float(qi)}
           for i, (lbl, lc, qi) in enumerate(zip(y_eval.tolist(), per_z.tolist(), q.tolist()))]
    return row, per


# --------------------------------------------------------------------------- training
class _WGANWork(Work):
    """The work of one WGAN-GP run (picklable, so a sweep can ship it to an executor)."""

    def __call__(self, run: Run) -> None:
        cfg, dev = self.cfg, torch.device(self.device)
        x_all, y_all = load_dataset(cfg.dataset, "train", root=self.root)
        keep = y_all >= 0  # STL-10's unlabeled images have label -1
        x_all, y_all = x_all[keep], y_all[keep]
        if cfg.n_train:
            x_all, y_all = x_all[: cfg.n_train], y_all[: cfg.n_train]
        if int(y_all.max()) >= cfg.n_classes:
            raise ValueError(f"{cfg.dataset} has labels up to {int(y_all.max())}, more than n_classes={cfg.n_classes}")
        x_all, y_all = x_all.to(dev), y_all.to(dev)

        loop = Loop(cfg, x_all.shape[0])  # seeds the initialisation; loop.rng: data order, z, labels, α, δ
        G, D = build_models(cfg)
        G, D = G.to(dev), D.to(dev)
        opt_G = torch.optim.Adam(G.parameters(), cfg.lr, betas=(cfg.beta1, cfg.beta2))
        opt_D = torch.optim.Adam(D.parameters(), cfg.lr, betas=(cfg.beta1, cfg.beta2))
        z_eval = fixed_latents(cfg.z_dim, cfg.n_eval_z, cfg.eval_seed, 0)  # (n_eval_z, z_dim), shared by all runs
        y_eval = eval_labels(cfg.n_eval_z, cfg.n_classes)
        d = torch.randn(z_eval.shape, generator=torch.Generator().manual_seed(cfg.eval_seed + 1))
        delta_eval = cfg.eps * d / d.norm(dim=1, keepdim=True)
        z_score = y_score = None
        if cfg.score_samples and self.scorer is not None:
            z_score = fixed_latents(cfg.z_dim, cfg.score_samples, cfg.eval_seed, 1)
            y_score = eval_labels(cfg.score_samples, cfg.n_classes)

        def step(i: int) -> dict[str, float]:
            lr = cfg.lr * (1.0 - i / cfg.steps) if cfg.lr_decay else cfg.lr  # linear decay to 0
            for opt in (opt_G, opt_D):
                for group in opt.param_groups:
                    group["lr"] = lr
            for _ in range(cfg.n_critic):
                idx = loop.batch().to(dev)
                loss_d, parts = _critic_step(G, D, opt_D, x_all[idx], y_all[idx], cfg, loop.rng)
            return {"loss_d": loss_d, **parts, **_generator_step(G, D, opt_G, cfg, loop.rng, dev)}

        def evaluate(step: int, mean) -> tuple[dict, dict]:
            row, per = _evaluate(G, cfg, z_eval, y_eval, delta_eval, z_score, y_score, self.scorer, dev)
            return {**{k: mean[k] for k in ("loss_d", "loss_g", "wasserstein", "gp", "penalty")}, **row}, {"per_z": per}

        info = {"device": str(dev), "data": dataset_info(cfg.dataset, self.root), "n_train": loop.n,
                "scorer": getattr(self.scorer, "name", None), "torch_threads": torch.get_num_threads()}
        name = f"{cfg.n_critic} critic step{'s' if cfg.n_critic > 1 else ''}{' + JC' if cfg.clamp else ''}, seed {cfg.seed}"
        loop.train(run, {"G": G, "D": D, "opt_G": opt_G, "opt_D": opt_D}, step, evaluate, final=("G", "D"),
                   tables=("per_z",), info=info, desc=name, progress=self.progress, train_clock=True,
                   show={"score": ("score", ".2f"), "log_cond": ("mean_log_cond", ".1f")})


def _critic_step(G, D, opt_D, x_real: Tensor, y_real: Tensor, cfg: WGANConfig,
                 rng: torch.Generator) -> tuple[float, dict]:
    """One critic update on a real batch (B, C, H, W), (B,) and fakes with its labels; (L_D, its parts)."""
    dev = x_real.device
    z = torch.randn(cfg.batch_size, cfg.z_dim, generator=rng).to(dev)  # (B, z_dim)
    alpha = torch.rand(cfg.batch_size, generator=rng).to(dev)  # (B,)
    with torch.no_grad():
        x_fake = G(z, y_real)  # fakes with the real batch's labels
    loss_d, parts = critic_loss(D, x_real, y_real, x_fake, alpha, cfg.gp_weight, cfg.acgan_real)
    optimizer_step(opt_D, loss_d)
    return loss_d.item(), {"wasserstein": parts["wasserstein"], "gp": parts["gp"]}


def _generator_step(G, D, opt_G, cfg: WGANConfig, rng: torch.Generator, dev) -> dict[str, float]:
    """One generator update on ``gen_batch_size`` fakes with uniform labels (+ Algorithm 1's L when clamping)."""
    z = torch.randn(cfg.gen_batch_size, cfg.z_dim, generator=rng).to(dev)  # (B_G, z_dim)
    y_fake = torch.randint(cfg.n_classes, (cfg.gen_batch_size,), generator=rng).to(dev)  # (B_G,)
    if cfg.clamp:
        jc = jacobian_clamping(WithLabels(G, y_fake), z, cfg.lambda_min, cfg.lambda_max, cfg.eps, cfg.q_mode,
                               generator=rng)
        x_fake, penalty = jc.x, jc.penalty
    else:
        x_fake, penalty = G(z, y_fake), None
    loss_g = generator_loss(D, x_fake, y_fake, cfg.acgan_fake)
    total_g = loss_g + penalty if penalty is not None else loss_g
    optimizer_step(opt_G, total_g)
    return {"loss_g": loss_g.item(), **({"penalty": penalty.item()} if penalty is not None else {})}


def wgan_run_config(cfg: WGANConfig, scorer: Scorer | None) -> dict:
    """The dict a WGAN-GP run is stored under: the config plus the scorer's identity."""
    return {**dataclasses.asdict(cfg), "scorer": scorer.config if scorer is not None else None}


def train_wgan(cfg: WGANConfig, store: RunStore | None = None, scorer: Scorer | None = None,
               device: str = "cpu", progress: bool = True, root=None) -> Run:
    """Train (or load, or resume) the WGAN-GP run for ``cfg``; returns its :class:`~gancond.runs.Run`.

    The run holds ``metrics.csv`` (one row per evaluation: step, losses, wasserstein, gp,
    penalty, mean_log_cond, Q quantiles, scores, train_time_s, time_s), ``per_z.csv`` (step,
    z, label, log_cond, q) and the checkpoints ``last`` and ``final``.
    """
    store = store or RunStore()
    return store.get_or_run("wgan", wgan_run_config(cfg, scorer), _WGANWork(cfg, device, progress, root, scorer))


def train_wgans(cfgs: list[WGANConfig], store: RunStore | None = None, scorer: Scorer | None = None,
                device: str = "cpu", progress: bool = True, root=None, executor=None) -> list[Run]:
    """:func:`train_wgan` for many configs through :meth:`RunStore.sweep` (missing runs only).

    Runs go one after the other by default, so that each run's wall-clock time is measured on
    an otherwise idle machine; an ``executor`` runs them in parallel (and their clocks then
    measure a shared machine).
    """
    store = store or RunStore()
    show = progress and executor is None
    jobs = [(wgan_run_config(c, scorer), _WGANWork(c, device, show, root, scorer)) for c in cfgs]
    return store.sweep("wgan", jobs, executor)


def load_wgan_generator(run: Run, name: str = "final") -> nn.Module:
    """The conditional generator stored in a WGAN-GP run's checkpoint ``name``, in eval mode."""
    cfg = WGANConfig(**{k: v for k, v in run.config.items() if k in {f.name for f in dataclasses.fields(WGANConfig)}})
    G, _ = build_models(cfg)
    G.load_state_dict(run.require_checkpoint(name)["G"])
    return G.eval()
