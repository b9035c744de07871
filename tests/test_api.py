"""The public surface (``gancond.<name>``): known answers on generators with known Jacobians, the
conditional (labels) path, CPU and CUDA, and one clear error naming the argument for bad input."""

from __future__ import annotations

import importlib.metadata
import math
import pydoc

import pytest
import torch
from torch import nn

import gancond

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA"))]


def linear_G(singular_values, n_x: int = 6, seed: int = 0, device="cpu") -> nn.Linear:
    """G(z) = A z + b in float64 with A = U diag(s) V^T: J_z = A for every z, its spectrum s."""
    gen = torch.Generator().manual_seed(seed)
    s = torch.tensor(singular_values, dtype=torch.float64)
    n_z = s.numel()
    U, _ = torch.linalg.qr(torch.randn(n_x, n_z, generator=gen, dtype=torch.float64))  # (n_x, n_z) orthonormal
    V, _ = torch.linalg.qr(torch.randn(n_z, n_z, generator=gen, dtype=torch.float64))
    G = nn.Linear(n_z, n_x).double()
    with torch.no_grad():
        G.weight.copy_(U @ torch.diag(s) @ V.T)
    return G.to(device).eval()


class ScaledByLabel(nn.Module):
    """Conditional G(z, y) = scales[y] * z, shaped (B, 1, n_z): J_z = scales[y] I, so κ = 1 and Q = scales[y]."""

    def __init__(self, scales, n_z: int = 4):
        super().__init__()
        self.scales = nn.Parameter(torch.tensor(scales, dtype=torch.float64))
        self.z_dim = n_z

    def forward(self, z, y):
        return (self.scales[y].unsqueeze(1) * z).unsqueeze(1)


class StretchByLabel(nn.Module):
    """Conditional G(z, y) = z * (1, ..., 1, c_y): J_z = diag(1, ..., c_y), log κ(M_z) = 2 |log c_y|."""

    def __init__(self, stretches, n_z: int = 3):
        super().__init__()
        self.c = nn.Parameter(torch.tensor(stretches, dtype=torch.float64))
        self.z_dim = n_z

    def forward(self, z, y):
        last = self.c[y].unsqueeze(1)  # (B, 1)
        return torch.cat([z[:, :-1], z[:, -1:] * last], dim=1)


# --------------------------------------------------------------------------- the surface
def test_public_names_resolve_and_help_shows_them():
    text = pydoc.render_doc(gancond, renderer=pydoc.plaintext)
    for name in gancond.__all__:
        assert getattr(gancond, name) is not None
        assert name == "__version__" or f"\n    {name}(" in text or f"\n    class {name}(" in text, name
    assert gancond.mean_log_condition is gancond.jacobian.mean_log_condition
    assert gancond.frechet_distance is gancond.scores.frechet_distance
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gancond.nope  # noqa: B018


def test_version_comes_from_the_package_metadata():
    assert gancond.__version__ == importlib.metadata.version("gancond")


# --------------------------------------------------------------------------- conditioning
@pytest.mark.parametrize("device", DEVICES)
def test_linear_generator_known_log_condition(device):
    G = linear_G([4.0, 2.0, 1.0], device=device)  # κ(J) = 4, κ(M) = 16
    z = torch.randn(5, 3, dtype=torch.float64, device=device)
    per_z = gancond.log_condition_numbers(G, z)
    assert per_z.shape == (5,) and per_z.dtype == torch.float64 and per_z.device.type == device
    torch.testing.assert_close(per_z.cpu(), torch.full((5,), math.log(16.0), dtype=torch.float64))
    torch.testing.assert_close(gancond.log_condition_numbers(G, z, kind="J").cpu(),
                               torch.full((5,), math.log(4.0), dtype=torch.float64))
    assert gancond.mean_log_condition(G, z) == pytest.approx(math.log(16.0), rel=1e-12)
    assert gancond.mean_log_condition(G, z, kind="J", chunk_size=2) == pytest.approx(math.log(4.0), rel=1e-12)
    spectrum = gancond.average_jacobian_spectrum(G, z, chunk_size=2)
    torch.testing.assert_close(spectrum.cpu(), torch.tensor([4.0, 2.0, 1.0], dtype=torch.float64))


def test_average_spectrum_from_G_equals_from_J():
    torch.manual_seed(1)
    G = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 8)).double().eval()
    z = torch.randn(7, 3, dtype=torch.float64)
    J = gancond.jacobian.jacobian(G, z)
    torch.testing.assert_close(gancond.average_jacobian_spectrum(G, z, chunk_size=3),
                               gancond.average_jacobian_spectrum(J), rtol=1e-12, atol=1e-14)


def test_labels_path_and_closure_agree_with_known_values():
    G = StretchByLabel([2.0, 5.0, 0.5]).eval()
    z = torch.randn(6, 3, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 2, 1, 0])
    expected = 2 * torch.tensor([2.0, 5.0, 0.5, 0.5, 5.0, 2.0], dtype=torch.float64).log().abs()
    per_z = gancond.log_condition_numbers(G, z, labels=y, chunk_size=4)
    torch.testing.assert_close(per_z, expected)
    closure = gancond.log_condition_numbers(lambda zz: G(zz, torch.full((zz.shape[0],), 1)), z)
    torch.testing.assert_close(closure, torch.full((6,), 2 * math.log(5.0), dtype=torch.float64))
    # E_z[J_z] over the batch: diag(1, 1, mean c_y) -> spectrum (2.5, 1, 1)
    torch.testing.assert_close(gancond.average_jacobian_spectrum(G, z, labels=y),
                               torch.tensor([2.5, 1.0, 1.0], dtype=torch.float64))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(z=torch.randn(3, dtype=torch.float64)), ValueError, r"^z must be a 2-D tensor"),
    (dict(z=torch.randn(2, 3, 1, dtype=torch.float64)), ValueError, r"^z must be a 2-D tensor"),
    (dict(z=torch.randn(2, 4, dtype=torch.float64)), ValueError, r"^z\.shape\[1\] must equal G's input dimension 3"),
    (dict(z=torch.ones(2, 3, dtype=torch.long)), ValueError, r"^z must be a floating-point"),
    (dict(z=torch.randn(2, 3)), ValueError, r"^z\.dtype torch\.float32 differs"),
    (dict(labels=torch.zeros(3)), ValueError, r"^labels must be a tensor \(B, \.\.\.\) with one row per z"),
    (dict(kind="MJ"), ValueError, r"^kind must be"),
    (dict(chunk_size=0), ValueError, r"^chunk_size"),
])
def test_bad_arguments_name_the_argument(kwargs, error, match):
    G = linear_G([2.0, 1.0, 1.0])
    args = dict(z=torch.randn(2, 3, dtype=torch.float64)) | kwargs
    with pytest.raises(error, match=match):
        gancond.log_condition_numbers(G, **args)
    if "kind" not in kwargs:
        with pytest.raises(error, match=match):
            gancond.average_jacobian_spectrum(G, **args)


def test_generator_in_train_mode_is_refused():
    G = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.Linear(8, 5)).double()
    z = torch.randn(4, 3, dtype=torch.float64)
    for f in (gancond.log_condition_numbers, gancond.mean_log_condition, gancond.average_jacobian_spectrum):
        with pytest.raises(ValueError, match=r"^G is in train mode .*call G\.eval\(\) first"):
            f(G, z)
    G.eval()
    G[1].train()  # one submodule left in train mode is enough to change J_z
    with pytest.raises(ValueError, match=r"^G is in train mode \(modules 1\)"):
        gancond.log_condition_numbers(G, z)
    G.eval()
    assert torch.isfinite(gancond.log_condition_numbers(G, z)).all()
    assert not any(m.training for m in G.modules())  # the mode is left as it was


def test_generator_output_must_be_a_tensor_with_one_row_per_z():
    class TupleG(nn.Module):
        def forward(self, z):
            return z, z

    z = torch.randn(2, 3)
    with pytest.raises(TypeError, match=r"^G must return a tensor \(B, \.\.\.\), got tuple"):
        gancond.log_condition_numbers(TupleG().eval(), z)
    with pytest.raises(TypeError, match=r"^G must return a tensor \(B, \.\.\.\), got tuple"):
        gancond.jacobian_clamping(TupleG(), z)
    with pytest.raises(ValueError, match=r"^G must return one output row per z"):
        gancond.jacobian_clamping(lambda zz: zz.sum(0), z)
    with pytest.raises(TypeError, match=r"^G must be a torch\.nn\.Module \(or a callable\)"):
        gancond.mean_log_condition("G", z)
    with pytest.raises(TypeError, match=r"^G must be a torch\.nn\.Module \(or a callable\)"):
        gancond.jacobian_clamping(42, z)


def test_spectrum_forms_do_not_mix():
    G = linear_G([2.0, 1.0])
    z = torch.randn(2, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"^z is required with a generator G"):
        gancond.average_jacobian_spectrum(G)
    with pytest.raises(ValueError, match=r"^z, labels and chunk_size go with a generator G"):
        gancond.average_jacobian_spectrum(gancond.jacobian.jacobian(G, z), z)


@pytest.mark.parametrize("device", DEVICES)
def test_z_on_another_device_than_G(device):
    if device == "cpu":
        pytest.skip("needs a second device")
    with pytest.raises(ValueError, match=r"^z is on cpu but G's parameters are on cuda"):
        gancond.log_condition_numbers(linear_G([2.0, 1.0], device="cuda"), torch.randn(2, 2, dtype=torch.float64))


# --------------------------------------------------------------------------- clamping
@pytest.mark.parametrize("device", DEVICES)
def test_clamping_per_sample_and_batch_by_hand(device):
    """G(z, y) = c_y z with c = (1, 3), band [5, 20]: per sample Q = (1, 3), L = ((1 - 5)² + (3 - 5)²) / 2;
    per batch Q² = (1²‖δ_0‖² + 3²‖δ_1‖²) / ‖δ‖², δ the seeded draw normalised over the batch."""
    G = ScaledByLabel([1.0, 3.0]).to(device)
    z = torch.randn(2, 4, dtype=torch.float64, device=device)
    y = torch.tensor([0, 1], device=device)
    out = gancond.jacobian_clamping(G, z, 5.0, 20.0, eps=0.5, labels=y, generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(out.Q.cpu(), torch.tensor([1.0, 3.0], dtype=torch.float64))
    assert out.penalty.item() == pytest.approx(10.0, rel=1e-12)
    torch.testing.assert_close(out.x, G(z, y))

    out = gancond.jacobian_clamping(G, z, 5.0, 20.0, eps=0.5, q_mode="batch", labels=y,
                                    generator=torch.Generator().manual_seed(3))
    d2 = torch.randn(2, 4, generator=torch.Generator().manual_seed(3), dtype=torch.float64).square().sum(1)
    q = math.sqrt((1.0 * d2[0] + 9.0 * d2[1]) / d2.sum())
    assert out.Q.shape == (1,) and out.Q.item() == pytest.approx(q, rel=1e-12)
    assert out.penalty.item() == pytest.approx((q - 5.0) ** 2, rel=1e-12)  # 1 <= q <= 3: below the band
    out.penalty.backward()
    assert G.scales.grad is not None and G.scales.grad.abs().sum() > 0


@pytest.mark.parametrize("kwargs, match", [
    (dict(lambda_min=20.0, lambda_max=20.0), r"^lambda_min must be < lambda_max"),
    (dict(lambda_min=30.0, lambda_max=20.0), r"^lambda_min must be < lambda_max"),
    (dict(eps=0.0), r"^eps must be > 0"),
    (dict(eps=-1.0), r"^eps must be > 0"),
    (dict(q_mode="per_batch"), r"^q_mode must be one of \('per_sample', 'batch'\)"),
    (dict(z=torch.randn(4)), r"^z must be a 2-D tensor"),
    (dict(labels=torch.zeros(3, dtype=torch.long)), r"^labels must be a tensor"),
])
def test_clamping_bad_arguments_name_the_argument(kwargs, match):
    G = ScaledByLabel([1.0, 3.0])
    args = dict(z=torch.randn(2, 4, dtype=torch.float64), labels=torch.tensor([0, 1])) | kwargs
    with pytest.raises(ValueError, match=match):
        gancond.jacobian_clamping(G, **args)


def test_lambdas_from_q():
    q = torch.arange(101, dtype=torch.float64)  # quantiles 0.05 and 0.95 are 5 and 95
    assert gancond.lambdas_from_q(q) == pytest.approx((5.0, 95.0))
    assert gancond.lambdas_from_q([[1.0, 2.0], [3.0, math.inf]], coverage=0.5) == pytest.approx((1.5, 2.5))
    lo, hi = gancond.lambdas_from_q(q)
    gancond.clamping.check_lambdas(lo, hi)  # a band jacobian_clamping accepts
    for bad, match in [(dict(coverage=1.0), r"^coverage must be in \(0, 1\)"),
                       (dict(q=[-1.0, 2.0]), r"^q must be >= 0"),
                       (dict(q=[3.0, 3.0, 3.0]), r"^q has no spread"),
                       (dict(q=[math.nan]), r"^q must hold at least one finite")]:
        with pytest.raises(ValueError, match=match):
            gancond.lambdas_from_q(**(dict(q=q) | bad))
