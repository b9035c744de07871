"""Scores of a set of samples: classifier score (equation 3), Fréchet distance (equation 4), mode counts.

The paper (Sec. 2, eqs. 3-4; Sec. 3) judges GANs with two scores computed by a pre-trained
classifier: the Inception Score exp(E_x KL(p(y|x) || p(y))) (eq. 3) and the Fréchet Inception
Distance ||m - m_w||² + Tr(C + C_w - 2 (C C_w)^{1/2}) (eq. 4). On MNIST it replaces Inception
by an MNIST classifier ("classifier score", "MNIST Fréchet distance"); on CIFAR-10 and STL-10
it uses the standard Inception network.

This module has two layers:

* pure functions on tensors (no I/O): :func:`classifier_score`, :func:`gaussian_moments`,
  :func:`frechet_distance`, :func:`frechet_distance_from_features`, :func:`mode_statistics`;
* scorer objects that turn generated images into numbers: :class:`ClassifierScorer` (a
  classifier from :mod:`gancond.classifier`; TF-GAN's ``mnist_score`` /
  ``mnist_frechet_distance`` recipe: the classifier's 10 logits are both the score's input
  and the Fréchet features) and :class:`InceptionScorer` (torch-fidelity's Inception-v3, the
  standard IS/FID network); :func:`make_scorer` picks one per dataset.

Why our own functions and not torchmetrics' metrics (both are checked against each other in
``tests/test_scores.py``):

* ``torchmetrics.image.InceptionScore`` computes eq. 3 only with ``splits=1`` (default 10),
  in the logits' dtype (float32), and calls ``torch.randperm`` on the *global* RNG in
  ``compute()``, which would change the random stream of a GAN run that scores itself during
  training. :func:`classifier_score` works in float64 from ``log_softmax`` and touches no RNG.
* ``torchmetrics.image.fid.FrechetInceptionDistance`` computes eq. 4 in float64 but returns it
  cast to the features' dtype (float32), takes the trace of the square root from the
  (non-symmetric) eigenvalues of C·C_w, and must call the feature network itself. We need the
  classifier's logits once per batch for both scores, so :class:`ClassifierScorer` computes
  features itself and calls :func:`frechet_distance`.

Matrix square root: Tr((C1 C2)^{1/2}) = sum_i sqrt(lambda_i), lambda_i the eigenvalues of
C1 C2. With any factor C1 = F F^T, the symmetric PSD matrix F^T C2 F has the same eigenvalues
(AB and BA share eigenvalues: A = F, B = F^T C2). F is the Cholesky factor when C1 is positive
definite, else the symmetric square root sqrt(C1) (from ``torch.linalg.eigh``; singular
covariances: fewer samples than features, dead units). One symmetric eigenvalue problem
(``torch.linalg.eigvalsh``) in float64 follows; round-off negatives are clipped to 0. This
equals scipy.linalg.sqrtm's trace (pytorch-fid) and torchmetrics' / torch-fidelity's
eigenvalues of C1 C2, without complex arithmetic (see ``bench/bench_frechet.py``).

Scale: a Fréchet distance on a classifier's logits depends on that classifier (its logit
scale), and the classifier score on its confidence. Compare numbers only under the same scorer
``name``; the paper's MNIST values (e.g. B.1: score 4.95 vs 2.22, distance 118 vs 240) come
from TF-GAN's classifier and are comparable to ours in direction and ratio, not in absolute value.

Sample counts (parameters everywhere; the paper does not state them for its MNIST scores):

* MNIST scores: TF-GAN's MNIST evaluation scores 1,000 generated images by default
  (``PAPER_SAMPLE_COUNTS["mnist_fake"]``); we compare with the 10,000 MNIST test images.
* Missing modes (Sec. 3): 360 samples per model, count of the least-sampled class.
* Inception Score (Salimans et al. 2016; WGAN-GP reference): 50,000 samples in 10 splits.

Used by: chapters 4, 5 and 6; chapters 1-4 through :func:`gancond.arms.load_arms`.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from .jacobian import no_tf32

__all__ = [
    "PAPER_SAMPLE_COUNTS",
    "INCEPTION_WEIGHTS_FILE",
    "INCEPTION_WEIGHTS_URL",
    "classifier_score",
    "gaussian_moments",
    "frechet_distance",
    "frechet_distance_from_features",
    "mode_statistics",
    "ClassifierScorer",
    "InceptionScorer",
    "inception_weights_path",
    "make_scorer",
    "reference_images",
]

#: Sample counts used by the paper or its reference code (see the module docstring).
PAPER_SAMPLE_COUNTS = {
    "mnist_fake": 1_000,     # TF-GAN MNIST eval default (paper silent)
    "mnist_real": 10_000,    # the MNIST test split (our choice)
    "modes": 360,            # Sec. 3, "Conditioning is Related to Missing Modes"
    "inception": 50_000,     # Inception Score samples (Salimans et al.; WGAN-GP reference)
    "inception_splits": 10,  # the Inception Score is averaged over 10 splits
}

#: torch-fidelity's Inception-v3 weights (the TF 2015-12-05 graph, converted), and their URL.
INCEPTION_WEIGHTS_FILE = "weights-inception-2015-12-05-6726825d.pth"
INCEPTION_WEIGHTS_URL = (
    "https://github.com/toshas/torch-fidelity/releases/download/v0.2.0/" + INCEPTION_WEIGHTS_FILE
)


# --------------------------------------------------------------------------- pure math
def _as_2d_float64(x, what: str) -> Tensor:
    t = torch.as_tensor(x)
    if t.dim() != 2 or t.shape[0] < 1 or t.shape[1] < 1:
        raise ValueError(f"{what} must have shape (N, K) with N, K >= 1, got {tuple(t.shape)}")
    if not (t.is_floating_point()):
        raise ValueError(f"{what} must be floating point, got {t.dtype}")
    t = t.detach().to("cpu", torch.float64)
    if not torch.isfinite(t).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return t


def classifier_score(logits: Tensor, splits: int = 1) -> float:
    """Classifier (Inception) score exp(E_x KL(p(y|x) || p(y))), paper eq. 3.

    Args:
        logits: (N, K) unnormalised class scores of N samples; p(y|x) = softmax(logits).
        splits: 1 (default) gives eq. 3 over all N samples. ``splits=s`` follows Salimans et
            al.'s reporting: the samples are cut into s contiguous, nearly equal parts (no
            shuffling), eq. 3 is computed in each (with that part's own p(y)), and the mean
            is returned.

    Returns:
        The score, a float in [1, K]: 1 when every sample gets the same distribution, K when
        predictions are confident and the predicted classes are balanced.

    Computed in float64 from ``log_softmax``; log p(y) = logsumexp_i log p(y|x_i) - log N.
    """
    lp = torch.log_softmax(_as_2d_float64(logits, "logits"), dim=1)  # (N, K) log p(y|x)
    if not (isinstance(splits, int) and 1 <= splits <= lp.shape[0]):
        raise ValueError(f"splits must be an int in [1, N={lp.shape[0]}], got {splits!r}")
    scores = []
    for part in torch.tensor_split(lp, splits, dim=0):
        log_py = torch.logsumexp(part, dim=0) - math.log(part.shape[0])  # (K,) log p(y)
        kl = (part.exp() * (part - log_py)).sum(dim=1)  # (n,) KL(p(y|x_i) || p(y))
        scores.append(math.exp(kl.mean().item()))
    return float(np.mean(scores))


def gaussian_moments(features: Tensor) -> tuple[Tensor, Tensor]:
    """Mean and covariance of features, in float64.

    Args:
        features: (N, D) with N >= 2.

    Returns:
        mu (D,) and sigma (D, D), the unbiased sample covariance (divisor N - 1, as
        ``numpy.cov`` / pytorch-fid / torchmetrics), computed from centred features.
    """
    f = _as_2d_float64(features, "features")
    if f.shape[0] < 2:
        raise ValueError(f"need at least 2 samples for a covariance, got {f.shape[0]}")
    mu = f.mean(dim=0)
    fc = f - mu
    sigma = fc.T @ fc / (f.shape[0] - 1)
    return mu, sigma


def _sqrt_psd(sigma: Tensor) -> Tensor:
    """Symmetric square root of a symmetric PSD matrix (negative round-off eigenvalues -> 0)."""
    w, v = torch.linalg.eigh(sigma)
    return (v * w.clamp(min=0).sqrt()) @ v.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), paper eq. 4.

    ||mu1 - mu2||² + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^{1/2}), with
    Tr((sigma1 sigma2)^{1/2}) = sum sqrt(eig(F^T sigma2 F)), sigma1 = F F^T (Cholesky, or the
    symmetric square root when sigma1 is singular), in float64 (see the module docstring).
    Symmetric in its two Gaussians up to round-off.

    Args:
        mu1, mu2: (D,) means.
        sigma1, sigma2: (D, D) symmetric positive semi-definite covariances.

    Returns:
        The squared Fréchet (2-Wasserstein) distance as a float (>= 0 up to round-off). With
        singular covariances (fewer samples than features, dead units) the square roots of
        round-off-sized eigenvalues add an error of up to about D * sqrt(eps) * ||sigma||
        (~1e-7 relative), as in every sqrtm-based FID code.
    """
    mu1, mu2 = (torch.as_tensor(m).detach().to("cpu", torch.float64) for m in (mu1, mu2))
    s1, s2 = (torch.as_tensor(s).detach().to("cpu", torch.float64) for s in (sigma1, sigma2))
    d = mu1.shape[0] if mu1.dim() == 1 else -1
    if mu1.dim() != 1 or mu2.shape != (d,) or s1.shape != (d, d) or s2.shape != (d, d):
        raise ValueError(
            f"expected mu (D,) and sigma (D, D) for both Gaussians, got mu1 {tuple(mu1.shape)}, "
            f"sigma1 {tuple(s1.shape)}, mu2 {tuple(mu2.shape)}, sigma2 {tuple(s2.shape)}"
        )
    for name, t in (("mu1", mu1), ("mu2", mu2), ("sigma1", s1), ("sigma2", s2)):
        if not torch.isfinite(t).all():
            raise ValueError(f"{name} contains NaN or infinite values")
    s1 = (s1 + s1.T) / 2
    s2 = (s2 + s2.T) / 2
    # a factor F of s1 (s1 = F F^T): F^T s2 F is symmetric PSD with the eigenvalues of s1 s2
    chol, info = torch.linalg.cholesky_ex(s1)
    f = chol if int(info) == 0 else _sqrt_psd(s1)  # singular s1: the symmetric square root
    m = f.T @ s2 @ f  # (D, D)
    tr_sqrt = torch.linalg.eigvalsh((m + m.T) / 2).clamp(min=0).sqrt().sum()
    return float((mu1 - mu2).square().sum() + s1.trace() + s2.trace() - 2 * tr_sqrt)


def frechet_distance_from_features(f1: Tensor, f2: Tensor) -> float:
    """Fréchet distance (eq. 4) between Gaussians fitted to two feature sets.

    Args:
        f1: (N1, D) features, e.g. of real images; f2: (N2, D) features of generated images.
    """
    f1, f2 = torch.as_tensor(f1), torch.as_tensor(f2)
    if f1.dim() != 2 or f2.dim() != 2 or f1.shape[1] != f2.shape[1]:
        raise ValueError(f"features must be (N1, D) and (N2, D), got {tuple(f1.shape)} and {tuple(f2.shape)}")
    return frechet_distance(*gaussian_moments(f1), *gaussian_moments(f2))


def mode_statistics(labels_or_logits, n_classes: int = 10) -> dict:
    """Histogram of predicted classes (the paper's missing-mode test, Sec. 3).

    The paper draws 360 samples per model, classifies them with the MNIST classifier and
    reports the count of the least-sampled class (correlation -0.86 with the mean
    log-condition number over its 10 runs).

    Args:
        labels_or_logits: (N,) integer labels in [0, n_classes), or (N, n_classes) logits /
            probabilities (the argmax is taken). Tensors, arrays and lists are accepted.
        n_classes: number of classes K.

    Returns:
        dict with ``n`` (N), ``counts`` (K ints), ``fractions`` (K floats), ``least_class`` and
        ``least_count`` (the least-sampled class, lowest index on ties), ``most_class`` and
        ``most_count``, ``n_missing`` (classes with no sample).
    """
    if not (isinstance(n_classes, int) and n_classes >= 1):
        raise ValueError(f"n_classes must be a positive int, got {n_classes!r}")
    t = torch.as_tensor(np.asarray(labels_or_logits) if not isinstance(labels_or_logits, Tensor)
                        else labels_or_logits).detach().cpu()
    if t.dim() == 2:
        if t.shape[1] != n_classes:
            raise ValueError(f"logits must have shape (N, {n_classes}), got {tuple(t.shape)}")
        labels = t.argmax(dim=1)
    elif t.dim() == 1:
        if t.is_floating_point():
            if not torch.equal(t, t.round()):
                raise ValueError("1-D input must hold integer labels")
        elif t.dtype == torch.bool:
            raise ValueError("1-D input must hold integer labels, got bool")
        labels = t.long()
    else:
        raise ValueError(f"expected (N,) labels or (N, K) logits, got shape {tuple(t.shape)}")
    n = labels.numel()
    if n == 0:
        raise ValueError("need at least one sample")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"labels must lie in [0, {n_classes}), got range [{labels.min()}, {labels.max()}]")
    counts = torch.bincount(labels, minlength=n_classes)
    least = int(counts.argmin())  # argmin/argmax return the first index on ties
    most = int(counts.argmax())
    return {
        "n": n,
        "counts": counts.tolist(),
        "fractions": (counts.double() / n).tolist(),
        "least_class": least,
        "least_count": int(counts[least]),
        "most_class": most,
        "most_count": int(counts[most]),
        "n_missing": int((counts == 0).sum()),
    }


# --------------------------------------------------------------------------- scorers
def _check_images(x: Tensor, shape: Sequence[int] | None = None) -> Tensor:
    if not isinstance(x, Tensor) or x.dim() != 4 or not x.is_floating_point():
        raise ValueError(f"images must be a float tensor (N, C, H, W) in [-1, 1], got "
                         f"{type(x).__name__} {tuple(getattr(x, 'shape', ()))}")
    if shape is not None and tuple(x.shape[1:]) != tuple(shape):
        raise ValueError(f"images must have shape (N, {', '.join(map(str, shape))}), got {tuple(x.shape)}")
    if x.shape[0] < 2:
        raise ValueError(f"need at least 2 images, got {x.shape[0]}")
    return x


class ClassifierScorer:
    """Classifier score and Fréchet distance of generated images under a frozen classifier.

    The real images' feature Gaussian is computed once here; each call classifies the fake
    images in batches, takes the logits for eq. 3 and the chosen features for eq. 4.

    Args:
        classifier: a module from :func:`gancond.classifier.train_classifier` (or any module
            with ``forward_features(x) -> (logits (B, K), penultimate (B, F))``), in [-1, 1].
        real_images: (N, C, H, W) float in [-1, 1].
        feature: "logits" (default; TF-GAN's mnist_frechet_distance) or "penultimate".
        batch_size: images per forward pass.
        name: label stored with every number (default ``f"{classifier.name}/{feature}"``,
            e.g. "mnist-cnn/logits").
        extra_config: merged into :attr:`config` (e.g. which real split was used).
        device: where the classifier runs ("cpu", "cuda", ...; not part of :attr:`config`).
            Features come back to the CPU, and the Gaussians and Fréchet distance are computed
            there in float64, whatever the device (TF32 is off for the forward passes).

    Attributes:
        name: what the numbers are (goes into metrics tables and figure labels).
        metric_names: labels of the two numbers, ``{"score": "classifier score [<name>]",
            "frechet": "Fréchet distance [<name>]"}``.
        config: JSON-able identity (classifier run id and config, feature, n_real, ...), for
            the hash of any run that stores these scores.
    """

    def __init__(self, classifier: nn.Module, real_images: Tensor, feature: str = "logits",
                 batch_size: int = 1000, name: str | None = None, extra_config: dict | None = None,
                 device: str | torch.device = "cpu"):
        if feature not in ("logits", "penultimate"):
            raise ValueError(f"feature must be 'logits' or 'penultimate', got {feature!r}")
        if not (isinstance(batch_size, int) and batch_size >= 1):
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.classifier = classifier.eval().to(device)
        self.feature = feature
        self.batch_size = batch_size
        _check_images(real_images)
        self.image_shape = tuple(real_images.shape[1:])  # (C, H, W) every batch must have
        cname = getattr(classifier, "name", type(classifier).__name__)
        self.name = name or f"{cname}/{feature}"
        self.metric_names = {"score": f"classifier score [{self.name}]", "frechet": f"Fréchet distance [{self.name}]"}
        _, feats = self.features(real_images)
        self.mu_real, self.sigma_real = gaussian_moments(feats)  # (D,), (D, D) float64
        self.n_real = int(real_images.shape[0])
        self.config = {
            "scorer": "classifier",
            "name": self.name,
            "classifier": getattr(classifier, "run_id", None),
            "classifier_config": getattr(classifier, "config", None),
            "feature": feature,
            "n_real": self.n_real,
            **(extra_config or {}),
        }

    @torch.no_grad()
    def features(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """(logits (N, K), Fréchet features (N, D)) of images (N, C, H, W) in [-1, 1], on CPU."""
        _check_images(images, self.image_shape)
        device = next(self.classifier.parameters()).device
        logits, feats = [], []
        with no_tf32():
            for chunk in images.split(self.batch_size):
                lg, pen = self.classifier.forward_features(chunk.to(device, torch.float32))
                logits.append(lg.cpu())
                feats.append((lg if self.feature == "logits" else pen).cpu())
        return torch.cat(logits), torch.cat(feats)

    def logits(self, images: Tensor) -> Tensor:
        """Classifier logits (N, K), e.g. for :func:`mode_statistics`."""
        return self.features(images)[0]

    def __call__(self, fake_images: Tensor) -> dict:
        """``{"score": eq. 3, "frechet": eq. 4 against the real images}`` for (N, C, H, W) fakes."""
        logits, feats = self.features(fake_images)
        mu, sigma = gaussian_moments(feats)
        return {"score": classifier_score(logits),
                "frechet": frechet_distance(self.mu_real, self.sigma_real, mu, sigma)}

    def __repr__(self) -> str:
        return f"ClassifierScorer({self.name!r}, n_real={self.n_real})"


def _to_uint8(images: Tensor) -> Tensor:
    """Float images in [-1, 1] -> uint8 in [0, 255] with 3 channels (grey is repeated)."""
    x = ((images.float() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x


class InceptionScorer:
    """Inception Score (eq. 3) and FID (eq. 4) with torch-fidelity's Inception-v3.

    torch-fidelity's ``FeatureExtractorInceptionV3`` reproduces the TF Inception graph used by
    the original IS/FID code (TF1-style bilinear resize to 299, unbiased logits for IS, the
    2048-d pool features for FID). Images are converted from [-1, 1] floats to uint8.

    Args:
        real_images: (N, 3, H, W) float in [-1, 1].
        weights_path: path of ``weights-inception-2015-12-05-6726825d.pth`` (never downloaded here).
        splits: the Inception Score is averaged over this many splits (10 in Salimans et al.).
        batch_size: images per forward pass.
        extra_config: merged into :attr:`config`.
        device: where the network runs (not part of :attr:`config`); statistics as in
            :class:`ClassifierScorer`.
    """

    name = "inception"
    metric_names = {"score": "inception/IS", "frechet": "inception/FID"}

    def __init__(self, real_images: Tensor, weights_path: str | os.PathLike, splits: int = 10,
                 batch_size: int = 100, extra_config: dict | None = None, device: str | torch.device = "cpu"):
        try:
            from torch_fidelity.feature_extractor_inceptionv3 import FeatureExtractorInceptionV3
        except ModuleNotFoundError as err:  # an install without the extra
            raise ModuleNotFoundError("InceptionScorer needs torch-fidelity: pip install 'gancond[inception]'",
                                      name=err.name) from err

        if not Path(weights_path).is_file():
            raise FileNotFoundError(f"Inception weights not found at {weights_path}")
        self.splits, self.batch_size = splits, batch_size
        self.net = FeatureExtractorInceptionV3(
            "inception-v3-compat", ["2048", "logits_unbiased"], feature_extractor_weights_path=str(weights_path))
        self.net = self.net.eval().to(device)
        self.device = torch.device(device)
        _check_images(real_images)
        _, feats = self.features(real_images)
        self.mu_real, self.sigma_real = gaussian_moments(feats)
        self.n_real = int(real_images.shape[0])
        self.config = {"scorer": "inception", "name": self.name, "weights": INCEPTION_WEIGHTS_FILE,
                       "splits": splits, "n_real": self.n_real, **(extra_config or {})}

    @torch.no_grad()
    def features(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """(unbiased logits (N, 1008), pool features (N, 2048)) of images in [-1, 1]."""
        _check_images(images)
        logits, feats = [], []
        with no_tf32():
            for chunk in images.split(self.batch_size):
                f, lg = self.net(_to_uint8(chunk).to(self.device))
                logits.append(lg.cpu())
                feats.append(f.cpu())
        return torch.cat(logits), torch.cat(feats)

    def __call__(self, fake_images: Tensor) -> dict:
        """``{"score": Inception Score, "frechet": FID}`` for (N, 3, H, W) fakes in [-1, 1]."""
        logits, feats = self.features(fake_images)
        mu, sigma = gaussian_moments(feats)
        splits = min(self.splits, logits.shape[0])
        return {"score": classifier_score(logits, splits=splits),
                "frechet": frechet_distance(self.mu_real, self.sigma_real, mu, sigma)}

    def __repr__(self) -> str:
        return f"InceptionScorer(n_real={self.n_real}, splits={self.splits})"


def inception_weights_path(path: str | os.PathLike | None = None) -> Path:
    """Where the Inception weights are looked for (the file need not exist).

    ``path``, else ``$GANCOND_INCEPTION_WEIGHTS``, else torch-fidelity's download location
    ``<torch.hub.get_dir()>/checkpoints/weights-inception-2015-12-05-6726825d.pth``.
    """
    if path is None:
        path = os.environ.get("GANCOND_INCEPTION_WEIGHTS") or \
            Path(torch.hub.get_dir()) / "checkpoints" / INCEPTION_WEIGHTS_FILE
    return Path(path).expanduser()


def fetch_inception_weights(path: Path, timeout: float = 20.0) -> bool:
    """Try to download torch-fidelity's Inception weights to ``path``; True on success.

    Where there is a network this gives the standard IS/FID on first use; offline it fails at
    once (name resolution) and the caller falls back. A partial download never stays behind.
    """
    import socket
    import urllib.request

    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(INCEPTION_WEIGHTS_URL, timeout=timeout) as r, open(tmp, "wb") as f:
            while chunk := r.read(1 << 20):
                f.write(chunk)
        os.replace(tmp, path)
        return True
    except (OSError, socket.timeout):
        tmp.unlink(missing_ok=True)
        return False


def make_scorer(dataset: str, n_real: int | None = None, store=None, root=None, prefer_inception: bool = True,
                feature: str = "logits", inception_weights: str | os.PathLike | None = None,
                batch_size: int | None = None, classifier_kwargs: dict | None = None, device: str = "cpu"):
    """The scorer the paper uses for ``dataset``, or the labelled fallback.

    * "mnist": :class:`ClassifierScorer` with the pinned MNIST CNN
      (:func:`gancond.classifier.pinned_classifier`: committed weights, checksum verified)
      against the test split (default all 10,000 images), as in the paper (Sec. 3);
      ``prefer_inception`` does not apply.
    * "cifar10", "stl10": :class:`InceptionScorer` against the training split (default
      10,000 images; the standard CIFAR-10 FID uses all 50,000) when ``prefer_inception`` and the Inception weights are at
      :func:`inception_weights_path`. Otherwise one line on stdout says that they are missing,
      and a :class:`ClassifierScorer` with a CNN classifier of that dataset is used against its
      test split, named e.g. "cifar10-cnn/logits (fallback: no Inception weights)": the pinned
      one for CIFAR-10; for STL-10 (no pinned weights) one trained on its training split and kept
      in the run store (:func:`gancond.classifier.train_classifier`, ``classifier_kwargs``).

    Every machine scores with the same pinned weights (issue 28): a classifier retrained per
    machine would differ with the CPU's kernels. The scorer's ``config`` names the weights'
    SHA-256, so it enters every run's id, and :func:`gancond.reach.one_scorer` refuses to compare
    numbers of two scorers.

    ``n_real`` < the split's size takes a seeded random subset (seed 0; the CIFAR-10 JPEG copy
    is sorted by class). Missing Inception weights are fetched once where a network exists
    (:func:`fetch_inception_weights`). ``store``: the run store of an unpinned classifier;
    ``root``: data root of :func:`gancond.data.load_dataset`. ``device``: where the scoring
    network runs (the numbers' identity, and so the runs' ids, do not depend on it).
    """
    from .classifier import PINNED, pinned_classifier, train_classifier
    from .data import DATASETS, dataset_info, load_dataset

    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {sorted(DATASETS)}")
    if n_real is not None and not (isinstance(n_real, int) and n_real >= 2):
        raise ValueError(f"n_real must be an int >= 2 or None, got {n_real!r}")
    if dataset in PINNED and classifier_kwargs:
        raise ValueError(f"the {dataset} scorer uses pinned weights; classifier_kwargs apply only to {sorted(set(DATASETS) - set(PINNED))}")
    info = dataset_info(dataset, root=root)
    data = {"dataset": dataset, "data_source": info.get("source"), "data_lossy": bool(info.get("lossy"))}
    fallback = ""
    if dataset != "mnist":
        weights = inception_weights_path(inception_weights)
        if prefer_inception and not weights.is_file():
            fetch_inception_weights(weights)
        if prefer_inception and weights.is_file():
            x, _ = load_dataset(dataset, "train", root=root)
            return InceptionScorer(_subset(x, n_real or 10_000), weights, batch_size=batch_size or 100,
                                   extra_config={**data, "real_split": "train", "real_subset_seed": 0}, device=device)
        if prefer_inception:
            print(f"gancond.scores: Inception weights missing ({weights}); get {INCEPTION_WEIGHTS_URL} "
                  f"into that folder (or set GANCOND_INCEPTION_WEIGHTS) for the standard IS/FID; "
                  f"using the fallback: a CNN classifier of {dataset}"
                  + (" (lossy JPEG copy)" if info.get("lossy") else "") + ".", file=sys.stdout, flush=True)
            fallback = " (fallback: no Inception weights)"
        else:
            fallback = " (fallback: Inception not requested)"
    if dataset in PINNED:
        clf = pinned_classifier(dataset)
    else:
        clf = train_classifier(dataset, store=store, root=root, **(classifier_kwargs or {}))
    return ClassifierScorer(clf, reference_images(dataset, n_real, root), feature=feature, batch_size=batch_size or 1000,
                            name=f"{clf.name}/{feature}{fallback}",
                            extra_config={**data, "real_split": "test", "real_subset_seed": 0,
                                          "fallback": bool(fallback)}, device=device)


def reference_images(dataset: str, n_real: int | None = None, root=None) -> Tensor:
    """The real images a classifier scorer of ``dataset`` compares with (N, C, H, W): its test
    split, or a seeded random subset of ``n_real`` of them (as :func:`make_scorer` uses)."""
    from .data import load_dataset

    x, _ = load_dataset(dataset, "test", root=root)
    return _subset(x, n_real or x.shape[0])


def _subset(x: Tensor, n: int, seed: int = 0) -> Tensor:
    """All of x if n >= len(x), else a seeded random subset of n (files may be sorted by class)."""
    if n >= x.shape[0]:
        return x
    return x[torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(seed))[:n]]
