"""Tests for gancond.jacobian: known answers, references, finite differences, invariances."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from gancond.jacobian import (
    average_jacobian_spectrum,
    average_metric_eigenvalues,
    jacobian,
    log_cond_J,
    log_cond_M,
    mean_log_cond,
    precision_gap,
    singular_values,
)
from gancond.models import Generator



class LinearG(nn.Module):
    """x = A z reshaped to a (C, H, W) image: J_z = A for every z."""

    def __init__(self, A: torch.Tensor, shape: tuple[int, int, int]):
        super().__init__()
        self.A = nn.Parameter(A.clone())
        self.shape = shape
        self.z_dim = A.shape[1]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return (z @ self.A.T).reshape(z.shape[0], *self.shape)  # (B, C, H, W)


class Rotated(nn.Module):
    """z -> G(R z) for an orthogonal R."""

    def __init__(self, G: nn.Module, R: torch.Tensor):
        super().__init__()
        self.G, self.R, self.z_dim = G, R, R.shape[0]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.G(z @ self.R.T)


def orthogonal(n: int, gen: torch.Generator) -> torch.Tensor:
    q, r = torch.linalg.qr(torch.randn(n, n, generator=gen, dtype=torch.float64))
    return q * torch.sign(torch.diagonal(r))  # (n, n), Haar-distributed


def small_generator(z_dim: int = 8, dtype: torch.dtype = torch.float32, seed: int = 0) -> Generator:
    torch.manual_seed(seed)
    G = Generator(28, z_dim, width=0.125)
    # give BatchNorm non-trivial running statistics, so train and eval mode differ
    G.train()
    with torch.no_grad():
        for _ in range(3):
            G(torch.randn(32, z_dim))
    return G.to(dtype).eval()


def reference_jacobian(G: nn.Module, z: torch.Tensor, strategy: str = "reverse-mode") -> torch.Tensor:
    """torch.autograd.functional.jacobian, one z at a time, G in eval mode: (B, n_x, n_z).

    Reverse mode runs one backward pass per output (vectorize=False: vmapping the backward
    pass costs tens of seconds of one-time warm-up); forward mode needs vectorize=True.
    """
    G.eval()
    out = []
    for zi in z:
        Ji = torch.autograd.functional.jacobian(
            lambda v: G(v[None]).reshape(-1), zi, vectorize=strategy == "forward-mode", strategy=strategy
        )  # (n_x, n_z)
        out.append(Ji)
    return torch.stack(out)


def test_linear_generator_jacobian_is_A():
    gen = torch.Generator().manual_seed(1)
    A = torch.randn(16, 5, generator=gen)
    G = LinearG(A, (1, 4, 4))
    z = torch.randn(7, 5, generator=gen)
    J = jacobian(G, z)
    assert J.shape == (7, 16, 5) and J.dtype == torch.float32
    assert not J.requires_grad
    for Ji in J:
        torch.testing.assert_close(Ji, A, rtol=0, atol=1e-6)
    # also a plain nn.Linear without bias (n_z read from in_features)
    lin = nn.Linear(5, 16, bias=False)
    torch.testing.assert_close(jacobian(lin, z), lin.weight.detach().expand(7, 16, 5), rtol=0, atol=1e-6)


def test_matches_autograd_functional_jacobian():
    G = small_generator()
    z = torch.randn(2, 8, generator=torch.Generator().manual_seed(2))
    J = jacobian(G, z)
    assert J.shape == (2, 784, 8)
    torch.testing.assert_close(J, reference_jacobian(G, z), rtol=1e-4, atol=1e-6)


def test_matches_central_finite_differences_float64():
    G = small_generator(dtype=torch.float64)
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    J = jacobian(G, z)
    assert J.dtype == torch.float64
    h = 1e-6
    with torch.no_grad():
        fd = torch.stack(
            [(G(z + h * e) - G(z - h * e)).reshape(3, -1) / (2 * h) for e in torch.eye(8, dtype=torch.float64)],
            dim=2,
        )  # (B, n_x, n_z)
    scale = J.abs().max()
    assert (J - fd).abs().max() <= 1e-7 * scale


def test_prescribed_spectrum():
    gen = torch.Generator().manual_seed(4)
    n_x, n_z = 16, 5
    s = torch.tensor([10.0, 3.0, 1.0, 0.5, 0.01], dtype=torch.float64)
    U = orthogonal(n_x, gen)[:, :n_z]
    V = orthogonal(n_z, gen)
    A = U @ torch.diag(s) @ V.T  # (n_x, n_z) with singular values s
    G = LinearG(A, (1, 4, 4))
    z = torch.randn(4, n_z, generator=gen, dtype=torch.float64)
    sv = singular_values(jacobian(G, z))
    assert sv.shape == (4, n_z) and sv.dtype == torch.float64
    torch.testing.assert_close(sv, s.expand(4, n_z), rtol=1e-10, atol=0)
    expected = 2 * math.log(10.0 / 0.01)
    torch.testing.assert_close(log_cond_M(sv), torch.full((4,), expected, dtype=torch.float64), rtol=1e-10, atol=0)
    torch.testing.assert_close(log_cond_J(sv), torch.full((4,), expected / 2, dtype=torch.float64), rtol=1e-10, atol=0)
    mean, per_z = mean_log_cond(G, z)
    assert isinstance(mean, float) and mean == pytest.approx(expected, rel=1e-10)
    assert per_z.shape == (4,) and per_z.dtype == torch.float64


def test_rotation_of_z_leaves_spectrum_unchanged():
    G = small_generator(dtype=torch.float64)
    R = orthogonal(8, torch.Generator().manual_seed(5))
    z = torch.randn(4, 8, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    sv_rot = singular_values(jacobian(Rotated(G, R), z))  # J_{G o R}(z) = J_G(R z) R
    sv = singular_values(jacobian(G, z @ R.T))
    torch.testing.assert_close(sv_rot, sv, rtol=1e-10, atol=1e-14)
    torch.testing.assert_close(log_cond_M(sv_rot), log_cond_M(sv), rtol=1e-10, atol=1e-12)


def test_batchnorm_eval_mode_restored_and_per_sample():
    G = small_generator()
    z = torch.randn(6, 8, generator=torch.Generator().manual_seed(7))
    expected = reference_jacobian(G, z, strategy="forward-mode")  # eval mode
    G.train()
    G.body[1].eval()  # a mixed state must come back exactly as it was
    before = [m.training for m in G.modules()]
    running = G.project[1].running_mean.clone()
    J = jacobian(G, z)
    assert [m.training for m in G.modules()] == before
    assert torch.equal(G.project[1].running_mean, running)  # no train-mode statistics update
    torch.testing.assert_close(J, expected, rtol=1e-4, atol=1e-6)
    # the Jacobian of z[i] does not depend on the other z's of the batch
    for i in (0, 3):
        assert torch.equal(jacobian(G, z[i : i + 1]), J[i : i + 1])


def test_mode_restored_on_error():
    class Broken(nn.Module):
        z_dim = 3

        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(3)

        def forward(self, z):
            raise RuntimeError("boom")

    G = Broken().train()
    with pytest.raises(ValueError, match=r"G failed on z of shape \(2, 3\).*boom"):  # G's own error, named
        jacobian(G, torch.zeros(2, 3))
    assert G.training and G.bn.training


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_chunking_is_bit_identical(dtype):
    G = small_generator(dtype=dtype)
    z = torch.randn(10, 8, generator=torch.Generator().manual_seed(8)).to(dtype)
    J = jacobian(G, z, chunk_size=None)
    for cs in (1, 3, 4, 10, 64):
        assert torch.equal(jacobian(G, z, chunk_size=cs), J), cs
    mean, per_z = mean_log_cond(G, z)
    mean3, per_z3 = mean_log_cond(G, z, chunk_size=3)
    assert mean == mean3 and torch.equal(per_z, per_z3)


def test_average_spectra_hand_computed():
    # J_1 = [[1,0],[0,1],[0,0]], J_2 = [[1,0],[0,-1],[0,0]]:
    # E[J] = [[1,0],[0,0],[0,0]] -> singular values (1, 0);  E[J^T J] = I -> eigenvalues (1, 1).
    J = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, -1.0], [0.0, 0.0]]])
    torch.testing.assert_close(average_jacobian_spectrum(J), torch.tensor([1.0, 0.0], dtype=torch.float64))
    torch.testing.assert_close(average_metric_eigenvalues(J), torch.tensor([1.0, 1.0], dtype=torch.float64))
    # J_1 = [[3,0],[0,4],[0,0]], J_2 = [[1,0],[0,0],[0,2]]:
    # E[J] = [[2,0],[0,2],[0,1]] -> E[J]^T E[J] = diag(4, 5) -> singular values (sqrt 5, 2);
    # E[J^T J] = (diag(9, 16) + diag(1, 4)) / 2 = diag(5, 10) -> eigenvalues (10, 5).
    J = torch.tensor([[[3.0, 0.0], [0.0, 4.0], [0.0, 0.0]], [[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]]])
    torch.testing.assert_close(
        average_jacobian_spectrum(J), torch.tensor([math.sqrt(5.0), 2.0], dtype=torch.float64), rtol=1e-12, atol=0
    )
    torch.testing.assert_close(
        average_metric_eigenvalues(J), torch.tensor([10.0, 5.0], dtype=torch.float64), rtol=1e-12, atol=0
    )


def test_average_spectra_match_numpy():
    rng = np.random.default_rng(9)
    Jn = rng.standard_normal((5, 7, 3))
    J = torch.from_numpy(Jn)
    np.testing.assert_allclose(average_jacobian_spectrum(J).numpy(), np.linalg.svd(Jn.mean(0), compute_uv=False), rtol=1e-12)
    Mn = np.einsum("bij,bik->jk", Jn, Jn) / 5
    np.testing.assert_allclose(average_metric_eigenvalues(J).numpy(), np.linalg.eigvalsh(Mn)[::-1], rtol=1e-12)
    # per-z singular values and log-conds against numpy
    svn = np.linalg.svd(Jn, compute_uv=False)
    np.testing.assert_allclose(singular_values(J).numpy(), svn, rtol=1e-12)
    np.testing.assert_allclose(log_cond_M(singular_values(J)).numpy(), np.log(np.linalg.cond(Jn) ** 2), rtol=1e-10)


def test_float32_input_gives_float64_spectra_and_rank_deficiency_is_inf():
    J = torch.zeros(3, 4, 2)
    J[0] = torch.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [0.0, 0.0]])
    J[1, 0, 0] = 1.0  # rank 1: sigma_min = 0
    # J[2] = 0: sigma_max = sigma_min = 0
    sv = singular_values(J)
    assert sv.dtype == torch.float64 and sv.shape == (3, 2)
    lc = log_cond_M(sv)
    assert lc[0].item() == pytest.approx(2 * math.log(2.0))
    assert lc[1].item() == math.inf and lc[2].item() == math.inf
    assert not torch.isnan(log_cond_J(sv)).any()
    # n_x < n_z: J^T J is singular, the missing singular values are zeros
    sv_wide = singular_values(torch.randn(2, 2, 3, dtype=torch.float64))
    assert sv_wide.shape == (2, 3) and torch.all(sv_wide[:, -1] == 0)
    assert torch.all(log_cond_M(sv_wide) == math.inf)


def test_bad_arguments():
    G = small_generator()
    with pytest.raises(ValueError, match="2-D"):
        jacobian(G, torch.randn(8))
    with pytest.raises(ValueError, match="2-D"):
        jacobian(G, torch.randn(2, 8, 1))
    with pytest.raises(ValueError, match="input dimension"):
        jacobian(G, torch.randn(2, 7))
    with pytest.raises(ValueError, match="empty"):
        jacobian(G, torch.randn(0, 8))
    with pytest.raises(ValueError, match="floating"):
        jacobian(G, torch.ones(2, 8, dtype=torch.long))
    for cs in (0, -1, 2.0, True, "3"):
        with pytest.raises(ValueError, match="chunk_size"):
            jacobian(G, torch.randn(2, 8), chunk_size=cs)
        with pytest.raises(ValueError, match="chunk_size"):
            mean_log_cond(G, torch.randn(2, 8), chunk_size=cs)
    with pytest.raises(ValueError, match="J must"):
        singular_values(torch.randn(3, 4))
    with pytest.raises(ValueError, match="J must"):
        average_jacobian_spectrum(torch.randn(4, 2))
    with pytest.raises(ValueError, match="J must"):
        average_metric_eigenvalues(torch.randn(0, 4, 2))
    with pytest.raises(ValueError, match="sv must"):
        log_cond_M(torch.randn(3))


def test_precision_gap_small_when_float32_resolves_the_spectrum():
    """A well-conditioned G: float32 and float64 Jacobians give the same log kappa(M_z)."""
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 20)).eval()
    z = torch.randn(6, 8)
    gap = precision_gap(G, z)
    assert gap.shape == (6,) and gap.dtype == torch.float64
    assert float(gap.max()) < 1e-3
    assert next(G.parameters()).dtype == torch.float32  # G itself untouched


def test_precision_gap_large_when_J_is_singular():
    """J_z = B A with A (4 x 8) has rank 4 < n_z = 8: exactly singular. Float32 rounding puts
    sigma_min near 1e-7 sigma_max, float64 near 1e-16: the float32 number is a floor, and the
    gap (tens of nats) says so."""
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(8, 4, bias=False), nn.Linear(4, 20, bias=False)).eval()
    z = torch.randn(5, 8)
    own = mean_log_cond(G, z)[1]
    assert torch.isfinite(own).all() and float(own.min()) > 20  # float32 reports a finite, huge number
    assert float(precision_gap(G, z).min()) > 10


def test_precision_gap_zero_for_a_float64_generator():
    torch.manual_seed(0)
    G = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 20)).double().eval()
    assert float(precision_gap(G, torch.randn(4, 8, dtype=torch.float64)).max()) == 0.0
