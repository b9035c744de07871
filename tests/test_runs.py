"""The content-addressed run store: hashing, reuse, atomic checkpoints, corruption, locking."""

import json
import multiprocessing as mp
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import torch

from gancond.runs import CorruptCheckpoint, RunConfigMismatch, RunStore, config_hash


def test_hash_is_stable_and_order_independent():
    a = config_hash("gan", {"x": 1, "y": [1, 2], "z": {"b": 1, "a": 2}})
    b = config_hash("gan", {"z": {"a": 2, "b": 1}, "y": [1, 2], "x": 1})
    assert a == b and len(a) == 16
    assert config_hash("vae", {"x": 1}) != config_hash("gan", {"x": 1})
    assert config_hash("gan", {"x": 1}) != config_hash("gan", {"x": 2})


def test_get_or_run_computes_once(store):
    calls = []

    def work(run):
        calls.append(1)
        run.write_table("metrics", pd.DataFrame({"step": [0, 1], "v": [0.5, 0.25]}))
        run.write_json("result", {"acc": 0.99})
        run.info["device"] = "cpu"

    r1 = store.get_or_run("demo", {"seed": 3}, work)
    r2 = store.get_or_run("demo", {"seed": 3}, work)
    assert calls == [1] and r1.path == r2.path and r2.complete
    assert r2.read_table("metrics")["v"].tolist() == [0.5, 0.25]
    m = r2.manifest()
    assert m["seed"] == 3 and m["device"] == "cpu" and m["torch_version"] == torch.__version__
    assert m["wall_time_s"] >= 0 and m["gancond_version"]
    assert json.loads((r2.path / "config.json").read_text()) == {"seed": 3}
    assert store.get("demo", {"seed": 4}) is None


def test_failed_run_is_not_complete_and_is_retried(store):
    def boom(run):
        run.save_checkpoint({"step": 5})
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        store.get_or_run("demo", {"seed": 1}, boom)
    assert store.get("demo", {"seed": 1}) is None
    seen = []
    run = store.get_or_run("demo", {"seed": 1}, lambda r: seen.append(r.load_checkpoint()["step"]))
    assert seen == [5] and run.complete and run.manifest()["resumed"] and run.manifest()["attempts"] == 2


def test_checkpoint_roundtrip_and_replacement(store):
    run = store.open("demo", {"a": 1})
    assert run.load_checkpoint() is None
    run.save_checkpoint({"w": torch.arange(4.0), "step": 1})
    run.save_checkpoint({"w": torch.arange(5.0), "step": 2})
    state = run.load_checkpoint()
    assert state["step"] == 2 and torch.equal(state["w"], torch.arange(5.0))
    assert len(list((run.path / "ckpt").glob("last-*.pt"))) == 1  # the old file is gone


def test_corrupt_checkpoint_is_detected_and_kept(store):
    run = store.open("demo", {"a": 2})
    run.save_checkpoint({"w": torch.randn(100)})
    f = next((run.path / "ckpt").glob("last-*.pt"))
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(CorruptCheckpoint, match="does not match its recorded SHA-256"):
        run.load_checkpoint()
    assert f.read_bytes() == bytes(data)  # nothing was deleted or overwritten
    f.write_bytes(bytes(data[:10]))  # truncated
    with pytest.raises(CorruptCheckpoint):
        store.get_or_run("demo", {"a": 2}, lambda r: r.load_checkpoint())


def test_tampered_config_is_refused(store):
    run = store.open("demo", {"a": 3})
    (run.path / "config.json").write_text(json.dumps({"a": 4}))
    with pytest.raises(RunConfigMismatch):
        store.open("demo", {"a": 3})


def _slow_work(run):
    n = len(list(run.path.parent.glob("*.started")))
    (run.path.parent / f"{time.time_ns()}.started").write_text("")
    time.sleep(0.5)
    run.write_json("result", {"n_before": n})


def _worker(root, q):
    q.put(RunStore(root).get_or_run("demo", {"same": True}, _slow_work).read_json("result"))


def test_two_processes_do_not_both_compute(tmp_path):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(str(tmp_path), q)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [q.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == [{"n_before": 0}, {"n_before": 0}]  # computed once, read twice
    assert len(list((tmp_path / "demo").glob("*.started"))) == 1


def _square(run):
    run.write_json("result", {"y": run.config["x"] ** 2})


def test_sweep_sequential_and_with_executor(store):
    jobs = [({"x": x}, _square) for x in range(4)]
    seq = store.sweep("sq", jobs[:2])
    with ThreadPoolExecutor(2) as ex:
        par = store.sweep("sq", jobs, executor=ex)
    assert [r.read_json("result")["y"] for r in par] == [0, 1, 4, 9]
    assert [r.path for r in par[:2]] == [r.path for r in seq]
