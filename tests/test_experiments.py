"""gancond.experiments: the presets of every kind of run, the builders' shape and validation, load_model.

(That the builders yield the same run ids as before is tests/test_experiment_configs.py.)
"""

import pytest

from gancond.experiments import (GAN_SCALES, MEMORIZE_SCALES, VAE_SCALES, WGAN_SCALES, Z_DIM, Experiment,
                                 gan_experiment, load_model, memorize_experiment, vae_experiment, wgan_experiment)

BUILDERS = {"gan": gan_experiment, "vae": vae_experiment, "memorize": memorize_experiment, "wgan": wgan_experiment}
PRESETS = {"gan": GAN_SCALES, "vae": VAE_SCALES, "memorize": MEMORIZE_SCALES, "wgan": WGAN_SCALES}


@pytest.fixture(autouse=True)
def _no_env_scale(monkeypatch):
    monkeypatch.delenv("GANCOND_SCALE", raising=False)


# --------------------------------------------------------------------------- layering
@pytest.mark.parametrize("trainer", ["train", "vae", "memorize", "wgan", "classifier"])
def test_trainers_import_nothing_from_the_experiments(trainer):
    """The presets sit above the trainers: a trainer takes a config, not the chapters' parameters."""
    import ast
    from pathlib import Path

    import gancond

    src = (Path(gancond.__file__).parent / f"{trainer}.py").read_text()
    imported = {n.module for n in ast.walk(ast.parse(src)) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m.split(".")[-1] in ("experiments", "arms", "scales")}, imported


# --------------------------------------------------------------------------- one shape for every kind
@pytest.mark.parametrize("kind", sorted(BUILDERS))
@pytest.mark.parametrize("scale", ["smoke", "book", "paper"])
def test_every_builder_returns_one_shape(kind, scale):
    exp = BUILDERS[kind](scale=scale, seed=4, device="cpu")
    assert isinstance(exp, Experiment) and exp.kind == kind and exp.scale.name == scale
    assert exp.runs == exp.scale.runs >= 1 and exp.seeds() == [4 + i for i in range(exp.runs)]
    cfgs = exp.configs()
    assert [c.seed for c in cfgs] == exp.seeds() and cfgs[0] == exp.base
    assert all(c.replace(seed=4) == exp.base for c in cfgs)  # identical up to the seed
    assert len(exp.configs(runs=2)) == 2
    assert set(exp.scorer_kwargs()) == {"n_real"} and exp.describe()["seed"] == 4


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_env_overrides_scale(kind, monkeypatch):
    monkeypatch.setenv("GANCOND_SCALE", "smoke")
    assert BUILDERS[kind](scale="paper").scale == PRESETS[kind]["smoke"]


@pytest.mark.parametrize("kind", sorted(BUILDERS))
@pytest.mark.parametrize("kwargs, match", [
    (dict(scale="huge"), "parameter 'scale' must be one of"),
    (dict(runs=-2), "parameter 'runs' must be a positive integer"),
    (dict(runs=0), "parameter 'runs'"),
    (dict(steps=1.5), "parameter 'steps'"),
    (dict(width=-1.0), "parameter 'width'"),
    (dict(seed=-1), "parameter 'seed'"),
    (dict(device="tpu"), "parameter 'device'"),
    (dict(bogus=1), "unknown (VAE )?parameter"),
])
def test_bad_parameters_name_the_problem(kind, kwargs, match):
    with pytest.raises(ValueError, match=match):
        BUILDERS[kind](**kwargs)


# --------------------------------------------------------------------------- GAN (chapters 1-4, 6)
def test_gan_presets_and_overrides():
    exp = gan_experiment(scale="paper")
    assert exp.runs == 10 and exp.scale.width == 1.0 and exp.base.lambda_max == 20.0
    exp = gan_experiment(scale="book", runs=3, steps=100, width=0.5)
    assert exp.runs == 3 and exp.base.steps == 100 and exp.base.width == 0.5
    assert exp.seeds() == [0, 1, 2]
    plain, clamped = exp.configs(clamp=False), exp.configs(clamp=True)
    assert [c.seed for c in plain] == [0, 1, 2] and all(c.clamp for c in clamped)
    assert plain[1].replace(clamp=True) == clamped[1]  # identical up to clamping
    assert gan_experiment(dataset="cifar10", scale="smoke").base.z_dim == 100
    assert gan_experiment(scale="book", recipe="tfgan").runs == 10  # RECIPE_PRESETS
    assert gan_experiment(scale="book", recipe="radford").runs == 5


@pytest.mark.parametrize("kwargs, match", [
    (dict(dataset="svhn"), "parameter 'dataset'"),
    (dict(recipe="sgd"), "parameter 'recipe'"),
    (dict(lambda_min=20.0, lambda_max=1.0), "lambda_min must be < lambda_max"),
    (dict(eps=0.0), "eps must be > 0"),
])
def test_bad_gan_parameters_name_the_problem(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gan_experiment(**kwargs)


# --------------------------------------------------------------------------- VAE (chapter 3)
@pytest.mark.parametrize("kwargs, match", [
    (dict(dataset="svhn"), "parameter 'dataset'"),
    (dict(runs=0), "VAE parameter 'runs'"),
    (dict(steps=2.5), "VAE parameter 'steps'"),
    (dict(likelihood="laplace"), "parameter 'likelihood'"),
    (dict(eval_seed=-1), "parameter 'eval_seed'"),
    (dict(sigma=-1.0), "invalid VAE parameters: VAEConfig.sigma"),
])
def test_bad_vae_parameters_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        vae_experiment(**kwargs)


@pytest.mark.parametrize("scale", sorted(VAE_SCALES))
def test_vae_presets_follow_the_gan_scale(scale):
    exp = vae_experiment("mnist", scale, seed=3)
    cfgs = exp.configs()
    assert [c.seed for c in cfgs] == [3 + i for i in range(VAE_SCALES[scale].runs)]
    gan = GAN_SCALES[scale]
    for c in cfgs:
        assert (c.width, c.z_dim, c.n_eval_z, c.n_train) == (gan.width, Z_DIM["mnist"], gan.n_eval_z, gan.n_train)
        assert c.steps == VAE_SCALES[scale].steps and c.eval_every <= c.steps
    over = vae_experiment("mnist", scale, width=0.5, n_eval_z=7, runs=1, steps=30, eval_every=100).configs()
    assert len(over) == 1 and (over[0].width, over[0].n_eval_z, over[0].steps, over[0].eval_every) == (0.5, 7, 30, 30)


def test_the_reach_ladder_presets_validate_like_the_others():
    from gancond.experiments import LADDER

    assert LADDER == ("book", "long", "wide")
    long, wide = gan_experiment(scale="long", device="cpu"), gan_experiment(scale="wide", device="cpu")
    assert (long.runs, long.base.steps, long.base.width) == (10, 20_000, 0.25)
    assert (wide.runs, wide.base.steps, wide.base.width) == (10, 5_000, 0.5)
    assert long.base.recipe == "tfgan" and long.base.batch_size == 32  # the recipe's own length: 20,000 steps
    assert gan_experiment(scale="wide", device="cpu", steps=6_000).base.steps == 6_000  # still overridable
    with pytest.raises(ValueError, match="runs"):
        gan_experiment(scale="long", runs=-1)
    with pytest.raises(ValueError, match="scale"):
        vae_experiment(scale="long")  # the ladder is GAN-only: a VAE at 'long' is refused by name


def test_train_arms_trains_only_the_arms_asked_for(tmp_path, data_root):
    from conftest import ConstScorer

    from gancond.arms import train_arms
    from gancond.runs import RunStore

    exp = gan_experiment(scale="smoke", device="cpu", runs=3, steps=4, eval_every=4, n_eval_z=2, score_samples=16)
    arms = train_arms(exp, None, RunStore(tmp_path), ConstScorer(), progress=False, workers=1, root=data_root,
                      arms=("calibrated",))["tfgan"]
    assert len(arms.plain) == len(arms.calibrated) == 3 and arms.paper == [] and arms.dose == {}
    assert list(arms.named()) == ["unclamped", f"calibrated λ [{arms.band['lambda_min']:g}, {arms.band['lambda_max']:g}]"]
    with pytest.raises(ValueError, match="arms must be among"):
        train_arms(exp, None, RunStore(tmp_path), ConstScorer(), arms=("dosage",))


# --------------------------------------------------------------------------- memorizer (chapter 6)
def test_memorize_presets_match_the_gan_runs():
    for name, sc in MEMORIZE_SCALES.items():
        # the same architecture and the same fixed evaluation z as the GAN runs at that scale
        assert sc.n_eval_z == GAN_SCALES[name].n_eval_z and sc.width == GAN_SCALES[name].width, name
        exp = memorize_experiment(scale=name)
        assert exp.base.z_dim == Z_DIM["mnist"] == 64 and exp.base.eval_seed == 0 and exp.dataset == "mnist"
        assert exp.scorer_kwargs() == gan_experiment(scale=name).scorer_kwargs()  # scored as the GAN runs
    paper = memorize_experiment(scale="paper")
    assert (paper.runs, paper.base.n_memorized, paper.base.n_copies, paper.base.width) == (10, 10_000, 5_000, 1.0)
    assert (paper.base.lr, paper.base.beta1) == (2e-4, 0.5)
    exp = memorize_experiment(scale="book", runs=3, steps=100, n_memorized=400, n_copies=100, score_samples=200, seed=5)
    cfgs = exp.configs()
    assert [c.seed for c in cfgs] == [5, 6, 7] and cfgs[0].replace(seed=6) == cfgs[1]
    assert cfgs[0].n_random == 300 and cfgs[0].steps == 100 and exp.describe()["n_random"] == 300


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_copies=-1), "parameter 'n_copies' must be a non-negative integer"),
    (dict(n_memorized=100, n_copies=200), "parameter 'n_copies' must be at most n_memorized"),
    (dict(n_memorized=100, n_copies=50, score_samples=500), "parameter 'score_samples'"),
    (dict(lr=2.0), "lr must be in"),
])
def test_bad_memorize_parameters_name_the_problem(kwargs, match):
    with pytest.raises(ValueError, match=match):
        memorize_experiment(**kwargs)


# --------------------------------------------------------------------------- WGAN-GP (chapter 5)
def test_wgan_presets_and_validation():
    paper = wgan_experiment("cifar10", "paper")
    assert paper.base.arch == "resnet" and paper.base.z_dim == 128 and paper.base.steps == 100_000
    assert paper.runs == 5 and len(paper.configs(n_critic=1, clamp=True)) == 5
    fast_jc = paper.configs(n_critic=1, clamp=True)
    assert {c.n_critic for c in fast_jc} == {1} and all(c.clamp for c in fast_jc)
    assert paper.base.n_critic == 5 and not paper.base.clamp
    assert wgan_experiment("mnist", "paper").base.arch == "dcgan"  # the ResNet is for 32x32 images only
    assert wgan_experiment("mnist", "smoke").scorer_kwargs() == gan_experiment(scale="smoke").scorer_kwargs()
    with pytest.raises(ValueError, match="'dataset'"):
        wgan_experiment("svhn")
    with pytest.raises(ValueError, match="parameter 'arch' must be one of"):
        wgan_experiment("mnist", arch="vgg")
    with pytest.raises(ValueError, match="unknown parameter"):
        wgan_experiment("mnist", critic_steps=3)
    with pytest.raises(ValueError, match="lambda_min"):
        wgan_experiment("mnist", lambda_min=30.0)


# --------------------------------------------------------------------------- load_model
def test_load_model_dispatches_on_the_kind(store):
    import torch

    from gancond.memorize import load_memorizer
    from gancond.models import Generator
    from gancond.train import GANConfig, load_generator
    from gancond.vae import Encoder, VAEConfig
    from gancond.wgan import WGANConfig, build_models

    gan = GANConfig(width=0.125, z_dim=8)
    vae = VAEConfig(width=0.125, z_dim=8)
    wgan = WGANConfig(dataset="mnist", arch="dcgan", width=0.125, z_dim=8)
    runs = {}
    for kind, cfg, state in [
        ("gan", gan, {"G": Generator(28, 8, 0.125).state_dict()}),
        ("vae", vae, {"G": Generator(28, 8, 0.125).state_dict(), "E": Encoder(28, 8, 0.125).state_dict()}),
        ("memorize", {"z_dim": 8, "width": 0.125}, {"G": Generator(28, 8, 0.125).state_dict()}),
        ("wgan", wgan, {"G": build_models(wgan)[0].state_dict()}),
    ]:
        run = store.open(kind, cfg)
        run.save_checkpoint(state, name="final")
        runs[kind] = run
        G = load_model(run)
        assert not G.training and G.z_dim == 8
        for k, v in G.state_dict().items():
            assert torch.equal(v, state["G"][k]), (kind, k)
    from gancond.classifier import ClassifierCNN, _build

    clf = store.open("classifier", {"dataset": "mnist", "channels": [4, 8], "hidden": 16})
    net = _build(clf.config)
    clf.save_checkpoint({"model": net.state_dict()}, name="model")
    clf.write_json("result", {"test_accuracy": 0.5})
    got = load_model(clf)
    assert isinstance(got, ClassifierCNN) and got.name == "mnist-cnn" and got.test_accuracy == 0.5 and not got.training
    assert all(torch.equal(v, net.state_dict()[k]) for k, v in got.state_dict().items())
    assert load_model(runs["gan"], "final").state_dict().keys() == load_generator(runs["gan"]).state_dict().keys()
    assert type(load_model(runs["memorize"])) is type(load_memorizer(runs["memorize"]))
    with pytest.raises(FileNotFoundError, match="no checkpoint 'last'"):
        load_model(runs["gan"], "last")
    with pytest.raises(ValueError, match="load_model knows the kinds"):
        load_model(store.open("bogus", {"seed": 0}))
