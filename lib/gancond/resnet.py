"""The class-conditional ResNet generator and critic of the WGAN-GP reference (paper Figure 7).

The paper's last experiment (Sec. 4, "Jacobian Clamping speeds up state-of-the-art models")
uses the conditional WGAN-GP of Gulrajani et al. (2017), the CIFAR-10 ResNet of their
``gan_cifar_resnet.py``. Its layer plan, with DIM = 128 at ``width=1`` (``shared/REFERENCES.md``):

- G: z (B, 128) -> Linear 4·4·DIM -> 3 x ResBlock-up (4 -> 8 -> 16 -> 32) with conditional
  BatchNorm -> BatchNorm, ReLU -> Conv 3x3 DIM -> 3 -> tanh.
- D: OptimizedBlock (Conv 3x3, ReLU, Conv 3x3 + mean-pool; shortcut mean-pool + Conv 1x1,
  32 -> 16) -> ResBlock-down (16 -> 8) -> 2 x ResBlock -> ReLU -> mean over space ->
  Linear DIM -> 1 (the critic) and Linear DIM -> K (the AC-GAN head). No normalization in D.

A ResBlock is shortcut(x) + conv2(relu(norm2(conv1(relu(norm1(x)))))), with a 1x1 convolution
on the shortcut wherever the block resamples. "Up" is nearest-neighbour upsampling before the
convolution (the reference's depth-to-space of four copies is the same map); "down" is a 2x2
mean pool after it. Weights: Xavier-uniform (the reference uses He/Glorot uniform variants);
conditional BatchNorm scales start at 1 and offsets at 0.

Used by: chapter 5 (WGAN-GP speed-up) at ``paper`` scale, through :mod:`gancond.wgan`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .models import ConditionalBatchNorm

__all__ = ["ResNetGenerator", "ResNetCritic"]


def _init(module: nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


class _Block(nn.Module):
    """One residual block; ``resample`` is "up", "down" or None."""

    def __init__(self, c_in: int, c_out: int, resample: str | None, n_classes: int = 0, first: bool = False):
        super().__init__()
        self.resample, self.first = resample, first
        self.norm1 = ConditionalBatchNorm(c_in, n_classes) if n_classes else None
        self.norm2 = ConditionalBatchNorm(c_out, n_classes) if n_classes else None
        self.conv1 = nn.Conv2d(c_in, c_out, 3, 1, 1)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1)
        self.shortcut = nn.Conv2d(c_in, c_out, 1) if (resample or c_in != c_out) else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = x
        if not self.first:  # the critic's first block starts with a convolution
            h = F.relu(self.norm1(h, y) if self.norm1 is not None else h)
        if self.resample == "up":
            h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.conv1(h)
        h = F.relu(self.norm2(h, y) if self.norm2 is not None else h)
        h = self.conv2(h)
        if self.resample == "down":
            h = F.avg_pool2d(h, 2)
        s = x
        if self.resample == "up":
            s = F.interpolate(s, scale_factor=2, mode="nearest")
        if self.first and self.resample == "down":  # the reference's MeanPoolConv shortcut
            s = F.avg_pool2d(s, 2)
        if self.shortcut is not None:
            s = self.shortcut(s)
        if not self.first and self.resample == "down":  # ConvMeanPool shortcut
            s = F.avg_pool2d(s, 2)
        return s + h


class ResNetGenerator(nn.Module):
    """Conditional ResNet generator G: (z (B, z_dim), y (B,)) -> x (B, 3, 32, 32) in [-1, 1].

    Args:
        z_dim: latent dimension n_z (reference: 128).
        width: DIM = round(128 · width) channels.
        n_classes: K (CIFAR-10: 10).
    """

    image_size = 32

    def __init__(self, z_dim: int = 128, width: float = 1.0, n_classes: int = 10):
        super().__init__()
        if not (isinstance(z_dim, int) and z_dim > 0) or not (isinstance(n_classes, int) and n_classes > 0):
            raise ValueError(f"z_dim and n_classes must be positive integers, got {z_dim!r}, {n_classes!r}")
        if not (isinstance(width, (int, float)) and width > 0):
            raise ValueError(f"width must be a positive number, got {width!r}")
        self.z_dim, self.width, self.n_classes = z_dim, width, n_classes
        self.dim = dim = max(1, int(round(128 * width)))
        self.project = nn.Linear(z_dim, 4 * 4 * dim)
        self.blocks = nn.ModuleList([_Block(dim, dim, "up", n_classes) for _ in range(3)])  # 4 -> 8 -> 16 -> 32
        self.out_norm = nn.BatchNorm2d(dim)
        self.out_conv = nn.Conv2d(dim, 3, 3, 1, 1)
        _init(self)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.project(z).view(z.shape[0], self.dim, 4, 4)  # (B, DIM, 4, 4)
        for block in self.blocks:
            h = block(h, y)  # (B, DIM, 8 | 16 | 32, ...)
        return torch.tanh(self.out_conv(F.relu(self.out_norm(h))))  # (B, 3, 32, 32)


class ResNetCritic(nn.Module):
    """ResNet critic D: x (B, 3, 32, 32) -> (critic value (B,), class logits (B, K)).

    Args:
        width: DIM = round(128 · width) channels.
        n_classes: K, the classes of the AC-GAN head.
    """

    image_size = 32

    def __init__(self, width: float = 1.0, n_classes: int = 10):
        super().__init__()
        if not (isinstance(width, (int, float)) and width > 0):
            raise ValueError(f"width must be a positive number, got {width!r}")
        self.dim = dim = max(1, int(round(128 * width)))
        self.n_classes = n_classes
        self.blocks = nn.Sequential(
            _Block(3, dim, "down", first=True),  # (B, DIM, 16, 16)
            _Block(dim, dim, "down"),  # (B, DIM, 8, 8)
            _Block(dim, dim, None),
            _Block(dim, dim, None),
        )
        self.head = nn.Linear(dim, 1)
        self.aux = nn.Linear(dim, n_classes)
        _init(self)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.blocks(x)).mean(dim=(2, 3))  # (B, DIM)
        return self.head(h).squeeze(1), self.aux(h)
