"""Tests of gancond.classifier: shapes, config validation, determinism, resume, store reuse,
and the pinned scoring classifiers: checksums, refusal of a changed file, recorded test accuracy."""

from __future__ import annotations


import pytest
import torch

from gancond import classifier as C
from gancond.classifier import ClassifierCNN, classifier_config, train_classifier
from gancond.runs import Run, RunStore

TINY = dict(epochs=2, n_train=512, channels=(4, 8), hidden=16, batch_size=64)  # seconds, not minutes


@pytest.mark.parametrize("shape, channels", [((1, 28, 28), (32, 64)), ((3, 32, 32), (8, 8, 8)),
                                             ((3, 48, 48), (8, 8, 8, 8))])
def test_cnn_shapes_and_features(shape, channels):
    net = ClassifierCNN(shape, channels, hidden=12).eval()
    x = torch.rand(5, *shape) * 2 - 1
    logits, feats = net.forward_features(x)
    assert logits.shape == (5, 10) and feats.shape == (5, 12) and net.num_features == 12
    assert torch.equal(net(x), logits) and torch.equal(net.features(x), feats)
    assert (feats >= 0).all()  # after ReLU


def test_config_presets_and_validation(data_root):
    cfg = classifier_config("mnist", root=data_root)
    assert (cfg.channels, cfg.hidden, cfg.epochs, cfg.seed) == ((32, 64), 128, 3, 0)
    assert cfg.data_lossy is False and cfg.data_source
    assert classifier_config("mnist", root=data_root, epochs=1).epochs == 1
    with pytest.raises(TypeError):
        classifier_config("mnist", root=data_root, epoch=1)  # typo in a setting name
    with pytest.raises(ValueError):
        classifier_config("svhn")
    with pytest.raises(ValueError):
        classifier_config("mnist", root=data_root, channels=(8, 8, 8))  # 28 is not divisible by 2**3
    with pytest.raises(ValueError):
        classifier_config("mnist", root=data_root, n_train=10)  # fewer than one batch
    with pytest.raises(ValueError):
        classifier_config("mnist", root=data_root, max_lr=0.0)


def test_lr_schedule_is_one_cycle():
    total, top = 1000, 3e-3
    lrs = [C._lr_at(s, total, top) for s in range(total)]
    assert lrs[0] == pytest.approx(top / 25) and max(lrs) == pytest.approx(top)
    assert lrs.index(max(lrs)) == 150 and lrs[-1] < top / 1000
    assert all(b <= a for a, b in zip(lrs[150:], lrs[151:]))


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_training_is_deterministic_stored_and_reused(tmp_path, data_root, monkeypatch):
    a = train_classifier("mnist", store=RunStore(tmp_path / "a"), root=data_root, verbose=False, **TINY)
    b = train_classifier("mnist", store=RunStore(tmp_path / "b"), root=data_root, verbose=False, **TINY)
    wa, wb = _weights(a), _weights(b)
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert a.test_accuracy == b.test_accuracy and a.run_id == b.run_id
    assert a.name == "mnist-cnn" and not a.training and not any(p.requires_grad for p in a.parameters())
    run = RunStore(tmp_path / "a").get("classifier", a.config)
    res = run.read_json("result")
    assert res["test_accuracy"] == a.test_accuracy and res["n_train"] == 512 and res["n_test"] == 10_000
    assert res["train_seconds"] > 0 and len(run.read_table("history")) == 2
    assert run.manifest()["data"]["name"] == "mnist"
    # a second call loads the stored weights and does not train
    monkeypatch.setattr(C, "_fit", lambda *a, **k: pytest.fail("retrained a stored classifier"))
    again = train_classifier("mnist", store=RunStore(tmp_path / "a"), root=data_root, **TINY)
    assert all(torch.equal(wa[k], v) for k, v in again.state_dict().items())
    # another seed is another run
    monkeypatch.undo()
    c = train_classifier("mnist", store=RunStore(tmp_path / "a"), root=data_root, verbose=False, **{**TINY, "seed": 1})
    assert c.run_id != a.run_id and not torch.equal(c.head.weight, a.head.weight)


def test_interrupted_training_resumes_to_the_same_weights(tmp_path, data_root, monkeypatch):
    ref = train_classifier("mnist", store=RunStore(tmp_path / "ref"), root=data_root, verbose=False, **TINY)

    class Interrupt(Exception):
        pass

    save = Run.save_checkpoint

    def save_then_die(self, state, name="last"):
        save(self, state, name)
        if name == "last" and state["epoch"] == 1:
            raise Interrupt  # killed right after the first epoch's checkpoint

    monkeypatch.setattr(Run, "save_checkpoint", save_then_die)
    with pytest.raises(Interrupt):
        train_classifier("mnist", store=RunStore(tmp_path / "int"), root=data_root, verbose=False, **TINY)
    monkeypatch.undo()
    resumed = train_classifier("mnist", store=RunStore(tmp_path / "int"), root=data_root, verbose=False, **TINY)
    run = RunStore(tmp_path / "int").get("classifier", resumed.config)
    assert run.manifest()["resumed"] is True and run.manifest()["attempts"] == 2
    wr = _weights(ref)
    assert all(torch.equal(wr[k], v) for k, v in resumed.state_dict().items())
    assert resumed.test_accuracy == ref.test_accuracy


# --------------------------------------------------------------------------- pinned weights (issue 28)
@pytest.mark.parametrize("dataset", sorted(C.PINNED))
def test_pinned_weights_load_and_match_their_checksums(dataset):
    parts = C._parts(C.pinned_path(dataset))
    assert parts and all(p.stat().st_size <= C.PART_BYTES for p in parts)  # a few MB, no tracked file over 2 MB
    data = C.pinned_bytes(dataset)
    assert C.sha256_hex(data) == C.PINNED[dataset]["sha256"]
    model = C.pinned_classifier(dataset)
    assert model.run_id == "pinned-" + C.PINNED[dataset]["sha256"][:16] and not model.training
    assert model.config["weights_sha256"] == C.PINNED[dataset]["sha256"]
    assert all(p.dtype == torch.float32 and not p.requires_grad for p in model.parameters())
    # the recorded recipe is the one train_classifier uses on the whole split
    preset = {k: (list(v) if isinstance(v, tuple) else v) for k, v in C.CLASSIFIER_PRESETS[dataset].items()}
    assert preset.items() <= C.PINNED[dataset]["config"].items() and C.PINNED[dataset]["config"]["n_train"] is None
    assert C.state_dict_bytes(model) == data  # what the tool writes is what is pinned


@pytest.mark.parametrize("dataset, floor", [("mnist", 0.99), ("cifar10", 0.75)])
def test_pinned_classifiers_reach_their_recorded_test_accuracy(dataset, floor, data_root):
    from gancond.data import load_dataset

    x, y = load_dataset(dataset, "test", root=data_root)
    acc, _ = C._accuracy(C.pinned_classifier(dataset), x, y)
    print(f"\n[pinned {dataset}-cnn] test accuracy {acc:.4f} (recorded {C.PINNED[dataset]['test_accuracy']:.4f})")
    assert acc == pytest.approx(C.PINNED[dataset]["test_accuracy"], abs=2e-4) and acc >= floor


def test_changed_or_missing_pinned_weights_are_refused(tmp_path, monkeypatch):
    good = C.pinned_bytes("mnist")
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 1  # one flipped bit in the weights
    target = tmp_path / "mnist-cnn.pt"
    target.write_bytes(bytes(bad))
    monkeypatch.setattr(C, "pinned_path", lambda dataset: target)
    with pytest.raises(C.PinnedWeightsError, match="SHA-256"):
        C.pinned_classifier("mnist")
    assert target.read_bytes() == bytes(bad)  # nothing is rewritten
    target.unlink()
    with pytest.raises(C.PinnedWeightsError, match="missing"):
        C.pinned_classifier("mnist")
    monkeypatch.undo()
    with pytest.raises(ValueError, match="no pinned"):
        C.pinned_path("stl10")


def test_augment_flips_and_shifts_deterministically():
    x = torch.arange(3 * 2 * 6 * 6, dtype=torch.float32).reshape(3, 2, 6, 6)
    a = C._augment(x, torch.Generator().manual_seed(0), shift=2)
    b = C._augment(x, torch.Generator().manual_seed(0), shift=2)
    assert a.shape == x.shape and torch.equal(a, b)
    padded = torch.nn.functional.pad(x, (2,) * 4, mode="replicate")
    padded_flipped = torch.nn.functional.pad(x.flip(3), (2,) * 4, mode="replicate")
    for k in range(3):  # every output is a 6x6 window of the (possibly flipped) edge-padded image
        windows = [p[k, :, i:i + 6, j:j + 6] for p in (padded, padded_flipped) for i in range(5) for j in range(5)]
        assert any(torch.equal(a[k], w) for w in windows)
    assert C.CLASSIFIER_PRESETS["cifar10"]["augment"] and not C.CLASSIFIER_PRESETS["mnist"].get("augment", False)
