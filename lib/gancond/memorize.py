"""The memorizing generator of Appendix B.1: a misbehaving generator that is well conditioned.

The paper's counterexample (Appendix B.1, Figs. 8-11): a DCGAN generator with a 64-dim
latent is trained *without a discriminator*, by an L2 reconstruction loss, to map each of
10,000 fixed random z to a fixed training image: 5,000 random MNIST digits and 5,000 copies
of one single "4". The mapping is "consistent but arbitrary". On the memorized z it
reproduces its targets (Fig. 8); on fresh z it mostly draws fours and nines (Figs. 9, 10),
with worse scores (classifier score 4.95 -> 2.22, Fréchet distance 118 -> 240), and yet its
mean log-condition number stays below the GAN runs' "good cluster" (Fig. 11).

Here:

- :func:`memorized_set`: the (z, target) pairs of a run, recomputed from its seed (nothing
  is stored twice). Targets: ``n_random = n_memorized - n_copies`` distinct random digits of
  the MNIST training split and ``n_copies`` copies of one training image labelled 4 (chosen
  by the seed; it is not among the random digits). The z's are i.i.d. N(0, I); a seeded
  permutation assigns the target slots to the z's, so the mapping is a bijection between the
  ``n_memorized`` z's and the ``n_memorized`` target slots.
- :func:`train_memorizer` / :func:`train_memorizers`: the trainer, through the run store
  (kind ``"memorize"``), resumable like :mod:`gancond.train` (the loop is
  :class:`gancond.loop.Loop`). Loss: the mean squared error per pixel, in the generator's
  [-1, 1] pixel units, averaged over the images of the batch
  (``F.mse_loss(G(z), x)``; the paper says only "L2 reconstruction loss"). Adam with DCGAN's
  lr 2e-4, β1 0.5 (the paper's other MNIST runs), batch 64, minibatches drawn without
  replacement within an epoch over the memorized set; G in train mode (BatchNorm on batch
  statistics) while training, in eval mode for every measurement.
- The same periodic record as the GAN trainer, on the same fixed evaluation z
  (``gancond.train.fixed_latents(z_dim, n_eval_z, eval_seed, 0)``, never memorized): the
  per-z log κ(M_z) and its mean (``gancond.jacobian.mean_log_cond``), plus the reconstruction
  error on the memorized set, so its numbers compare with the GAN runs of chapter 1.
- :func:`memorization_stats`: how well a generator reproduces its memorized set.

The chapter's smoke / book / paper presets and the validation of its parameters are
:func:`gancond.experiments.memorize_experiment`.

Used by: chapter 6 (Appendix B.1, Figs. 8-11).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from .data import dataset_info, load_dataset
from .jacobian import mean_log_cond
from .loop import Loop, Work, is_int, optimizer_step
from .models import Generator
from .runs import Run, RunStore
from .train import fixed_latents, generate

__all__ = [
    "COPY_LABEL",
    "MemorizeConfig",
    "MemorizedSet",
    "memorized_set",
    "memorization_stats",
    "train_memorizer",
    "train_memorizers",
    "load_memorizer",
    "memorizer_config",
]

#: MNIST class of the image copied ``n_copies`` times (B.1: "in this case, a four").
COPY_LABEL = 4
#: side of the MNIST images the memorizer is trained on
_IMAGE_SIZE = 28
# offset that separates the memorized set's random stream from every other seeded stream
_SET_STREAM = 500_009


@dataclass(frozen=True)
class MemorizeConfig:
    """Everything that determines a memorizing run's numbers (hashed into the run's id)."""

    z_dim: int = 64  # latent dimension n_z (B.1: 64)
    width: float = 1.0  # generator width multiplier (1.0 = the paper's DCGAN)
    n_memorized: int = 10_000  # memorized (z, target) pairs (B.1: 10,000)
    n_copies: int = 5_000  # of which copies of one training "4" (B.1: 5,000); the rest are distinct random digits
    steps: int = 20_000  # Adam updates (the paper does not say)
    batch_size: int = 64  # memorized pairs per update (DCGAN's batch size)
    lr: float = 2e-4  # Adam learning rate (DCGAN)
    beta1: float = 0.5  # Adam β1 (DCGAN)
    beta2: float = 0.999  # Adam β2
    eval_every: int = 500  # steps between evaluations and checkpoints
    n_eval_z: int = 64  # size of the fixed evaluation z batch for log κ(M_z) (as the GAN runs)
    eval_seed: int = 0  # seed of the fixed evaluation z (as the GAN runs)
    seed: int = 0  # seed of this run: the memorized set (targets, z, mapping), initialisation, batch order

    def __post_init__(self):
        def need(cond: bool, field: str, what: str) -> None:
            if not cond:
                raise ValueError(f"MemorizeConfig.{field} {what}, got {getattr(self, field)!r}")

        for f in ("z_dim", "n_memorized", "steps", "batch_size", "eval_every", "n_eval_z"):
            need(is_int(getattr(self, f)) and getattr(self, f) > 0, f, "must be a positive integer")
        for f in ("n_copies", "seed", "eval_seed"):
            need(is_int(getattr(self, f)) and getattr(self, f) >= 0, f, "must be a non-negative integer")
        need(self.n_copies <= self.n_memorized, "n_copies", f"must be at most n_memorized ({self.n_memorized})")
        need(self.n_memorized - self.n_copies <= 59_999, "n_memorized",
             "minus n_copies (the random digits) must be at most 59,999 (the MNIST training split less the copied 4)")
        need(self.batch_size <= self.n_memorized, "batch_size", f"must be at most n_memorized ({self.n_memorized})")
        need(isinstance(self.width, (int, float)) and not isinstance(self.width, bool) and math.isfinite(self.width)
             and self.width > 0, "width", "must be a positive number")
        need(isinstance(self.lr, (int, float)) and 0 < self.lr < 1, "lr", "must be in (0, 1)")
        need(isinstance(self.beta1, (int, float)) and 0 <= self.beta1 < 1, "beta1", "must be in [0, 1)")
        need(isinstance(self.beta2, (int, float)) and 0 <= self.beta2 < 1, "beta2", "must be in [0, 1)")

    @property
    def n_random(self) -> int:
        """Distinct random training digits among the targets (B.1: 5,000)."""
        return self.n_memorized - self.n_copies

    def replace(self, **changes: Any) -> "MemorizeConfig":
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- the memorized set
@dataclass(frozen=True)
class MemorizedSet:
    """The fixed (z, target) pairs of a memorizing run (B.1); row i pairs ``z[i]`` with ``x[i]``.

    Attributes:
        z: (N, z_dim) float32, the memorized latent vectors, i.i.d. N(0, I).
        x: (N, 1, 28, 28) float32 in [-1, 1], the target of each z.
        index: (N,) int64, the target's index in the MNIST training split.
        label: (N,) int64, the target's MNIST label.
        is_copy: (N,) bool, True where the target is the copied "4".
        slot: (N,) int64, the position of each z's target in the target list
            ``[n_random random digits..., n_copies copies of the 4]``; a permutation of 0..N-1.
        copy_index: index of the copied "4" in the training split.
    """

    z: Tensor
    x: Tensor
    index: Tensor
    label: Tensor
    is_copy: Tensor
    slot: Tensor
    copy_index: int

    def __len__(self) -> int:
        return int(self.z.shape[0])


def memorizer_config(run_or_cfg: Run | MemorizeConfig | dict) -> MemorizeConfig:
    """The :class:`MemorizeConfig` of a run (or of a config dict, or the config itself)."""
    if isinstance(run_or_cfg, MemorizeConfig):
        return run_or_cfg
    d = run_or_cfg.config if isinstance(run_or_cfg, Run) else run_or_cfg
    names = {f.name for f in dataclasses.fields(MemorizeConfig)}
    return MemorizeConfig(**{k: v for k, v in d.items() if k in names})


def _draw_set(cfg: MemorizeConfig, y: Tensor) -> tuple[Tensor, Tensor, Tensor, int]:
    """(z (N, z_dim), slot (N,), target index per slot (N,), copy_index) from the seed alone."""
    g = torch.Generator().manual_seed(cfg.seed * 1_000_003 + _SET_STREAM)
    fours = (y == COPY_LABEL).nonzero().squeeze(1)  # (n_4,) training indices labelled 4
    copy_index = int(fours[torch.randint(len(fours), (1,), generator=g)])
    pool = torch.randperm(len(y), generator=g)  # every training index once, in random order
    random_digits = pool[pool != copy_index][: cfg.n_random]  # (n_random,) distinct, without the copied 4
    targets = torch.cat([random_digits, torch.full((cfg.n_copies,), copy_index, dtype=torch.long)])  # (N,)
    z = torch.randn(cfg.n_memorized, cfg.z_dim, generator=g)  # (N, z_dim)
    slot = torch.randperm(cfg.n_memorized, generator=g)  # z_i -> target slot slot[i]: a bijection
    return z, slot, targets, copy_index


def memorized_set(run_or_cfg: Run | MemorizeConfig | dict, root=None, data: tuple[Tensor, Tensor] | None = None
                  ) -> MemorizedSet:
    """The memorized (z, target) pairs of a run, recomputed from its config's seed (B.1).

    Depends only on ``seed``, ``n_memorized``, ``n_copies`` and ``z_dim``. ``data`` may pass
    the MNIST training split ``(x (60000, 1, 28, 28), y (60000,))`` already loaded; otherwise
    it is loaded from ``root`` (see :func:`gancond.data.load_dataset`).
    """
    cfg = memorizer_config(run_or_cfg)
    x_all, y_all = data if data is not None else load_dataset("mnist", "train", root=root)
    z, slot, targets, copy_index = _draw_set(cfg, y_all)
    index = targets[slot]  # (N,) training index of each z's target
    return MemorizedSet(z=z, x=x_all[index], index=index, label=y_all[index], is_copy=index == copy_index,
                        slot=slot, copy_index=copy_index)


@torch.no_grad()
def _reconstruction(G: torch.nn.Module, mset: MemorizedSet, batch_size: int = 1000) -> Tensor:
    """Per-pair squared error, mean over pixels, (N,) float64; G in eval mode (restored)."""
    dev = next(G.parameters()).device
    was = G.training
    G.eval()
    try:
        out = [F.mse_loss(G(z.to(dev)), x.to(dev), reduction="none").mean(dim=(1, 2, 3)).double().cpu()
               for z, x in zip(mset.z.split(batch_size), mset.x.split(batch_size))]
    finally:
        G.train(was)
    return torch.cat(out)


@torch.no_grad()
def memorization_stats(G: torch.nn.Module, mset: MemorizedSet, n: int | None = None, batch_size: int = 500) -> dict:
    """How well G reproduces its memorized set (Fig. 8), G in eval mode.

    Args:
        G: the generator.
        mset: its memorized set.
        n: use the first ``n`` pairs only (None = all).

    Returns:
        dict: ``mse``, ``mse_random``, ``mse_copies`` (mean squared error per pixel in [-1, 1]
        units, over all pairs / those with a random digit / those with the copied 4; nan when
        there are none) and ``recall``, ``recall_random``, ``recall_copies``: the fraction of
        memorized z whose output is nearer (L2) to its own target than to any other distinct
        target of the set (the n_random digits and the 4).
    """
    n = len(mset) if n is None else min(int(n), len(mset))
    if n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    sub = MemorizedSet(mset.z[:n], mset.x[:n], mset.index[:n], mset.label[:n], mset.is_copy[:n], mset.slot[:n],
                       mset.copy_index)
    mse = _reconstruction(G, sub)  # (n,)
    uniq, inverse = torch.unique(mset.index, return_inverse=True)  # distinct targets of the whole set
    first = torch.full((len(uniq),), len(mset), dtype=torch.long).scatter_reduce(
        0, inverse, torch.arange(len(mset)), "amin")
    bank = mset.x[first].flatten(1).double()  # (n_distinct, 784)
    own = inverse[:n]  # (n,) row of each pair's target in the bank
    x_hat = generate(G, sub.z, batch_size).flatten(1).double()  # (n, 784)
    nearest = torch.cat([torch.cdist(c, bank).argmin(dim=1) for c in x_hat.split(batch_size)])  # (n,)
    hit = (nearest == own).double()
    cp = sub.is_copy

    def mean(v: Tensor, m: Tensor) -> float:
        return float(v[m].mean()) if m.any() else math.nan

    return {"mse": float(mse.mean()), "mse_random": mean(mse, ~cp), "mse_copies": mean(mse, cp),
            "recall": float(hit.mean()), "recall_random": mean(hit, ~cp), "recall_copies": mean(hit, cp), "n": n}


# --------------------------------------------------------------------------- the trainer
class _MemorizeWork(Work):
    """The work of one memorizing run (picklable, so a sweep can ship it to an executor)."""

    def __call__(self, run: Run) -> None:
        cfg, dev = self.cfg, torch.device(self.device)
        mset = memorized_set(cfg, root=self.root)
        z_mem, x_mem = mset.z.to(dev), mset.x.to(dev)  # (N, z_dim), (N, 1, 28, 28)

        loop = Loop(cfg, len(mset))  # seeds the initialisation; loop.rng: batch order
        G = Generator(_IMAGE_SIZE, cfg.z_dim, cfg.width).to(dev)
        opt = torch.optim.Adam(G.parameters(), cfg.lr, betas=(cfg.beta1, cfg.beta2))
        z_eval = fixed_latents(cfg.z_dim, cfg.n_eval_z, cfg.eval_seed, 0)  # (n_eval_z, z_dim), as the GAN runs

        def step(_: int) -> dict[str, float]:
            j = loop.batch().to(dev)  # (B,) pairs of the memorized set, an epoch over it at a time
            loss = F.mse_loss(G(z_mem[j]), x_mem[j])  # mean over the B images and their pixels
            optimizer_step(opt, loss)
            return {"loss": loss.item()}

        def evaluate(step: int, mean) -> tuple[dict, dict]:
            lc_mean, per_z = mean_log_cond(G, z_eval.to(dev))
            err = _reconstruction(G, mset)  # (N,)
            cp = mset.is_copy
            row = {"loss": mean["loss"], "mse": float(err.mean()),
                   "mse_random": float(err[~cp].mean()) if (~cp).any() else math.nan,
                   "mse_copies": float(err[cp].mean()) if cp.any() else math.nan, "mean_log_cond": float(lc_mean)}
            return row, {"per_z": [{"z": i, "log_cond": float(v)} for i, v in enumerate(per_z.tolist())]}

        info = {"device": str(dev), "data": dataset_info("mnist", self.root), "copy_index": mset.copy_index,
                "n_random": cfg.n_random, "loss": "mean squared error per pixel ([-1, 1] units), mean over the batch"}
        loop.train(run, {"G": G, "opt": opt}, step, evaluate, final=("G",), tables=("per_z",), info=info,
                   desc=f"memorizer seed {cfg.seed}", progress=self.progress,
                   show={"log_cond": ("mean_log_cond", ".2f"), "mse": ("mse", ".3f")})


def train_memorizer(cfg: MemorizeConfig, store: RunStore | None = None, device: str = "cpu", progress: bool = True,
                    root=None) -> Run:
    """Train (or load, or resume) the memorizing run for ``cfg`` (B.1); returns its Run.

    The run (kind ``"memorize"``) holds ``metrics.csv`` (one row per evaluation: step, loss =
    the training loss averaged since the previous evaluation, mse / mse_random / mse_copies =
    the reconstruction error on the memorized set in eval mode, mean_log_cond, time_s),
    ``per_z.csv`` (step, z, log_cond on the fixed evaluation z) and the checkpoints ``last``
    and ``final``. ``device`` is not part of the run's identity.
    """
    store = store or RunStore()
    return store.get_or_run("memorize", dataclasses.asdict(cfg), _MemorizeWork(cfg, device, progress, root))


def train_memorizers(cfgs: list[MemorizeConfig], store: RunStore | None = None, device: str = "cpu",
                     progress: bool = True, root=None, executor=None) -> list[Run]:
    """:func:`train_memorizer` for many configs through :meth:`RunStore.sweep` (missing runs only)."""
    store = store or RunStore()
    show = progress and executor is None
    jobs = [(dataclasses.asdict(c), _MemorizeWork(c, device, show, root)) for c in cfgs]
    return store.sweep("memorize", jobs, executor)


def load_memorizer(run: Run, name: str = "final") -> Generator:
    """The generator stored in a memorizing run's checkpoint ``name``, in eval mode."""
    cfg = memorizer_config(run)
    G = Generator(_IMAGE_SIZE, cfg.z_dim, cfg.width)
    G.load_state_dict(run.require_checkpoint(name)["G"])
    return G.eval()
