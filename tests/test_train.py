"""The GAN trainer with the run store: smoke run on real MNIST, determinism, kill-and-resume."""

import copy
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
import torch

from gancond.runs import CorruptCheckpoint, RunStore
from gancond.train import RECIPES, GANConfig, load_generator, run_config, train_gan, train_gans, train_quotient

SMOKE = dict(dataset="mnist", recipe="custom", width=0.125, steps=12, batch_size=16, eval_every=4, n_eval_z=3, score_samples=0,
             n_train=512)

# columns that must agree exactly between two runs of the same config (time_s is wall clock)
NUMBERS = ["step", "loss_d", "loss_g", "penalty", "clamp_q_p50", "mean_log_cond", "q_p10", "q_p50", "q_p90",
           "train_q_p10", "train_q_p50", "train_q_p90"]


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
    ("recipe", "adamw", "recipe must be one of"),
    ("lr_g", 1e-3, "lr_g must be 0.0002 under recipe 'radford'"),
    ("lr_d", 1.5, "lr_d must be in"),
])
def test_bad_config_raises(field, value, match):
    with pytest.raises(ValueError, match=match):
        GANConfig(**{field: value})


def test_recipes():
    t = GANConfig.from_recipe("tfgan", steps=10)
    assert (t.recipe, t.batch_size, t.lr_g, t.lr_d, t.beta1) == ("tfgan", 32, 1e-3, 1e-4, 0.5)
    r = GANConfig()
    assert (r.recipe, r.batch_size, r.lr_g, r.lr_d) == ("radford", 64, 2e-4, 2e-4)
    assert GANConfig(recipe="custom", lr_g=3e-4).lr_g == 3e-4  # custom: any values
    with pytest.raises(ValueError, match="recipe must be one of"):
        GANConfig.from_recipe("sgd")
    # the recipe is part of a run's identity
    assert run_config(t, None)["recipe"] == "tfgan" and set(RECIPES) == {"radford", "tfgan"}


def test_training_quotient_leaves_the_generator_untouched():
    from gancond.models import Generator

    G = Generator(28, 8, 0.125).train()
    before = {k: v.clone() for k, v in G.state_dict().items()}
    z = torch.randn(6, 8)
    d = torch.randn(6, 8)
    d = d / d.norm(dim=1, keepdim=True)
    q = train_quotient(G, z, d)
    assert q.shape == (6,) and q.dtype == torch.float64 and (q > 0).all()
    for k, v in G.state_dict().items():  # BatchNorm running statistics unchanged
        assert torch.equal(v, before[k]), k
    # the same Q as Algorithm 1's concatenated training-mode pass
    with torch.no_grad():
        out = G(torch.cat([z, z + d]))
    expect = (out[:6] - out[6:]).flatten(1).norm(dim=1).double()
    assert torch.allclose(q, expect, rtol=1e-5)


def test_unclamped_runs_log_training_q(store, data_root):
    run = train_gan(GANConfig(**SMOKE), store, progress=False, root=data_root)
    m, tq = run.read_table("metrics"), run.read_table("train_q")
    assert m["train_q_p50"].notna().all() and m["clamp_q_p50"].isna().all()
    assert len(tq) == len(m) * SMOKE["batch_size"] and set(tq["step"]) == set(m["step"])
    med = tq.groupby("step")["q"].quantile(0.5, interpolation="lower").to_numpy()  # torch's median
    assert torch.allclose(torch.tensor(med), torch.tensor(m["train_q_p50"].to_numpy()))


def test_workers_give_the_numbers_of_a_sequential_one_thread_sweep(tmp_path, data_root):
    cfgs = [GANConfig(**SMOKE, seed=s, clamp=s == 1) for s in range(3)]
    torch.set_num_threads(1)
    try:
        seq = train_gans(cfgs, RunStore(tmp_path / "seq"), progress=False, root=data_root, workers=1)
    finally:
        torch.set_num_threads(2)
    par = train_gans(cfgs, RunStore(tmp_path / "par"), progress=False, root=data_root, workers=2)
    assert [r.id for r in seq] == [r.id for r in par]
    for a, b in zip(seq, par):
        for t in ("metrics", "per_z", "train_q"):
            x, y = a.read_table(t), b.read_table(t)
            cols = [c for c in x.columns if c != "time_s"]
            pd.testing.assert_frame_equal(x[cols], y[cols])
    with pytest.raises(ValueError, match="workers must be"):
        train_gans(cfgs, RunStore(tmp_path / "seq"), workers=0)


def test_a_dask_cluster_runs_a_sweep_to_the_same_numbers(tmp_path, data_root):
    distributed = pytest.importorskip("distributed")  # pinned in requirements.txt
    cfgs = [GANConfig(**SMOKE, seed=s) for s in range(2)]
    torch.set_num_threads(1)
    try:
        seq = train_gans(cfgs, RunStore(tmp_path / "seq"), progress=False, root=data_root, workers=1)
    finally:
        torch.set_num_threads(2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  env={"OMP_NUM_THREADS": "1"}) as cluster, distributed.Client(cluster) as client:
        client.run(torch.set_num_threads, 1)  # as the sweep's own workers do
        par = train_gans(cfgs, RunStore(tmp_path / "dask"), progress=False, root=data_root,
                         executor=client.get_executor())
    for a, b in zip(seq, par):
        assert a.id == b.id and b.complete
        x, y = a.read_table("metrics"), b.read_table("metrics")
        cols = [c for c in x.columns if c != "time_s"]
        pd.testing.assert_frame_equal(x[cols], y[cols])


class _TenClassScorer:
    """A deterministic 10-class 'classifier' (logits from pixel statistics), for the class-count path."""

    name = "test/ten-class"
    config = {"name": "test/ten-class"}

    def features(self, images):
        x = images.flatten(1).double()
        logits = torch.stack([x[:, k::10].mean(1) * (k + 1) for k in range(10)], 1)  # (N, 10)
        return logits, logits

    def __call__(self, fake):
        return {"score": float(fake.double().mean())}


def test_runs_store_the_class_counts_chapter_4_judges(store, data_root):
    """Every evaluation stores the predicted-class counts of the 360 fixed z of chapter 4's protocol,
    and the last ones equal what the chapter's classify() finds on the stored final generator."""
    from gancond.modes import Z_OFFSET
    from gancond.train import MODE_SAMPLES, MODE_Z_OFFSET, class_counts, fixed_latents

    cfg = GANConfig(**{**SMOKE, "score_samples": 20})
    run = train_gan(cfg, store, _TenClassScorer(), progress=False, root=data_root)
    counts = run.read_table("class_counts")
    assert counts["step"].unique().tolist() == [0, 4, 8, 12] and set(counts["class"]) == set(range(10))
    assert (counts.groupby("step")["count"].sum() == MODE_SAMPLES).all()
    assert Z_OFFSET == MODE_Z_OFFSET
    z = fixed_latents(cfg.z_dim, MODE_SAMPLES, cfg.eval_seed, MODE_Z_OFFSET)
    last = counts[counts["step"] == 12].sort_values("class")["count"].tolist()
    assert last == class_counts(load_generator(run), _TenClassScorer(), z)
    # a scorer without a 10-class classifier stores no counts, and the run's numbers do not change
    other = train_gan(cfg.replace(seed=1), store, None, progress=False, root=data_root)
    assert not (other.path / "class_counts.csv").exists()


def test_spectra_frame_holds_the_float64_singular_values_of_each_J_z():
    """Issue 27: the stored spectra are the singular values of J_z of a float64 copy of G,
    descending, one row per evaluation z; G itself is left as it was."""
    from gancond.jacobian import jacobian, singular_values
    from gancond.models import Generator
    from gancond.train import fixed_latents, spectra_frame

    torch.manual_seed(0)
    G = Generator(28, 8, 0.125).train()
    z = fixed_latents(8, 5, 0, 0)
    t = spectra_frame(G, z)
    assert list(t.columns) == ["z", *[f"s{k}" for k in range(1, 9)]] and t["z"].tolist() == list(range(5))
    assert G.training and next(G.parameters()).dtype == torch.float32
    ref = singular_values(jacobian(copy.deepcopy(G).double().eval(), z.double())).numpy()
    np.testing.assert_array_equal(t.drop(columns="z").to_numpy(), ref)
