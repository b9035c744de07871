"""Small CNN classifiers for the classifier score and Fréchet distance.

The paper (Sec. 3) scores MNIST GANs with "a pre-trained MNIST classifier rather than the
Inception classifier"; TF-GAN's MNIST classifier reaches about 99% test accuracy. We train
our own once per configuration and keep it in the run store (kind ``"classifier"``), so
every chapter and every GAN run scores with the same frozen network. The same family of
networks, trained on the CIFAR-10 / STL-10 training split, is the labelled fallback of
:func:`gancond.scores.make_scorer` when the Inception weights are missing.

Network (:class:`ClassifierCNN`), for an input (B, C, S, S) in [-1, 1]::

    per entry c of channels: Conv 5x5 stride 2 padding 2 (halves S), BatchNorm, ReLU
    -> Flatten -> Linear -> ReLU (the penultimate features, hidden wide) -> Linear 10 (logits)

MNIST: 1x28x28 -> 32@14 -> 64@7 -> 128 -> 10. Strided 5x5 convolutions instead of 3x3
convolutions plus max-pooling train about twice as fast on a CPU and reach the same accuracy.

Training: Adam, a one-cycle learning rate (linear warm-up over the first 15% of steps from
max_lr/25 to max_lr, then cosine decay to max_lr/1e4), batch 128, cross-entropy; no data
augmentation for MNIST, random flips and 4-pixel shifts for CIFAR-10 / STL-10 (without them
the small network overfits and its logits on training images differ from those on new
images); one seed fixes the initialisation, the order of the batches and the augmentation. A checkpoint
after every epoch makes an interrupted run resume where it stopped with the same result.

**Pinned weights** (issue 28). Training depends on the CPU's kernels: the same recipe gives
other weights under AVX2 and AVX512 kernels (MNIST test accuracy 0.9929 against 0.9923, and one
generator's Fréchet distance 2.2% apart, ``tools/scorer_difference.py``), so a classifier retrained
on each machine would make every machine measure with its own ruler. The book therefore scores
with weights trained once and committed: ``lib/gancond/weights/<dataset>-cnn.pt`` (a float32 state
dict, in parts of :data:`PART_BYTES` joined on load, shipped with the wheel as package data, since
:func:`gancond.scores.make_scorer` needs them),
each checked on load against the SHA-256 in :data:`PINNED` (:func:`pinned_classifier`).
``tools/train_scorers.py`` retrains them with the recorded recipe and prints the checksum it gets.

Used by: chapters 1-6 through :mod:`gancond.scores` (the MNIST scorer, and the labelled fallback
for CIFAR-10 / STL-10), and :func:`gancond.experiments.load_model`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from . import data as _data
from .loop import Stopwatch, load_states, optimizer_step, state_dicts

__all__ = ["CLASSIFIER_PRESETS", "ClassifierConfig", "ClassifierCNN", "train_classifier", "classifier_config",
           "load_classifier", "PINNED", "PinnedWeightsError", "pinned_path", "pinned_classifier", "state_dict_bytes",
           "sha256_hex", "classifier_from_bytes", "PART_BYTES", "pinned_bytes", "write_pinned"]


@dataclass(frozen=True)
class ClassifierConfig:
    """Everything that defines a trained classifier (its run-store hash is computed from this)."""

    dataset: str                        # "mnist", "cifar10" or "stl10" (training split)
    channels: tuple[int, ...] = (32, 64)  # conv widths; each conv halves the image side
    hidden: int = 128                   # width of the penultimate layer
    epochs: int = 3                     # passes over the training split
    batch_size: int = 128               # images per Adam step
    max_lr: float = 3e-3                # peak of the one-cycle learning-rate schedule
    weight_decay: float = 0.0           # Adam (L2) weight decay
    augment: bool = False               # random horizontal flips and shifts of up to 4 pixels
    n_train: int | None = None          # use a seeded random subset of this many training images
    seed: int = 0                       # initialisation and batch order
    data_source: str = ""               # gancond.data.dataset_info(...)["source"] (filled in)
    data_lossy: bool = False            # whether that source is lossy (CIFAR-10 JPEG copy)

    def __post_init__(self):
        if self.dataset not in _data.DATASETS:
            raise ValueError(f"dataset must be one of {sorted(_data.DATASETS)}, got {self.dataset!r}")
        side = _data.DATASETS[self.dataset][1]
        if not self.channels or any(not isinstance(c, int) or c < 1 for c in self.channels):
            raise ValueError(f"channels must be a non-empty tuple of positive ints, got {self.channels!r}")
        if side % (2 ** len(self.channels)):
            raise ValueError(f"{len(self.channels)} stride-2 convs do not divide the image side {side}")
        for field in ("hidden", "epochs", "batch_size"):
            v = getattr(self, field)
            if not (isinstance(v, int) and v >= 1):
                raise ValueError(f"{field} must be a positive int, got {v!r}")
        if not (self.max_lr > 0 and self.weight_decay >= 0):
            raise ValueError(f"max_lr must be > 0 and weight_decay >= 0, got {self.max_lr!r}, {self.weight_decay!r}")
        if self.n_train is not None and not (isinstance(self.n_train, int) and self.n_train >= self.batch_size):
            raise ValueError(f"n_train must be None or an int >= batch_size, got {self.n_train!r}")


#: Default settings per dataset (fields of :class:`ClassifierConfig`); keyword arguments of
#: :func:`train_classifier` override them.
CLASSIFIER_PRESETS = {
    "mnist": dict(channels=(32, 64), hidden=128, epochs=3),
    "cifar10": dict(channels=(32, 64, 128), hidden=256, epochs=10, augment=True),
    "stl10": dict(channels=(32, 64, 128), hidden=256, epochs=10, augment=True),
}


class ClassifierCNN(nn.Module):
    """Strided-conv classifier for (B, C, S, S) images in [-1, 1] -> logits (B, n_classes).

    Args:
        image_shape: (C, S, S), e.g. (1, 28, 28), (3, 32, 32), (3, 48, 48).
        channels: conv widths; each Conv 5x5 / stride 2 halves S.
        hidden: penultimate width F.
        n_classes: K.

    Attributes set by :func:`train_classifier`: ``name`` (e.g. "mnist-cnn"), ``run_id``,
    ``config`` (the run config dict), ``test_accuracy``.
    """

    def __init__(self, image_shape=(1, 28, 28), channels=(32, 64), hidden: int = 128, n_classes: int = 10):
        super().__init__()
        c_in, side = image_shape[0], image_shape[1]
        layers = []
        for c in channels:
            layers += [nn.Conv2d(c_in, c, 5, stride=2, padding=2, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
            c_in, side = c, side // 2
        self.conv = nn.Sequential(*layers)  # (B, C, S, S) -> (B, c_last, S/2^L, S/2^L)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(c_in * side * side, hidden), nn.ReLU())  # (B, F)
        self.head = nn.Linear(hidden, n_classes)  # (B, K)
        self.num_features = hidden
        self.name = "cnn"
        self.run_id = None
        self.config = None
        self.test_accuracy = None

    def forward_features(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """(logits (B, K), penultimate features (B, F)) in one pass."""
        h = self.fc(self.conv(x))
        return self.head(h), h

    def features(self, x: Tensor) -> Tensor:
        """Penultimate features (B, F)."""
        return self.fc(self.conv(x))

    def forward(self, x: Tensor) -> Tensor:
        """Logits (B, K)."""
        return self.head(self.fc(self.conv(x)))


def classifier_config(dataset: str, root=None, **overrides) -> ClassifierConfig:
    """The :class:`ClassifierConfig` that :func:`train_classifier` uses (preset + overrides)."""
    if dataset not in CLASSIFIER_PRESETS:
        raise ValueError(f"dataset must be one of {sorted(CLASSIFIER_PRESETS)}, got {dataset!r}")
    unknown = set(overrides) - {f.name for f in dataclasses.fields(ClassifierConfig)}
    if unknown:
        raise TypeError(f"unknown classifier setting(s) {sorted(unknown)}")
    info = _data.dataset_info(dataset, root=root)
    kw = {**CLASSIFIER_PRESETS[dataset], "data_source": info["source"], "data_lossy": bool(info["lossy"]), **overrides}
    kw["channels"] = tuple(kw["channels"])
    return ClassifierConfig(dataset=dataset, **kw)


def _build(cfg: dict) -> ClassifierCNN:
    return ClassifierCNN(_data.DATASETS[cfg["dataset"]], tuple(cfg["channels"]), cfg["hidden"])


def _lr_at(step: int, total: int, max_lr: float) -> float:
    """One-cycle schedule: linear warm-up (15% of steps) from max_lr/25, cosine down to max_lr/1e4."""
    warm = max(1, int(0.15 * total))
    if step < warm:
        return max_lr / 25 + (max_lr - max_lr / 25) * step / warm
    t = (step - warm) / max(1, total - warm)
    return max_lr / 1e4 + (max_lr - max_lr / 1e4) * 0.5 * (1 + math.cos(math.pi * t))


def _augment(x: Tensor, gen: torch.Generator, shift: int = 4) -> Tensor:
    """Random horizontal flip and a random shift of up to ``shift`` pixels (edge-replicated) per image.

    x: (B, C, H, W) -> (B, C, H, W); all randomness from ``gen``.
    """
    b, c, h, w = x.shape
    flip = torch.rand(b, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    padded = F.pad(x, (shift,) * 4, mode="replicate")  # (B, C, H + 2s, W + 2s)
    i = torch.randint(0, 2 * shift + 1, (b,), generator=gen)
    j = torch.randint(0, 2 * shift + 1, (b,), generator=gen)
    rows = (i[:, None] + torch.arange(h))[:, None, :, None]  # (B, 1, H, 1)
    cols = (j[:, None] + torch.arange(w))[:, None, None, :]  # (B, 1, 1, W)
    return padded[torch.arange(b)[:, None, None, None], torch.arange(c)[None, :, None, None], rows, cols]


@torch.no_grad()
def _accuracy(model: nn.Module, x: Tensor, y: Tensor, batch: int = 1000) -> tuple[float, list[float]]:
    model.eval()
    pred = torch.cat([model(c).argmax(1) for c in x.split(batch)])
    correct = pred == y
    per_class = [float(correct[y == k].double().mean()) if (y == k).any() else float("nan") for k in range(10)]
    return float(correct.double().mean()), per_class


def _fit(run, root=None, verbose: bool = True) -> None:
    """Run function of the store: train (resuming from ``ckpt/last``), then store weights and accuracy.

    Not a :class:`gancond.loop.Loop`: the unit is an epoch whose batch order and augmentation
    come from a generator of (seed, epoch), with no evaluation before training and the
    checkpoint layout of the stored classifiers; it shares the loop's resume and clock pieces.
    """
    cfg = run.config
    x, y = _data.load_dataset(cfg["dataset"], "train", root=root)
    xt, yt = _data.load_dataset(cfg["dataset"], "test", root=root)
    if cfg["n_train"] is not None:
        keep = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(cfg["seed"]))[: cfg["n_train"]]
        x, y = x[keep], y[keep]

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg["seed"])
        model = _build(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["max_lr"], weight_decay=cfg["weight_decay"])
    nets, history, start, clock = {"model": model, "optimizer": opt}, [], 0, Stopwatch()
    ckpt = run.load_checkpoint("last")
    if ckpt is not None:
        load_states(nets, ckpt)
        start, clock.seconds, history = ckpt["epoch"], ckpt["train_seconds"], ckpt["history"]

    for epoch in range(start, cfg["epochs"]):
        with clock:
            loss = _train_epoch(model, opt, x, y, cfg, epoch)
        acc, _ = _accuracy(model, xt, yt)
        history.append({"epoch": epoch + 1, "train_loss": loss, "test_accuracy": acc, "train_seconds": clock.seconds})
        if verbose:
            print(f"classifier {run.id}: epoch {epoch + 1}/{cfg['epochs']} loss {loss:.4f} "
                  f"test acc {acc:.4f} ({clock.seconds:.0f} s)", flush=True)
        run.save_checkpoint({**state_dicts(nets), "epoch": epoch + 1, "train_seconds": clock.seconds,
                             "history": history})

    acc, per_class = _accuracy(model, xt, yt)
    run.save_checkpoint({"model": model.state_dict(), "config": cfg}, name="model")
    run.write_table("history", pd.DataFrame(history))
    run.write_json("result", {
        "test_accuracy": acc, "test_accuracy_per_class": per_class, "n_test": int(yt.shape[0]),
        "n_train": int(x.shape[0]), "train_seconds": clock.seconds, "torch_threads": torch.get_num_threads(),
        "n_params": sum(p.numel() for p in model.parameters()),
    })
    run.info["data"] = _data.dataset_info(cfg["dataset"], root=root)


def _train_epoch(model: nn.Module, opt: torch.optim.Optimizer, x: Tensor, y: Tensor, cfg: dict, epoch: int) -> float:
    """One pass over (x (N, C, S, S), y (N,)) in batches of ``batch_size`` (the last partial one dropped:
    BatchNorm dislikes tiny batches), on the one-cycle schedule; the mean training loss."""
    n, bs = x.shape[0], cfg["batch_size"]
    steps_per_epoch = n // bs
    model.train()
    gen = torch.Generator().manual_seed(cfg["seed"] * 100_003 + epoch)  # batch order and augmentation
    perm = torch.randperm(n, generator=gen)
    loss_sum = 0.0
    for i in range(steps_per_epoch):
        idx = perm[i * bs:(i + 1) * bs]
        for g in opt.param_groups:
            g["lr"] = _lr_at(epoch * steps_per_epoch + i, steps_per_epoch * cfg["epochs"], cfg["max_lr"])
        xb = _augment(x[idx], gen) if cfg["augment"] else x[idx]
        loss = F.cross_entropy(model(xb), y[idx])
        optimizer_step(opt, loss)
        loss_sum += loss.item()
    return loss_sum / steps_per_epoch


def train_classifier(dataset: str, store=None, root=None, verbose: bool = True, **overrides) -> ClassifierCNN:
    """The frozen classifier for ``dataset``: trained once, then loaded from the run store.

    Args:
        dataset: "mnist", "cifar10" or "stl10"; trains on its training split.
        store: a :class:`gancond.runs.RunStore` (default ``RunStore()``: ``$GANCOND_RUNS``).
        root: data root for :func:`gancond.data.load_dataset`.
        verbose: print one line per epoch while training.
        **overrides: fields of :class:`ClassifierConfig` (``epochs``, ``seed``, ``n_train``,
            ``channels``, ...) over :data:`CLASSIFIER_PRESETS`.

    Returns:
        A :class:`ClassifierCNN` in eval mode with ``requires_grad=False``, with ``name``
        (e.g. "mnist-cnn"), ``run_id``, ``config`` and ``test_accuracy`` set. The run (kind
        "classifier") holds ``result.json`` (test accuracy, training seconds, ...),
        ``history.csv`` and the weights (checkpoint "model").
    """
    from .runs import RunStore

    cfg = classifier_config(dataset, root=root, **overrides)
    store = store if store is not None else RunStore()
    run = store.get_or_run("classifier", dataclasses.asdict(cfg), lambda r: _fit(r, root=root, verbose=verbose))
    return load_classifier(run)


def load_classifier(run, name: str = "model") -> ClassifierCNN:
    """The classifier stored in a classifier run's checkpoint ``name``, frozen as :func:`train_classifier` returns it."""
    if run.kind != "classifier":
        raise ValueError(f"run {run.id} is a {run.kind!r} run, not a 'classifier' run")
    state = run.require_checkpoint(name)
    model = _build(run.config)
    model.load_state_dict(state["model"])
    model.eval().requires_grad_(False)
    model.name = f"{run.config['dataset']}-cnn"
    model.run_id = run.id
    model.config = run.config
    model.test_accuracy = run.read_json("result")["test_accuracy"]
    return model


# --------------------------------------------------------------------------- pinned weights (issue 28)
#: The scoring classifiers every chapter, tool and campaign loads: the recipe of
#: :data:`CLASSIFIER_PRESETS` on the whole training split (seed 0), trained once with one torch
#: thread by ``tools/train_scorers.py``. ``sha256`` is the checksum of the weights file's bytes
#: (a float32 state dict saved by :func:`state_dict_bytes`); ``test_accuracy`` on the whole test
#: split; ``trained_on``: torch version and CPU capability of the machine that trained it.
PINNED: dict[str, dict] = {
    "mnist": {
        "file": "mnist-cnn.pt",
        "sha256": "bcd641a5ede372224c5371ee581246d1527ce3792125c244b0399ce182d2f500",
        "test_accuracy": 0.9923,
        "config": {"dataset": "mnist", "channels": [32, 64], "hidden": 128, "epochs": 3, "batch_size": 128,
                   "max_lr": 3e-3, "weight_decay": 0.0, "augment": False, "n_train": None, "seed": 0,
                   "data_source": "torchvision", "data_lossy": False},
        "trained_on": "torch 2.14.1, AVX512, 1 thread, 2026-12-08 (48 s)",
    },
    "cifar10": {
        "file": "cifar10-cnn.pt",
        "sha256": "a3902c34c1f31af922245ef85c9ef13d92cba34139b280128f4bf538765df97f",
        "test_accuracy": 0.7927,
        "config": {"dataset": "cifar10", "channels": [32, 64, 128], "hidden": 256, "epochs": 10, "batch_size": 128,
                   "max_lr": 3e-3, "weight_decay": 0.0, "augment": True, "n_train": None, "seed": 0,
                   "data_source": "cifar10-jpeg (JPEG quality 75 copy of CIFAR-10)", "data_lossy": True},
        "trained_on": "torch 2.14.1, AVX512, 1 thread, 2026-12-08 (~10 min beside other work)",
    },
}


class PinnedWeightsError(RuntimeError):
    """A pinned weights file is missing or does not match its checksum."""


#: the pinned weights are committed in parts of at most this many bytes (``<file>.part0``, ...):
#: the repository keeps every tracked file under 2 MB; their concatenation is the checksummed file
PART_BYTES = 1_500_000


def pinned_path(dataset: str) -> Path:
    """Where the pinned weights of ``dataset``'s scoring classifier live (inside the package): a
    single file, or its parts ``<path>.part0``, ``<path>.part1``, ... beside it."""
    if dataset not in PINNED:
        raise ValueError(f"no pinned scoring classifier for {dataset!r}; pinned: {sorted(PINNED)}")
    return Path(__file__).with_name("weights") / PINNED[dataset]["file"]


def _parts(base: Path) -> list[Path]:
    return sorted(base.parent.glob(base.name + ".part*"), key=lambda p: int(p.name.rsplit(".part", 1)[1]))


def pinned_bytes(dataset: str) -> bytes:
    """The bytes of ``dataset``'s pinned weights file (its parts joined); PinnedWeightsError when missing."""
    base = pinned_path(dataset)
    if base.is_file():
        return base.read_bytes()
    parts = _parts(base)
    if not parts:
        raise PinnedWeightsError(f"the pinned {dataset} scoring classifier is missing: {base} (or its parts "
                                 f"{base.name}.part0, ...; they ship with gancond: reinstall, or regenerate them "
                                 f"with tools/train_scorers.py --dataset {dataset} --write)")
    return b"".join(p.read_bytes() for p in parts)


def write_pinned(dataset: str, data: bytes) -> list[Path]:
    """Write ``data`` as ``dataset``'s pinned weights, in parts of :data:`PART_BYTES` (old ones removed)."""
    base = pinned_path(dataset)
    for old in [base, *_parts(base)]:
        old.unlink(missing_ok=True)
    paths = []
    for i in range(0, len(data), PART_BYTES):
        paths.append(base.with_name(f"{base.name}.part{i // PART_BYTES}"))
        paths[-1].write_bytes(data[i:i + PART_BYTES])
    return paths


def state_dict_bytes(model: nn.Module) -> bytes:
    """The bytes of ``model``'s float32 state dict as the pinned files store it (``torch.save``)."""
    buf = io.BytesIO()
    torch.save({k: v.detach().cpu().clone() for k, v in model.state_dict().items()}, buf)
    return buf.getvalue()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pinned_classifier(dataset: str) -> ClassifierCNN:
    """The pinned scoring classifier of ``dataset``, frozen (eval mode, no grad), its checksum verified.

    ``run_id`` is ``"pinned-" + sha256[:16]`` and ``config`` the recorded recipe plus the full
    ``weights_sha256``: both enter a scorer's identity and so every GAN run's id.

    Raises:
        PinnedWeightsError: the file is missing (a broken install or checkout) or its SHA-256
            differs from :data:`PINNED` (a changed or corrupt file); nothing is loaded then.
    """
    pin = PINNED.get(dataset)
    data = pinned_bytes(dataset)
    got = sha256_hex(data)
    if got != pin["sha256"]:
        raise PinnedWeightsError(f"{pinned_path(dataset)} has SHA-256 {got}, not the pinned {pin['sha256'] or '(none recorded)'}: "
                                 f"the file was changed or is corrupt; restore it from the repository")
    model = classifier_from_bytes(dataset, data)
    model.test_accuracy = pin["test_accuracy"]
    return model


def classifier_from_bytes(dataset: str, data: bytes) -> ClassifierCNN:
    """A frozen classifier of the pinned recipe of ``dataset`` with the float32 state dict in
    ``data`` (e.g. one retrained on another machine, to compare with the pinned one); its
    ``run_id`` and ``config`` name the weights' SHA-256. No checksum is required here."""
    sha = sha256_hex(data)
    cfg = dict(PINNED[dataset]["config"]) if dataset in PINNED else None
    if cfg is None:
        raise ValueError(f"no pinned recipe for {dataset!r}; pinned: {sorted(PINNED)}")
    model = _build(cfg)
    model.load_state_dict(torch.load(io.BytesIO(data), map_location="cpu", weights_only=True))
    model.eval().requires_grad_(False)
    model.name = f"{dataset}-cnn"
    model.run_id = f"pinned-{sha[:16]}"
    model.config = {**cfg, "weights_sha256": sha}
    return model
