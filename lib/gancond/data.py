"""Datasets as image tensors in [-1, 1] (the generator's tanh range).

The paper trains on MNIST (28x28x1), CIFAR-10 (32x32x3) and STL-10 resized to 48x48x3
(Sec. 3). Everything goes through torchvision's dataset classes, so a machine with a network
downloads what is missing; a machine without one points ``GANCOND_DATA`` at a local copy.

Root resolution: the ``root`` argument, else the environment variable ``GANCOND_DATA``, else
``~/.cache/gancond/data``. Decoded tensors of slow sources (the CIFAR-10 JPEG copy, STL-10
resized) are cached under ``GANCOND_CACHE`` (default ``~/.cache/gancond/cache``), never inside
the data root, which may be read-only.

CIFAR-10 sources, in order: torchvision's ``cifar-10-batches-py`` under the root (exact), else
the lossy JPEG copy ``cifar10-jpeg/cifar10_{train,test}_jpeg_q75.tar.gz`` (quality 75; marked
``lossy`` in :func:`dataset_info`, which every run records), else a torchvision download.

Used by: chapter 6; every chapter through the trainers.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["DATASETS", "GAN_SPLIT", "DatasetMissing", "data_root", "dataset_info", "gan_training_images",
           "load_dataset"]

#: name -> (channels, height, width) of the tensors :func:`load_dataset` returns.
DATASETS = {"mnist": (1, 28, 28), "cifar10": (3, 32, 32), "stl10": (3, 48, 48)}

_SPLITS = {
    "mnist": ("train", "test"),
    "cifar10": ("train", "test"),
    "stl10": ("train", "test", "unlabeled", "train+unlabeled"),
}
_CIFAR_JPEG = "cifar10-jpeg/cifar10_{split}_jpeg_q75.tar.gz"
_CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


class DatasetMissing(FileNotFoundError):
    """A dataset is not under the data root and could not be downloaded."""


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data root: ``root``, else ``$GANCOND_DATA``, else ``~/.cache/gancond/data``."""
    if root is None:
        root = os.environ.get("GANCOND_DATA") or Path.home() / ".cache" / "gancond" / "data"
    return Path(root).expanduser()


def _cache_dir() -> Path:
    return Path(os.environ.get("GANCOND_CACHE") or Path.home() / ".cache" / "gancond" / "cache").expanduser()


def _check(name: str, split: str) -> None:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {sorted(DATASETS)}")
    if split not in _SPLITS[name]:
        raise ValueError(f"unknown split {split!r} for {name}; choose one of {_SPLITS[name]}")


def _missing(name: str, root: Path, expected: str, cause: Exception | None) -> DatasetMissing:
    how = {
        "mnist": "torchvision.datasets.MNIST(root, download=True) on a machine with a network",
        "cifar10": "torchvision.datasets.CIFAR10(root, download=True) on a machine with a network",
        "stl10": "torchvision.datasets.STL10(root, download=True) on a machine with a network (2.6 GB)",
    }[name]
    msg = (
        f"dataset {name!r} not found under data root {root} (expected {expected}). "
        f"Get it with {how}, or point GANCOND_DATA (or the root argument) at a folder that holds it."
    )
    if cause is not None:
        msg += f" [download failed: {type(cause).__name__}: {cause}]"
    return DatasetMissing(msg)


def _to_unit_range(images_uint8: torch.Tensor) -> torch.Tensor:
    """uint8 (N, C, H, W) in [0, 255] -> float32 in [-1, 1]."""
    return images_uint8.float().div_(127.5).sub_(1.0)


def _torchvision(name: str, root: Path, split: str, download: bool | None):
    """Open a torchvision dataset; ``download=None`` means 'try only if the files are missing'."""
    try:
        import torchvision.datasets as tvd
    except ModuleNotFoundError as err:  # an install without the extra
        raise ModuleNotFoundError(f"reading {name} needs torchvision: pip install 'gancond[data]'", name=err.name) from err

    def make(dl: bool):
        if name == "mnist":
            return tvd.MNIST(str(root), train=(split == "train"), download=dl)
        if name == "cifar10":
            return tvd.CIFAR10(str(root), train=(split == "train"), download=dl)
        return tvd.STL10(str(root), split=split, download=dl)

    expected = {
        "mnist": f"{root}/MNIST/raw/{{train,t10k}}-{{images,labels}}-idx*-ubyte",
        "cifar10": f"{root}/cifar-10-batches-py/ or {root}/{_CIFAR_JPEG.format(split=split)}",
        "stl10": f"{root}/stl10_binary/{{train_X,train_y,unlabeled_X,test_X,test_y}}.bin",
    }[name]
    try:
        return make(False)
    except (RuntimeError, FileNotFoundError) as first:
        if download is False:
            raise _missing(name, root, expected, None) from first
    try:
        return make(True)
    except Exception as err:  # no network, permission denied, ... -> one clear error
        raise _missing(name, root, expected, err) from err


def _mnist(root: Path, split: str, download: bool | None) -> tuple[torch.Tensor, torch.Tensor]:
    ds = _torchvision("mnist", root, split, download)
    x = _to_unit_range(ds.data.unsqueeze(1))  # (N, 1, 28, 28)
    return x, ds.targets.long()


def _cifar_jpeg(tar_path: Path, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode the JPEG copy once and cache it as uint8 tensors keyed by the tarball's hash."""
    from PIL import Image

    digest = hashlib.sha256(tar_path.read_bytes()).hexdigest()[:16]
    cache = _cache_dir() / f"cifar10-jpeg-{split}-{digest}.pt"
    if cache.exists():
        blob = torch.load(cache, weights_only=True)
        return blob["x"], blob["y"]
    images, labels = [], []
    with tarfile.open(tar_path) as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.endswith(".jpg")), key=lambda m: m.name)
        for m in members:
            cls = Path(m.name).parent.name
            with Image.open(io.BytesIO(tar.extractfile(m).read())) as im:
                images.append(np.asarray(im.convert("RGB")))
            labels.append(_CIFAR_CLASSES.index(cls))
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()  # (N, 3, 32, 32) uint8
    y = torch.tensor(labels, dtype=torch.long)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    torch.save({"x": x, "y": y}, tmp)
    os.replace(tmp, cache)
    return x, y


def _cifar10(root: Path, split: str, download: bool | None) -> tuple[torch.Tensor, torch.Tensor]:
    jpeg = root / _CIFAR_JPEG.format(split=split)
    if not (root / "cifar-10-batches-py").exists() and jpeg.exists():
        x, y = _cifar_jpeg(jpeg, split)
    else:
        ds = _torchvision("cifar10", root, split, download)
        x = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()
        y = torch.tensor(ds.targets, dtype=torch.long)
    return _to_unit_range(x), y


def resize_images(x: torch.Tensor, size: int, chunk: int = 2048) -> torch.Tensor:
    """Antialiased bilinear resize of float images (N, C, H, W) -> (N, C, size, size)."""
    out = [F.interpolate(c, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
           for c in x.split(chunk)]
    return torch.cat(out).clamp_(-1.0, 1.0)


def _stl10(root: Path, split: str, download: bool | None) -> tuple[torch.Tensor, torch.Tensor]:
    ds = _torchvision("stl10", root, split, download)
    x = _to_unit_range(torch.from_numpy(ds.data))  # (N, 3, 96, 96)
    return resize_images(x, 48), torch.from_numpy(ds.labels).long()  # unlabeled images have label -1


#: The split an unconditional GAN (or VAE) trains on: STL-10's 100,000 unlabelled images plus its
#: 5,000 labelled training images, as in the 48x48 GAN literature (the labels are not used);
#: the training split elsewhere. The class-conditional WGAN-GP needs labels and uses "train".
GAN_SPLIT = {"mnist": "train", "cifar10": "train", "stl10": "train+unlabeled"}


def load_dataset(name: str, split: str = "train", root: str | os.PathLike | None = None,
                 download: bool | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Load a whole split as tensors.

    Args:
        name: "mnist", "cifar10" or "stl10".
        split: "train" or "test" ("unlabeled" and "train+unlabeled" also for STL-10).
        root: data root (see :func:`data_root`).
        download: True = download if missing; False = never; None (default) = try a download
            only when the files are missing, and turn a failure into :class:`DatasetMissing`.

    Returns:
        x: float32 (N, C, H, W) in [-1, 1], with (C, H, W) = ``DATASETS[name]``.
        y: int64 (N,) class labels (-1 for STL-10's unlabeled images).
    """
    _check(name, split)
    r = data_root(root)
    loader = {"mnist": _mnist, "cifar10": _cifar10, "stl10": _stl10}[name]
    return loader(r, split, download)


def gan_training_images(name: str, n_train: int = 0, root: str | os.PathLike | None = None) -> torch.Tensor:
    """The images an unconditional GAN (or the VAE) trains on: the first ``n_train`` (0 = all) of
    ``GAN_SPLIT[name]`` (STL-10: with its unlabelled images), float32 (N, C, H, W) in [-1, 1]."""
    x, _ = load_dataset(name, GAN_SPLIT[name], root=root)
    return x[:n_train] if n_train else x


def dataset_info(name: str, root: str | os.PathLike | None = None) -> dict:
    """What a run records about its data: name, shape, source and whether the source is lossy."""
    _check(name, "train")
    r = data_root(root)
    info = {"name": name, "shape": list(DATASETS[name]), "root": str(r), "lossy": False, "source": "torchvision"}
    if name == "cifar10" and not (r / "cifar-10-batches-py").exists() and (r / _CIFAR_JPEG.format(split="train")).exists():
        info.update(source="cifar10-jpeg (JPEG quality 75 copy of CIFAR-10)", lossy=True)
    if name == "stl10":
        info["source"] = ("torchvision STL10, resized 96->48 (antialiased bilinear); unconditional models train on "
                          "train+unlabeled (105,000 images)")
    return info
