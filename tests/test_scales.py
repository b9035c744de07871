"""Scale presets and chapter-parameter validation."""

import pytest

from gancond.scales import SCALES, experiment


def test_presets_and_overrides(monkeypatch):
    monkeypatch.delenv("GANCOND_SCALE", raising=False)
    exp = experiment(scale="paper")
    assert exp.runs == 10 and exp.scale.width == 1.0 and exp.gan.lambda_max == 20.0
    exp = experiment(scale="book", runs=3, steps=100, width=0.5)
    assert exp.runs == 3 and exp.gan.steps == 100 and exp.gan.width == 0.5
    assert exp.seeds() == [0, 1, 2]
    plain, clamped = exp.configs(False), exp.configs(True)
    assert [c.seed for c in plain] == [0, 1, 2] and all(c.clamp for c in clamped)
    assert plain[1].replace(clamp=True) == clamped[1]  # identical up to clamping
    assert experiment(dataset="cifar10", scale="smoke").gan.z_dim == 100


def test_env_overrides_scale(monkeypatch):
    monkeypatch.setenv("GANCOND_SCALE", "smoke")
    assert experiment(scale="paper").scale == SCALES["smoke"]


@pytest.mark.parametrize("kwargs, match", [
    (dict(dataset="svhn"), "parameter 'dataset'"),
    (dict(scale="huge"), "parameter 'scale'"),
    (dict(runs=-2), "parameter 'runs' must be a positive integer"),
    (dict(runs=0), "parameter 'runs'"),
    (dict(steps=1.5), "parameter 'steps'"),
    (dict(width=-1.0), "parameter 'width'"),
    (dict(seed=-1), "parameter 'seed'"),
    (dict(device="tpu"), "parameter 'device'"),
    (dict(lambda_min=20.0, lambda_max=1.0), "lambda_min must be < lambda_max"),
    (dict(eps=0.0), "eps must be > 0"),
    (dict(bogus=1), "unknown parameter"),
])
def test_bad_parameters_name_the_problem(kwargs, match, monkeypatch):
    monkeypatch.delenv("GANCOND_SCALE", raising=False)
    with pytest.raises(ValueError, match=match):
        experiment(**kwargs)
