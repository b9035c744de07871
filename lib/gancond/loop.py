"""The training loop every trainer repeats, written once.

A trainer keeps what is its own: its config, its losses, one training step, its evaluation,
and ``train_*`` / ``load_*``. :class:`Loop` owns the rest, for the GAN (:mod:`gancond.train`),
the VAE (:mod:`gancond.vae`), the memorizing generator (:mod:`gancond.memorize`) and the
WGAN-GP (:mod:`gancond.wgan`):

- seeding: ``torch.manual_seed(seed)`` before the trainer builds its networks, and the run's
  own generator :attr:`Loop.rng`, seeded at ``seed + 7919``, for the data order and every
  random draw of a training step (z, δ, α, noise);
- the data order (:meth:`Loop.batch`): epochs, each a fresh permutation of the ``n`` training
  items, cut into batches without replacement (an epoch's last partial batch is dropped);
- the cadence: an evaluation at step 0, every ``eval_every`` steps and at the last step, each
  followed by a checkpoint; the means over the interval of the numbers a step reports;
- the clocks: ``time_s``, seconds since the run started when an evaluation begins, and, on
  request, ``train_time_s``, seconds spent in training steps alone; both survive a resume;
- resume: the ``last`` checkpoint holds the trainer's networks and optimisers, the random
  state, the data order, the clocks and the rows so far, so a killed run resumes and ends
  with the numbers an uninterrupted run gives;
- the progress bar, the tables (``metrics.csv`` and one table per evaluation batch such as
  ``per_z.csv``), the ``final`` checkpoint and the manifest's ``train_time_s``.

The ``last`` checkpoint keeps the layout the runs in the store were written with (keys
``rng``, ``step``, ``perm``, ``pos``, ``elapsed``, ``train_time``, ``rows``, ``per_rows``, ``q_rows``
next to the trainer's own), so they resume under this code; ``tests/test_loop_golden.py``
pins every trainer's numbers and checkpoints to the bit.

The classifier (:mod:`gancond.classifier`) counts epochs, not steps: each epoch draws its
batch order and augmentation from a generator of (seed, epoch), it has no step-0 evaluation and
its checkpoints have their own stored layout. It shares :func:`load_states`,
:func:`state_dicts`, :class:`Stopwatch` and :func:`optimizer_step`, not the loop.

Also here, because every trainer needs them: :class:`Work` (the picklable run object),
:func:`optimizer_step`, :func:`progress_bar`, :func:`is_int` and :func:`positive_int`.

Used by: chapters 3, 5 and 6; chapters 1-4 through :mod:`gancond.train` (every trainer runs on it).
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable, Mapping, Protocol

import pandas as pd
import torch
from torch import Tensor

from .runs import Run

__all__ = ["Loop", "Stateful", "Stopwatch", "Work", "is_int", "load_states", "optimizer_step", "positive_int",
           "progress_bar", "state_dicts"]

#: the checkpoint key of each table's rows, as the stored runs have them (another table: ``<name>_rows``)
_ROWS_KEY = {"metrics": "rows", "per_z": "per_rows", "train_q": "q_rows"}


class Stateful(Protocol):
    """What a checkpoint holds of a network or an optimiser."""

    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> Any: ...


def state_dicts(objects: Mapping[str, Stateful]) -> dict[str, dict]:
    """``{name: obj.state_dict()}`` for a checkpoint, in the order of ``objects``."""
    return {name: obj.state_dict() for name, obj in objects.items()}


def load_states(objects: Mapping[str, Stateful], checkpoint: Mapping[str, Any]) -> None:
    """Load ``checkpoint[name]`` into each named network or optimiser (the inverse of :func:`state_dicts`)."""
    for name, obj in objects.items():
        obj.load_state_dict(checkpoint[name])


def optimizer_step(opt: torch.optim.Optimizer, loss: Tensor) -> None:
    """One update: clear ``opt``'s gradients, backpropagate the scalar ``loss``, step."""
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


class Stopwatch:
    """Seconds spent inside ``with stopwatch:`` blocks, going on from ``seconds`` (a resumed run's)."""

    def __init__(self, seconds: float = 0.0):
        self.seconds = seconds

    def __enter__(self) -> "Stopwatch":
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds += time.perf_counter() - self._t0


def progress_bar(total: int, initial: int, desc: str, enabled: bool):
    """A quiet tqdm bar over ``total`` steps starting at ``initial`` (a resumed run's step)."""
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=desc, disable=not enabled, leave=False, mininterval=2.0)


def is_int(v: Any) -> bool:
    """An int that is not a bool (``True`` is not a step count)."""
    return isinstance(v, int) and not isinstance(v, bool)


def positive_int(name: str, v: Any, allow_zero: bool = False, what: str = "parameter") -> None:
    """Raise ValueError naming ``what`` ``name`` unless ``v`` is a positive int (non-negative with ``allow_zero``)."""
    if not (is_int(v) and (v >= 0 if allow_zero else v > 0)):
        raise ValueError(f"{what} {name!r} must be a {'non-negative' if allow_zero else 'positive'} integer, got {v!r}")


class _Means(dict):
    """The interval means a step reported; a number no step reported (or an empty interval) is nan."""

    def __missing__(self, key: str) -> float:
        return math.nan


#: one training step: (steps done so far) -> the numbers to average over the interval, e.g. {"loss_d": 0.7}
StepFn = Callable[[int], Mapping[str, float]]
#: one evaluation: (step, interval means) -> (the metrics row, without step and clocks; rows of each other table)
EvaluateFn = Callable[[int, Mapping[str, float]], "tuple[dict, dict[str, list[dict]]]"]


class Work:
    """The picklable work of one run (what :meth:`gancond.runs.RunStore.sweep` ships to an executor).

    Holds a trainer's config and how to train it: ``device``, whether to show a ``progress``
    bar, the data ``root`` and, for trainers that score samples, the ``scorer``. A trainer's
    subclass defines ``__call__(run)``: it loads the data, builds a :class:`Loop`, then the
    networks, and calls :meth:`Loop.train`.
    """

    def __init__(self, cfg: Any, device: str = "cpu", progress: bool = True, root=None, scorer=None):
        self.cfg, self.device, self.progress, self.root, self.scorer = cfg, device, progress, root, scorer


class Loop:
    """One run's training loop (see the module docstring).

    Build it first, so that the trainer's networks are initialised after ``torch.manual_seed``;
    then build the networks, optimisers and evaluation batches, and call :meth:`train`.

    Args:
        cfg: the trainer's config; the loop reads ``seed``, ``steps``, ``batch_size`` and
            ``eval_every``.
        n: training items the batches are drawn from (images, or memorized pairs).
    """

    def __init__(self, cfg: Any, n: int):
        self.steps, self.eval_every, self.batch_size, self.n = cfg.steps, cfg.eval_every, cfg.batch_size, n
        torch.manual_seed(cfg.seed)  # the trainer's initialisation, built next
        self.rng = torch.Generator().manual_seed(cfg.seed + 7919)  # data order and the steps' random draws
        self.step, self.perm, self.pos = 0, torch.randperm(n, generator=self.rng), 0

    def batch(self) -> Tensor:
        """The indices (batch_size,) of the next training batch, on the CPU; a new epoch when too few are left."""
        if self.pos + self.batch_size > self.n:  # a new epoch: a fresh permutation
            self.perm, self.pos = torch.randperm(self.n, generator=self.rng), 0
        idx = self.perm[self.pos: self.pos + self.batch_size]
        self.pos += self.batch_size
        return idx

    def train(self, run: Run, state: Mapping[str, Stateful], step: StepFn, evaluate: EvaluateFn, *,
              final: tuple[str, ...], tables: tuple[str, ...] = (), info: Mapping[str, Any] | None = None,
              desc: str = "", progress: bool = True, show: Mapping[str, tuple[str, str]] | None = None,
              train_clock: bool = False) -> None:
        """Resume from ``run``'s last checkpoint if any, train to ``cfg.steps``, save the final checkpoint.

        Args:
            run: the run to write into.
            state: the networks and optimisers by checkpoint key, e.g. ``{"G": G, "opt_G": opt_G}``;
                the networks are put in training mode.
            step: one training step, ``step(i)`` with i the steps done so far; draws its batch
                with :meth:`batch` and its randomness from :attr:`rng`, and returns the numbers
                whose interval means the next evaluation gets.
            evaluate: ``evaluate(step, means)`` -> (the metrics row's numbers in column order,
                ``{table: rows}`` for each of ``tables``); rows get a leading ``step`` column,
                the metrics row also the clocks. ``means`` is nan for what no step reported.
            final: keys of ``state`` saved in the ``final`` checkpoint.
            tables: tables written next to ``metrics`` (e.g. ``("per_z",)``).
            info: manifest fields (device, data, ...).
            desc, progress: the progress bar's label, and whether to show it.
            show: progress-bar fields after each evaluation, ``{label: (column, format)}``.
            train_clock: add ``train_time_s`` (seconds in training steps alone) before ``time_s``
                and make it the manifest's ``train_time_s`` (else ``time_s`` is).
        """
        self._keys = {t: _ROWS_KEY.get(t, f"{t}_rows") for t in ("metrics", *tables)}
        self._train_clock = train_clock
        self._resume(run, state)
        run.info.update(info or {})
        sums: dict[str, float] = {}
        count = 0
        if self.step == 0 and not self.rows["metrics"]:
            self._record(evaluate, _Means())
            self._checkpoint(run, state)
        bar = progress_bar(self.steps, self.step, desc, progress)
        for obj in state.values():
            if isinstance(obj, torch.nn.Module):
                obj.train()
        while self.step < self.steps:
            with self._stopwatch:
                numbers = step(self.step)
            self.step += 1
            for k, v in numbers.items():
                sums[k] = sums.get(k, 0.0) + v
            count += 1
            bar.update(1)
            if self.step % self.eval_every == 0 or self.step == self.steps:
                last = self._record(evaluate, _Means({k: v / count for k, v in sums.items()}))
                sums, count = {}, 0
                bar.set_postfix({label: format(last[c], fmt) for label, (c, fmt) in (show or {}).items() if c in last})
                self._checkpoint(run, state)
        bar.close()
        run.save_checkpoint(state_dicts({k: state[k] for k in final}), name="final")
        run.info["train_time_s"] = self.rows["metrics"][-1]["train_time_s" if train_clock else "time_s"]

    def _resume(self, run: Run, state: Mapping[str, Stateful]) -> None:
        """Start the clocks and the rows, from the last checkpoint where there is one."""
        self.rows: dict[str, list[dict]] = {t: [] for t in self._keys}
        elapsed, self._stopwatch = 0.0, Stopwatch()
        ckpt = run.load_checkpoint("last")
        if ckpt is not None:  # resume where the last checkpoint left off
            load_states(state, ckpt)
            self.rng.set_state(ckpt["rng"])
            self.step, self.perm, self.pos, elapsed = ckpt["step"], ckpt["perm"], ckpt["pos"], ckpt["elapsed"]
            self._stopwatch.seconds = ckpt["train_time"] if self._train_clock else 0.0
            self.rows = {t: ckpt[k] for t, k in self._keys.items()}
        self._t_start = time.perf_counter() - elapsed

    def _record(self, evaluate: EvaluateFn, means: _Means) -> dict:
        """Evaluate at the current step; append (and return) the metrics row and the other tables' rows."""
        t_eval = time.perf_counter() - self._t_start
        row, others = evaluate(self.step, means)
        clocks = {"train_time_s": self._stopwatch.seconds} if self._train_clock else {}
        self.rows["metrics"].append({"step": self.step, **row, **clocks, "time_s": t_eval})
        for t in self._keys:
            if t != "metrics":
                self.rows[t].extend({"step": self.step, **r} for r in others[t])
        return self.rows["metrics"][-1]

    def _checkpoint(self, run: Run, state: Mapping[str, Stateful]) -> None:
        """Write the tables and the ``last`` checkpoint (in the layout of the stored runs)."""
        for t, r in self.rows.items():
            if r or t == "metrics":  # a table with no rows (e.g. class counts without a classifier) is not written
                run.write_table(t, pd.DataFrame(r))
        clocks = {"elapsed": time.perf_counter() - self._t_start}
        if self._train_clock:
            clocks["train_time"] = self._stopwatch.seconds
        run.save_checkpoint({**state_dicts(state), "rng": self.rng.get_state(), "step": self.step, "perm": self.perm,
                             "pos": self.pos, **clocks, **{self._keys[t]: r for t, r in self.rows.items()}})
