"""DCGAN generators and discriminators for the paper's three image sizes.

The paper (Sec. 3) uses "the hyperparameters from Radford et al. (2015), except that we
modified the generator where appropriate so that the output would be of the right size".
The layer plans below follow ``shared/REFERENCES.md``:

- 28x28x1 (MNIST): G: z -> FC 1024 -> FC 128*7*7 -> ConvT 128->64 (14x14) -> ConvT 64->1 (28x28)
  D: Conv 1->64 (no BN) -> Conv 64->128 -> FC 1024 -> FC 1
- 32x32x3 (CIFAR-10): G: z -> 256*4*4 -> 128@8 -> 64@16 -> 3@32; D mirrors it, Linear 4096->1
- 48x48x3 (STL-10 at 48x48): G: z -> 512*3*3 -> 256@6 -> 128@12 -> 64@24 -> 3@48;
  D mirrors it, Linear 4608->1

Every channel count and hidden width is multiplied by ``width`` (``width=1`` is the paper's
size). Convolutions use kernel 4, stride 2, padding 1 (the PyTorch habit; it doubles or
halves the spatial size exactly like TensorFlow's 'SAME' kernel-5 layers of the original code).
Weights are drawn from N(0, 0.02) and BatchNorm scales from N(1, 0.02) as in DCGAN.

Used by: chapters 1-6 through the trainers (chapters 3 and 5 describe its networks).
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["IMAGE_SHAPES", "ConditionalBatchNorm", "Generator", "Discriminator", "dcgan_init"]

#: (channels, height, width) of each supported image size, keyed by side length.
IMAGE_SHAPES = {28: (1, 28, 28), 32: (3, 32, 32), 48: (3, 48, 48)}

# Channel plans at width 1: (base spatial size, channels from the first feature map down).
_CONV_PLANS = {32: (4, [256, 128, 64]), 48: (3, [512, 256, 128, 64])}


def _ch(n: int, width: float) -> int:
    return max(1, int(round(n * width)))


def _check(image_size: int, width: float) -> None:
    if image_size not in IMAGE_SHAPES:
        raise ValueError(f"image_size must be one of {sorted(IMAGE_SHAPES)}, got {image_size!r}")
    if not (isinstance(width, (int, float)) and math.isfinite(width) and width > 0):
        raise ValueError(f"width must be a positive number, got {width!r}")


def dcgan_init(module: nn.Module) -> None:
    """DCGAN initialisation: conv/linear weights ~ N(0, 0.02), BN scale ~ N(1, 0.02), biases 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if m.weight is not None:
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)


class ConditionalBatchNorm(nn.Module):
    """BatchNorm whose scale and offset depend on the class: γ_y · BN(x) + β_y.

    The conditional BatchNorm of the class-conditional WGAN-GP generator (Gulrajani et al.
    2017; the paper's Sec. 4, Fig. 7): the batch statistics are shared by all classes, the
    affine part is looked up per class (γ initialised to 1, β to 0).

    Args:
        num_features: channels C (or features of a (B, C) input with ``dims=1``).
        n_classes: number of classes K.
        dims: 1 for (B, C) inputs, 2 for (B, C, H, W) inputs.
    """

    def __init__(self, num_features: int, n_classes: int, dims: int = 2):
        super().__init__()
        if dims not in (1, 2):
            raise ValueError(f"dims must be 1 or 2, got {dims!r}")
        self.bn = (nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d)(num_features, affine=False)
        self.gamma = nn.Embedding(n_classes, num_features)  # (K, C)
        self.beta = nn.Embedding(n_classes, num_features)  # (K, C)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        shape = (x.shape[0], -1) + (1,) * (x.dim() - 2)  # (B, C) or (B, C, 1, 1)
        return self.gamma(y).view(shape) * self.bn(x) + self.beta(y).view(shape)


def _apply(seq: nn.Sequential, h: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
    """Run ``seq`` on h, handing the labels y to its conditional BatchNorm layers."""
    for m in seq:
        h = m(h, y) if isinstance(m, ConditionalBatchNorm) else m(h)
    return h


class Generator(nn.Module):
    """DCGAN generator G: z (B, z_dim) -> x (B, C, H, W) in [-1, 1].

    Args:
        image_size: 28, 32 or 48.
        z_dim: latent dimension n_z.
        width: channel/width multiplier (1.0 = the paper's network).
        n_classes: 0 for the unconditional generator of the paper's Secs. 3-4; K > 0 makes
            it class-conditional through :class:`ConditionalBatchNorm` (every BatchNorm
            becomes conditional, as in the WGAN-GP reference), and ``forward`` then takes the
            labels y (B,) as well.
    """

    def __init__(self, image_size: int = 28, z_dim: int = 64, width: float = 1.0, n_classes: int = 0):
        super().__init__()
        _check(image_size, width)
        if not (isinstance(z_dim, int) and z_dim > 0):
            raise ValueError(f"z_dim must be a positive integer, got {z_dim!r}")
        if not (isinstance(n_classes, int) and n_classes >= 0):
            raise ValueError(f"n_classes must be a non-negative integer, got {n_classes!r}")
        self.image_size, self.z_dim, self.width, self.n_classes = image_size, z_dim, width, n_classes
        self.out_shape = IMAGE_SHAPES[image_size]

        def bn(c: int, dims: int) -> nn.Module:
            if n_classes:
                return ConditionalBatchNorm(c, n_classes, dims)
            return nn.BatchNorm1d(c) if dims == 1 else nn.BatchNorm2d(c)

        if image_size == 28:
            h, c1, c2 = _ch(1024, width), _ch(128, width), _ch(64, width)
            self.project = nn.Sequential(
                nn.Linear(z_dim, h, bias=False), bn(h, 1), nn.ReLU(True),  # (B, 1024w)
                nn.Linear(h, c1 * 7 * 7, bias=False), bn(c1 * 7 * 7, 1), nn.ReLU(True),
            )
            self.base = (c1, 7, 7)
            self.body = nn.Sequential(
                nn.ConvTranspose2d(c1, c2, 4, 2, 1, bias=False), bn(c2, 2), nn.ReLU(True),  # (B, 64w, 14, 14)
                nn.ConvTranspose2d(c2, 1, 4, 2, 1), nn.Tanh(),  # (B, 1, 28, 28)
            )
        else:
            s, plan = _CONV_PLANS[image_size]
            chans = [_ch(c, width) for c in plan]
            self.project = nn.Sequential(
                nn.Linear(z_dim, chans[0] * s * s, bias=False), bn(chans[0] * s * s, 1), nn.ReLU(True),
            )
            self.base = (chans[0], s, s)
            layers: list[nn.Module] = []
            for cin, cout in zip(chans[:-1], chans[1:]):  # each doubles the spatial size
                layers += [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), bn(cout, 2), nn.ReLU(True)]
            layers += [nn.ConvTranspose2d(chans[-1], 3, 4, 2, 1), nn.Tanh()]  # (B, 3, H, W)
            self.body = nn.Sequential(*layers)
        dcgan_init(self)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if not self.n_classes:
            h = self.project(z).view(z.shape[0], *self.base)  # (B, C0, s, s)
            return self.body(h)  # (B, C, H, W)
        if y is None:
            raise ValueError("this generator is class-conditional: call G(z, y) with labels y (B,)")
        h = _apply(self.project, z, y).view(z.shape[0], *self.base)  # (B, C0, s, s)
        return _apply(self.body, h, y)  # (B, C, H, W)


class Discriminator(nn.Module):
    """DCGAN discriminator D: x (B, C, H, W) -> logit (B,) of "x is real".

    Args:
        image_size: 28, 32 or 48.
        width: channel/width multiplier (1.0 = the paper's network).
        n_classes: extra logits for an auxiliary classifier head (0 = none); when > 0,
            ``forward`` returns ``(logit (B,), class_logits (B, n_classes))``.
        batchnorm: use BatchNorm in the hidden layers (DCGAN); WGAN-GP critics use none.
    """

    def __init__(self, image_size: int = 28, width: float = 1.0, n_classes: int = 0, batchnorm: bool = True):
        super().__init__()
        _check(image_size, width)
        self.image_size, self.width, self.n_classes = image_size, width, n_classes
        c_in = IMAGE_SHAPES[image_size][0]

        def norm2d(c: int) -> nn.Module:
            return nn.BatchNorm2d(c) if batchnorm else nn.Identity()

        if image_size == 28:
            c1, c2, h = _ch(64, width), _ch(128, width), _ch(1024, width)
            self.features = nn.Sequential(
                nn.Conv2d(c_in, c1, 4, 2, 1), nn.LeakyReLU(0.2, True),  # (B, 64w, 14, 14)
                nn.Conv2d(c1, c2, 4, 2, 1, bias=not batchnorm), norm2d(c2), nn.LeakyReLU(0.2, True),  # (B, 128w, 7, 7)
                nn.Flatten(),
                nn.Linear(c2 * 7 * 7, h, bias=not batchnorm),
                nn.BatchNorm1d(h) if batchnorm else nn.Identity(), nn.LeakyReLU(0.2, True),  # (B, 1024w)
            )
            n_feat = h
        else:
            s, plan = _CONV_PLANS[image_size]
            chans = [_ch(c, width) for c in reversed(plan)]  # 64w, 128w, ...
            layers: list[nn.Module] = [nn.Conv2d(c_in, chans[0], 4, 2, 1), nn.LeakyReLU(0.2, True)]
            for cin, cout in zip(chans[:-1], chans[1:]):  # each halves the spatial size
                layers += [nn.Conv2d(cin, cout, 4, 2, 1, bias=not batchnorm), norm2d(cout), nn.LeakyReLU(0.2, True)]
            layers.append(nn.Flatten())
            self.features = nn.Sequential(*layers)
            n_feat = chans[-1] * s * s  # 4096 (32x32) or 4608 (48x48) at width 1
        self.head = nn.Linear(n_feat, 1)
        self.aux = nn.Linear(n_feat, n_classes) if n_classes > 0 else None
        dcgan_init(self)

    def forward(self, x: torch.Tensor):
        h = self.features(x)  # (B, n_feat)
        logit = self.head(h).squeeze(1)  # (B,)
        if self.aux is None:
            return logit
        return logit, self.aux(h)

