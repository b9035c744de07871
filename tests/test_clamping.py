"""Jacobian Clamping (Algorithm 1): hand-computed penalties, gradients, Q readings, bad values."""

import math

import pytest
import torch
from torch import nn

from gancond.clamping import calibrate_lambdas, check_lambdas, clamp_penalty, jacobian_clamping, quotient
from gancond.models import Generator


class Scale(nn.Module):
    """G(z) = c·z (a Jacobian with all singular values c), shaped as a 1-channel image."""

    def __init__(self, c: float):
        super().__init__()
        self.c = nn.Parameter(torch.tensor(float(c)))

    def forward(self, z):
        return (self.c * z).view(z.shape[0], 1, 1, -1)


@pytest.mark.parametrize("q, expected", [
    (0.25, (1 - 0.25) ** 2),  # below λ_min = 1: (min(Q,1) - 1)^2
    (1.0, 0.0), (7.0, 0.0), (20.0, 0.0),  # inside the band: no penalty
    (23.0, (23 - 20) ** 2),  # above λ_max = 20
])
def test_penalty_hand_computed(q, expected):
    assert clamp_penalty(torch.tensor([q]), 1.0, 20.0).item() == pytest.approx(expected)


def test_penalty_is_batch_mean():
    Q = torch.tensor([0.5, 3.0, 22.0])
    assert clamp_penalty(Q, 1.0, 20.0).item() == pytest.approx((0.25 + 0 + 4) / 3)


@pytest.mark.parametrize("c", [0.3, 5.0, 40.0])
def test_linear_generator_quotient_is_its_scale(c):
    out = jacobian_clamping(Scale(c), torch.randn(16, 8), 1.0, 20.0, eps=0.7)
    assert torch.allclose(out.Q, torch.full((16,), c), rtol=1e-5)
    expected = (max(c, 20) - 20) ** 2 + (min(c, 1) - 1) ** 2
    assert out.penalty.item() == pytest.approx(expected, rel=1e-5)


def test_batch_reading_gives_one_quotient():
    out = jacobian_clamping(Scale(3.0), torch.randn(16, 8), q_mode="batch")
    assert out.Q.shape == (1,) and out.Q.item() == pytest.approx(3.0, rel=1e-5)


def test_delta_has_norm_eps_per_sample():
    z = torch.randn(5, 4)
    x, xp = z.view(5, 1, 1, 4), (z + 2).view(5, 1, 1, 4)
    delta = torch.full((5, 4), 1.0)  # ‖δ_b‖ = 2, ‖G(z)-G(z')‖ = 4 per sample
    assert torch.allclose(quotient(x, xp, delta), torch.full((5,), 2.0))


def test_gradient_flows_to_generator_and_pushes_q_into_band():
    G = Scale(0.25)
    out = jacobian_clamping(G, torch.randn(8, 4))
    out.penalty.backward()
    # dL/dc = 2 (c - 1) < 0 for c < 1: gradient descent raises c towards λ_min
    assert G.c.grad is not None and G.c.grad.item() == pytest.approx(2 * (0.25 - 1), rel=1e-4)


def test_shared_forward_pass_and_x_is_g_of_z():
    G = Generator(28, 16, width=0.125)
    z = torch.randn(6, 16)
    calls = []
    G.register_forward_hook(lambda m, i, o: calls.append(i[0].shape[0]))
    out = jacobian_clamping(G, z, generator=torch.Generator().manual_seed(1))
    assert calls == [12]  # one pass over [z; z'] so BatchNorm statistics are shared
    assert out.x.shape == (6, 1, 28, 28) and out.x.requires_grad
    G.eval()
    out_eval = jacobian_clamping(G, z, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(out_eval.x, G(z), atol=1e-6)
    for p in G.parameters():
        p.grad = None
    out.penalty.backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


@pytest.mark.parametrize("kwargs, match", [
    (dict(lambda_min=20.0, lambda_max=20.0), "lambda_min must be < lambda_max"),
    (dict(lambda_min=25.0, lambda_max=20.0), "lambda_min must be < lambda_max"),
    (dict(lambda_min=-1.0, lambda_max=20.0), "lambda_min must be >= 0"),
    (dict(lambda_min=1.0, lambda_max=20.0, eps=0.0), "eps must be > 0"),
    (dict(lambda_min=1.0, lambda_max=math.inf), "lambda_max must be a finite number"),
    (dict(lambda_min=1.0, lambda_max=20.0, q_mode="global"), "q_mode"),
])
def test_bad_values_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        check_lambdas(**kwargs)
    with pytest.raises(ValueError, match=match):
        jacobian_clamping(Scale(1.0), torch.randn(2, 3), **kwargs)


def test_calibration_uses_good_runs_only():
    q = {"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [2.0, 3.0, 4.0], "c": [50.0, 60.0, 70.0]}
    scores = {"a": 9.0, "b": 8.5, "c": 2.0}
    out = calibrate_lambdas(q, scores, good_fraction=2 / 3, coverage=0.5)
    assert out["good_runs"] == ["a", "b"]
    pooled = torch.tensor([1.0, 2, 3, 4, 5, 2, 3, 4], dtype=torch.float64)
    assert out["lambda_min"] == pytest.approx(pooled.quantile(0.25).item())
    assert out["lambda_max"] == pytest.approx(pooled.quantile(0.75).item())
    # for a distance, lower is better: the bad run "c" becomes the good one
    assert calibrate_lambdas(q, {"a": 9.0, "b": 8.5, "c": 2.0}, 1 / 3, higher_is_better=False)["good_runs"] == ["c"]


def test_calibration_bad_arguments():
    with pytest.raises(ValueError, match="same, non-empty set of runs"):
        calibrate_lambdas({"a": [1.0]}, {"b": 1.0})
    with pytest.raises(ValueError, match="coverage"):
        calibrate_lambdas({"a": [1.0]}, {"a": 1.0}, coverage=1.0)
