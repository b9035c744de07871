"""Per-z generator Jacobians and their conditioning (pure math: tensors in, tensors out).

Notation of the paper's Sec. 2 ("Mathematical Background and Notation"): a generator
G : z in R^{n_z} -> x in R^{n_x} has at each z the Jacobian J_z in R^{n_x x n_z},
(J_z)_{ij} = dG(z)_i / dz_j, and the metric tensor M_z = J_z^T J_z (n_z x n_z). By eq. 5 the
eigenvalues of M_z are the squared singular values of J_z, so everything here is computed
from the singular values ``sv`` of J_z itself, never from J_z^T J_z (forming the product
squares the condition number and loses half of the float precision).

The paper's quantity is the condition number of M_z, kappa(M_z) = lambda_max / lambda_min
= (sigma_max / sigma_min)^2, reported as a natural log and averaged over a fixed batch of z
(Sec. 3, Figs. 1 and 2). ``log_cond_M`` is that quantity; ``log_cond_J`` = log kappa(J_z) is
half of it. Public metric code (google/compare_gan) reports log kappa(J^T J), i.e. the same
number as ``log_cond_M``.

Used by: chapters 3 and 4; every chapter through the trainers' logging of the mean log-condition
number (chapters 1 and 6 cite it); the page "Use it in your own GAN" (chapters/use_in_your_gan).
"""

from __future__ import annotations

import contextlib
import math
import warnings

import torch
from torch import nn
from torch.func import jvp, vmap

__all__ = [
    "jacobian",
    "singular_values",
    "log_cond_J",
    "log_cond_M",
    "mean_log_cond",
    "average_jacobian_spectrum",
    "average_metric_eigenvalues",
]

# Every batch of z given to G is padded (with copies of its first z, dropped afterwards) to a
# multiple of this many rows. CPU BLAS kernels sum the rows in the ragged tail of a matrix
# product (and single rows) in a different order than rows in full blocks, so without the
# padding the last bits of a z's Jacobian would depend on the chunk it happens to fall in.
# Multiples of 8 were batch-invariant for float32 and float64 on the reference machine
# (MKL, x86-64); 16 leaves a margin. tests/test_jacobian.py checks the bit-identity.
_ROW_ALIGN = 16


def _input_dim(G: nn.Module) -> int | None:
    """n_z of G if it declares it (``z_dim`` as in gancond.models, or ``in_features``)."""
    for name in ("z_dim", "in_features"):
        n = getattr(G, name, None)
        if isinstance(n, int):
            return n
    return None


def _check_z(G: nn.Module, z: torch.Tensor) -> None:
    if not isinstance(z, torch.Tensor) or z.dim() != 2:
        shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        raise ValueError(f"z must be a 2-D tensor (B, n_z), got {shape}")
    if z.shape[0] == 0:
        raise ValueError("z must hold at least one latent vector, got an empty batch")
    if not z.is_floating_point():
        raise ValueError(f"z must be a floating-point tensor, got dtype {z.dtype}")
    n_z = _input_dim(G)
    if n_z is not None and z.shape[1] != n_z:
        raise ValueError(f"z.shape[1] must equal G's input dimension {n_z}, got {z.shape[1]}")


def _check_chunk_size(chunk_size: int | None) -> None:
    if chunk_size is None:
        return
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size <= 0:
        raise ValueError(f"chunk_size must be a positive int or None, got {chunk_size!r}")


def _check_J(J: torch.Tensor) -> None:
    if not isinstance(J, torch.Tensor) or J.dim() != 3 or J.shape[0] == 0:
        shape = tuple(J.shape) if isinstance(J, torch.Tensor) else type(J).__name__
        raise ValueError(f"J must be a non-empty 3-D tensor (B, n_x, n_z), got {shape}")


def _jacobian_chunk(G: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """J for one chunk of z (b, n_z) -> (b, n_x, n_z); G already in eval mode."""
    b, n_z = z.shape
    pad = -b % _ROW_ALIGN
    if pad:
        z = torch.cat([z, z[:1].expand(pad, n_z)])  # dummy rows, dropped below
    rows = z.shape[0]

    def g(zz: torch.Tensor) -> torch.Tensor:
        return G(zz).reshape(rows, -1)  # (rows, n_x)

    def column(v: torch.Tensor) -> torch.Tensor:  # v: (rows, n_z), the same e_j in every row
        return jvp(g, (z,), (v,))[1]  # (rows, n_x) = J_z e_j for every z

    basis = torch.eye(n_z, dtype=z.dtype, device=z.device)  # (n_z, n_z)
    tangents = basis.unsqueeze(1).expand(n_z, rows, n_z)  # (n_z, rows, n_z)
    cols = vmap(column)(tangents)  # (n_z, rows, n_x): n_z JVPs, batched over the z's
    return cols[:, :b].permute(1, 2, 0).contiguous()  # (b, n_x, n_z)


@contextlib.contextmanager
def no_tf32():
    """Turn TF32 off for CUDA matmuls and convolutions inside the block, and restore the flags.

    TF32 keeps about 10 bits of mantissa (relative error ~1e-3), while a log κ(M_z) of 12–20
    needs σ_min/σ_max down to 1e-4–1e-5 resolved; Jacobians and scores are computed without it.
    No effect on a CPU.
    """
    old = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old


def jacobian(G: nn.Module, z: torch.Tensor, chunk_size: int | None = None) -> torch.Tensor:
    """Per-z Jacobians J_z of G, (J_z)_{ij} = dG(z)_i / dz_j (paper Sec. 2).

    Forward mode: ``torch.func.jvp`` vmapped over the n_z basis directions e_j and batched
    over the z's, i.e. n_z Jacobian-vector products instead of n_x vector-Jacobian products.
    G runs in eval mode (BatchNorm uses its running statistics), so J_z depends on z alone and
    not on the rest of the batch; the previous train/eval mode of every submodule is restored
    afterwards, also on error. No autograd graph is built (the result does not require grad).

    Args:
        G: generator mapping (B, n_z) -> (B, ...) with n_x = prod(...) outputs per z, e.g.
            ``gancond.models.Generator`` with output (B, C, H, W), n_x = C*H*W. It must treat
            the z's of a batch independently in eval mode.
        z: (B, n_z) latent vectors, in G's dtype (float32, or float64 after ``G.double()``).
        chunk_size: how many z's go through G at once, to bound memory (None = all B).
            The result is bit-identical whatever the chunking (chunks are padded internally
            to a multiple of 16 rows, so memory scales with max(chunk_size, 16)).

    Returns:
        J: (B, n_x, n_z) in z's dtype.

    Raises:
        ValueError: z is not 2-D / empty / not floating point, z.shape[1] differs from G's
            declared input dimension (``G.z_dim`` or ``G.in_features``), or chunk_size is
            not a positive int or None.
    """
    _check_z(G, z)
    _check_chunk_size(chunk_size)
    step = z.shape[0] if chunk_size is None else chunk_size
    modes = [(m, m.training) for m in G.modules()]
    try:
        G.eval()
        with torch.no_grad(), no_tf32(), warnings.catch_warnings():  # no graph through the weights
            # torch's first forward-mode call scripts its JVP decompositions and warns that
            # torch.jit.script is deprecated: torch's own internals, nothing for a reader to act on
            warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*is deprecated", category=FutureWarning)
            return torch.cat([_jacobian_chunk(G, zc) for zc in z.split(step)])
    finally:
        for m, training in modes:
            m.training = training


def singular_values(J: torch.Tensor) -> torch.Tensor:
    """Singular values of each J_z, computed in float64 from J itself (not J^T J).

    Args:
        J: (B, n_x, n_z) per-z Jacobians (from ``jacobian``).

    Returns:
        sv: (B, n_z) float64, each row descending. By the paper's eq. 5 these squared are the
        eigenvalues of M_z = J_z^T J_z. If n_x < n_z the missing n_z - n_x values are the
        zero eigenvalues of the rank-deficient M_z and are filled with 0.
    """
    _check_J(J)
    if J.device.type == "mps":  # no float64 on Apple GPUs: the SVD runs on the CPU
        J = J.cpu()
    sv = torch.linalg.svdvals(J.double())  # (B, min(n_x, n_z)), descending
    missing = J.shape[2] - sv.shape[1]
    if missing > 0:
        sv = torch.cat([sv, sv.new_zeros(sv.shape[0], missing)], dim=1)
    return sv


def _check_sv(sv: torch.Tensor) -> None:
    if not isinstance(sv, torch.Tensor) or sv.dim() != 2 or sv.shape[0] == 0 or sv.shape[1] == 0:
        shape = tuple(sv.shape) if isinstance(sv, torch.Tensor) else type(sv).__name__
        raise ValueError(f"sv must be a non-empty 2-D tensor (B, n_z), got {shape}")


def log_cond_J(sv: torch.Tensor) -> torch.Tensor:
    """Natural log of kappa(J_z) = sigma_max / sigma_min, per z.

    Args:
        sv: (B, n_z) singular values (from ``singular_values``; order does not matter).

    Returns:
        (B,) log sigma_max - log sigma_min, in sv's dtype. A zero sigma_min (a singular J_z,
        including J_z = 0) gives +inf, never NaN.
    """
    _check_sv(sv)
    s_max, s_min = sv.amax(dim=1), sv.amin(dim=1)
    out = torch.log(s_max) - torch.log(s_min)
    return torch.where(s_min == 0, torch.full_like(out, math.inf), out)


def log_cond_M(sv: torch.Tensor) -> torch.Tensor:
    """Natural log of kappa(M_z), M_z = J_z^T J_z: the paper's quantity (Sec. 2, 3; Figs. 1, 2).

    kappa(M_z) = lambda_max / lambda_min = (sigma_max / sigma_min)^2 by eq. 5, so this is
    2 * (log sigma_max - log sigma_min), computed from the singular values of J_z.

    Args:
        sv: (B, n_z) singular values of J_z.

    Returns:
        (B,) log kappa(M_z). A zero sigma_min gives +inf, never NaN.
    """
    return 2.0 * log_cond_J(sv)


def mean_log_cond(
    G: nn.Module, z: torch.Tensor, chunk_size: int | None = None
) -> tuple[float, torch.Tensor]:
    """The paper's mean log-condition number of M_z over a fixed batch of z (Sec. 3).

    Fig. 1 (top row) plots the mean over the batch, Fig. 2 the per-z values.

    Args:
        G: generator (see ``jacobian``); evaluated in eval mode, its mode is restored.
        z: (B, n_z) fixed latent vectors.
        chunk_size: z's per Jacobian computation (None = all); only memory depends on it.

    Returns:
        (mean, per_z): mean is a Python float (inf if any J_z is singular); per_z is the
        (B,) float64 tensor of log kappa(M_z).
    """
    _check_z(G, z)
    _check_chunk_size(chunk_size)
    step = z.shape[0] if chunk_size is None else chunk_size
    per_z = torch.cat([log_cond_M(singular_values(jacobian(G, zc))) for zc in z.split(step)])
    return float(per_z.mean()), per_z


def average_jacobian_spectrum(J: torch.Tensor) -> torch.Tensor:
    """Singular values of the average Jacobian E_z[J_z] over the batch (Sec. 3, Figs. 3, 4).

    This is the paper's text reading ("the spectrum of the average (across a batch of z)
    Jacobian", following Hoffman 2017).

    Args:
        J: (B, n_x, n_z) per-z Jacobians.

    Returns:
        (n_z,) float64, descending (zeros fill in when n_x < n_z).
    """
    _check_J(J)
    return singular_values(J.double().mean(dim=0, keepdim=True))[0]


def average_metric_eigenvalues(J: torch.Tensor) -> torch.Tensor:
    """Eigenvalues of the average metric tensor E_z[M_z] = E_z[J_z^T J_z] over the batch.

    The reading of google/compare_gan's metric code for the average spectrum; it differs
    from ``average_jacobian_spectrum`` (cancellations between J_z of opposite sign vanish in
    the mean of J_z but not in the mean of J_z^T J_z). Its square roots are comparable to the
    singular values returned there.

    Args:
        J: (B, n_x, n_z) per-z Jacobians.

    Returns:
        (n_z,) float64, descending, tiny negative round-off clamped to 0.
    """
    _check_J(J)
    Jd = J.double()
    M = torch.einsum("bij,bik->jk", Jd, Jd) / Jd.shape[0]  # (n_z, n_z), E_z[J_z^T J_z]
    M = 0.5 * (M + M.T)  # exactly symmetric for eigvalsh
    return torch.linalg.eigvalsh(M).flip(0).clamp_min(0.0)
