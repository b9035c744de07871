"""Print one bundle's numbers as a closing note reports them (issue 18: per rung, the final mean
log κ of every run, the split, ρ with its interval, r, the clamping differences and each claim's
verdict). Everything comes from the library's own rules, the ones the chapters apply.

    python tools/rung_summary.py results/mnist-wide
"""

from __future__ import annotations

import argparse

import numpy as np

from gancond.arms import clamping_line, finals, judge_arms, judge_ranking
from gancond.bundles import open_bundle
from gancond.claims import EFFECTS, three_way
from gancond.reach import reach_table, stat_text


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
        lc = finals(runs, "mean_log_cond")
        fd = finals(runs, "frechet")
        print(f"  {name} ({len(runs)} runs): final mean log κ " + " ".join(f"{x:.2f}" for x in lc)
              + f"; Fréchet distance mean {np.mean(fd):.2f} (sd {np.std(fd, ddof=1):.2f})")
    if arm.band:
        print(f"  calibrated band [{arm.band['lambda_min']:.3f}, {arm.band['lambda_max']:.3f}]")
    v = judge_ranking(arm)
    c = v.clusters
    print(f"split: {'yes' if c.split else 'no'} (largest gap {c.gap:.2f} nats)")
    for key, rho in (("rho_fd", v.rho_fd), ("rho_score", v.rho_score)):
        if rho is not None:
            e = EFFECTS[key]
            print(f"ρ(final log κ, {'Fréchet distance' if key == 'rho_fd' else 'score'}) = {rho.value:+.2f} "
                  f"[{rho.low:+.2f}, {rho.high:+.2f}] -> {three_way(rho.low, rho.high, e)} (paper {e.value:+.2f})")
    splits, judged = judge_arms(arms)
    for (rc, name), cl in judged.items():
        if rc != a.recipe:
            continue
        print(clamping_line(rc, name, cl)
              + (f"; beat the unclamped median FD: {cl.beat[0]:.0%} [{cl.beat[1]:.0%}, {cl.beat[2]:.0%}]" if cl.beat else ""))
    for _, s in reach_table({b.path.name: (arm, dataset)}).iterrows():
        print(f"reach, {s['key']}:", stat_text(s))


if __name__ == "__main__":
    main()
