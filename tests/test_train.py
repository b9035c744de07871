"""The GAN trainer with the run store: smoke run on real MNIST, determinism, kill-and-resume."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
import torch

from gancond.runs import CorruptCheckpoint, RunStore
from gancond.train import GANConfig, load_generator, run_config, train_gan

SMOKE = dict(dataset="mnist", width=0.125, steps=12, batch_size=16, eval_every=4, n_eval_z=3, score_samples=0,
             n_train=512)

# columns that must agree exactly between two runs of the same config (time_s is wall clock)
NUMBERS = ["step", "loss_d", "loss_g", "penalty", "train_q_p50", "mean_log_cond", "q_p10", "q_p50", "q_p90"]


def test_smoke_run_on_real_mnist(store, data_root):
    run = train_gan(GANConfig(**SMOKE, clamp=True), store, progress=False, root=data_root)
    m = run.read_table("metrics")
    assert m["step"].tolist() == [0, 4, 8, 12]
    assert m["mean_log_cond"].notna().all() and (m["mean_log_cond"] > 0).all()
    assert m["penalty"].iloc[1:].notna().all() and m["loss_d"].iloc[1:].notna().all()
    per_z = run.read_table("per_z")
    assert len(per_z) == 4 * 3 and set(per_z.columns) >= {"step", "z", "log_cond", "q"}
    # the stored mean is the mean of the stored per-z values
    means = per_z.groupby("step")["log_cond"].mean().to_numpy()
    assert torch.allclose(torch.tensor(means), torch.tensor(m["mean_log_cond"].to_numpy()), atol=1e-9)
    manifest = run.manifest()
    assert manifest["complete"] and manifest["data"]["name"] == "mnist" and manifest["device"] == "cpu"
    G = load_generator(run)
    assert G(torch.randn(2, 64)).shape == (2, 1, 28, 28)
    # asked again: the stored run comes back without training
    t = time.perf_counter()
    assert train_gan(GANConfig(**SMOKE, clamp=True), store, progress=False, root=data_root).path == run.path
    assert time.perf_counter() - t < 2.0


def test_same_seed_same_numbers_other_seed_other_numbers(tmp_path, data_root):
    a = train_gan(GANConfig(**SMOKE), RunStore(tmp_path / "a"), progress=False, root=data_root)
    b = train_gan(GANConfig(**SMOKE), RunStore(tmp_path / "b"), progress=False, root=data_root)
    c = train_gan(GANConfig(**SMOKE, seed=1), RunStore(tmp_path / "a"), progress=False, root=data_root)
    ma, mb, mc = (r.read_table("metrics") for r in (a, b, c))
    pd.testing.assert_frame_equal(ma[NUMBERS], mb[NUMBERS])
    assert not ma["loss_d"].iloc[1:].equals(mc["loss_d"].iloc[1:])


KILLER = textwrap.dedent("""
    import sys, torch
    torch.set_num_threads(1)
    from gancond.runs import RunStore
    from gancond.train import GANConfig, train_gan
    cfg = GANConfig(**eval(sys.argv[2]))
    train_gan(cfg, RunStore(sys.argv[1]), progress=False, root=sys.argv[3])
""")


def test_killed_run_resumes_to_identical_numbers(tmp_path, data_root):
    cfg = dict(SMOKE, steps=400, eval_every=20, clamp=True)
    root = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(root), repr(cfg), str(data_root)],
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    store = RunStore(root)
    run = store.open("gan", run_config(GANConfig(**cfg), None))
    deadline = time.time() + 120
    while time.time() < deadline:  # wait for a checkpoint past the first evaluation, then kill
        state = (run.path / "ckpt" / "last.json").exists() and run.load_checkpoint()
        if state and 40 <= state["step"] < 400:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = run.load_checkpoint()["step"]
    assert 40 <= killed_at < 400 and not run.complete
    torch.set_num_threads(1)
    try:
        resumed = train_gan(GANConfig(**cfg), store, progress=False, root=data_root)
        fresh = train_gan(GANConfig(**cfg), RunStore(tmp_path / "fresh"), progress=False, root=data_root)
    finally:
        torch.set_num_threads(2)
    assert resumed.manifest()["resumed"]
    pd.testing.assert_frame_equal(resumed.read_table("metrics")[NUMBERS], fresh.read_table("metrics")[NUMBERS])
    pd.testing.assert_frame_equal(resumed.read_table("per_z"), fresh.read_table("per_z"))


def test_corrupt_checkpoint_is_reported_not_overwritten(store, data_root):
    cfg = GANConfig(**SMOKE)
    run = store.open("gan", run_config(cfg, None))
    run.save_checkpoint({"step": 4})
    f = next((run.path / "ckpt").glob("last-*.pt"))
    f.write_bytes(b"garbage")
    with pytest.raises(CorruptCheckpoint):
        train_gan(cfg, store, progress=False, root=data_root)
    assert f.read_bytes() == b"garbage"


@pytest.mark.parametrize("field, value, match", [
    ("dataset", "imagenet", "dataset must be one of"),
    ("steps", -5, "steps must be a positive integer"),
    ("lambda_min", 30.0, "lambda_min must be < lambda_max"),
    ("width", 0.0, "width"),
])
def test_bad_config_raises(field, value, match):
    with pytest.raises(ValueError, match=match):
        GANConfig(**{field: value})
