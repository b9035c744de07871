"""Jacobian Clamping (the paper's Algorithm 1, §4) and the paper's way to pick λ.

Algorithm 1, for a batch z (B, n_z):

    δ ~ N(0, I),  δ := ε·δ/‖δ‖,  z' = z + δ
    Q = ‖G(z) − G(z')‖ / ‖z − z'‖
    L = (max(Q, λ_max) − λ_max)² + (min(Q, λ_min) − λ_min)²

and L is added to the generator loss. Two readings of the norms exist in public code
(``shared/REFERENCES.md``); both are offered through ``q_mode``:

- ``"per_sample"`` (default; the paper's text asks for all singular values of J_z inside
  [λ_min, λ_max] "for all z"): δ_b is normalised per sample, Q_b = ‖G(z_b) − G(z'_b)‖ / ε
  for each b, and L is the batch mean of the per-sample penalties;
- ``"batch"``: δ is normalised over the whole batch (‖δ‖_F = ε) and one Q is formed from the
  batch norms ‖G(z) − G(z')‖_F / ‖δ‖_F.

G(z) and G(z') are computed in one forward pass of the concatenated batch (2B, n_z), so in
training mode BatchNorm statistics are shared between the two halves.

Used by: chapters 1-6 through :mod:`gancond.train` and :mod:`gancond.wgan` (the penalty), and
chapters 1-4 through :mod:`gancond.arms` (the calibrated band of chapter 2); the page "Use it in
your own GAN" (chapters/use_in_your_gan).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import torch

from torch import nn

from .jacobian import call_generator, check_parameters
from .jacobian import _check_callable, _check_labels, _check_output, _check_z

__all__ = ["ClampOutput", "check_lambdas", "clamp_penalty", "jacobian_clamping", "quotient", "calibrate_lambdas",
           "lambdas_from_q"]

Q_MODES = ("per_sample", "batch")


def _as_float(name: str, v) -> float:
    """``v`` as a Python float: any real number (int, float, numpy scalar) or a one-element tensor."""
    if isinstance(v, torch.Tensor) and v.numel() == 1 and (v.is_floating_point() or not v.dtype == torch.bool):
        v = v.detach().item()
    if isinstance(v, bool) or isinstance(v, np.bool_) or not isinstance(v, numbers.Real):
        raise ValueError(f"{name} must be a finite number, got {v!r}")
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number, got {v!r}")
    return v


def check_lambdas(lambda_min: float, lambda_max: float, eps: float = 1.0,
                  q_mode: str = "per_sample") -> tuple[float, float, float]:
    """Raise ValueError unless 0 <= λ_min < λ_max (finite), ε > 0 (finite) and q_mode is known;
    return (λ_min, λ_max, ε) as floats (numpy scalars and one-element tensors are accepted)."""
    lambda_min, lambda_max, eps = (_as_float(n, v) for n, v in (("lambda_min", lambda_min),
                                                                ("lambda_max", lambda_max), ("eps", eps)))
    if lambda_min < 0:
        raise ValueError(f"lambda_min must be >= 0, got {lambda_min}")
    if not lambda_min < lambda_max:
        raise ValueError(f"lambda_min must be < lambda_max, got lambda_min={lambda_min}, lambda_max={lambda_max}")
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    if q_mode not in Q_MODES:
        raise ValueError(f"q_mode must be one of {Q_MODES}, got {q_mode!r}")
    return lambda_min, lambda_max, eps


def clamp_penalty(Q: torch.Tensor, lambda_min: float, lambda_max: float) -> torch.Tensor:
    """Mean over Q of (max(Q, λ_max) − λ_max)² + (min(Q, λ_min) − λ_min)²; a scalar tensor."""
    L_max = (torch.clamp(Q, min=lambda_max) - lambda_max) ** 2
    L_min = (torch.clamp(Q, max=lambda_min) - lambda_min) ** 2
    return (L_max + L_min).mean()


def quotient(x: torch.Tensor, x_prime: torch.Tensor, delta: torch.Tensor, q_mode: str = "per_sample") -> torch.Tensor:
    """Q of Algorithm 1 from outputs x = G(z), x' = G(z + δ) (B, ...) and δ (B, n_z).

    Returns (B,) for ``per_sample`` and a 1-element tensor for ``batch``.
    """
    dx = (x - x_prime).flatten(1)  # (B, n_x)
    if q_mode == "per_sample":
        return dx.norm(dim=1) / delta.norm(dim=1)
    return (dx.norm() / delta.norm()).reshape(1)


@dataclass
class ClampOutput:
    """What :func:`jacobian_clamping` returns.

    Attributes:
        penalty: the scalar L of Algorithm 1, differentiable w.r.t. G's parameters: add it to
            G's loss.
        Q: the quotients, detached, for logging: (B,) with ``q_mode="per_sample"``, (1,) with
            ``"batch"``.
        x: G(z), (B, ...), differentiable: use it for the GAN loss on the same z.
    """

    penalty: torch.Tensor  # scalar L, differentiable w.r.t. G's parameters (documented above: Attributes)
    Q: torch.Tensor  # (B,) per_sample or (1,) batch, detached, for logging
    x: torch.Tensor  # G(z) (B, C, H, W), differentiable; use it for the GAN loss on z


def jacobian_clamping(G: torch.nn.Module, z: torch.Tensor, lambda_min: float = 1.0, lambda_max: float = 20.0,
                      eps: float = 1.0, q_mode: str = "per_sample",
                      generator: torch.Generator | None = None, *,
                      labels: torch.Tensor | None = None) -> ClampOutput:
    """Algorithm 1 on the batch z (B, n_z): one forward pass of [z; z + δ] through G.

    Args:
        G: any ``torch.nn.Module`` (or callable) mapping z (B, n_z) to a tensor (B, ...); its
            current train/eval mode is used as it is (a training step runs it in train mode).
        z: latent batch (B, n_z).
        lambda_min, lambda_max: target band for Q (paper: 1 and 20), 0 <= λ_min < λ_max.
        eps: the norm of the perturbation δ (paper: 1), > 0.
        q_mode: ``"per_sample"`` (one Q per z, L their mean) or ``"batch"`` (one Q from the
            batch norms; see the module docstring).
        generator: random generator for δ (for reproducible training).
        labels: for a conditional G, a tensor (B, ...) whose row i goes with z[i]; G is called
            as G([z; z + δ], [labels; labels]). A closure of z alone (not an ``nn.Module``) is
            called on z and on z + δ separately, B rows each.

    Returns:
        ClampOutput: ``penalty`` (the scalar L to add to G's loss), ``Q`` (detached), ``x`` = G(z).

    Raises:
        ValueError: a bad λ_min, λ_max, eps or q_mode (see ``check_lambdas``; numpy scalars
            and one-element tensors are accepted), z not a non-empty finite floating-point
            (B, n_z) tensor on G's device in G's dtype, labels without one row per z, an eps
            that z's dtype cannot resolve, a batch of one z through BatchNorm in train mode,
            G failing on z (named), or G's output without one row per input. Nothing has gone
            through G when one of the input checks fails, so BatchNorm's statistics are untouched.
        TypeError: G is not callable, or its output is not a tensor.
    """
    lambda_min, lambda_max, eps = check_lambdas(lambda_min, lambda_max, eps, q_mode)
    _check_callable(G)
    _check_z(G, z)
    _check_labels(labels, z)
    check_parameters(G, z)
    if z.shape[0] == 1 and isinstance(G, nn.Module) and any(
            isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)) and m.training
            for m in G.modules()):
        raise ValueError("a batch of one z with G in train mode: its BatchNorm layers would normalise over z and "
                         "z + δ alone, which changes Q; clamp batches of B >= 2 (or call G.eval())")
    delta = torch.randn(z.shape, generator=generator, dtype=z.dtype).to(z.device)  # (B, n_z)
    if q_mode == "per_sample":
        delta = eps * delta / delta.norm(dim=1, keepdim=True)
    else:
        delta = eps * delta / delta.norm()
    z_prime = z + delta
    _check_resolved(z, z_prime, eps, q_mode)
    if isinstance(G, nn.Module):  # one pass of [z; z + δ]: shared BatchNorm statistics
        zz = torch.cat([z, z_prime])  # (2B, n_z)
        out = call_generator(G, zz, None if labels is None else torch.cat([labels, labels]).to(z.device))
        _check_output(out, zz.shape[0])  # (2B, C, H, W)
        x, x_prime = out[: z.shape[0]], out[z.shape[0]:]
    else:  # a closure of z may hold per-row data for exactly B rows: z and z + δ go through separately
        lab = None if labels is None else labels.to(z.device)
        x, x_prime = call_generator(G, z, lab), call_generator(G, z_prime, lab)
        _check_output(x, z.shape[0])
        _check_output(x_prime, z.shape[0])
    Q = quotient(x, x_prime, delta, q_mode)
    return ClampOutput(clamp_penalty(Q, lambda_min, lambda_max), Q.detach(), x)


def _check_resolved(z: torch.Tensor, z_prime: torch.Tensor, eps: float, q_mode: str) -> None:
    """Raise ValueError unless z' − z has norm ε (within 1%) in z's dtype: an ε that z's precision
    cannot resolve at these z (rounding, or δ underflowing) would give Q = 0 or nan silently."""
    with torch.no_grad():
        d = (z_prime - z).double()
        got = d.norm(dim=1) if q_mode == "per_sample" else d.norm().reshape(1)
        if bool(((got - eps).abs() <= 0.01 * eps).all()):
            return
        floor = 100 * torch.finfo(z.dtype).eps * float(z.abs().max()) * math.sqrt(z.shape[1])
    raise ValueError(f"eps={eps:g} is not resolved in {z.dtype} at these z: ‖(z + δ) − z‖ is "
                     f"{float(got.min()):.3g}–{float(got.max()):.3g} instead of {eps:g}, so Q would be rounding; "
                     f"use eps >= about {floor:.1e} (the paper's is 1)")


def calibrate_lambdas(q_by_run: Mapping[str, Sequence[float]], scores: Mapping[str, float],
                      good_fraction: float = 0.5, coverage: float = 0.9,
                      higher_is_better: bool = True) -> dict:
    """The paper's procedure for λ (Sec. 4, "how we chose the values of the hyperparameters").

    "We looked at the empirical value of the quotient Q during training without Jacobian
    Clamping. We set λ_min, λ_max such that the runs that achieved good scores had Q mostly
    lying between those two values." Made concrete: the runs whose final score is in the best
    ``good_fraction`` are 'good'; their pooled Q values give λ_min and λ_max as the central
    ``coverage`` interval (quantiles (1 − coverage)/2 and (1 + coverage)/2).

    Args:
        q_by_run: run id -> Q values observed during its (unclamped) training.
        scores: run id -> final score of that run.
        good_fraction: fraction of runs counted as good (at least one run).
        coverage: fraction of the good runs' Q that must lie inside [λ_min, λ_max].
        higher_is_better: False for distances such as the Fréchet distance.

    Returns:
        dict with ``lambda_min``, ``lambda_max``, ``good_runs`` (ids) and ``n_q`` (values pooled).
    """
    if not 0 < good_fraction <= 1:
        raise ValueError(f"good_fraction must be in (0, 1], got {good_fraction}")
    missing = set(scores) ^ set(q_by_run)
    if not scores or missing:
        raise ValueError(f"q_by_run and scores must name the same, non-empty set of runs (differ on {sorted(missing)})")
    ranked = sorted(scores, key=lambda r: scores[r], reverse=higher_is_better)
    good = ranked[: max(1, int(round(good_fraction * len(ranked))))]
    q = np.concatenate([np.asarray(q_by_run[r], dtype=float).ravel() for r in good])
    q = q[np.isfinite(q)]
    if q.size == 0:
        raise ValueError("the good runs have no finite Q values")
    lo, hi = lambdas_from_q(q, coverage)
    return {"lambda_min": lo, "lambda_max": hi, "good_runs": good, "n_q": int(q.size)}


def lambdas_from_q(q, coverage: float = 0.9) -> tuple[float, float]:
    """(λ_min, λ_max): the central ``coverage`` interval of Q values from runs that scored well.

    The last step of :func:`calibrate_lambdas`, for Q values already chosen: λ_min and λ_max are
    the (1 − coverage)/2 and (1 + coverage)/2 quantiles (linear interpolation) of the finite
    values of ``q`` (non-finite ones are dropped). A band ready for :func:`jacobian_clamping`.

    Args:
        q: Q values (a tensor, array or sequence of any shape; e.g. ``ClampOutput.Q`` logged
            during unclamped training of good runs), each >= 0.
        coverage: fraction of them the band must hold, in (0, 1).

    Raises:
        ValueError: coverage outside (0, 1); q with no finite value or a negative one; q
            without spread (the band would be empty).
    """
    if not (isinstance(coverage, (int, float)) and 0 < coverage < 1):
        raise ValueError(f"coverage must be in (0, 1), got {coverage!r}")
    if isinstance(q, torch.Tensor):
        q = q.detach().cpu().double().numpy()
    q = np.asarray(q, dtype=float).ravel()
    q = q[np.isfinite(q)]
    if q.size == 0:
        raise ValueError("q must hold at least one finite Q value")
    if (q < 0).any():
        raise ValueError(f"q must be >= 0 (a ratio of norms), got a minimum of {q.min()}")
    lo, hi = np.quantile(q, [(1 - coverage) / 2, (1 + coverage) / 2])
    if not lo < hi:
        raise ValueError(f"q has no spread inside the central {coverage:g} (both quantiles are {lo}): no band")
    return float(lo), float(hi)
