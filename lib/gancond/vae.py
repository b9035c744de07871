"""A variational autoencoder whose decoder is the GAN's generator (paper §3, Figure 3).

The paper compares the log spectra of the average Jacobian E_z[J_z] of ten GAN generators
with those of ten VAE decoders (Kingma & Welling 2013; Rezende et al. 2014), following
Hoffman (2017). For the two Jacobians to compare, the decoder here *is*
:class:`gancond.models.Generator` (same image size, ``z_dim`` and ``width`` as the GAN at the
same scale), and z ~ N(0, I) feeds both. The encoder mirrors the discriminator: the feature
stack of :class:`gancond.models.Discriminator` followed by one linear layer giving the mean
and the log-variance of q(z|x).

Model (x: (B, C, H, W) in [-1, 1], as the GAN sees it):

    q(z|x) = N(mu(x), diag exp(logvar(x)))      encoder, mu and logvar (B, z_dim)
    p(z)   = N(0, I)
    p(x|z) = prod_i Bernoulli(t_i; p_i),  t = (x + 1) / 2 in [0, 1],  p = (G(z) + 1) / 2

With G's final tanh, p = (tanh(a) + 1) / 2 = sigmoid(2a) for G's pre-activation a, so the
Bernoulli logits are exactly 2a and the *mean* image of the decoder is G(z) itself, in the
GAN's units: the Jacobian of the decoder mean is the Jacobian of G. Grey levels t are used as
soft targets; by linearity this is the ELBO averaged over the random binarisations
b ~ Bernoulli(t) of the image, so the reported number is a lower bound on E_b[log p(b)], in
nats per image (Kingma & Welling's MNIST likelihood, without a fixed binarisation). The
alternative ``likelihood="gaussian"`` uses N(x; G(z), sigma^2 I) on [-1, 1] images with a
fixed ``sigma``; its ELBO is a log *density* (nats per image, not comparable to the
Bernoulli one), and sigma trades reconstruction against the KL term, i.e. it is a knob on the
decoder's sensitivity. The paper does not say which likelihood its VAE used.

ELBO(x) = E_{q(z|x)}[log p(x|z)] - KL(q(z|x) || N(0, I)), estimated with one reparameterised
sample z = mu + exp(logvar / 2) * e, e ~ N(0, I) (Kingma & Welling 2013, eq. 10; the KL in
closed form, their Appendix B). Training maximises the batch mean of the ELBO with Adam.

Every ``eval_every`` steps (and at steps 0 and ``steps``) the trainer records the train-batch
ELBO averaged over the interval, the ELBO on a fixed slice of the test split (its two terms,
and the number of active latent units, Burda et al. 2015), and the mean log-condition number
log kappa(M_z) of the decoder on the fixed evaluation z the GAN runs use
(``gancond.train.fixed_latents(z_dim, n_eval_z, eval_seed, 0)``). It checkpoints at every
evaluation (the loop is :class:`gancond.loop.Loop`), so a killed run resumes to the numbers
of an uninterrupted one. The decoder is initialised exactly like the GAN generator of the
same seed (``torch.manual_seed(seed)``, then the generator is built first), so a VAE run and
a GAN run of one seed start from the same network and differ only in how it is trained.

Used by: chapter 3 (average Jacobian spectra, Fig. 3).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .data import DATASETS, dataset_info, gan_training_images, load_dataset
from .jacobian import mean_log_cond
from .loop import Loop, Work, is_int, optimizer_step
from .models import Discriminator, Generator
from .runs import Run, RunStore
from .train import fixed_latents

__all__ = ["LIKELIHOODS", "VAEConfig", "Encoder", "decoder_logits", "elbo_terms", "vae_run_config", "train_vae",
           "train_vaes", "load_decoder", "load_encoder"]

#: decoder likelihoods p(x|z) (see the module docstring)
LIKELIHOODS = ("bernoulli", "gaussian")


@dataclass(frozen=True)
class VAEConfig:
    """Everything that determines a VAE run's numbers (it is hashed into the run's id)."""

    dataset: str = "mnist"  # "mnist", "cifar10" or "stl10"
    z_dim: int = 64  # latent dimension n_z (the GAN's at the same scale)
    width: float = 1.0  # width multiplier of encoder and decoder (the GAN's at the same scale)
    steps: int = 20_000  # Adam updates
    batch_size: int = 64  # B (the GAN's)
    lr: float = 1e-3  # Adam learning rate (Kingma & Ba's default; Kingma & Welling used adaptive steps too)
    beta1: float = 0.9  # Adam β1
    beta2: float = 0.999  # Adam β2
    likelihood: str = "bernoulli"  # p(x|z): "bernoulli" on t = (x+1)/2, or "gaussian" on x with fixed sigma
    sigma: float = 0.1  # standard deviation of the Gaussian likelihood on [-1, 1] pixels (unused for Bernoulli)
    eval_every: int = 500  # steps between evaluations and checkpoints
    n_eval_z: int = 64  # size of the fixed z batch for log κ(M_z) (the GAN's)
    eval_seed: int = 0  # seed of the fixed evaluation z (shared with the GAN runs)
    n_test: int = 1_000  # held-out test images (the first n_test of the test split) for the test ELBO
    n_train: int = 0  # use only the first n_train training images (0 = all)
    seed: int = 0  # seed of this run (initialisation, data order, reparameterisation noise)

    def __post_init__(self):
        def need(cond: bool, field: str, what: str) -> None:
            if not cond:
                raise ValueError(f"VAEConfig.{field} {what}, got {getattr(self, field)!r}")

        need(self.dataset in DATASETS, "dataset", f"must be one of {sorted(DATASETS)}")
        for f in ("z_dim", "steps", "batch_size", "eval_every", "n_eval_z"):
            need(is_int(getattr(self, f)) and getattr(self, f) > 0, f, "must be a positive integer")
        for f in ("n_train", "seed", "eval_seed"):
            need(is_int(getattr(self, f)) and getattr(self, f) >= 0, f, "must be a non-negative integer")
        need(is_int(self.n_test) and self.n_test >= 2, "n_test", "must be an integer >= 2")
        need(self.n_train == 0 or self.n_train >= self.batch_size, "n_train", "must be 0 (all) or >= batch_size")
        need(isinstance(self.width, (int, float)) and not isinstance(self.width, bool)
             and math.isfinite(self.width) and self.width > 0, "width", "must be a positive number")
        need(isinstance(self.lr, (int, float)) and 0 < self.lr < 1, "lr", "must be in (0, 1)")
        need(0 <= self.beta1 < 1, "beta1", "must be in [0, 1)")
        need(0 <= self.beta2 < 1, "beta2", "must be in [0, 1)")
        need(self.likelihood in LIKELIHOODS, "likelihood", f"must be one of {LIKELIHOODS}")
        need(isinstance(self.sigma, (int, float)) and math.isfinite(self.sigma) and self.sigma > 0, "sigma",
             "must be a positive number")

    @property
    def image_size(self) -> int:
        return DATASETS[self.dataset][1]

    def replace(self, **changes: Any) -> "VAEConfig":
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- model
class Encoder(nn.Module):
    """q(z|x): x (B, C, H, W) in [-1, 1] -> (mu (B, z_dim), logvar (B, z_dim)).

    The feature stack is that of :class:`gancond.models.Discriminator` at the same
    ``image_size`` and ``width`` (28x28: Conv 64w s2, LReLU -> Conv 128w s2, BN, LReLU ->
    FC 1024w, BN, LReLU), followed by one linear layer to 2 * z_dim (mean and log-variance of
    a diagonal Gaussian, Kingma & Welling 2013, Appendix C.2). DCGAN initialisation, so at
    initialisation mu ~ 0 and logvar ~ 0: q(z|x) starts near the prior.
    """

    def __init__(self, image_size: int = 28, z_dim: int = 64, width: float = 1.0):
        super().__init__()
        if not (isinstance(z_dim, int) and z_dim > 0):
            raise ValueError(f"z_dim must be a positive integer, got {z_dim!r}")
        d = Discriminator(image_size, width)  # its feature stack; the real/fake head is dropped
        self.image_size, self.z_dim, self.width = image_size, z_dim, width
        self.features = d.features  # (B, C, H, W) -> (B, n_feat)
        self.head = nn.Linear(d.head.in_features, 2 * z_dim)  # (B, n_feat) -> (B, 2 z_dim)
        nn.init.normal_(self.head.weight, 0.0, 0.02)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        mu, logvar = self.head(self.features(x)).chunk(2, dim=1)  # (B, z_dim) each
        return mu, logvar


def decoder_logits(G: Generator, z: Tensor) -> Tensor:
    """Bernoulli logits 2a of the decoder, a = G's pre-tanh output: (B, n_z) -> (B, C, H, W).

    sigmoid(2a) = (tanh(a) + 1) / 2 = (G(z) + 1) / 2, so the decoder's mean in the data's
    [-1, 1] units is G(z) and the Jacobian of that mean is J_z of G (paper Sec. 2).
    """
    if not isinstance(G.body[-1], nn.Tanh):
        raise ValueError("decoder_logits needs a gancond.models.Generator ending in nn.Tanh")
    h = G.project(z).view(z.shape[0], *G.base)  # (B, C0, s, s)
    return 2.0 * G.body[:-1](h)  # (B, C, H, W)


def elbo_terms(E: Encoder, G: Generator, x: Tensor, noise: Tensor, likelihood: str = "bernoulli",
               sigma: float = 0.1) -> dict[str, Tensor]:
    """Per-image ELBO and its two terms, in nats (Kingma & Welling 2013, eq. 10).

    Args:
        E: encoder; G: decoder (a Generator); both in whatever mode the caller set.
        x: (B, C, H, W) images in [-1, 1].
        noise: (B, z_dim) standard normal e of the reparameterisation z = mu + exp(logvar/2) e.
        likelihood: "bernoulli" (targets t = (x+1)/2, logits :func:`decoder_logits`) or
            "gaussian" (N(x; G(z), sigma² I)).
        sigma: the Gaussian's standard deviation on [-1, 1] pixels.

    Returns:
        dict of (B,) tensors: ``elbo`` = ``loglik`` - ``kl``, ``loglik`` = log p(x|z) at the
        sampled z, ``kl`` = KL(q(z|x) || N(0, I)) in closed form; and ``mu`` (B, z_dim).
    """
    if likelihood not in LIKELIHOODS:
        raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {likelihood!r}")
    mu, logvar = E(x)  # (B, z_dim) each
    z = mu + torch.exp(0.5 * logvar) * noise  # (B, z_dim), reparameterised sample
    if likelihood == "bernoulli":
        t = (x + 1.0) / 2.0  # (B, C, H, W) in [0, 1]
        loglik = -F.binary_cross_entropy_with_logits(decoder_logits(G, z), t, reduction="none").flatten(1).sum(1)
    else:
        r = (x - G(z)).flatten(1)  # (B, n_x)
        loglik = -0.5 * (r / sigma).square().sum(1) - r.shape[1] * (math.log(sigma) + 0.5 * math.log(2 * math.pi))
    kl = 0.5 * (mu.square() + logvar.exp() - 1.0 - logvar).sum(1)  # (B,)
    return {"elbo": loglik - kl, "loglik": loglik, "kl": kl, "mu": mu}


# --------------------------------------------------------------------------- training
@torch.no_grad()
def _test_elbo(E: Encoder, G: Generator, x_test: Tensor, noise: Tensor, cfg: VAEConfig, batch: int = 500) -> dict:
    """Test-slice ELBO (nats/image), its terms, and active units (Cov_x E_q[z] > 0.01), eval mode."""
    modes = (E.training, G.training)
    E.eval(); G.eval()
    try:
        parts = [elbo_terms(E, G, xb, nb, cfg.likelihood, cfg.sigma)
                 for xb, nb in zip(x_test.split(batch), noise.split(batch))]
    finally:
        E.train(modes[0]); G.train(modes[1])
    cat = {k: torch.cat([p[k] for p in parts]).double() for k in ("elbo", "loglik", "kl", "mu")}
    active = int((cat["mu"].var(dim=0) > 0.01).sum())  # Burda et al. (2015)'s active units
    return {"test_elbo": float(cat["elbo"].mean()), "test_loglik": float(cat["loglik"].mean()),
            "test_kl": float(cat["kl"].mean()), "active_units": active}


class _VAEWork(Work):
    """The work of one VAE run (picklable, so a sweep can ship it to an executor)."""

    def __call__(self, run: Run) -> None:
        cfg, dev = self.cfg, torch.device(self.device)
        x_all = gan_training_images(cfg.dataset, cfg.n_train, self.root).to(dev)  # (N, C, H, W)
        x_test = load_dataset(cfg.dataset, "test", root=self.root)[0][: cfg.n_test].to(dev)  # (n_test, C, H, W)

        loop = Loop(cfg, x_all.shape[0])  # seeds the initialisation; loop.rng: data order, reparameterisation noise
        # G first, as in gancond.train: at step 0 the decoder is the GAN generator of the same seed
        G = Generator(cfg.image_size, cfg.z_dim, cfg.width).to(dev)
        E = Encoder(cfg.image_size, cfg.z_dim, cfg.width).to(dev)
        opt = torch.optim.Adam(list(E.parameters()) + list(G.parameters()), cfg.lr, betas=(cfg.beta1, cfg.beta2))
        z_eval = fixed_latents(cfg.z_dim, cfg.n_eval_z, cfg.eval_seed, 0)  # (n_eval_z, z_dim), the GAN runs' z
        # the same reparameterisation noise at every evaluation, so test-ELBO curves are not noisy
        test_noise = torch.randn(x_test.shape[0], cfg.z_dim, generator=torch.Generator().manual_seed(cfg.eval_seed + 2))
        test_noise = test_noise.to(dev)

        def step(_: int) -> dict[str, float]:
            x = x_all[loop.batch().to(dev)]  # (B, C, H, W)
            noise = torch.randn(cfg.batch_size, cfg.z_dim, generator=loop.rng).to(dev)  # (B, z_dim)
            terms = elbo_terms(E, G, x, noise, cfg.likelihood, cfg.sigma)
            loss = -terms["elbo"].mean()  # maximise the ELBO
            optimizer_step(opt, loss)
            return {"elbo": -loss.item(), "loglik": terms["loglik"].mean().item(), "kl": terms["kl"].mean().item()}

        def evaluate(step: int, mean) -> tuple[dict, dict]:
            lc_mean, per_z = mean_log_cond(G, z_eval.to(dev))
            row = {**{f"train_{k}": mean[k] for k in ("elbo", "loglik", "kl")},
                   **_test_elbo(E, G, x_test, test_noise, cfg), "mean_log_cond": float(lc_mean)}
            return row, {"per_z": [{"z": i, "log_cond": float(v)} for i, v in enumerate(per_z.tolist())]}

        loop.train(run, {"E": E, "G": G, "opt": opt}, step, evaluate, final=("E", "G"), tables=("per_z",),
                   info={"device": str(dev), "data": dataset_info(cfg.dataset, self.root), "n_train": loop.n,
                         "n_test": int(x_test.shape[0])},
                   desc=f"VAE seed {cfg.seed}", progress=self.progress, show={"test_elbo": ("test_elbo", ".1f")})


def vae_run_config(cfg: VAEConfig) -> dict:
    """The dict a VAE run is stored under (kind ``"vae"``)."""
    return dataclasses.asdict(cfg)


def train_vae(cfg: VAEConfig, store: RunStore | None = None, device: str = "cpu", progress: bool = True,
              root=None) -> Run:
    """Train (or load, or resume) the VAE run for ``cfg``; returns its :class:`~gancond.runs.Run`.

    The run holds ``metrics.csv`` (one row per evaluation: step; train_elbo, train_loglik,
    train_kl averaged over the interval; test_elbo, test_loglik, test_kl on the test slice,
    all in nats per image; active_units; mean_log_cond of the decoder; time_s),
    ``per_z.csv`` (step, z, log_cond) and the checkpoints ``last`` and ``final`` (E, G).
    ``device`` is not part of the run's identity.
    """
    store = store or RunStore()
    return store.get_or_run("vae", vae_run_config(cfg), _VAEWork(cfg, device, progress, root))


def train_vaes(cfgs: list[VAEConfig], store: RunStore | None = None, device: str = "cpu", progress: bool = True,
               root=None, executor=None) -> list[Run]:
    """:func:`train_vae` for many configs through :meth:`RunStore.sweep` (missing runs only)."""
    store = store or RunStore()
    show = progress and executor is None
    return store.sweep("vae", [(vae_run_config(c), _VAEWork(c, device, show, root)) for c in cfgs], executor)


def _config_of(run: Run) -> VAEConfig:
    if run.kind != "vae":
        raise ValueError(f"run {run.id} is a {run.kind!r} run, not a 'vae' run")
    return VAEConfig(**{k: v for k, v in run.config.items() if k in {f.name for f in dataclasses.fields(VAEConfig)}})


def load_decoder(run: Run, name: str = "final") -> Generator:
    """The decoder (a :class:`gancond.models.Generator`) of a VAE run's checkpoint, in eval mode."""
    cfg = _config_of(run)
    G = Generator(cfg.image_size, cfg.z_dim, cfg.width)
    G.load_state_dict(run.require_checkpoint(name)["G"])
    return G.eval()


def load_encoder(run: Run, name: str = "final") -> Encoder:
    """The encoder of a VAE run's checkpoint, in eval mode."""
    cfg = _config_of(run)
    E = Encoder(cfg.image_size, cfg.z_dim, cfg.width)
    E.load_state_dict(run.require_checkpoint(name)["E"])
    return E.eval()
