"""Print one bundle's numbers as a closing note reports them (issue 18: per rung, the final mean
log κ of every run, the split, ρ with its interval, r, the clamping differences and each claim's
verdict, with "not tested" and its reason where a rule says so). Everything comes from the
library's own rules, the ones chapters 1, 2 and 7 apply (:func:`gancond.claims.record_ranking`,
:func:`gancond.claims.record_clamping`, :func:`gancond.reach.rung_statistics`).

    python tools/rung_summary.py results/mnist-wide
"""

from __future__ import annotations

import argparse

import numpy as np

import torch

from gancond import appendix_a, claims
from gancond.arms import clamping_line, finals, judge_arms, judge_measures, judge_ranking, ranking_lines
from gancond.jacobian import log_cond_M
from gancond.reach import least_counts
from gancond.resolution import final_spectra
from gancond.bundles import open_bundle
from gancond.reach import reach_table, stat_text
from gancond.report import Checks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", help="a bundle folder, e.g. results/mnist-wide")
    ap.add_argument("--recipe", default="tfgan")
    a = ap.parse_args()
    b = open_bundle(a.bundle)
    arms = b.arms()
    arm = arms[a.recipe]
    dataset = arm.exp.dataset
    print(f"{b.path.name}: {b.label}")
    print(arm.exp.stamp)
    for name, runs in arm.named().items():
        if not runs:  # an arm not trained (yet)
            print(f"  {name}: no runs")
            continue
        lc = finals(runs, "mean_log_cond")
        fd = finals(runs, "frechet")
        print(f"  {name} ({len(runs)} runs): final mean log κ " + " ".join(f"{x:.2f}" for x in lc)
              + f"; Fréchet distance mean {np.mean(fd):.2f} (sd {np.std(fd, ddof=1):.2f})")
        sv = [final_spectra(r) for r in runs]  # issue 27: the same mean from the float64 spectra
        if all(x is not None for x in sv):
            lc64 = [float(log_cond_M(torch.from_numpy(x)).mean()) for x in sv]
            print(f"    in float64 (stored spectra): " + " ".join(f"{x:.2f}" for x in lc64))
    if arm.band:
        print(f"  calibrated band [{arm.band['lambda_min']:.3f}, {arm.band['lambda_max']:.3f}]")
    v = judge_ranking(arm)
    print("\n".join(ranking_lines(a.recipe, v)))
    splits, judged = judge_arms(arms)
    checks = Checks(arm.exp.scale.name)
    claims.record_ranking(checks, v, a.recipe, len(arm.plain))
    for (rc, name), cl in judged.items():
        if rc == a.recipe:
            print(clamping_line(rc, name, cl))
            claims.record_clamping(checks, cl, name, rc, dataset=dataset)
    measured = judge_measures(arm, least_counts(arm.plain) if dataset == "mnist" else None)
    for j in measured:
        appendix_a.record_measure(checks, j, a.recipe)
        if dataset == "mnist":
            appendix_a.record_measure(checks, j, a.recipe, modes=True)
    if measured:
        appendix_a.record_prediction(checks, measured, a.recipe)
    print("claims, by the chapters' rules:")
    for row in checks.rows:
        print(f"  {row['_verdict']}: {row['_claim']} — {row['_measured']}")
    for _, s in reach_table({b.path.name: (arm, dataset)}).iterrows():
        print(f"reach, {s['key']}:", stat_text(s))


if __name__ == "__main__":
    main()
