"""What a generator does on random z: the memorizing generator collapses onto its memorized "4".

The memorizing generator of Appendix B.1 (:mod:`gancond.memorize`) reproduces its memorized
(z, target) pairs (Fig. 8). On z it never saw, the paper finds that it mostly draws the copied
four, or blurry four- and nine-like shapes (Fig. 9), that a classifier finds few other digits
among its samples (Fig. 10: mode collapse and mode dropping), and that its scores fall from the
memorized to the random z (classifier score 4.95 -> 2.22, Fréchet distance 118 -> 240), while
its mean log-condition number stays below the GAN runs' (Fig. 11). The numbers behind those
statements, per run:

- :func:`memorization_table`: :func:`gancond.memorize.memorization_stats` of every run, with
  the reconstruction errors of its last evaluation on the whole memorized set (Fig. 8).
- :func:`target_fractions`, :func:`four_prevalence`: the label mix of the memorized targets
  (a generator that merely reproduced it would label that share of its samples 4).
- :func:`reference_fours`: the training fours that set the radius "near the copied four".
- :func:`random_z_stats` -> :class:`RandomZ`: label fractions of samples from random z and the
  least-sampled class count of the first ``n_modes`` of them (the missing-mode count of Sec. 3,
  :func:`gancond.scores.mode_statistics`), and the share of samples near the copied four
  (:func:`gancond.claims.near_copy_share`, the rule of the collapse claim).
- :func:`score_sets` -> :class:`ScoreSets`, :func:`final_scores`, :func:`score_table`: classifier
  score and Fréchet distance of the memorized targets, of G at memorized z and at random z, and
  of the GAN runs (the paper's 4.95 -> 2.22 and 118 -> 240), with the random/memorized ratios.
- :func:`equal_steps` -> :class:`EqualSteps`: conditioning at equal steps, the memorizers' mean
  log κ interpolated at the GAN runs' last step (the memorizers train longer), Fig. 11.
- :func:`scale_note`: what the summary says when the memorized set is smaller than the paper's.

Pure computation, no I/O: generators are evaluated (in eval mode, :func:`gancond.train.generate`)
but nothing is read or written.

Used by: chapter 6 (Appendix B.1, Figs. 8-11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from .chapter import pm
from .claims import near_copy_share
from .memorize import COPY_LABEL, MemorizedSet, memorization_stats
from .scores import mode_statistics
from .train import generate

__all__ = ["PAPER_N_MEMORIZED", "PAPER_SCORES", "MEMORIZATION_COLUMNS", "memorization_table", "target_fractions",
           "four_prevalence", "reference_fours", "RandomZ", "random_z_stats", "ScoreSets", "score_sets",
           "final_scores", "score_table", "EqualSteps", "equal_steps", "scale_note"]

#: the paper's memorized set (B.1: 10,000 pairs)
PAPER_N_MEMORIZED = 10_000
#: the paper's scores (B.1): (classifier score, Fréchet distance) on memorized and on random z
PAPER_SCORES = {"memorized z": (4.95, 118.0), "random z": (2.22, 240.0)}
#: display names of the columns of :func:`memorization_table`
MEMORIZATION_COLUMNS = {
    "mse": "MSE, all pairs", "mse_random": "MSE, random digits", "mse_copies": "MSE, copies of the 4",
    "recall": "nearest target is own, all", "recall_random": "… random digits",
    "recall_copies": "… copies of the 4"}
_MSE = ["mse", "mse_random", "mse_copies"]


def _same_length(what: str, *seqs) -> int:
    n = {len(s) for s in seqs}
    if len(n) != 1 or 0 in n:
        raise ValueError(f"{what} must be non-empty and of one length, got lengths {[len(s) for s in seqs]}")
    return n.pop()


# --------------------------------------------------------------------------- Fig. 8: the memorized z
def memorization_table(generators: Sequence[torch.nn.Module], msets: Sequence[MemorizedSet],
                       metrics: Sequence[pd.DataFrame], seeds: Sequence[int], n: int | None = None) -> pd.DataFrame:
    """One row per memorizing run (Fig. 8): seed, :func:`gancond.memorize.memorization_stats` of
    its generator on the first ``n`` pairs of its memorized set (recall: own target nearest), and
    ``mse``, ``mse_random``, ``mse_copies`` from the last row of its metrics table (the error on
    every memorized pair, at the last evaluation). Columns: seed, mse, mse_random, mse_copies,
    recall, recall_random, recall_copies, n."""
    _same_length("generators, msets, metrics and seeds", generators, msets, metrics, seeds)
    for m in metrics:
        if not set(_MSE) <= set(m.columns) or len(m) == 0:
            raise ValueError(f"every metrics table needs rows and the columns {_MSE}")
    df = pd.DataFrame([{"seed": s, **memorization_stats(G, ms, n=n)} for s, G, ms in zip(seeds, generators, msets)])
    df[_MSE] = [m[_MSE].iloc[-1].to_numpy() for m in metrics]
    return df


# --------------------------------------------------------------------------- Figs. 9-10: labels on random z
def target_fractions(msets: Sequence[MemorizedSet], n_classes: int = 10) -> np.ndarray:
    """(n_classes,) label fractions of the memorized targets, mean over runs (Fig. 10's grey bars)."""
    if len(msets) == 0:
        raise ValueError("need at least one memorized set")
    return np.mean([mode_statistics(ms.label, n_classes)["fractions"] for ms in msets], axis=0)


def four_prevalence(msets: Sequence[MemorizedSet]) -> np.ndarray:
    """(runs,) share of targets labelled 4 in each memorized set (the copies plus the random fours)."""
    if len(msets) == 0:
        raise ValueError("need at least one memorized set")
    return np.array([float((ms.label == COPY_LABEL).double().mean()) for ms in msets])


def reference_fours(x: Tensor, y: Tensor, n: int = 1000) -> Tensor:
    """The first ``n`` images labelled 4 of a split ``x`` (N, C, H, W), ``y`` (N,): (min(n, #4), C, H, W).
    Their median distance to the copied four is the radius of "near the copied four"."""
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must have one length, got {x.shape[0]} and {y.shape[0]}")
    fours = x[(y == COPY_LABEL).nonzero().squeeze(1)[:n]]
    if len(fours) == 0:
        raise ValueError("the split holds no image labelled 4")
    return fours


@dataclass(frozen=True)
class RandomZ:
    """What the samples of each run from random z are (Figs. 9, 10)."""

    fractions: np.ndarray  # (runs, K) classifier label fractions of all samples
    least: np.ndarray  # (runs,) int, least-sampled class count among the first n_modes samples (Sec. 3)
    near: np.ndarray  # (runs,) share of samples near the copied 4 (gancond.claims.near_copy_share)
    n_modes: int  # samples in the least-sampled count

    @property
    def four_share(self) -> np.ndarray:
        """(runs,) share of samples labelled 4."""
        return self.fractions[:, COPY_LABEL]


def random_z_stats(logits: Sequence[Tensor], samples: Sequence[Tensor], copies: Tensor | Sequence[Tensor],
                   fours: Tensor, n_modes: int) -> RandomZ:
    """Label mix, least-sampled count and collapse onto the copied 4 of each run's random-z samples.

    Args:
        logits: per run, (S, K) classifier logits of its S samples.
        samples: per run, the samples (S, C, H, W).
        copies: per run, the copied 4 (C, H, W) to measure nearness to; one (C, H, W) image is
            used for every run (e.g. GAN runs, which copied nothing, against one memorizer's 4).
        fours: (M, C, H, W) reference training fours (:func:`reference_fours`).
        n_modes: the least-sampled count uses the first ``n_modes`` samples (the paper: 360).
    """
    if isinstance(copies, Tensor) and copies.dim() == 3:
        copies = [copies] * len(samples)
    _same_length("logits, samples and copies", logits, samples, copies)
    if not (isinstance(n_modes, (int, np.integer)) and n_modes >= 1):
        raise ValueError(f"n_modes must be a positive integer, got {n_modes!r}")
    fractions = np.array([mode_statistics(lg)["fractions"] for lg in logits])
    least = np.array([mode_statistics(lg[:n_modes])["least_count"] for lg in logits])
    near = np.array([near_copy_share(x, c, fours)[0] for x, c in zip(samples, copies)])
    return RandomZ(fractions, least, near, int(n_modes))


# --------------------------------------------------------------------------- scores on memorized and random z
@dataclass(frozen=True)
class ScoreSets:
    """Per run, ``{"score", "frechet"}`` of three sets of images (B.1's 4.95 -> 2.22, 118 -> 240)."""

    targets: list  # the first n memorized target images
    memorized: list  # G at the first n memorized z
    random: list  # G at the random z

    def get(self, which: str, key: str) -> np.ndarray:
        """(runs,) values of ``key`` ("score" or "frechet") of ``which`` ("targets", "memorized", "random")."""
        return np.array([r[key] for r in getattr(self, which)], dtype=float)

    def ratio(self, key: str) -> float:
        """Mean over runs of random / memorized (the paper: score 0.45, Fréchet distance 2.03)."""
        return float(np.mean(self.get("random", key) / self.get("memorized", key)))


def score_sets(scorer, generators: Sequence[torch.nn.Module], msets: Sequence[MemorizedSet],
               random_samples: Sequence[Tensor], n: int) -> ScoreSets:
    """Score, per run: the first ``n`` memorized targets, G at their z, and ``random_samples``
    (G at random z, (S, C, H, W)). ``scorer(images) -> {"score", "frechet"}``."""
    _same_length("generators, msets and random_samples", generators, msets, random_samples)
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return ScoreSets([scorer(ms.x[:n]) for ms in msets],
                     [scorer(generate(G, ms.z[:n])) for G, ms in zip(generators, msets)],
                     [scorer(x) for x in random_samples])


def final_scores(metrics: Sequence[pd.DataFrame]) -> list[dict]:
    """``{"score", "frechet"}`` at the last evaluation of each run's metrics table."""
    return [{"score": m["score"].iloc[-1], "frechet": m["frechet"].iloc[-1]} for m in metrics]


def score_table(s: ScoreSets, gan: Sequence[Mapping]) -> pd.DataFrame:
    """The scores table: memorized targets, G at memorized z, G at random z, the GAN runs' final
    scores (``gan`` per run ``{"score", "frechet"}``); the paper's numbers beside this build's
    "mean ± sd" over runs."""
    (mem_s, mem_f), (rnd_s, rnd_f) = PAPER_SCORES["memorized z"], PAPER_SCORES["random z"]
    rows = [("memorized target images", "", "", s.targets),
            ("memorizing generator, memorized z", f"{mem_s:g}", f"{mem_f:g}", s.memorized),
            ("memorizing generator, random z", f"{rnd_s:g}", f"{rnd_f:g}", s.random),
            ("GAN runs, random z (end of training)", "", "", list(gan))]
    return pd.DataFrame([(name, ps, pf, pm([x["score"] for x in r]), pm([x["frechet"] for x in r]))
                         for name, ps, pf, r in rows],
                        columns=["samples", "paper: score", "paper: Fréchet distance", "score (this build)",
                                 "Fréchet distance (this build)"])


# --------------------------------------------------------------------------- Fig. 11: conditioning at equal steps
@dataclass(frozen=True)
class EqualSteps:
    """Mean log κ(M_z) of the memorizers and the GAN runs, compared at the same training step (Fig. 11)."""

    mem_final: np.ndarray  # (n_mem,) memorizers' mean log κ at their own last evaluation
    gan_final: np.ndarray  # (n_gan,) GAN runs' mean log κ at their last evaluation
    gan_step: int  # the GAN runs' last evaluation step
    mem_at_gan_end: np.ndarray  # (n_mem,) memorizers' mean log κ interpolated at gan_step

    @property
    def best(self) -> int:
        """Index of the GAN run with the lowest final mean log κ (the best conditioned)."""
        return int(self.gan_final.argmin())

    @property
    def worst(self) -> int:
        """Index of the GAN run with the highest final mean log κ."""
        return int(self.gan_final.argmax())


def equal_steps(mem_metrics: Sequence[pd.DataFrame], gan_metrics: Sequence[pd.DataFrame]) -> EqualSteps:
    """Conditioning at equal steps: each metrics table has columns step and mean_log_cond.

    The memorizers train longer than the GAN runs, so their trajectory is linearly interpolated
    (``np.interp``) at the GAN runs' last step; past a memorizer's last evaluation its last value
    is used. The GAN runs must share their last step.
    """
    if not mem_metrics or not gan_metrics:
        raise ValueError("need at least one memorizing run and one GAN run")
    last = {int(m["step"].iloc[-1]) for m in gan_metrics}
    if len(last) != 1:
        raise ValueError(f"the GAN runs must end at one step, got {sorted(last)}")
    gan_step = last.pop()
    return EqualSteps(np.array([m["mean_log_cond"].iloc[-1] for m in mem_metrics]),
                      np.array([m["mean_log_cond"].iloc[-1] for m in gan_metrics]), gan_step,
                      np.array([np.interp(gan_step, m["step"], m["mean_log_cond"]) for m in mem_metrics]))


def scale_note(n_memorized: int, width: float) -> str:
    """The sentence the chapter's summary starts with when the memorized set is smaller than the
    paper's 10,000 pairs ("" when it is not)."""
    if not (isinstance(n_memorized, (int, np.integer)) and n_memorized >= 1):
        raise ValueError(f"n_memorized must be a positive integer, got {n_memorized!r}")
    if n_memorized >= PAPER_N_MEMORIZED:
        return ""
    return (f"Memorized set: {n_memorized:,} pairs, not the paper's {PAPER_N_MEMORIZED:,} (a width-×{width:g} "
            f"generator does not memorize {PAPER_N_MEMORIZED:,} on a 2-core CPU within the chapter's budget). ")
