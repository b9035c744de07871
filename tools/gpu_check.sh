#!/usr/bin/env bash
# First thing to run when a GPU is at hand: the unit tests, then every chapter at smoke scale on
# the GPU (device=cuda), each executed by papermill into $OUT (default: gpu_check/). Prints what
# the machine is and a line per chapter; exits non-zero on the first failure.
#
#   bash tools/gpu_check.sh            # uses .venv if present, else the python on PATH
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PY:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python )}
OUT=${OUT:-gpu_check}
mkdir -p "$OUT"
export GANCOND_SCALE=smoke MPLBACKEND=Agg
export GANCOND_RUNS=${GANCOND_RUNS:-$(mktemp -d)}

"$PY" - <<'PY'
import torch
assert torch.cuda.is_available(), "no CUDA device visible to torch"
print("torch", torch.__version__, "| CUDA", torch.version.cuda, "|", torch.cuda.get_device_name(0))
print("TF32 defaults: matmul", torch.backends.cuda.matmul.allow_tf32, "cudnn", torch.backends.cudnn.allow_tf32,
      "(gancond turns both off inside Jacobians: gancond.jacobian.no_tf32)")
PY

"$PY" -m pytest -q -p no:cacheprovider tests
for nb in chapters/[0-9]*.ipynb; do
  name=$(basename "$nb" .ipynb)
  t0=$(date +%s)
  (cd chapters && "../$PY" -m papermill "$name.ipynb" "../$OUT/$name.ipynb" -k python3 -p device cuda --log-level WARNING)
  echo "$name: ok in $(( $(date +%s) - t0 )) s (device=cuda, smoke scale)"
done
