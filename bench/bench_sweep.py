"""Benchmark: aggregate generator steps per second of a sweep, worker processes vs one at a time.

Target (issue 11): the sweep path (one worker process per core, one torch thread each) trains
at least 1.7x the generator steps per second of the earlier path (one run after another in this
process, torch using every core), at book settings, on the 2-core build machine.

    python bench/bench_sweep.py [--runs 4] [--steps 1000] [--recipe tfgan] [--width 0.25]

Both paths train the same configs (book settings: evaluation every 250 steps with 32 fixed z
and 1,000 scored samples) into fresh temporary run stores, side by side in one invocation;
each time includes everything a chapter waits for (process start-up, data loading,
evaluations, checkpoints). Printed: seconds and aggregate steps/s of each path, and their
ratio. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import torch

from gancond.runs import RunStore
from gancond.experiments import gan_experiment
from gancond.scores import make_scorer
from gancond.train import default_workers, train_gans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--recipe", default="tfgan")
    ap.add_argument("--width", type=float, default=0.25)
    a = ap.parse_args()
    cores = default_workers(a.runs)
    exp = gan_experiment(scale="book", recipe=a.recipe, runs=a.runs, steps=a.steps, width=a.width)
    cfgs = exp.configs(clamp=False)
    scorer = make_scorer("mnist", store=RunStore(), **exp.scorer_kwargs())  # the stored book classifier
    print(f"{a.runs} runs x {a.steps} steps, recipe {a.recipe}, width {a.width}, batch {exp.base.batch_size}, "
          f"eval every {exp.base.eval_every}; {os.cpu_count()} CPUs, {cores} workers")
    results = {}
    for name, threads, workers in [("one run at a time", torch.get_num_threads(), 1), ("sweep workers", 1, cores)]:
        torch.set_num_threads(threads)
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            train_gans(cfgs, RunStore(tmp), scorer, progress=False, workers=workers)
            dt = time.perf_counter() - t
        results[name] = dt
        print(f"{name:>18}: {workers} process(es) x {threads} thread(s): {dt:7.1f} s, "
              f"{a.runs * a.steps / dt:6.1f} generator steps/s")
    ratio = results["one run at a time"] / results["sweep workers"]
    print(f"speed-up of the sweep path: {ratio:.2f}x (target >= 1.7x)")


if __name__ == "__main__":
    main()
