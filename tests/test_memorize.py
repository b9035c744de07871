"""The memorizing generator of Appendix B.1: its memorized set, trainer, resume, presets, validation."""

import dataclasses

import pandas as pd
import pytest
import torch
from torch import nn

from gancond.data import load_dataset
from gancond.memorize import (COPY_LABEL, MemorizeConfig, load_memorizer, memorization_stats, memorized_set,
                              train_memorizer, train_memorizers)
from gancond.runs import Run, RunStore
from gancond.train import fixed_latents

SMOKE = dict(width=0.125, n_memorized=128, n_copies=64, steps=60, batch_size=32, eval_every=20, n_eval_z=3, lr=1e-3)
NUMBERS = ["step", "loss", "mse", "mse_random", "mse_copies", "mean_log_cond"]  # time_s is wall clock


@pytest.fixture(scope="module")
def mnist(data_root):
    return load_dataset("mnist", "train", root=data_root)


def test_mapping_is_fixed_by_the_seed_and_a_bijection(mnist):
    cfg = MemorizeConfig(n_memorized=300, n_copies=120, seed=3)
    a, b = memorized_set(cfg, data=mnist), memorized_set(cfg, data=mnist)
    for f in ("z", "x", "index", "label", "is_copy", "slot"):
        assert torch.equal(getattr(a, f), getattr(b, f)), f
    # training settings do not change the set; only seed, n_memorized, n_copies, z_dim do
    c = memorized_set(cfg.replace(steps=7, width=0.5, lr=1e-3, eval_every=3, n_eval_z=5), data=mnist)
    assert torch.equal(a.z, c.z) and torch.equal(a.index, c.index)
    other = memorized_set(cfg.replace(seed=4), data=mnist)
    assert not torch.equal(a.z, other.z) and not torch.equal(a.index, other.index)
    # bijection: every target slot gets exactly one z, and the z's are distinct
    n = cfg.n_memorized
    assert a.z.shape == (n, 64) and a.x.shape == (n, 1, 28, 28)
    assert torch.equal(a.slot.sort().values, torch.arange(n))
    assert torch.unique(a.z, dim=0).shape[0] == n
    # slots [0, n_random) hold the random digits, the rest the copies of the 4
    assert torch.equal(a.is_copy, a.slot >= cfg.n_random)
    # the memorized z are not the fixed evaluation z of the GAN runs
    assert torch.cdist(a.z, fixed_latents(64, 64, 0, 0)).min() > 1.0


def test_target_set_has_the_stated_composition(mnist):
    x_all, y_all = mnist
    cfg = MemorizeConfig(n_memorized=500, n_copies=200, seed=1)
    s = memorized_set(cfg, data=mnist)
    assert int(s.is_copy.sum()) == cfg.n_copies == 200
    rand = s.index[~s.is_copy]
    assert rand.numel() == cfg.n_random == 300 and torch.unique(rand).numel() == 300  # distinct digits
    assert not (rand == s.copy_index).any()  # the copied 4 is not also a random digit
    assert int(y_all[s.copy_index]) == COPY_LABEL == 4
    assert (s.index[s.is_copy] == s.copy_index).all() and (s.label[s.is_copy] == 4).all()
    assert torch.equal(s.x[s.is_copy], x_all[s.copy_index].expand(200, 1, 28, 28))  # identical copies
    assert torch.equal(s.x, x_all[s.index]) and torch.equal(s.label, y_all[s.index])
    assert torch.unique(s.label[~s.is_copy]).numel() == 10  # random digits of every class
    fours = {memorized_set(cfg.replace(seed=k), data=mnist).copy_index for k in range(4)}
    assert len(fours) > 1  # the seed picks the 4
    # edge cases: only copies, only random digits
    assert memorized_set(cfg.replace(n_copies=500), data=mnist).is_copy.all()
    assert not memorized_set(cfg.replace(n_copies=0), data=mnist).is_copy.any()


def test_smoke_run_lowers_the_l2_loss_on_real_mnist(store, data_root, mnist, one_thread):
    cfg = MemorizeConfig(**SMOKE)
    run = train_memorizer(cfg, store, progress=False, root=data_root)
    m = run.read_table("metrics")
    assert m["step"].tolist() == [0, 20, 40, 60]
    assert m["mse"].iloc[-1] < 0.6 * m["mse"].iloc[0]
    assert m["loss"].iloc[-1] < m["loss"].iloc[1]
    assert m["mean_log_cond"].notna().all() and (m["mean_log_cond"] > 0).all()
    per_z = run.read_table("per_z")
    assert len(per_z) == 4 * 3
    means = per_z.groupby("step")["log_cond"].mean().to_numpy()
    assert torch.allclose(torch.tensor(means), torch.tensor(m["mean_log_cond"].to_numpy()), atol=1e-9)
    man = run.manifest()
    assert man["complete"] and man["kind"] == "memorize" and man["n_random"] == 64
    G = load_memorizer(run)
    assert not G.training and G(torch.randn(2, 64)).shape == (2, 1, 28, 28)
    stats = memorization_stats(G, memorized_set(run, data=mnist))
    assert stats["mse"] == pytest.approx(m["mse"].iloc[-1], rel=1e-4)
    assert stats["n"] == 128 and 0 <= stats["recall"] <= 1
    # asked again (also through the sweep): the stored run comes back without training
    assert train_memorizers([cfg], store, progress=False, root=data_root)[0].path == run.path


class Interrupted(Exception):
    pass


def test_interrupted_run_resumes_to_identical_numbers(tmp_path, data_root, monkeypatch, one_thread):
    cfg = MemorizeConfig(**dict(SMOKE, steps=80))
    store = RunStore(tmp_path / "interrupted")
    save = Run.save_checkpoint
    calls = []

    def save_then_interrupt(self, state, name="last"):  # dies right after the checkpoint at step 40
        save(self, state, name)
        calls.append(state.get("step"))
        if state.get("step") == 40:
            raise Interrupted

    monkeypatch.setattr(Run, "save_checkpoint", save_then_interrupt)
    with pytest.raises(Interrupted):
        train_memorizer(cfg, store, progress=False, root=data_root)
    monkeypatch.undo()
    run = store.open("memorize", dataclasses.asdict(cfg))
    assert calls == [0, 20, 40] and not run.complete and run.load_checkpoint()["step"] == 40
    torch.manual_seed(123)  # the global RNG must not matter after a resume
    resumed = train_memorizer(cfg, store, progress=False, root=data_root)
    fresh = train_memorizer(cfg, RunStore(tmp_path / "fresh"), progress=False, root=data_root)
    assert resumed.manifest()["resumed"] and resumed.manifest()["attempts"] == 2
    pd.testing.assert_frame_equal(resumed.read_table("metrics")[NUMBERS], fresh.read_table("metrics")[NUMBERS])
    pd.testing.assert_frame_equal(resumed.read_table("per_z"), fresh.read_table("per_z"))
    a, b = load_memorizer(resumed).state_dict(), load_memorizer(fresh).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


class _Lookup(nn.Module):
    """A 'generator' that returns the target of the nearest memorized z (or a constant image)."""

    def __init__(self, z, x, constant=None):
        super().__init__()
        self.z, self.x, self.constant = z, x, constant
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, z):
        if self.constant is not None:
            return self.constant.expand(z.shape[0], 1, 28, 28)
        return self.x[torch.cdist(z, self.z).argmin(dim=1)]


def test_memorization_stats_known_answers(mnist):
    s = memorized_set(MemorizeConfig(n_memorized=200, n_copies=100, seed=2), data=mnist)
    perfect = memorization_stats(_Lookup(s.z, s.x), s)
    assert perfect["mse"] == 0 and perfect["recall"] == 1 and perfect["recall_copies"] == 1
    only_four = memorization_stats(_Lookup(s.z, s.x, constant=s.x[s.is_copy][:1]), s)
    assert only_four["recall_copies"] == 1 and only_four["recall_random"] == 0 and only_four["mse_copies"] == 0
    assert only_four["recall"] == pytest.approx(0.5) and only_four["mse_random"] > 0.1
    assert memorization_stats(_Lookup(s.z, s.x), s, n=50)["n"] == 50
    with pytest.raises(ValueError, match="n must be"):
        memorization_stats(_Lookup(s.z, s.x), s, n=0)


@pytest.mark.parametrize("field, value, match", [
    ("n_copies", 20_000, "n_copies must be at most n_memorized"),
    ("n_copies", -1, "n_copies must be a non-negative integer"),
    ("n_memorized", 0, "n_memorized must be a positive integer"),
    ("steps", 1.5, "steps must be a positive integer"),
    ("width", 0.0, "width must be a positive number"),
    ("lr", 0.0, "lr must be in"),
    ("beta1", 1.0, "beta1 must be in"),
    ("batch_size", 20_000, "batch_size must be at most n_memorized"),
    ("seed", -3, "seed must be a non-negative integer"),
    ("z_dim", True, "z_dim must be a positive integer"),
])
def test_bad_config_raises(field, value, match):
    with pytest.raises(ValueError, match=f"MemorizeConfig.{match}"):
        MemorizeConfig(**{field: value})


def test_too_many_random_digits_raise():
    with pytest.raises(ValueError, match="n_memorized minus n_copies"):
        MemorizeConfig(n_memorized=70_000, n_copies=5_000)
