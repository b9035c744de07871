"""Datasets: shapes and range, the documented error for a missing root, STL-10's 48x48 path."""

import numpy as np
import pytest
import torch

from gancond import data
from gancond.data import DatasetMissing, dataset_info, load_dataset


def test_mnist_shapes_range_and_labels(data_root):
    x, y = load_dataset("mnist", "test", root=data_root)
    assert x.shape == (10_000, 1, 28, 28) and x.dtype == torch.float32
    assert x.min() == -1.0 and x.max() == 1.0
    assert y.shape == (10_000,) and set(y.tolist()) == set(range(10))
    # the README's published train-pixel mean 0.13066 maps to 2*0.13066 - 1 in [-1, 1]
    xt, _ = load_dataset("mnist", "train", root=data_root)
    assert xt.shape[0] == 60_000 and xt.mean().item() == pytest.approx(2 * 0.13066 - 1, abs=1e-4)


def test_cifar10_jpeg_copy_is_loaded_and_marked_lossy(data_root, tmp_path, monkeypatch):
    if not (data_root / "cifar10-jpeg").exists():
        pytest.skip("no CIFAR-10 JPEG copy under the data root")
    monkeypatch.setenv("GANCOND_CACHE", str(tmp_path))
    x, y = load_dataset("cifar10", "test", root=data_root)
    assert x.shape == (10_000, 3, 32, 32) and -1.0 <= x.min() < -0.9 and 0.9 < x.max() <= 1.0
    assert np.bincount(y.numpy()).tolist() == [1000] * 10
    assert len(list(tmp_path.glob("cifar10-jpeg-test-*.pt"))) == 1  # decoded once, cached
    x2, _ = load_dataset("cifar10", "test", root=data_root)
    assert torch.equal(x, x2)
    info = dataset_info("cifar10", data_root)
    assert info["lossy"] is True and "JPEG" in info["source"]
    assert dataset_info("mnist", data_root)["lossy"] is False


def test_missing_root_gives_one_clear_error(tmp_path):
    with pytest.raises(DatasetMissing) as err:
        load_dataset("mnist", root=tmp_path / "nowhere", download=False)
    msg = str(err.value)
    assert str(tmp_path / "nowhere") in msg and "MNIST/raw" in msg and "GANCOND_DATA" in msg and "download=True" in msg


def test_failed_download_becomes_dataset_missing(tmp_path, monkeypatch):
    import torchvision.datasets as tvd

    def no_network(self, *a, **k):
        raise OSError("network unreachable")

    monkeypatch.setattr(tvd.MNIST, "download", no_network)
    with pytest.raises(DatasetMissing, match="download failed: OSError: network unreachable"):
        load_dataset("mnist", root=tmp_path)


def test_env_var_sets_the_root(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCOND_DATA", str(tmp_path))
    assert data.data_root() == tmp_path
    assert data.data_root("/explicit") == data.Path("/explicit")


@pytest.mark.parametrize("name, split", [("imagenet", "train"), ("mnist", "unlabeled")])
def test_unknown_dataset_or_split(name, split):
    with pytest.raises(ValueError, match="unknown"):
        load_dataset(name, split)


def test_stl10_is_resized_to_48(monkeypatch, tmp_path):
    """STL-10 is not available offline: exercise the real code path on tensors of its shape."""
    import torchvision.datasets as tvd

    class FakeSTL10:
        def __init__(self, root, split, download):
            g = np.random.default_rng(0)
            self.data = g.integers(0, 256, size=(6, 3, 96, 96), dtype=np.uint8)
            self.labels = np.array([0, 1, 2, -1, -1, 9])

    monkeypatch.setattr(tvd, "STL10", FakeSTL10)
    x, y = load_dataset("stl10", "train+unlabeled", root=tmp_path)
    assert x.shape == (6, 3, 48, 48) and x.dtype == torch.float32
    assert -1.0 <= x.min() and x.max() <= 1.0
    assert y.tolist() == [0, 1, 2, -1, -1, 9]
    # a constant image stays constant after the antialiased resize
    const = torch.full((1, 3, 96, 96), 0.5)
    assert torch.allclose(data.resize_images(const, 48), torch.full((1, 3, 48, 48), 0.5))


def test_unconditional_models_train_stl10_on_the_unlabelled_images_too(tmp_path, monkeypatch):
    import gancond.data as data_mod
    from gancond.data import GAN_SPLIT, DatasetMissing
    from gancond.runs import RunStore
    from gancond.train import GANConfig, train_gan

    assert GAN_SPLIT == {"mnist": "train", "cifar10": "train", "stl10": "train+unlabeled"}
    asked = []

    def fake_load(name, split="train", root=None, download=None):
        asked.append((name, split))
        raise DatasetMissing("no STL-10 here")

    monkeypatch.setattr(data_mod, "load_dataset", fake_load)  # what gan_training_images calls
    with pytest.raises(DatasetMissing):
        train_gan(GANConfig(dataset="stl10", z_dim=8, width=0.125, steps=2, eval_every=1, n_eval_z=2, score_samples=0),
                  RunStore(tmp_path), progress=False)
    assert asked == [("stl10", "train+unlabeled")]


def test_missing_stl10_names_its_files(tmp_path):
    from gancond.data import DatasetMissing, load_dataset

    with pytest.raises(DatasetMissing, match=r"stl10_binary/\{train_X,train_y,unlabeled_X,test_X,test_y\}\.bin"):
        load_dataset("stl10", "train+unlabeled", root=tmp_path, download=False)
