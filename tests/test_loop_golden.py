"""Golden numbers of the five trainers: a refactor of the training loops must not change one bit.

For each trainer (GAN plain and clamped, VAE, memorizing generator, WGAN-GP plain and clamped,
classifier) a tiny config is trained twice: once straight through, once interrupted right
after an intermediate checkpoint and then resumed. Both must give exactly what the fixture in
``tests/golden/<case>.json`` (for another CPU capability ``tests/golden/<capability>/<case>.json``)
holds, which the code of the time wrote:

- the run id (the config hash: the run store's ~50 stored runs are found by it);
- every stored table row (the CSV text, which holds floats in full) and result (floats as
  ``float.hex``), wall-clock columns left out;
- the manifest's fields (their names; the values that do not depend on the clock, the host or
  the attempt);
- the keys of every checkpoint and a SHA-256 over the content of the ``last`` checkpoint at the
  interruption and at the end (weights, optimiser state, random state, data order, rows), so
  a half-finished run in the store resumes under new code as it would have under old code;
- a SHA-256 over the bytes of the final model weights.

The numbers are those of one torch thread (set here, restored after) on one kind of CPU kernel:
the test skips, saying why, where no fixture was recorded under this torch version and CPU
capability (``torch.backends.cpu.get_cpu_capability()``; AVX2 and AVX512 are recorded).
Regenerate the fixtures with ``GANCOND_REGOLD=1`` (only when the numbers are meant to change:
every stored run then has to be recomputed); on a machine of a capability not yet recorded it
adds that capability's folder.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest
import torch

from gancond.classifier import train_classifier
from gancond.memorize import MemorizeConfig, train_memorizer
from gancond.runs import Run, RunStore
from gancond.train import GANConfig, train_gan
from gancond.vae import VAEConfig, train_vae
from gancond.wgan import WGANConfig, train_wgan

GOLDEN = Path(__file__).parent / "golden"
REGOLD = os.environ.get("GANCOND_REGOLD") == "1"

#: wall-clock fields: never compared
CLOCK = {"time_s", "train_time_s", "train_seconds", "elapsed", "train_time"}
#: manifest fields whose value depends on the machine, the clock or the attempt: only their presence is compared
VOLATILE = CLOCK | {"started", "finished", "wall_time_s", "host", "platform", "cpu", "python", "torch_threads",
                    "gancond_version", "torch_version", "attempts", "resumed", "cpu_capability"}


class MeanScorer:
    """A cheap deterministic scorer (the trainers' scorer path without a classifier): pixel mean and spread."""

    name = "golden/mean-std"
    config = {"name": "golden/mean-std"}

    def __call__(self, fake: torch.Tensor) -> dict[str, float]:
        x = fake.double()
        return {"score": float(x.mean()), "fid": float(x.std())}


GAN = dict(dataset="mnist", recipe="custom", width=0.125, steps=12, batch_size=16, eval_every=4, n_eval_z=3,
           score_samples=20, n_train=512, seed=3)
VAE = dict(width=0.125, steps=12, batch_size=16, eval_every=4, n_eval_z=3, n_test=40, n_train=512, seed=2)
MEM = dict(width=0.125, n_memorized=128, n_copies=64, steps=24, batch_size=32, eval_every=8, n_eval_z=3, lr=1e-3,
           seed=1)
WGAN = dict(dataset="mnist", arch="dcgan", z_dim=16, width=0.125, steps=6, n_critic=2, batch_size=16,
            gen_batch_size=32, eval_every=2, n_eval_z=10, score_samples=20, n_train=256, seed=4)
CLS = dict(epochs=3, n_train=512, channels=(4, 8), hidden=16, batch_size=64, seed=5)


def _classifier_run(store: RunStore, root) -> Run:
    model = train_classifier("mnist", store=store, root=root, verbose=False, **CLS)
    return store.get("classifier", model.config)


@dataclasses.dataclass(frozen=True)
class Case:
    train: Callable[[RunStore, Any], Run]
    tables: tuple[str, ...]  # stored tables
    final: str  # checkpoint holding the trained model
    models: tuple[str, ...]  # its state dicts
    stop: int  # interrupt right after the ``stop``-th "last" checkpoint (1 = the first)
    jsons: tuple[str, ...] = ()


CASES = {
    "gan": Case(lambda s, r: train_gan(GANConfig(**GAN), s, MeanScorer(), progress=False, root=r),
                ("metrics", "per_z", "train_q"), "final", ("G", "D"), stop=3),
    "gan_clamped": Case(lambda s, r: train_gan(GANConfig(**GAN, clamp=True), s, None, progress=False, root=r),
                        ("metrics", "per_z", "train_q"), "final", ("G", "D"), stop=2),
    "vae": Case(lambda s, r: train_vae(VAEConfig(**VAE), s, progress=False, root=r),
                ("metrics", "per_z"), "final", ("E", "G"), stop=3),
    "memorize": Case(lambda s, r: train_memorizer(MemorizeConfig(**MEM), s, progress=False, root=r),
                     ("metrics", "per_z"), "final", ("G",), stop=2),
    "wgan": Case(lambda s, r: train_wgan(WGANConfig(**WGAN), s, MeanScorer(), progress=False, root=r),
                 ("metrics", "per_z"), "final", ("G", "D"), stop=3),
    "wgan_clamped": Case(lambda s, r: train_wgan(WGANConfig(**WGAN, clamp=True), s, None, progress=False, root=r),
                         ("metrics", "per_z"), "final", ("G", "D"), stop=2),
    "classifier": Case(_classifier_run, ("history",), "model", ("model",), stop=1, jsons=("result",)),
}


# --------------------------------------------------------------------------- exact encodings
def _exact(v: Any) -> Any:
    """A JSON value that pins ``v`` exactly: floats as ``float.hex``, tensors by a SHA-256 of their bytes."""
    if isinstance(v, torch.Tensor):
        return _tensor_digest(v)
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v).hex()
    if hasattr(v, "item") and getattr(v, "shape", None) == ():  # a numpy scalar
        return _exact(v.item())
    if isinstance(v, dict):
        return {str(k): _exact(x) for k, x in v.items() if k not in CLOCK}
    if isinstance(v, (list, tuple)):
        return [_exact(x) for x in v]
    raise TypeError(f"cannot pin a {type(v).__name__}")


def _tensor_digest(t: torch.Tensor) -> str:
    t = t.detach().cpu().contiguous()
    h = hashlib.sha256(f"{t.dtype}{tuple(t.shape)}".encode())
    h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def _digest(obj: Any) -> str:
    """SHA-256 over the exact encoding of a checkpoint (clock fields left out)."""
    return hashlib.sha256(json.dumps(_exact(obj), sort_keys=True).encode()).hexdigest()


def _weights_digest(state: dict) -> str:
    """SHA-256 over the bytes of a state dict, key by key in order."""
    h = hashlib.sha256()
    for k, v in state.items():
        h.update(k.encode())
        h.update(_tensor_digest(v).encode())
    return h.hexdigest()


def _table(run: Run, name: str) -> dict:
    """A stored table: its columns in order, and each cell as the text the CSV holds (floats in full)."""
    with open(run.path / f"{name}.csv", newline="") as f:
        header, *rows = list(csv.reader(f))
    return {"columns": header, "cells": {c: [r[i] for r in rows] for i, c in enumerate(header) if c not in CLOCK}}


def _manifest(run: Run) -> dict:
    m = run.manifest()
    out = {k: _exact(v) for k, v in m.items() if k not in VOLATILE}
    if isinstance(out.get("data"), dict):
        out["data"].pop("root", None)  # where the data lives on this machine
    return {"fields": sorted(m), "values": out}


def snapshot(run: Run, case: Case) -> dict:
    """Everything of a finished run that a refactor must keep exactly (see the module docstring)."""
    ckpts = sorted(p.stem for p in (run.path / "ckpt").glob("*.json"))
    final = run.require_checkpoint(case.final)
    return {
        "run_id": run.id,
        "tables": {t: _table(run, t) for t in case.tables},
        "jsons": {j: _exact(run.read_json(j)) for j in case.jsons},
        "manifest": _manifest(run),
        "checkpoint_keys": {c: sorted(run.require_checkpoint(c)) for c in ckpts},
        "last_digest": _digest(run.require_checkpoint("last")) if "last" in ckpts else None,
        "weights_sha256": {m: _weights_digest(final[m]) for m in case.models},
    }


class _Interrupted(Exception):
    pass


def _interrupted_then_resumed(case: Case, store: RunStore, root, monkeypatch) -> tuple[str, Run]:
    """Train until just after the ``case.stop``-th "last" checkpoint, die, resume; (digest at the stop, run)."""
    save, seen = Run.save_checkpoint, []

    def save_then_die(self, state, name="last"):
        save(self, state, name)
        if name == "last":
            seen.append(_digest(state))
            if len(seen) == case.stop:
                raise _Interrupted

    monkeypatch.setattr(Run, "save_checkpoint", save_then_die)
    with pytest.raises(_Interrupted):
        case.train(store, root)
    monkeypatch.undo()
    torch.manual_seed(12345)  # the global random state must not matter to a resumed run
    run = case.train(store, root)
    assert run.manifest()["resumed"] and run.manifest()["attempts"] == 2
    return seen[-1], run


def _environment() -> dict:
    return {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def _fixtures(name: str) -> dict[Path, dict]:
    """The fixtures recorded for one case, read: ``golden/<case>.json`` (the first CPU recorded)
    and one per further CPU capability, ``golden/<capability>/<case>.json``."""
    paths = [GOLDEN / f"{name}.json", *sorted(GOLDEN.glob(f"*/{name}.json"))]
    return {p: json.loads(p.read_text()) for p in paths if p.exists()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_trainer_numbers_match_the_golden_fixture(name, tmp_path, data_root, monkeypatch, one_thread):
    case, env, recorded = CASES[name], _environment(), _fixtures(name)
    path, golden = next(((p, g) for p, g in recorded.items() if g["environment"] == env), (None, None))
    if REGOLD and path is None:  # a new CPU capability gets its own folder beside the first one's
        path = GOLDEN / env["cpu_capability"].lower() / f"{name}.json" if recorded else GOLDEN / f"{name}.json"
    if not REGOLD:
        if not recorded:
            pytest.fail(f"{GOLDEN / name}.json is missing: write it with GANCOND_REGOLD=1")
        if golden is None:
            pytest.skip(f"fixtures recorded under {[g['environment'] for g in recorded.values()]}, this is {env}: "
                        "bit-identical numbers are only defined for the same torch and CPU kernels")
    torch.manual_seed(0)
    fresh = snapshot(case.train(RunStore(tmp_path / "fresh"), data_root), case)
    at_stop, resumed_run = _interrupted_then_resumed(case, RunStore(tmp_path / "resumed"), data_root, monkeypatch)
    resumed = snapshot(resumed_run, case)
    if REGOLD:
        assert resumed == fresh, "a resumed run differs from an uninterrupted one: not writing a fixture"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"environment": env, "stop_digest": at_stop, "run": fresh},
                                   indent=1, sort_keys=True) + "\n")
        return
    for what, got in (("uninterrupted", fresh), ("resumed", resumed)):
        assert set(got) == set(golden["run"]), f"{path.name} pins other things than this test checks"
        for key in ("run_id", "tables", "jsons", "manifest", "checkpoint_keys", "last_digest", "weights_sha256"):
            assert got[key] == golden["run"][key], f"{name}, {what} run: {key} differs from {path.name}"
    assert at_stop == golden["stop_digest"], f"{name}: the checkpoint at the interruption differs from {path.name}"
