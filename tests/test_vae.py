"""The VAE of chapter 03: shapes, the ELBO's terms against torch.distributions, learning on real
MNIST, determinism, exact resume after an interruption, config validation (the presets:
test_experiments.py)."""

import math

import pandas as pd
import pytest
import torch
from torch import distributions as dist

from gancond.jacobian import mean_log_cond
from gancond.models import IMAGE_SHAPES, Generator
from gancond.runs import Run, RunStore
from gancond.train import fixed_latents
from gancond.vae import (Encoder, VAEConfig, decoder_logits, elbo_terms, load_decoder, load_encoder, train_vae,
                         train_vaes, vae_run_config)



@pytest.fixture(autouse=True)
def _one_thread():
    """These networks are tiny: one thread is as fast as two, and immune to a busy machine
    (two OpenMP threads on an oversubscribed CPU spin at every barrier)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


SMOKE = dict(dataset="mnist", width=0.125, steps=40, batch_size=32, eval_every=20, n_eval_z=3, n_test=100,
             n_train=512)
# columns that must agree exactly between two runs of the same config (time_s is wall clock)
NUMBERS = ["step", "train_elbo", "train_loglik", "train_kl", "test_elbo", "test_loglik", "test_kl",
           "active_units", "mean_log_cond"]


# --------------------------------------------------------------------------- model and ELBO
@pytest.mark.parametrize("size", [28, 32, 48])
def test_encoder_shapes_and_decoder_is_the_generator(size):
    E, G = Encoder(size, 16, 0.125), Generator(size, 16, 0.125)
    x = torch.rand(5, *IMAGE_SHAPES[size]) * 2 - 1
    mu, logvar = E(x)
    assert mu.shape == logvar.shape == (5, 16)
    z = torch.randn(5, 16)
    logits = decoder_logits(G, z)
    assert logits.shape == (5, *IMAGE_SHAPES[size])
    G.eval()  # same BatchNorm statistics for both calls
    # the Bernoulli mean (G(z) + 1) / 2 is sigmoid of the logits: the decoder mean is G(z)
    torch.testing.assert_close(torch.sigmoid(decoder_logits(G, z)), (G(z) + 1) / 2, atol=1e-6, rtol=1e-5)


def test_encoder_mirrors_the_discriminator():
    from gancond.models import Discriminator

    E, D = Encoder(28, 64, 0.25), Discriminator(28, 0.25)
    assert [type(m) for m in E.features] == [type(m) for m in D.features]
    assert [p.shape for p in E.features.parameters()] == [p.shape for p in D.features.parameters()]
    assert E.head.out_features == 2 * 64


def test_elbo_terms_match_torch_distributions():
    torch.manual_seed(1)
    E, G = Encoder(28, 8, 0.125).eval(), Generator(28, 8, 0.125).eval()
    with torch.no_grad():  # make q(z|x) far from the prior so the KL is not trivially 0
        E.head.bias.normal_(0, 1.0)
    x = (torch.rand(4, 1, 28, 28) > 0.5).float() * 2 - 1  # binary images in {-1, 1}
    noise = torch.randn(4, 8)
    with torch.no_grad():
        out = elbo_terms(E, G, x, noise, "bernoulli")
        mu, logvar = E(x)
        q = dist.Normal(mu, (0.5 * logvar).exp())
        kl = dist.kl_divergence(q, dist.Normal(torch.zeros_like(mu), torch.ones_like(mu))).sum(1)
        z = mu + (0.5 * logvar).exp() * noise
        ll = dist.Bernoulli(logits=decoder_logits(G, z)).log_prob((x + 1) / 2).flatten(1).sum(1)
        torch.testing.assert_close(out["kl"], kl, atol=1e-4, rtol=1e-5)
        torch.testing.assert_close(out["loglik"], ll, atol=1e-3, rtol=1e-5)
        torch.testing.assert_close(out["elbo"], ll - kl, atol=1e-3, rtol=1e-5)
        g = elbo_terms(E, G, x, noise, "gaussian", sigma=0.3)
        ll_g = dist.Normal(G(z), 0.3).log_prob(x).flatten(1).sum(1)
        torch.testing.assert_close(g["loglik"], ll_g, atol=1e-3, rtol=1e-5)
    assert (out["kl"] > 0).all()


def test_soft_targets_are_the_average_over_binarisations():
    # E_b[log Bernoulli(b; p)] with b ~ Bernoulli(t) equals t log p + (1 - t) log(1 - p)
    logits, t = torch.randn(6), torch.rand(6)
    soft = -torch.nn.functional.binary_cross_entropy_with_logits(logits, t, reduction="none")
    d = dist.Bernoulli(logits=logits)
    expected = t * d.log_prob(torch.ones(6)) + (1 - t) * d.log_prob(torch.zeros(6))
    torch.testing.assert_close(soft, expected)


# --------------------------------------------------------------------------- training
def test_elbo_improves_on_real_mnist(store, data_root):
    run = train_vae(VAEConfig(**SMOKE), store, progress=False, root=data_root)
    m = run.read_table("metrics")
    assert m["step"].tolist() == [0, 20, 40]
    assert m[NUMBERS].iloc[1:].notna().all().all()
    # the held-out ELBO (nats per image) rises well above its value at initialisation ...
    assert m["test_elbo"].iloc[-1] > m["test_elbo"].iloc[0] + 100
    # ... and the training ELBO keeps rising over the run
    assert m["train_elbo"].iloc[-1] > m["train_elbo"].iloc[1]
    assert (m["test_elbo"] <= 0).all() and (m["test_kl"] >= 0).all()
    torch.testing.assert_close(torch.tensor(m["test_elbo"].to_numpy()),
                               torch.tensor((m["test_loglik"] - m["test_kl"]).to_numpy()))
    # the stored log κ is that of the stored decoder on the GAN runs' fixed z
    G = load_decoder(run)
    assert type(G) is Generator and not G.training
    mean, _ = mean_log_cond(G, fixed_latents(64, 3, 0, 0))
    assert math.isclose(mean, m["mean_log_cond"].iloc[-1], rel_tol=1e-9)
    per_z = run.read_table("per_z")
    assert len(per_z) == 3 * 3
    assert load_encoder(run)(torch.zeros(2, 1, 28, 28))[0].shape == (2, 64)
    manifest = run.manifest()
    assert manifest["complete"] and manifest["data"]["name"] == "mnist" and manifest["n_test"] == 100


def test_same_seed_same_numbers_other_seed_other_numbers(tmp_path, data_root):
    cfg = VAEConfig(**dict(SMOKE, steps=10, eval_every=10))
    a = train_vae(cfg, RunStore(tmp_path / "a"), progress=False, root=data_root)
    b, c = train_vaes([cfg, cfg.replace(seed=1)], RunStore(tmp_path / "b"), progress=False, root=data_root)
    ma, mb, mc = (r.read_table("metrics") for r in (a, b, c))
    pd.testing.assert_frame_equal(ma[NUMBERS], mb[NUMBERS])
    pd.testing.assert_frame_equal(a.read_table("per_z"), b.read_table("per_z"))
    assert not ma["train_elbo"].iloc[1:].equals(mc["train_elbo"].iloc[1:])


class _Interrupted(Exception):
    pass


def test_interrupted_run_resumes_to_identical_numbers(tmp_path, data_root, monkeypatch):
    cfg = VAEConfig(**SMOKE)
    original = Run.save_checkpoint
    saved = []

    def save_then_die(self, state, name="last"):  # dies right after the checkpoint at step 20
        original(self, state, name)
        saved.append(state.get("step"))
        if state.get("step") == 20:
            raise _Interrupted

    monkeypatch.setattr(Run, "save_checkpoint", save_then_die)
    store = RunStore(tmp_path / "killed")
    with pytest.raises(_Interrupted):
        train_vae(cfg, store, progress=False, root=data_root)
    monkeypatch.setattr(Run, "save_checkpoint", original)
    run = store.open("vae", vae_run_config(cfg))
    assert saved == [0, 20] and not run.complete and run.load_checkpoint()["step"] == 20

    torch.manual_seed(123)  # the global RNG must not matter
    resumed = train_vae(cfg, store, progress=False, root=data_root)
    fresh = train_vae(cfg, RunStore(tmp_path / "fresh"), progress=False, root=data_root)
    assert resumed.manifest()["resumed"] and resumed.manifest()["attempts"] == 2
    pd.testing.assert_frame_equal(resumed.read_table("metrics")[NUMBERS], fresh.read_table("metrics")[NUMBERS])
    pd.testing.assert_frame_equal(resumed.read_table("per_z"), fresh.read_table("per_z"))
    for k, v in load_decoder(fresh).state_dict().items():
        assert torch.equal(v, load_decoder(resumed).state_dict()[k]), k


def test_decoder_starts_as_the_gan_generator_of_the_same_seed(tmp_path, data_root):
    from gancond.train import GANConfig, train_gan

    common = dict(dataset="mnist", width=0.125, steps=1, batch_size=32, eval_every=1, n_eval_z=3, n_train=512, seed=4)
    vae = train_vae(VAEConfig(**common, n_test=50), RunStore(tmp_path), progress=False, root=data_root)
    gan = train_gan(GANConfig(**common, recipe="custom", score_samples=0), RunStore(tmp_path), progress=False,
                    root=data_root)
    assert vae.read_table("metrics")["mean_log_cond"].iloc[0] == gan.read_table("metrics")["mean_log_cond"].iloc[0]
    pd.testing.assert_frame_equal(vae.read_table("per_z").query("step == 0"),
                                  gan.read_table("per_z").query("step == 0")[["step", "z", "log_cond"]])


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize("field, value, match", [
    ("dataset", "imagenet", r"VAEConfig.dataset must be one of"),
    ("steps", 0, r"VAEConfig.steps must be a positive integer"),
    ("width", -1.0, r"VAEConfig.width"),
    ("likelihood", "poisson", r"VAEConfig.likelihood must be one of"),
    ("sigma", 0.0, r"VAEConfig.sigma"),
    ("lr", 2.0, r"VAEConfig.lr"),
    ("n_test", 1, r"VAEConfig.n_test"),
    ("n_train", 10, r"VAEConfig.n_train"),
    ("z_dim", True, r"VAEConfig.z_dim"),
])
def test_bad_config_raises(field, value, match):
    with pytest.raises(ValueError, match=match):
        VAEConfig(**{field: value})


def test_load_decoder_refuses_other_runs(store):
    run = store.open("gan", {"seed": 0})
    with pytest.raises(ValueError, match="not a 'vae' run"):
        load_decoder(run)
