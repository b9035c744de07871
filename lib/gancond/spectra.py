"""The spectra of Figures 3-4: average-Jacobian spectra of GAN generators, VAE decoders and
clamped generators (paper §3, Figure 3; §4, Figure 4).

Notation as in :mod:`gancond.jacobian`: J_z (n_x, n_z) is the Jacobian of a network at z, and
a "group" is a set of runs identical up to the seed (the final GAN generators, the final VAE
decoders, the final clamped generators). For every network, on the fixed batch of z the
trainers use:

- :func:`network_spectra`: the singular values σ_k(E_z[J_z]) of the average Jacobian (the
  paper's text, following Hoffman 2017), the square roots of the eigenvalues of the average
  metric E_z[J_zᵀJ_z] (the authors' later metric code; in the units of a singular value), and
  the mean log κ(M_z) (which must equal the one the trainer stored at its last step);
  :func:`group_spectra` stacks them over the runs of a group.
- Per run, from a group's spectra sv (n_runs, n_z): :func:`sigma_1` (the top singular value),
  :func:`mean_log_sigma` (the log of the geometric mean of the σ_k), :func:`log_cond_average`
  (log κ(E_z[J_z]) = log σ_1 / σ_min), all natural logs.
- Across runs: :func:`log_spread` (the across-run standard deviation of log σ_k, averaged over
  k) and :func:`spread_ratio` (one group's spread over another's, with a bootstrap interval;
  Fig. 3's "VAE spectra almost indistinguishable, GAN spectra vary"); :func:`per_index_spread`
  (the spread index by index).
- The chapter's tables: :func:`gan_vae_table` (Fig. 3), :func:`clamping_table` (Fig. 4) and
  :func:`vae_final_table` (the VAEs' final held-out metrics).

The judging of these numbers is :func:`gancond.claims.judge_spectra`.

Used by: chapter 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn

from .analysis import mean_std
from .jacobian import average_jacobian_spectrum, average_metric_eigenvalues, jacobian, log_cond_M, singular_values

__all__ = ["NetworkSpectra", "GroupSpectra", "network_spectra", "group_spectra", "log_spectrum", "sigma_1",
           "mean_log_sigma", "log_cond_average", "log_spread", "spread_or_nan", "SpreadRatio", "spread_ratio",
           "per_index_spread", "gan_vae_table", "clamping_table", "vae_final_table"]

_TINY = 1e-300  # floor of a singular value before its log (a zero σ_k gives a finite, very negative log)


@dataclass(frozen=True, eq=False)
class NetworkSpectra:
    """The spectra of one network on a batch of z."""

    sv: np.ndarray  # (n_z,) σ_k(E_z[J_z]), descending
    sv_metric: np.ndarray  # (n_z,) √λ_k(E_z[J_zᵀJ_z]), descending
    mean_log_cond: float  # mean over the batch of log κ(M_z)


@dataclass(frozen=True, eq=False)
class GroupSpectra:
    """The spectra of the runs of one group, one row per run."""

    sv: np.ndarray  # (n_runs, n_z) σ_k(E_z[J_z])
    sv_metric: np.ndarray  # (n_runs, n_z) √λ_k(E_z[J_zᵀJ_z])
    mean_log_cond: np.ndarray  # (n_runs,) mean log κ(M_z)


def network_spectra(G: nn.Module, z: torch.Tensor, device: str = "cpu") -> NetworkSpectra:
    """σ(E_z[J_z]), √eig(E_z[J_zᵀJ_z]) and the mean log κ(M_z) of one network (Sec. 3, Figs. 3, 4).

    Args:
        G: a generator or decoder mapping (B, n_z) -> (B, ...); moved to ``device`` (in place,
            as ``nn.Module.to`` does) and evaluated in eval mode by :func:`gancond.jacobian.jacobian`.
        z: (B, n_z) the fixed batch of latent vectors.
        device: where J_z is computed; the spectra are computed on the CPU in float64.

    Returns:
        :class:`NetworkSpectra` with two (n_z,) arrays and a float.

    Raises:
        ValueError: z is not a non-empty 2-D floating-point batch matching G's input dimension.
    """
    J = jacobian(G.to(device), z.to(device)).cpu()  # (B, n_x, n_z)
    return NetworkSpectra(average_jacobian_spectrum(J).numpy(), average_metric_eigenvalues(J).sqrt().numpy(),
                          float(log_cond_M(singular_values(J)).mean()))


def group_spectra(networks: Iterable[nn.Module], z: torch.Tensor, device: str = "cpu") -> GroupSpectra:
    """:func:`network_spectra` of every network of a group, stacked (one row per network, in order).

    ``networks`` may be a generator expression: each network is loaded, measured and dropped in turn.

    Raises:
        ValueError: no networks, or a bad z (see :func:`network_spectra`).
    """
    spec = [network_spectra(G, z, device) for G in networks]
    if not spec:
        raise ValueError("a group needs at least one network, got none")
    return GroupSpectra(np.stack([s.sv for s in spec]), np.stack([s.sv_metric for s in spec]),
                        np.array([s.mean_log_cond for s in spec]))


def _as_spectra(sv, name: str = "sv", min_runs: int = 1) -> np.ndarray:
    a = np.asarray(sv, dtype=float)
    if a.ndim != 2 or a.shape[1] == 0 or a.shape[0] < min_runs:
        raise ValueError(f"{name} must be a 2-D array (n_runs, n_z) with at least {min_runs} run(s) and one index, "
                         f"got shape {a.shape}")
    return a


def log_spectrum(sv) -> np.ndarray:
    """Natural log of each σ_k, floored at 1e-300 so a zero singular value stays finite.

    sv (n_runs, n_z) -> (n_runs, n_z). Raises ValueError if sv is not 2-D and non-empty.
    """
    return np.log(np.clip(_as_spectra(sv), _TINY, None))


def sigma_1(sv) -> np.ndarray:
    """The top singular value σ_1(E_z[J_z]) of each run: sv (n_runs, n_z), descending rows -> (n_runs,)."""
    return _as_spectra(sv)[:, 0]


def mean_log_sigma(sv) -> np.ndarray:
    """Mean over k of log σ_k of each run, the log of the geometric mean of the spectrum:
    sv (n_runs, n_z) -> (n_runs,)."""
    return log_spectrum(sv).mean(axis=1)


def log_cond_average(sv) -> np.ndarray:
    """log κ(E_z[J_z]) = log σ_1 / σ_min of each run (σ_min floored at 1e-300): sv (n_runs, n_z)
    with descending rows -> (n_runs,)."""
    a = _as_spectra(sv)
    return np.log(a[:, 0] / np.clip(a[:, -1], _TINY, None))


def log_spread(log_sv) -> float:
    """Mean over k of the across-run standard deviation (ddof 1) of log σ_k.

    Args:
        log_sv: (n_runs, n_z) log spectra (:func:`log_spectrum`), n_runs >= 2.

    Raises:
        ValueError: not 2-D, or fewer than 2 runs (a spread across runs needs two).
    """
    return float(_as_spectra(log_sv, "log_sv", 2).std(axis=0, ddof=1).mean())


@dataclass(frozen=True)
class SpreadRatio:
    """log_spread(a) / log_spread(b) with its bootstrap interval."""

    value: float
    low: float  # nan when no resample had a spread in b
    high: float
    level: float

    def __str__(self) -> str:
        return f"{self.value:.2f} ({100 * self.level:.0f}% bootstrap interval [{self.low:.2f}, {self.high:.2f}])"


def spread_ratio(a, b, n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> SpreadRatio:
    """How many times more the spectra of group a vary from run to run than those of group b.

    The value is ``log_spread(a) / log_spread(b)``; the interval is the central ``level``
    percentile range over ``n_boot`` resamples, the runs of a and of b resampled separately
    (indices of a drawn first, then of b, from one ``numpy.random.default_rng(seed)``).
    Resamples in which b has no spread (one of its runs drawn every time) are skipped.

    Args:
        a, b: (n_a, n_z), (n_b, n_z) log spectra (:func:`log_spectrum`), each of at least 2 runs.

    Raises:
        ValueError: a shape is bad, a group has fewer than 2 runs, the n_z differ, or b has no spread.
    """
    a, b = _as_spectra(a, "a", 2), _as_spectra(b, "b", 2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"a and b must have one n_z, got shapes {a.shape} and {b.shape}")
    sb_all = log_spread(b)
    if sb_all == 0:
        raise ValueError("the reference group b has no spread")
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        sa, sb = log_spread(a[rng.integers(0, len(a), len(a))]), log_spread(b[rng.integers(0, len(b), len(b))])
        if sb > 0:
            boots.append(sa / sb)
    q = (1 - level) / 2
    lo, hi = np.quantile(boots, [q, 1 - q]) if boots else (np.nan, np.nan)
    return SpreadRatio(log_spread(a) / sb_all, float(lo), float(hi), level)


def spread_or_nan(log_sv: np.ndarray) -> float:
    """:func:`log_spread` of ``log_sv`` (n_runs, n_z), nan for a single run (no spread to measure)."""
    return log_spread(log_sv) if len(log_sv) >= 2 else float("nan")


def per_index_spread(log_sv: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The across-run standard deviation (ddof 1) of log σ_k at each index k, per group.

    Args:
        log_sv: group name -> (n_runs, n_z) log spectra, one n_z for all (a group of one run
            gives nan).

    Returns:
        DataFrame with column ``k`` (1..n_z) and one column per group, named by the group.

    Raises:
        ValueError: no groups, a bad shape, or groups of different n_z.
    """
    arrs = {name: _as_spectra(v, f"log_sv[{name!r}]") for name, v in log_sv.items()}
    if not arrs or len({a.shape[1] for a in arrs.values()}) != 1:
        raise ValueError(f"need at least one group, all of one n_z; got shapes {[a.shape for a in arrs.values()]}")
    n_z = next(iter(arrs.values())).shape[1]
    cols = {name: a.std(axis=0, ddof=1) if len(a) >= 2 else np.full(n_z, np.nan) for name, a in arrs.items()}
    return pd.DataFrame({"k": np.arange(1, n_z + 1), **cols})


def _final(values, n: int, name: str) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(v) != n:
        raise ValueError(f"{name} must hold one value per run ({n}), got shape {v.shape}")
    return v


def gan_vae_table(sv_gan, sv_vae, final_gan, final_vae) -> pd.DataFrame:
    """Fig. 3's summary, GAN generators vs VAE decoders, one row each (means over runs).

    Args:
        sv_gan, sv_vae: (n_runs, n_z) σ_k(E_z[J_z]) of each group.
        final_gan, final_vae: (n_runs,) the final mean log κ(M_z) the trainers stored.

    Returns:
        Columns: network; σ_1(E[J]); geometric mean σ_k(E[J]); log σ_1 / σ_min of E[J]; the
        across-run spread of log σ_k (:func:`log_spread`; nan for one run); final mean log κ(M_z).
    """
    groups = [(_as_spectra(sv_gan, "sv_gan"), final_gan), (_as_spectra(sv_vae, "sv_vae"), final_vae)]
    rows = []
    for sv, final in groups:
        log_sv = log_spectrum(sv)
        rows.append([sigma_1(sv).mean(), np.exp(log_sv.mean(axis=1)).mean(), (log_sv[:, 0] - log_sv[:, -1]).mean(),
                     spread_or_nan(log_sv), np.mean(_final(final, len(sv), "final mean log κ"))])
    cols = ["σ_1(E[J]) (mean over runs)", "geometric mean σ_k(E[J])", "log σ_1 / σ_min of E[J]",
            "across-run spread of log σ_k", "final mean log κ(M_z)"]
    return pd.DataFrame({"network": ["GAN generator", "VAE decoder"],
                         **{c: [r[i] for r in rows] for i, c in enumerate(cols)}})


def clamping_table(sv_plain, sv_clamped, final_plain, final_clamped) -> pd.DataFrame:
    """Fig. 4's summary, final generators without and with Jacobian Clamping, one row each.

    Args:
        sv_plain, sv_clamped: (n_runs, n_z) σ_k(E_z[J_z]) of each condition.
        final_plain, final_clamped: (n_runs,) the final mean log κ(M_z) the trainers stored.

    Returns:
        Columns: condition; σ_1(E[J]) (mean); log κ(E[J]) as "mean ± sd" over runs (2 decimals);
        the across-run spread of log σ_k (nan for one run); final mean log κ(M_z).
    """
    groups = [(_as_spectra(sv_plain, "sv_plain"), final_plain), (_as_spectra(sv_clamped, "sv_clamped"), final_clamped)]
    rows = []
    for sv, final in groups:
        rows.append([sigma_1(sv).mean(), "{:.2f} ± {:.2f}".format(*mean_std(log_cond_average(sv))),
                     spread_or_nan(log_spectrum(sv)), np.mean(_final(final, len(sv), "final mean log κ"))])
    cols = ["σ_1(E[J]) (mean over runs)", "log κ(E[J]) = log σ_1 / σ_min (mean ± sd)", "across-run spread of log σ_k",
            "final mean log κ(M_z)"]
    return pd.DataFrame({"condition": ["without clamping", "with clamping"],
                         **{c: [r[i] for r in rows] for i, c in enumerate(cols)}})


_VAE_COLUMNS = ("test_elbo", "test_loglik", "test_kl", "active_units", "mean_log_cond")


def vae_final_table(metrics: Sequence[pd.DataFrame], seeds: Sequence[int]) -> pd.DataFrame:
    """The VAE runs' final held-out metrics, one row per run (nats per image).

    Args:
        metrics: each run's metrics table (:func:`gancond.vae.train_vae`; columns test_elbo,
            test_loglik, test_kl, active_units, mean_log_cond; last row = final evaluation).
        seeds: each run's seed, same order.

    Raises:
        ValueError: the lengths differ, there are no runs, a table is empty or lacks a column.
    """
    if len(metrics) != len(seeds) or not metrics:
        raise ValueError(f"need one seed per metrics table and at least one run, got {len(metrics)} and {len(seeds)}")
    for m in metrics:
        missing = [c for c in _VAE_COLUMNS if c not in m.columns]
        if missing or len(m) == 0:
            raise ValueError(f"a VAE metrics table is empty or lacks {missing}")
    return pd.DataFrame({
        "seed": list(seeds),
        "test ELBO [nats]": [m["test_elbo"].iloc[-1] for m in metrics],
        "test log p(x|z) [nats]": [m["test_loglik"].iloc[-1] for m in metrics],
        "test KL [nats]": [m["test_kl"].iloc[-1] for m in metrics],
        "active units": [int(m["active_units"].iloc[-1]) for m in metrics],
        "final mean log κ(M_z)": [m["mean_log_cond"].iloc[-1] for m in metrics],
    })
