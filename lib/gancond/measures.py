"""Conditioning measures of J_z that stay finite when J_z is singular (paper, Appendix A). Pure math.

The paper's measure is log κ(M_z) = 2 log(σ_1/σ_{n_z}) (:func:`gancond.jacobian.log_cond_M`),
set by the two extreme singular values of J_z. Appendix A: "one could imagine other measures of
Jacobian conditioning that less strongly emphasize the extreme singular values ... we expect
that they would also correlate with GAN performance". When J_z is singular (a generator whose
first-layer ReLUs are mostly dead: fewer active units than n_z), σ_{n_z} = 0 and κ is infinite,
in any precision. The two measures here read the spectrum's bulk instead of its smallest value:

- **half-spectrum log-condition** ``log κ½(M_z) = 2 log(σ_1/σ_m)``, m = ⌈n_z/2⌉ (the median
  singular value of J_z): the paper's own ratio with the minimum replaced by the median. It has
  κ's units (nats of an eigenvalue ratio of M_z) and grows with ill-conditioning; it is finite
  while J_z keeps rank ≥ n_z/2.
- **effective rank** ``exp(H(p))``, p_k = σ_k² / Σ_j σ_j² (the eigenvalues of M_z as
  proportions; Roy & Vetterli 2007 with M_z's eigenvalues): between 1 (one direction carries all
  of M_z) and n_z (M_z ∝ I, perfectly conditioned); it *shrinks* with ill-conditioning and is
  finite for any nonzero J_z. Zero singular values contribute 0 to H.

Resolution (as :mod:`gancond.resolution` asks of κ): the singular values come from a float64
J_z (:func:`gancond.jacobian.singular_values`); a value at or below the float64 rank tolerance
σ_1 · max(n_x, n_z) · ε_64 (numpy's ``matrix_rank`` default) is rounding, not a property of G.
``log κ½`` at z is resolved when σ_m is above that tolerance; the effective rank is resolved
whenever σ_1 > 0 (values below the tolerance move H by less than 1e-25).

Shapes: ``sv`` is (B, n_z) singular values of J_z per z, each row in any order.

Used by: chapters 1, 2, 4 and 7 (through :mod:`gancond.appendix_a`, the rules that judge them).
"""

from __future__ import annotations

import math

import torch

__all__ = ["MEASURES", "middle_index", "log_cond_half", "effective_rank", "rank_tolerance", "resolved"]

#: the Appendix-A measures: name -> (sign, label). ``sign`` is +1 when the measure grows with
#: ill-conditioning (as log κ does) and −1 when it shrinks, so ``sign · value`` always orders
#: runs from well- to ill-conditioned.
MEASURES = {
    "log_cond_half": (+1, "log κ½ = 2 log(σ₁/σ_{n_z/2})"),
    "effective_rank": (-1, "effective rank exp H(σ²/Σσ²)"),
}


def _sorted_sv(sv) -> torch.Tensor:
    if not isinstance(sv, torch.Tensor):
        sv = torch.as_tensor(sv)
    if sv.dim() != 2 or sv.shape[0] == 0 or sv.shape[1] == 0:
        raise ValueError(f"sv must be a non-empty 2-D array (B, n_z), got shape {tuple(sv.shape)}")
    sv = sv.double()
    if not torch.isfinite(sv).all() or (sv < 0).any():
        raise ValueError("sv must hold finite, non-negative singular values")
    return sv.sort(dim=1, descending=True).values


def middle_index(n_z: int) -> int:
    """m = ⌈n_z/2⌉, the (1-based) index of the median singular value read by :func:`log_cond_half`."""
    if not (isinstance(n_z, int) and n_z >= 1):
        raise ValueError(f"n_z must be a positive integer, got {n_z!r}")
    return (n_z + 1) // 2


def log_cond_half(sv) -> torch.Tensor:
    """(B,) float64: 2 log(σ_1/σ_m), m = ⌈n_z/2⌉, per z; +inf where σ_m = 0 (nan where σ_1 = 0 too)."""
    s = _sorted_sv(sv)
    top, mid = s[:, 0], s[:, middle_index(s.shape[1]) - 1]
    out = 2.0 * (torch.log(top) - torch.log(mid))
    return torch.where((mid == 0) & (top > 0), torch.full_like(out, math.inf), out)


def effective_rank(sv) -> torch.Tensor:
    """(B,) float64: exp(−Σ p_k log p_k), p_k = σ_k² / Σ σ_j², per z; nan where J_z = 0."""
    s = _sorted_sv(sv)
    lam = s.square()
    p = lam / lam.sum(dim=1, keepdim=True)
    h = -torch.where(p > 0, p * torch.log(p), torch.zeros_like(p)).sum(dim=1)
    return torch.exp(h)


def rank_tolerance(sv, n_x: int) -> torch.Tensor:
    """(B,) float64: σ_1 · max(n_x, n_z) · ε_64, below which a float64 singular value is rounding.
    ``n_x`` is the output size of G (e.g. 784 for MNIST)."""
    s = _sorted_sv(sv)
    if not (isinstance(n_x, int) and n_x >= 1):
        raise ValueError(f"n_x must be a positive integer, got {n_x!r}")
    return s[:, 0] * max(n_x, s.shape[1]) * torch.finfo(torch.float64).eps


def resolved(sv, n_x: int, measure: str) -> torch.Tensor:
    """(B,) bool: whether ``measure`` (a key of :data:`MEASURES`) is resolved at each z (module docstring)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {sorted(MEASURES)}, got {measure!r}")
    s = _sorted_sv(sv)
    tol = rank_tolerance(s, n_x)
    if measure == "effective_rank":
        return s[:, 0] > 0
    return s[:, middle_index(s.shape[1]) - 1] > tol
