"""DCGAN models: output shapes, the paper-width layer plans, initialisation, bad arguments."""

import pytest
import torch
from torch import nn

from gancond.models import IMAGE_SHAPES, Discriminator, Generator


@pytest.mark.parametrize("size", [28, 32, 48])
@pytest.mark.parametrize("width", [0.125, 0.25, 1.0])
def test_shapes(size, width):
    G, D = Generator(size, 16, width), Discriminator(size, width)
    x = G(torch.randn(3, 16))
    assert x.shape == (3, *IMAGE_SHAPES[size])
    assert x.abs().max() <= 1.0  # tanh range, the data's range
    assert D(x).shape == (3,)


def _linears(m):
    return [(l.in_features, l.out_features) for l in m.modules() if isinstance(l, nn.Linear)]


def test_paper_width_plans_match_references():
    assert _linears(Generator(28, 64)) == [(64, 1024), (1024, 128 * 7 * 7)]
    assert _linears(Discriminator(28)) == [(128 * 7 * 7, 1024), (1024, 1)]
    assert _linears(Generator(32, 100)) == [(100, 256 * 4 * 4)]
    assert _linears(Discriminator(32)) == [(4096, 1)]
    assert _linears(Generator(48, 100)) == [(100, 512 * 3 * 3)]
    assert _linears(Discriminator(48)) == [(4608, 1)]
    convs = [m.out_channels for m in Generator(48, 100).modules() if isinstance(m, nn.ConvTranspose2d)]
    assert convs == [256, 128, 64, 3]
    d_convs = [m for m in Discriminator(32).modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in d_convs] == [64, 128, 256]
    # the first D layer has no BatchNorm (DCGAN)
    first = list(Discriminator(32).features)
    assert isinstance(first[0], nn.Conv2d) and isinstance(first[1], nn.LeakyReLU)


def test_dcgan_init():
    G = Generator(28, 64)
    w = G.project[3].weight  # the 1024 -> 6272 linear layer: 6.4M draws
    assert w.mean().abs() < 1e-3 and abs(w.std().item() - 0.02) < 1e-3
    bn = G.project[1]
    assert abs(bn.weight.mean().item() - 1.0) < 0.01 and bn.bias.abs().max() == 0


def test_auxiliary_head_and_no_batchnorm_critic():
    D = Discriminator(32, 0.25, n_classes=10, batchnorm=False)
    logit, cls = D(torch.randn(4, 3, 32, 32))
    assert logit.shape == (4,) and cls.shape == (4, 10)
    assert not any(isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) for m in D.modules())


@pytest.mark.parametrize("kwargs", [dict(image_size=64), dict(width=0), dict(width=-1.0), dict(z_dim=0)])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        Generator(**{"image_size": 28, "z_dim": 8, **kwargs})
