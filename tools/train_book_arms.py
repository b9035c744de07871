"""Train (or resume) the GAN arms of chapters 1–4, or a campaign of the reach ladder, outside the book build.

The chapters call the same :func:`gancond.arms.load_arms` with the same parameters, so what
this script stores is what they load. Start a long sweep in the background (``nohup``) while
working; an interrupted sweep resumes from its runs' checkpoints when started again:

    python tools/train_book_arms.py --scale book                      # the book's arms (chapters 1-4)
    nohup python tools/train_book_arms.py --campaign long &           # reach ladder: 1/4 width x 20,000 steps
    nohup python tools/train_book_arms.py --campaign wide &           # reach ladder: 1/2 width x 5,000 steps
    nohup python tools/train_book_arms.py --campaign full &           # the paper's full width x 5,000 steps (issue 27)
    nohup python tools/train_book_arms.py --campaign cifar10 &        # Fig. 5: CIFAR-10, unclamped + calibrated λ
    python tools/train_book_arms.py --campaign long --export          # then: results/mnist-long (complete runs only)

A campaign is a preset of this script's arguments (:data:`CAMPAIGNS`, issue 18).

On a cluster (issue 27): start a dask.distributed scheduler and workers that share the run store
(``GANCOND_RUNS`` on a path every worker sees, one torch thread per worker process) and send the
runs there; ``book/reproduce.md`` shows it, SLURM included (dask-jobqueue):

    python tools/train_book_arms.py --campaign full --scheduler tcp://head-node:8786
"""

from __future__ import annotations

import argparse
import time

from gancond.arms import ARM_KINDS, load_arms
from gancond.experiments import GAN_SCALES

#: the campaigns of issue 18: scale, dataset, second recipe and the clamped arms of the main recipe
#: (always the ``tfgan`` recipe, the book's main one, 10 runs per arm)
CAMPAIGNS = {
    "long": dict(scale="long", dataset="mnist", second="", arms=("paper", "calibrated")),
    "wide": dict(scale="wide", dataset="mnist", second="", arms=("paper", "calibrated")),
    # issue 27: the paper's MNIST networks (width 1.0); the paper-λ arm trains before the calibrated one
    "full": dict(scale="full", dataset="mnist", second="", arms=("paper", "calibrated")),
    # Fig. 5 (Sec. 4): 10 unclamped and 10 calibrated-λ CIFAR-10 runs at the book scale (¼ width,
    # 5,000 steps), scored by the CIFAR-10 fallback classifier where the Inception weights are missing
    "cifar10": dict(scale="book", dataset="cifar10", second="", arms=("calibrated",)),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--campaign", choices=sorted(CAMPAIGNS), default=None, help="a preset of the options below")
    ap.add_argument("--scale", default="book", choices=sorted(GAN_SCALES))
    ap.add_argument("--dataset", default="mnist")
    ap.add_argument("--recipe", default="tfgan")
    ap.add_argument("--second", default="radford", help="second recipe ('' for none)")
    ap.add_argument("--arms", default=",".join(ARM_KINDS), help=f"clamped arms of the main recipe, of {ARM_KINDS}")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--export", action="store_true", help="after training, write results/<dataset>-<scale>")
    ap.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="a dask.distributed scheduler (e.g. tcp://host:8786) whose workers train the runs; "
                         "the run store ($GANCOND_RUNS) must be a path every worker shares")
    a = ap.parse_args()
    arms = tuple(x for x in a.arms.split(",") if x)
    if a.campaign:
        c = CAMPAIGNS[a.campaign]
        a.scale, a.dataset, a.second, arms = c["scale"], c["dataset"], c["second"], c["arms"]
    t0 = time.time()
    client = executor = None
    if a.scheduler:
        from distributed import Client

        client = Client(a.scheduler)
        executor = client.get_executor()
        print(f"sending the runs to {a.scheduler}: {len(client.scheduler_info()['workers'])} worker(s)", flush=True)
    try:
        out, _, _ = load_arms(dataset=a.dataset, scale=a.scale, recipe=a.recipe, second_recipe=a.second or None,
                              device=a.device, workers=a.workers, arms=arms, executor=executor)
    finally:
        if client is not None:
            client.close()
    for recipe, arm in out.items():
        print(recipe, {k: len(v) for k, v in arm.named().items()}, "band:", arm.band and
              (arm.band["lambda_min"], arm.band["lambda_max"]))
    print(f"done in {time.time() - t0:.0f} s")
    if a.export:
        from gancond.bundles import export_arms, open_bundle, results_root

        dest = export_arms(out, results_root() / f"{a.dataset}-{a.scale}", weights=False)
        print(f"wrote {dest}: {open_bundle(dest).label}")


if __name__ == "__main__":
    main()
