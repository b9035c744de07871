"""Every bad input a user of the public library met in issue 30 gets a named error or a correct
result, and nothing stored (BatchNorm's running statistics) is changed by a refused call."""

from __future__ import annotations

import pydoc

import numpy as np
import pytest
import torch
from torch import nn

import gancond
from gancond.models import Generator


def _sequential(n_z: int = 8) -> nn.Module:
    return nn.Sequential(nn.Linear(n_z, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 20))


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_or_inf_in_z_is_named_and_leaves_batchnorm_alone(bad):
    torch.manual_seed(0)
    G = _sequential()
    z = torch.randn(16, 8)
    z[3, 2] = bad
    before = {k: v.clone() for k, v in G.state_dict().items()}
    with pytest.raises(ValueError, match="z must be finite"):
        gancond.jacobian_clamping(G.train(), z)
    assert all(torch.equal(before[k], v) for k, v in G.state_dict().items())  # running statistics untouched
    G.eval()
    with pytest.raises(ValueError, match="z must be finite"):
        gancond.log_condition_numbers(G, z)
    assert torch.isfinite(gancond.log_condition_numbers(G, torch.randn(4, 8))).all()  # later clean z: fine


def test_a_float64_z_for_a_float32_G_is_named_in_clamping_too():
    G = _sequential().train()
    with pytest.raises(ValueError, match="z.dtype torch.float64 differs"):
        gancond.jacobian_clamping(G, torch.randn(4, 8, dtype=torch.float64))


@pytest.mark.parametrize("B", [1, 40])
def test_a_closure_of_z_works_for_any_batch_size(B):
    torch.manual_seed(0)

    class Cond(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin, self.emb = nn.Linear(8, 20), nn.Embedding(10, 8)

        def forward(self, z, y):
            return torch.tanh(self.lin(z + self.emb(y)))

    G = Cond().eval()
    z, y = torch.randn(B, 8), torch.arange(B) % 10
    closure = lambda zz: G(zz, y)  # noqa: E731 - the documented "closure of z" form
    lc = gancond.log_condition_numbers(closure, z)
    assert lc.shape == (B,) and torch.allclose(lc, gancond.log_condition_numbers(G, z, labels=y), atol=1e-4)
    out = gancond.jacobian_clamping(closure, z)
    assert out.x.shape == (B, 20) and torch.isfinite(out.penalty) and out.Q.shape == (B,)


def test_a_sequential_with_the_wrong_z_width_gets_one_named_error():
    G = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 20)).eval()
    with pytest.raises(ValueError, match=r"z.shape\[1\] must equal G's input dimension 8, got 5"):
        gancond.log_condition_numbers(G, torch.randn(4, 5))
    with pytest.raises(ValueError, match="input dimension 8"):
        gancond.jacobian_clamping(G, torch.randn(4, 5))
    odd = nn.Sequential(nn.Tanh(), nn.Linear(8, 20)).eval()  # no declared width: G's own failure, named
    with pytest.raises(ValueError, match=r"G failed on z of shape \(4, 5\)"):
        gancond.log_condition_numbers(odd, torch.randn(4, 5))


@pytest.mark.parametrize("lam", [np.float32(20), np.float64(20), torch.tensor(20.0), 20])
def test_lambdas_as_numpy_scalars_or_tensors_are_numbers(lam):
    torch.manual_seed(0)
    G = _sequential().train()
    out = gancond.jacobian_clamping(G, torch.randn(8, 8), lambda_min=np.float32(1), lambda_max=lam)
    assert torch.isfinite(out.penalty)
    for bad in (True, "20", torch.tensor([1.0, 2.0]), float("nan")):
        with pytest.raises(ValueError, match="lambda_max must be a finite number"):
            gancond.jacobian_clamping(G, torch.randn(8, 8), lambda_max=bad)


@pytest.mark.parametrize("eps", [1e-30, 1e-8])
def test_an_eps_the_dtype_cannot_resolve_is_refused(eps):
    G = _sequential().train()
    with pytest.raises(ValueError, match=f"eps={eps:g} is not resolved in torch.float32"):
        gancond.jacobian_clamping(G, torch.randn(8, 8), eps=eps)
    assert torch.isfinite(gancond.jacobian_clamping(G, torch.randn(8, 8), eps=1e-2).penalty)  # small but resolved


def test_a_batch_of_one_through_batchnorm_in_train_mode_is_refused():
    G = Generator(28, 16, 0.125).train()
    with pytest.raises(ValueError, match="a batch of one z with G in train mode"):
        gancond.jacobian_clamping(G, torch.randn(1, 16))
    assert gancond.jacobian_clamping(G.eval(), torch.randn(1, 16)).Q.shape == (1,)  # eval mode: fine


def test_the_package_is_typed_and_its_help_shows_the_public_names():
    from pathlib import Path

    assert (Path(gancond.__file__).parent / "py.typed").exists()
    text = pydoc.render_doc(gancond, renderer=pydoc.plaintext)
    assert "__getattr__" not in text and "__dir__" not in text
    for name in ("jacobian_clamping", "log_condition_numbers", "ClampOutput", "frechet_distance"):
        assert name in text
    doc = pydoc.render_doc(gancond.ClampOutput, renderer=pydoc.plaintext)
    for field in ("penalty", "Q", "x"):
        assert f"{field}:" in doc
