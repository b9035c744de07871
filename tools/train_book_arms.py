"""Train (or resume) the GAN arms that chapters 1–4 share, outside the book build.

The chapters call the same :func:`gancond.arms.train_arms` with the same parameters, so what
this script stores is what they load. Useful to start a long book-scale sweep in the background
(``nohup``) while working, or to fill a run store on a bigger machine:

    python tools/train_book_arms.py --scale book [--workers N] [--dataset mnist]
"""

from __future__ import annotations

import argparse
import time

from gancond.arms import train_arms
from gancond.runs import RunStore
from gancond.experiments import gan_experiment
from gancond.scores import make_scorer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="book", choices=["smoke", "book", "paper"])
    ap.add_argument("--dataset", default="mnist")
    ap.add_argument("--recipe", default="tfgan")
    ap.add_argument("--second", default="radford", help="second recipe ('' for none)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    t0 = time.time()
    main_exp = gan_experiment(dataset=a.dataset, scale=a.scale, recipe=a.recipe, device=a.device)
    second = gan_experiment(dataset=a.dataset, scale=a.scale, recipe=a.second, device=a.device) if a.second else None
    store = RunStore()
    scorer = make_scorer(a.dataset, store=store, device=main_exp.device, **main_exp.scorer_kwargs())
    arms = train_arms(main_exp, second, store, scorer, workers=a.workers)
    for recipe, arm in arms.items():
        print(recipe, {k: len(v) for k, v in arm.named().items()}, "band:", arm.band and
              (arm.band["lambda_min"], arm.band["lambda_max"]))
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
