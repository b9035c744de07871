"""Retrain the pinned scoring classifiers and print their checksums (issue 28, provenance).

The book's Fréchet distances and scores come from the classifiers whose weights are committed in
``lib/gancond/weights/`` and checked against :data:`gancond.classifier.PINNED` on every load.
This tool retrains them with the recorded recipe (:data:`gancond.classifier.CLASSIFIER_PRESETS`,
the whole training split, seed 0) in a fresh run store and prints, per dataset, the SHA-256 of
the float32 state dict it gets, its test accuracy, and whether its weights equal the pinned
ones bit for bit. Training depends on the CPU's kernels (AVX2 and AVX512 give other weights),
so a retrain on another CPU capability gives another checksum; that is why the weights are
pinned rather than retrained on each machine.

    python tools/train_scorers.py                      # both, compared with the pinned files
    python tools/train_scorers.py --dataset mnist
    python tools/train_scorers.py --dataset cifar10 --write   # (re)write the pinned file (maintainers)
"""

from __future__ import annotations

import argparse
import tempfile

import torch

from gancond.classifier import PINNED, sha256_hex, state_dict_bytes, train_classifier, write_pinned
from gancond.runs import RunStore


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", choices=sorted(PINNED), action="append", help="default: all pinned scorers")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the pinned files were trained on 1)")
    ap.add_argument("--write", action="store_true", help="write the retrained weights to lib/gancond/weights/")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, {a.threads} thread(s)")
    for dataset in a.dataset or sorted(PINNED):
        with tempfile.TemporaryDirectory() as tmp:
            model = train_classifier(dataset, store=RunStore(tmp), verbose=True)
            data = state_dict_bytes(model)
        sha = sha256_hex(data)
        pin = PINNED[dataset]
        same = "equal to the pinned weights" if sha == pin["sha256"] else f"differs from the pinned {pin['sha256']}"
        print(f"{dataset}: sha256 {sha} ({same}); test accuracy {model.test_accuracy:.4f} "
              f"(pinned: {pin['test_accuracy']:.4f})", flush=True)
        if a.write:
            parts = write_pinned(dataset, data)
            print(f"wrote {', '.join(p.name for p in parts)} ({len(data):,} bytes); put its sha256 and test accuracy "
                  f"into PINNED")


if __name__ == "__main__":
    main()
