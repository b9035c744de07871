"""How much the ruler moves the numbers: one generator scored by the pinned classifier and by
another one (issue 28).

A classifier trained with the same recipe on another machine (another CPU capability: AVX2
against AVX512) has other weights, and so gives the same generator another Fréchet distance,
score and class counts. This tool measures that difference for the final (or ``--checkpoint``)
generator of a GAN run in the run store, on the run's own fixed scoring z:

    python tools/train_scorers.py --dataset mnist          # on the other machine; or here, e.g.
    ATEN_CPU_CAPABILITY=avx2 python - <<< '...'            #   (any float32 state dict of the recipe)
    python tools/scorer_difference.py RUN_ID other-mnist-cnn.pt [--checkpoint last]
"""

from __future__ import annotations

import argparse
import json

import torch

from gancond.classifier import classifier_from_bytes, sha256_hex
from gancond.runs import Run, RunStore
from gancond.scores import ClassifierScorer, make_scorer, reference_images
from gancond.train import MODE_SAMPLES, MODE_Z_OFFSET, class_counts, fixed_latents, generate, load_generator


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_id", help="a GAN run of the run store ($GANCOND_RUNS)")
    ap.add_argument("weights", help="the other classifier's float32 state dict (torch.save)")
    ap.add_argument("--checkpoint", default="final", help="which stored generator (default: final)")
    ap.add_argument("--n-real", type=int, default=5000, help="real test images of the reference statistics")
    a = ap.parse_args()
    torch.set_num_threads(1)
    path = RunStore().root / "gan" / a.run_id
    if not (path / "config.json").exists():
        raise SystemExit(f"no GAN run {a.run_id} in {RunStore().root}")
    run = Run(path, "gan", json.loads((path / "config.json").read_text()))
    c = run.config
    pinned = make_scorer(c["dataset"], n_real=a.n_real)
    data = open(a.weights, "rb").read()
    other = ClassifierScorer(classifier_from_bytes(c["dataset"], data), reference_images(c["dataset"], a.n_real),
                             name="other")
    G = load_generator(run, a.checkpoint)
    x = generate(G, fixed_latents(c["z_dim"], c["score_samples"], c["eval_seed"], 1))
    z_modes = fixed_latents(c["z_dim"], MODE_SAMPLES, c["eval_seed"], MODE_Z_OFFSET)
    print(f"run {run.id} ({a.checkpoint} generator, width {c['width']:g}); {len(x)} samples, {a.n_real} real images")
    rows = {"pinned " + pinned.config["classifier_config"]["weights_sha256"][:12]: pinned,
            "other  " + sha256_hex(data)[:12]: other}
    res = {}
    for name, sc in rows.items():
        res[name] = {**sc(x), "counts": class_counts(G, sc, z_modes)}
        print(f"{name}: Fréchet distance {res[name]['frechet']:.4f}, score {res[name]['score']:.4f}, "
              f"class counts of {MODE_SAMPLES} {res[name]['counts']}")
    (p, o) = res.values()
    print(f"difference (other − pinned): Fréchet distance {o['frechet'] - p['frechet']:+.4f} "
          f"({(o['frechet'] - p['frechet']) / p['frechet']:+.2%}), score {o['score'] - p['score']:+.4f}, "
          f"least-sampled count {min(o['counts']) - min(p['counts']):+d}")


if __name__ == "__main__":
    main()
