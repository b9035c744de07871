"""Tests of gancond.scores: eq. 3 (classifier score), eq. 4 (Fréchet distance), mode counts, scorers.

References: a direct NumPy computation of eq. 3, scipy.linalg.sqrtm for eq. 4 (pytorch-fid's
way), hand-computed answers, and torchmetrics' metrics (whose input conventions are checked
here too). The real-data tests print the reference numbers (run pytest with -s to see them).
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
import scipy.linalg
import torch
from torch import nn

from gancond import scores
from gancond.classifier import PINNED
from gancond.runs import RunStore
from gancond.scores import (
    ClassifierScorer,
    InceptionScorer,
    classifier_score,
    frechet_distance,
    frechet_distance_from_features,
    gaussian_moments,
    make_scorer,
    mode_statistics,
)


# --------------------------------------------------------------------------- eq. 3
def _np_score(logits: np.ndarray) -> float:
    """Slow reference of eq. 3 in NumPy (float64)."""
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    py = p.mean(axis=0)
    kl = [sum(pi[k] * (np.log(pi[k]) - np.log(py[k])) for k in range(len(py)) if pi[k] > 0) for pi in p]
    return float(np.exp(np.mean(kl)))


def test_classifier_score_matches_numpy():
    g = torch.Generator().manual_seed(1)
    for scale in (0.5, 3.0, 10.0):
        logits = scale * torch.randn(500, 10, generator=g)
        assert classifier_score(logits) == pytest.approx(_np_score(logits.double().numpy()), rel=1e-6, abs=0)


def test_classifier_score_known_answers():
    g = torch.Generator().manual_seed(2)
    row = torch.randn(1, 10, generator=g)
    assert classifier_score(row.repeat(300, 1)) == pytest.approx(1.0, abs=1e-12)  # constant prediction
    for k in (2, 3, 10):
        labels = torch.arange(40 * k) % k  # balanced
        confident = 100.0 * nn.functional.one_hot(labels, k).double()
        assert classifier_score(confident) == pytest.approx(k, rel=1e-6)
    # confident but all one class: 1; confident and half in each of 2 of 10 classes: 2
    assert classifier_score(100.0 * nn.functional.one_hot(torch.zeros(50, dtype=torch.long), 10)) == pytest.approx(1.0)
    two = 100.0 * nn.functional.one_hot(torch.arange(50) % 2, 10).double()
    assert classifier_score(two) == pytest.approx(2.0, rel=1e-6)


def test_classifier_score_invariances_and_splits():
    g = torch.Generator().manual_seed(3)
    logits = 4 * torch.randn(300, 10, generator=g, dtype=torch.float64)
    s = classifier_score(logits)
    assert classifier_score(logits + 7 * torch.randn(300, 1, generator=g, dtype=torch.float64)) == pytest.approx(s, rel=1e-12)  # per-row shift
    assert classifier_score(logits[torch.randperm(300, generator=g)]) == pytest.approx(s, rel=1e-12)  # sample order
    assert classifier_score(logits.float()) == pytest.approx(s, rel=1e-6)
    parts = [classifier_score(p) for p in torch.tensor_split(logits, 3)]
    assert classifier_score(logits, splits=3) == pytest.approx(np.mean(parts), rel=1e-12)


def test_classifier_score_is_stable_for_huge_logits():
    logits = 1e4 * nn.functional.one_hot(torch.arange(30) % 3, 3).double()
    assert classifier_score(logits) == pytest.approx(3.0, rel=1e-9)


@pytest.mark.parametrize("bad, kw", [
    (torch.randn(10), {}), (torch.randn(0, 10), {}), (torch.tensor([[0.0, float("nan")]]), {}),
    (torch.randint(0, 5, (4, 3)), {}), (torch.randn(10, 3), {"splits": 0}), (torch.randn(10, 3), {"splits": 11}),
])
def test_classifier_score_rejects_bad_input(bad, kw):
    with pytest.raises(ValueError):
        classifier_score(bad, **kw)


# --------------------------------------------------------------------------- eq. 4
def _scipy_fd(mu1, s1, mu2, s2) -> float:
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def _random_features(n, d, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(d, d, generator=g) / d ** 0.5
    return torch.relu(torch.randn(n, d, generator=g, dtype=torch.float64) @ a.double() + 0.3)


def test_frechet_distance_matches_scipy_sqrtm():
    for d, seed in ((1, 0), (5, 1), (32, 2), (64, 3)):
        f1, f2 = _random_features(400, d, seed), 1.3 * _random_features(300, d, seed + 100) + 0.1
        mu1, s1 = gaussian_moments(f1)
        mu2, s2 = gaussian_moments(f2)
        ref = _scipy_fd(*(t.numpy() for t in (mu1, s1, mu2, s2)))
        assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(ref, rel=1e-6)
        assert frechet_distance_from_features(f1, f2) == pytest.approx(ref, rel=1e-6)


def test_frechet_distance_known_answers():
    # 1-D: (m1 - m2)^2 + (sd1 - sd2)^2
    assert frechet_distance(torch.tensor([1.0]), torch.tensor([[4.0]]), torch.tensor([-2.0]), torch.tensor([[9.0]])) \
        == pytest.approx(9.0 + 1.0, rel=1e-12)
    # diagonal covariances: |dm|^2 + sum (sqrt(a) - sqrt(b))^2
    a, b = torch.tensor([1.0, 4.0, 0.25], dtype=torch.float64), torch.tensor([9.0, 1.0, 0.04], dtype=torch.float64)
    m1, m2 = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0, 0.0])
    expected = 5.0 + float(((a.sqrt() - b.sqrt()) ** 2).sum())
    assert frechet_distance(m1, torch.diag(a), m2, torch.diag(b)) == pytest.approx(expected, rel=1e-12)
    # singular covariances (either side): exact up to sqrt(round-off) ~ 1e-8
    z = torch.tensor([9.0, 0.0, 0.04], dtype=torch.float64)
    expected_z = 5.0 + float(((a.sqrt() - z.sqrt()) ** 2).sum())
    assert frechet_distance(m1, torch.diag(a), m2, torch.diag(z)) == pytest.approx(expected_z, rel=1e-7)
    assert frechet_distance(m2, torch.diag(z), m1, torch.diag(a)) == pytest.approx(expected_z, rel=1e-7)
    # the same Gaussian rotated: a rotation of both changes nothing
    q, _ = torch.linalg.qr(torch.randn(3, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64))
    rot = frechet_distance(q @ m1.double(), q @ torch.diag(a).double() @ q.T, q @ m2.double(), q @ torch.diag(b).double() @ q.T)
    assert rot == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_zero_for_identical_and_symmetric():
    f1, f2 = _random_features(500, 48, 7), _random_features(500, 48, 8) * 2
    mu1, s1 = gaussian_moments(f1)
    mu2, s2 = gaussian_moments(f2)
    scale = float(s1.trace())
    assert abs(frechet_distance(mu1, s1, mu1, s1)) < 1e-9 * scale
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(frechet_distance(mu2, s2, mu1, s1), rel=1e-9)
    # rank-deficient covariances (fewer samples than features, dead ReLU units): still finite and 0 to itself
    low = _random_features(20, 48, 9)
    mu, s = gaussian_moments(low)
    assert torch.linalg.matrix_rank(s) < 48
    # zero eigenvalues carry round-off ~eps*|C|, whose square roots add up to ~D*sqrt(eps)*|C|
    assert abs(frechet_distance(mu, s, mu, s)) < 48 * 1.5e-8 * float(s.trace())
    assert math.isfinite(frechet_distance(mu, s, mu2, s2))


def test_gaussian_moments_match_numpy():
    f = _random_features(100, 6, 11) + 1e3  # a large mean must not hurt the covariance (centred computation)
    mu, s = gaussian_moments(f)
    assert mu.dtype == s.dtype == torch.float64 and mu.shape == (6,) and s.shape == (6, 6)
    np.testing.assert_allclose(mu.numpy(), f.numpy().mean(0), rtol=1e-12)
    np.testing.assert_allclose(s.numpy(), np.cov(f.numpy(), rowvar=False), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("args", [
    (torch.zeros(3), torch.eye(3), torch.zeros(2), torch.eye(2)),
    (torch.zeros(3), torch.eye(2), torch.zeros(3), torch.eye(3)),
    (torch.zeros(3, 1), torch.eye(3), torch.zeros(3), torch.eye(3)),
    (torch.zeros(2), torch.tensor([[1.0, float("inf")], [0.0, 1.0]]), torch.zeros(2), torch.eye(2)),
])
def test_frechet_distance_rejects_bad_shapes(args):
    with pytest.raises(ValueError):
        frechet_distance(*args)
    with pytest.raises(ValueError):
        frechet_distance_from_features(torch.randn(10, 3), torch.randn(10, 4))
    with pytest.raises(ValueError):
        gaussian_moments(torch.randn(1, 3))


# --------------------------------------------------------------------------- torchmetrics conventions
class _Identity(nn.Module):
    """Feature 'network' that returns its input (B, D) and records what it was called with."""

    def __init__(self, num_features: int | None = None):
        super().__init__()
        if num_features is not None:
            self.num_features = num_features
        self.seen = []

    def forward(self, x):
        self.seen.append(x.dtype)
        return x.double() if x.dtype == torch.uint8 else x


def test_torchmetrics_fid_with_custom_module_is_eq4():
    from torchmetrics.image.fid import FrechetInceptionDistance

    f1, f2 = _random_features(400, 16, 21), 0.7 * _random_features(300, 16, 22)
    # num_features attribute: no dummy forward; update() passes the tensors through untouched
    fid = FrechetInceptionDistance(feature=_Identity(num_features=16), normalize=True)
    assert fid.inception.seen == []
    fid.update(f1, real=True)
    fid.update(f2, real=False)
    assert fid.inception.seen == [torch.float64, torch.float64]  # no uint8 conversion for a custom module
    ours = frechet_distance_from_features(f1, f2)
    tm = fid.compute()
    assert tm.dtype == torch.float64  # returned in the features' dtype (float32 features -> float32)
    assert float(tm) == pytest.approx(ours, rel=1e-8)
    # without num_features the size comes from a dummy forward of input_img_size: uint8 unless normalize=True
    probe = _Identity()
    FrechetInceptionDistance(feature=nn.Sequential(probe, nn.Flatten()), input_img_size=(1, 2, 3))
    assert probe.seen == [torch.uint8]
    probe = _Identity()
    FrechetInceptionDistance(feature=nn.Sequential(probe, nn.Flatten()), input_img_size=(1, 2, 3), normalize=True)
    assert probe.seen == [torch.float32]


@pytest.mark.filterwarnings("ignore::UserWarning")  # torchmetrics: features kept in a buffer; std of 1 split
def test_torchmetrics_inception_score_conventions():
    from torchmetrics.image.inception import InceptionScore

    logits = 3 * torch.randn(200, 10, generator=torch.Generator().manual_seed(5))
    # IS applies softmax itself to what the module returns (logits) and averages over `splits`
    metric = InceptionScore(feature=_Identity(), splits=1)
    metric.update(logits)
    state = torch.get_rng_state()
    mean, _ = metric.compute()
    assert not torch.equal(state, torch.get_rng_state())  # compute() draws torch.randperm from the global RNG
    assert float(mean) == pytest.approx(classifier_score(logits), rel=1e-5)  # float32 inside
    # normalize=True converts the input to bytes even for a custom module
    probe = _Identity()
    metric = InceptionScore(feature=probe, normalize=True)
    metric.update(torch.rand(4, 3, 8, 8))
    assert probe.seen == [torch.uint8]


# --------------------------------------------------------------------------- mode statistics
def test_mode_statistics_hand_made():
    st = mode_statistics([0, 0, 1, 2, 2, 2], n_classes=3)
    assert st == {"n": 6, "counts": [2, 1, 3], "fractions": [2 / 6, 1 / 6, 3 / 6], "least_class": 1, "least_count": 1,
                  "most_class": 2, "most_count": 3, "n_missing": 0}
    st = mode_statistics(np.array([3, 3, 1]), n_classes=5)
    assert st["counts"] == [0, 1, 0, 2, 0] and st["least_class"] == 0 and st["least_count"] == 0
    assert st["n_missing"] == 3 and st["most_class"] == 3
    # ties: lowest index; a balanced sample of 360 (the paper's count) has 36 per class
    st = mode_statistics(torch.arange(360) % 10)
    assert st["least_class"] == 0 and st["least_count"] == 36 and st["fractions"] == [0.1] * 10
    # logits -> argmax; same answer as the labels; JSON-able
    logits = torch.nn.functional.one_hot(torch.tensor([4, 4, 9, 0]), 10).float() + 0.01 * torch.randn(4, 10)
    assert mode_statistics(logits) == mode_statistics([4, 4, 9, 0])
    json.dumps(mode_statistics(logits))


@pytest.mark.parametrize("bad, k", [([0, 3], 3), ([-1, 0], 3), (torch.randn(4, 3), 4), ([0.5, 1.0], 3),
                                    ([], 3), (torch.zeros(2, 2, 2), 2), ([0, 1], 0)])
def test_mode_statistics_rejects_bad_input(bad, k):
    with pytest.raises(ValueError):
        mode_statistics(bad, n_classes=k)


# --------------------------------------------------------------------------- scorers on a hand-made classifier
class _LinearClassifier(nn.Module):
    """Known 'classifier': logits = W flatten(x); penultimate = tanh(V flatten(x))."""

    name = "toy"

    def __init__(self, d_in=16, k=4, f=5):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.w = nn.Parameter(torch.randn(k, d_in, generator=g))
        self.v = nn.Parameter(torch.randn(f, d_in, generator=g))

    def forward_features(self, x):
        x = x.flatten(1)
        return x @ self.w.T, torch.tanh(x @ self.v.T)


def test_classifier_scorer_equals_direct_computation():
    clf = _LinearClassifier()
    g = torch.Generator().manual_seed(4)
    real, fake = torch.rand(300, 1, 4, 4, generator=g) * 2 - 1, torch.rand(200, 1, 4, 4, generator=g) - 0.5
    for feature in ("logits", "penultimate"):
        scorer = ClassifierScorer(clf, real, feature=feature, batch_size=64)
        lr, pr = clf.forward_features(real)
        lf, pf = clf.forward_features(fake)
        fr, ff = (lr, lf) if feature == "logits" else (pr, pf)
        state = torch.get_rng_state()
        out = scorer(fake)
        assert torch.equal(state, torch.get_rng_state())  # scoring leaves the global RNG alone
        assert out["score"] == pytest.approx(classifier_score(lf.detach()), rel=1e-6)
        assert out["frechet"] == pytest.approx(frechet_distance_from_features(fr.detach(), ff.detach()), rel=1e-6)
        assert ClassifierScorer(clf, real, feature=feature, batch_size=7)(fake) == pytest.approx(out, rel=1e-6)
        assert scorer.name == f"toy/{feature}" and "toy" in scorer.metric_names["frechet"]
        assert json.loads(json.dumps(scorer.config))["feature"] == feature and scorer.config["n_real"] == 300
    with pytest.raises(ValueError):
        scorer(torch.rand(10, 1, 5, 5))  # wrong image shape
    with pytest.raises(ValueError):
        ClassifierScorer(clf, real, feature="pool3")


def test_scorer_device_is_where_it_runs_not_what_it_is():
    """The device moves the classifier, not the numbers' identity (run ids hash ``config``)."""
    clf = _LinearClassifier()
    g = torch.Generator().manual_seed(5)
    real, fake = torch.rand(100, 1, 4, 4, generator=g) * 2 - 1, torch.rand(50, 1, 4, 4, generator=g) - 0.5
    a, b = ClassifierScorer(clf, real), ClassifierScorer(_LinearClassifier(), real, device="cpu")
    assert a.config == b.config and "device" not in json.dumps(a.config)
    assert a(fake) == b(fake)
    if torch.cuda.is_available():  # on a GPU machine: the same numbers to float32 precision, TF32 off
        c = ClassifierScorer(_LinearClassifier(), real, device="cuda")
        assert next(c.classifier.parameters()).is_cuda
        assert c(fake) == pytest.approx(a(fake), rel=1e-5)


# --------------------------------------------------------------------------- real MNIST
@pytest.fixture(scope="session")
def mnist_store(tmp_path_factory):
    """Store holding the default MNIST classifier: $GANCOND_RUNS if set (reused), else one per session."""
    return RunStore(os.environ.get("GANCOND_RUNS") or tmp_path_factory.getbasetemp() / "mnist-classifier-runs")


def test_mnist_scores_on_real_data_and_noise(mnist_store, data_root):
    from gancond.data import load_dataset

    scorer = make_scorer("mnist", store=mnist_store, root=data_root)
    assert scorer.name == "mnist-cnn/logits" and scorer.n_real == 10_000
    assert scorer.config["classifier"].startswith("pinned-") and scorer.config["real_split"] == "test"
    assert scorer.config["classifier_config"]["weights_sha256"] == PINNED["mnist"]["sha256"]
    json.dumps(scorer.config)
    x_test, _ = load_dataset("mnist", "test", root=data_root)
    x_train, _ = load_dataset("mnist", "train", root=data_root)
    g = torch.Generator().manual_seed(0)
    noise = torch.rand(1000, 1, 28, 28, generator=g) * 2 - 1  # uniform in [-1, 1]
    cases = {
        "test split vs itself (10000)": x_test,
        "train[-10000:] (disjoint)": x_train[-10_000:],
        "train[-1000:] (disjoint)": x_train[-1000:],
        "uniform noise (1000)": noise,
    }
    res = {k: scorer(v) for k, v in cases.items()}
    print(f"\n[{scorer.name}] classifier test accuracy {scorer.classifier.test_accuracy:.4f}")
    for k, v in res.items():
        print(f"  {k:32s} score {v['score']:7.4f}   frechet {v['frechet']:10.4f}")
    assert 9.5 < res["test split vs itself (10000)"]["score"] <= 10
    assert abs(res["test split vs itself (10000)"]["frechet"]) < 1e-6
    assert 9.5 < res["train[-10000:] (disjoint)"]["score"] <= 10
    assert res["train[-10000:] (disjoint)"]["frechet"] < 2.0
    assert res["train[-1000:] (disjoint)"]["frechet"] < 10.0
    assert res["uniform noise (1000)"]["score"] < 1.5
    assert res["uniform noise (1000)"]["frechet"] > 100 * res["train[-10000:] (disjoint)"]["frechet"]
    st = mode_statistics(scorer.logits(x_test[:360]))
    assert st["n"] == 360 and st["least_count"] > 20  # real digits: no missing mode


# --------------------------------------------------------------------------- Inception weights
def _fake_cifar(monkeypatch):
    """Replace the CIFAR-10 loader by small synthetic tensors (the code path, not the data, is tested)."""
    import gancond.data

    real_load = gancond.data.load_dataset

    def load(name, split="train", root=None, download=None):
        if name != "cifar10":
            return real_load(name, split, root, download)
        g = torch.Generator().manual_seed(0 if split == "train" else 1)
        n = 256 if split == "train" else 64
        y = torch.arange(n) % 10
        x = (torch.rand(n, 3, 32, 32, generator=g) * 0.5 + (y.float() / 10)[:, None, None, None]) * 2 - 1
        return x.clamp(-1, 1), y

    monkeypatch.setattr(gancond.data, "load_dataset", load)


def _no_downloads(monkeypatch):
    import torch_fidelity.feature_extractor_inceptionv3 as fe

    def refuse(*a, **k):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(fe, "load_state_dict_from_url", refuse)
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", refuse)

    def offline(*a, **k):  # what urlopen raises without a network
        raise OSError("Temporary failure in name resolution")

    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", offline)


def test_fetch_inception_weights_online_and_offline(monkeypatch, tmp_path):
    import io
    import urllib.request

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    target = tmp_path / "hub" / "checkpoints" / scores.INCEPTION_WEIGHTS_FILE
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Response(b"w" * 3_000_000))
    assert scores.fetch_inception_weights(target) and target.read_bytes() == b"w" * 3_000_000
    target.unlink()
    _no_downloads(monkeypatch)
    assert not scores.fetch_inception_weights(target)
    assert not target.exists() and not list(target.parent.glob("*.part"))  # nothing half-written stays


def test_missing_inception_weights_use_labelled_fallback(monkeypatch, tmp_path, store, capsys):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.delenv("GANCOND_INCEPTION_WEIGHTS", raising=False)
    _no_downloads(monkeypatch)
    _fake_cifar(monkeypatch)
    expected_path = tmp_path / "hub" / "checkpoints" / scores.INCEPTION_WEIGHTS_FILE
    assert scores.inception_weights_path() == expected_path
    scorer = make_scorer("cifar10", n_real=64, store=store, root=tmp_path / "data", batch_size=50)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("gancond.scores")]
    assert len(lines) == 1
    msg = lines[0]
    with capsys.disabled():
        print("\n" + msg)
    assert "Inception weights missing" in msg and str(expected_path) in msg
    assert scores.INCEPTION_WEIGHTS_URL in msg and "fallback" in msg and "CNN classifier of cifar10" in msg
    assert isinstance(scorer, ClassifierScorer)
    assert scorer.name == "cifar10-cnn/logits (fallback: no Inception weights)"
    assert scorer.config["fallback"] is True and "fallback" in scorer.metric_names["score"]
    assert scorer.config["classifier_config"]["weights_sha256"] == PINNED["cifar10"]["sha256"]  # the pinned fallback
    out = scorer(torch.rand(20, 3, 32, 32) * 2 - 1)
    assert math.isfinite(out["score"]) and math.isfinite(out["frechet"])
    # prefer_inception=False: no message, still labelled
    s2 = make_scorer("cifar10", n_real=64, store=store, root=tmp_path / "data", prefer_inception=False)
    assert "gancond.scores" not in capsys.readouterr().out
    assert s2.name == "cifar10-cnn/logits (fallback: Inception not requested)"


def test_inception_scorer_when_weights_present(monkeypatch, tmp_path, store, capsys):
    """With a weights file in place (random weights here), make_scorer builds the Inception scorer."""
    import torch_fidelity.feature_extractor_inceptionv3 as fe

    hub = tmp_path / "hub"
    (hub / "checkpoints").mkdir(parents=True)
    with monkeypatch.context() as mp:  # build a randomly initialised network just to get a state dict
        mp.setattr(fe, "load_state_dict_from_url", lambda *a, **k: {})
        mp.setattr(fe.FeatureExtractorInceptionV3, "load_state_dict", lambda self, sd, *a, **k: None)
        net = fe.FeatureExtractorInceptionV3("inception-v3-compat", ["2048"])
    torch.save(net.state_dict(), hub / "checkpoints" / scores.INCEPTION_WEIGHTS_FILE)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(hub))
    monkeypatch.delenv("GANCOND_INCEPTION_WEIGHTS", raising=False)
    _no_downloads(monkeypatch)
    _fake_cifar(monkeypatch)
    scorer = make_scorer("cifar10", n_real=2, store=store, root=tmp_path / "data", batch_size=2)
    assert "gancond.scores" not in capsys.readouterr().out
    assert isinstance(scorer, InceptionScorer) and scorer.name == "inception"
    assert scorer.metric_names == {"score": "inception/IS", "frechet": "inception/FID"}
    assert scorer.config["scorer"] == "inception" and scorer.config["n_real"] == 2
    out = scorer(torch.rand(2, 3, 32, 32) * 2 - 1)
    assert 1.0 - 1e-9 <= out["score"] and math.isfinite(out["frechet"])


def test_make_scorer_rejects_bad_arguments(store):
    with pytest.raises(ValueError):
        make_scorer("svhn", store=store)
    with pytest.raises(ValueError):
        make_scorer("mnist", n_real=1, store=store)
    with pytest.raises(ValueError, match="pinned weights"):
        make_scorer("mnist", store=store, classifier_kwargs={"epochs": 1})
