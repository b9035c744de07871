"""The conditional WGAN-GP trainer (Fig. 7): penalty, conditional BN, critic steps, smoke runs, seeds, resume."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import gancond.wgan as wgan
from gancond.analysis import time_to_reach
from gancond.jacobian import jacobian
from gancond.models import ConditionalBatchNorm, Generator
from gancond.resnet import ResNetCritic, ResNetGenerator
from gancond.runs import RunStore
from gancond.experiments import WGAN_SETTINGS
from gancond.wgan import (WGANConfig, WithLabels, conditional_log_cond, gradient_penalty, load_wgan_generator,
                          train_wgan)

SMOKE = dict(dataset="mnist", arch="dcgan", z_dim=16, width=0.125, steps=4, batch_size=16, gen_batch_size=32,
             eval_every=2, n_eval_z=10, score_samples=0, n_train=256)
NUMBERS = ["step", "loss_d", "loss_g", "wasserstein", "gp", "penalty", "mean_log_cond", "q_p10", "q_p50", "q_p90"]


class _Linear(nn.Module):
    """D(x) = <w, x> + b: its gradient is w everywhere, so the penalty is (‖w‖ − 1)²."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x):
        return (x.flatten(1) * self.w.flatten()).sum(1) + 0.3, torch.zeros(x.shape[0], 2)


class _Quadratic(nn.Module):
    """D(x) = ½‖x‖²: its gradient at x̂ is x̂, so the penalty is the mean of (‖x̂‖ − 1)²."""

    def forward(self, x):
        return 0.5 * (x.flatten(1) ** 2).sum(1)


def test_gradient_penalty_of_a_linear_critic():
    w = torch.tensor([[[[3.0, 4.0]]]])  # ‖w‖ = 5
    gp = gradient_penalty(_Linear(w), torch.randn(3, 1, 1, 2), torch.randn(3, 1, 1, 2), torch.rand(3))
    assert gp.item() == pytest.approx((5.0 - 1.0) ** 2)


def test_gradient_penalty_hand_computed_on_a_quadratic_critic():
    x_real = torch.tensor([[[[1.0, 0.0]]], [[[0.0, 2.0]]]])  # (2, 1, 1, 2)
    x_fake = torch.tensor([[[[3.0, 0.0]]], [[[0.0, 0.0]]]])
    alpha = torch.tensor([0.5, 0.25])
    # x̂ = (2, 0) and (0, 1.5): slopes 2 and 1.5, penalty ((2 − 1)² + (1.5 − 1)²) / 2 = 0.625
    assert gradient_penalty(_Quadratic(), x_real, x_fake, alpha).item() == pytest.approx(0.625)


def test_gradient_penalty_gradient_reaches_the_critic():
    D = _Linear(torch.tensor([[[[3.0, 4.0]]]]))
    gp = gradient_penalty(D, torch.randn(4, 1, 1, 2), torch.randn(4, 1, 1, 2), torch.rand(4))
    gp.backward()
    # d/dw (‖w‖ − 1)² = 2 (‖w‖ − 1) w / ‖w‖ = 1.6 w
    assert torch.allclose(D.w.grad, 1.6 * D.w.detach())


def test_conditional_batchnorm_uses_the_class_embedding():
    cbn = ConditionalBatchNorm(3, n_classes=4)
    with torch.no_grad():
        cbn.gamma.weight[2] = torch.tensor([2.0, 3.0, 4.0])
        cbn.beta.weight[2] = torch.tensor([1.0, -1.0, 0.5])
    x = torch.randn(8, 3, 5, 5)
    y = torch.tensor([0, 2] * 4)
    out = cbn(x, y)
    normed = (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(x.var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5)
    assert torch.allclose(out[0], normed[0], atol=1e-5)  # class 0: γ = 1, β = 0
    expect = torch.tensor([2.0, 3.0, 4.0]).view(3, 1, 1) * normed[1] + torch.tensor([1.0, -1.0, 0.5]).view(3, 1, 1)
    assert torch.allclose(out[1], expect, atol=1e-5)
    G = Generator(28, 8, 0.125, n_classes=10).eval()
    for m in G.modules():  # at initialisation every class has γ = 1, β = 0; give the classes their own
        if isinstance(m, ConditionalBatchNorm):
            nn.init.normal_(m.gamma.weight, 1.0, 0.5)
            nn.init.normal_(m.beta.weight, 0.0, 0.5)
    z = torch.randn(2, 8)
    assert not torch.allclose(G(z, torch.tensor([1, 1])), G(z, torch.tensor([7, 7])))
    with pytest.raises(ValueError, match="class-conditional"):
        G(z)


def test_unconditional_generator_unchanged_by_the_conditional_option():
    torch.manual_seed(0)
    a = Generator(28, 8, 0.125)
    assert not any(isinstance(m, ConditionalBatchNorm) for m in a.modules())
    assert a(torch.randn(3, 8)).shape == (3, 1, 28, 28)


def test_resnet_shapes():
    G, D = ResNetGenerator(z_dim=16, width=0.0625, n_classes=10), ResNetCritic(width=0.0625, n_classes=10)
    x = G(torch.randn(3, 16), torch.tensor([0, 4, 9]))
    assert x.shape == (3, 3, 32, 32) and x.abs().max() <= 1
    v, c = D(x)
    assert v.shape == (3,) and c.shape == (3, 10)


def test_with_labels_jacobian_matches_autograd():
    G = Generator(28, 6, 0.125, n_classes=10).double().eval()
    z = torch.randn(3, 6, dtype=torch.float64)
    J = jacobian(WithLabels(G, 4), z)
    for i in range(3):
        ref = torch.autograd.functional.jacobian(lambda v: G(v[None], torch.tensor([4]))[0].flatten(), z[i])
        assert torch.allclose(J[i], ref, atol=1e-10)
    mean, per_z = conditional_log_cond(G, z, torch.tensor([4, 1, 4]))
    assert per_z[0] == pytest.approx(conditional_log_cond(G, z[:1], torch.tensor([4]))[1][0].item(), rel=1e-12)
    assert mean == pytest.approx(per_z.mean().item())
    with pytest.raises(ValueError, match="do not fit"):
        WithLabels(G, torch.tensor([1, 2]))(torch.randn(3, 6, dtype=torch.float64))


@pytest.mark.parametrize("n_critic", [1, 5])
def test_critic_step_count_is_respected(monkeypatch, tmp_path, data_root, n_critic):
    calls = {"critic": 0, "generator": 0}
    real_c, real_g = wgan.critic_loss, wgan.generator_loss

    def counted_c(*a, **k):
        calls["critic"] += 1
        return real_c(*a, **k)

    def counted_g(*a, **k):
        calls["generator"] += 1
        return real_g(*a, **k)

    monkeypatch.setattr(wgan, "critic_loss", counted_c)
    monkeypatch.setattr(wgan, "generator_loss", counted_g)
    train_wgan(WGANConfig(**SMOKE, n_critic=n_critic), RunStore(tmp_path), progress=False, root=data_root)
    assert calls == {"critic": 4 * n_critic, "generator": 4}


@pytest.mark.parametrize("n_critic, clamp", WGAN_SETTINGS)
def test_smoke_run_of_each_setting_on_real_mnist(store, data_root, n_critic, clamp):
    run = train_wgan(WGANConfig(**SMOKE, n_critic=n_critic, clamp=clamp), store, progress=False, root=data_root)
    m = run.read_table("metrics")
    assert m["step"].tolist() == [0, 2, 4]
    assert np.isfinite(m[["mean_log_cond", "q_p50"]].to_numpy()).all()
    assert np.isfinite(m[["loss_d", "loss_g", "wasserstein", "gp"]].iloc[1:].to_numpy()).all()
    assert m["penalty"].iloc[1:].notna().all() == clamp
    assert (m["train_time_s"].diff().iloc[1:] > 0).all() and (m["time_s"] >= m["train_time_s"]).all()
    per_z = run.read_table("per_z")
    assert sorted(per_z[per_z["step"] == 4]["label"]) == sorted(list(range(10)))
    assert run.manifest()["complete"] and run.manifest()["data"]["name"] == "mnist"
    G = load_wgan_generator(run)
    assert G(torch.randn(2, 16), torch.tensor([3, 5])).shape == (2, 1, 28, 28)


def test_same_seed_same_numbers_other_seed_other_numbers(tmp_path, data_root):
    cfg = WGANConfig(**SMOKE, clamp=True)
    a = train_wgan(cfg, RunStore(tmp_path / "a"), progress=False, root=data_root).read_table("metrics")
    b = train_wgan(cfg, RunStore(tmp_path / "b"), progress=False, root=data_root).read_table("metrics")
    c = train_wgan(cfg.replace(seed=1), RunStore(tmp_path / "a"), progress=False, root=data_root).read_table("metrics")
    pd.testing.assert_frame_equal(a[NUMBERS], b[NUMBERS])
    assert not a["loss_d"].iloc[1:].equals(c["loss_d"].iloc[1:])


def test_interrupted_run_resumes_to_identical_numbers(monkeypatch, tmp_path, data_root):
    cfg = WGANConfig(**dict(SMOKE, steps=6), clamp=True)
    real_g, calls = wgan.generator_loss, {"n": 0}

    def dies_at_fifth(*a, **k):  # an interruption after the checkpoint at step 4
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real_g(*a, **k)

    store = RunStore(tmp_path / "interrupted")
    with monkeypatch.context() as mp:
        mp.setattr(wgan, "generator_loss", dies_at_fifth)
        with pytest.raises(KeyboardInterrupt):
            train_wgan(cfg, store, progress=False, root=data_root)
    run = store.open("wgan", wgan.wgan_run_config(cfg, None))
    assert run.load_checkpoint()["step"] == 4 and not run.complete
    resumed = train_wgan(cfg, store, progress=False, root=data_root)
    fresh = train_wgan(cfg, RunStore(tmp_path / "fresh"), progress=False, root=data_root)
    assert resumed.manifest()["resumed"]
    pd.testing.assert_frame_equal(resumed.read_table("metrics")[NUMBERS], fresh.read_table("metrics")[NUMBERS])
    pd.testing.assert_frame_equal(resumed.read_table("per_z"), fresh.read_table("per_z"))


@pytest.mark.parametrize("changes, match", [
    ({"arch": "resnet"}, "32x32"),
    ({"n_critic": 0}, "n_critic must be a positive integer"),
    ({"lambda_min": 20.0}, "lambda_min must be < lambda_max"),
    ({"gp_weight": -1.0}, "gp_weight"),
    ({"arch": "vgg"}, "arch must be one of"),
])
def test_bad_config_raises(changes, match):
    with pytest.raises(ValueError, match=match):
        WGANConfig(**{**SMOKE, **changes})


def test_time_to_reach():
    t, s = [0, 10, 20, 30], [1.0, 2.0, 4.0, 3.0]
    assert time_to_reach(t, s, 3.0) == pytest.approx(15.0)  # halfway from 2 to 4
    assert time_to_reach(t, s, 0.5) == 0.0
    assert time_to_reach(t, s, 4.0) == pytest.approx(20.0)
    assert math.isnan(time_to_reach(t, s, 5.0))
    with pytest.raises(ValueError):
        time_to_reach([0, 2, 1], [1, 2, 3], 2.0)
