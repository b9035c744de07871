"""Export the arms of chapters 1–2 from the run store as a bundle under results/, or import one.

    python tools/bundle.py export --scale paper [--dataset mnist] [--weights]   # -> results/mnist-paper
    python tools/bundle.py import results/mnist-paper                           # -> the run store

``export`` loads the arms exactly as the chapters do (:func:`gancond.arms.load_arms`, which trains
what is missing), then writes the bundle; commit ``results/<dataset>-<scale>`` and chapters 1–2
show it beside their book-scale runs. See :mod:`gancond.bundles`.
"""

from __future__ import annotations

import argparse

from gancond.arms import load_arms
from gancond.bundles import export_arms, import_bundle, open_bundle, results_root
from gancond.runs import RunStore


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="bundle the arms of chapters 1-2")
    ex.add_argument("--scale", required=True, choices=["smoke", "book", "paper"])
    ex.add_argument("--dataset", default="mnist")
    ex.add_argument("--recipe", default="tfgan")
    ex.add_argument("--second", default="radford", help="second recipe ('' for none)")
    ex.add_argument("--device", default="auto")
    ex.add_argument("--weights", action="store_true", help="include final generators that are small")
    ex.add_argument("--dest", default=None, help="default: results/<dataset>-<scale>")
    im = sub.add_parser("import", help="copy a bundle's runs into the run store")
    im.add_argument("path")
    a = ap.parse_args()
    if a.cmd == "export":
        arms, _, _ = load_arms(dataset=a.dataset, scale=a.scale, recipe=a.recipe, second_recipe=a.second or None,
                               device=a.device)
        dest = export_arms(arms, a.dest or results_root() / f"{a.dataset}-{a.scale}", weights=a.weights)
        print(f"wrote {dest}: {open_bundle(dest).label}")
    else:
        copied = import_bundle(a.path, RunStore())
        print(f"imported {len(copied)} run(s) into {RunStore().root}")


if __name__ == "__main__":
    main()
