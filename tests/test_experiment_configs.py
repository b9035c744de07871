"""The run configs every experiment builder yields, pinned to a fixture.

A run's id is the hash of its config (:func:`gancond.runs.config_hash`), so a builder that
yields other configs for a scale silently orphans every stored run of that scale (the book's
store holds hours of training). This test records, for each builder at each scale with the
chapters' default parameters (and both GAN recipes, and the arms of chapters 1-4), the run ids
it yields (each the hash of a whole config) and the first config in full (to see what changed),
and fails on any difference.

The fixture ``tests/fixtures/experiment_configs.json`` was written by the code as it was before
the presets moved into one module; regenerate it (``python tests/test_experiment_configs.py``)
only when a change of run ids is intended.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "experiment_configs.json"
SCALES = ("smoke", "book", "paper")
DATASETS = ("mnist", "cifar10")
FAKE_BAND = {"lambda_min": 1.234, "lambda_max": 7.5}  # stands in for a calibrated band (chapter 2's arms)


def _runs(kind: str, dicts: list[dict]) -> dict:
    from gancond.runs import config_hash

    return {"ids": [f"{kind}-{config_hash(kind, d)}" for d in dicts], "first": dicts[0]}


def record() -> dict:
    """Builder call -> the runs it yields (ids, first config), and the scorer's keyword arguments."""
    from gancond.arms import PAPER_BAND, _configs, clamped
    from gancond.experiments import WGAN_SETTINGS, gan_experiment, memorize_experiment, vae_experiment, wgan_experiment
    from gancond.train import run_config
    from gancond.vae import vae_run_config
    from gancond.wgan import wgan_run_config

    def vae_configs(dataset, scale, seed=0, **kw):
        return vae_experiment(dataset, scale, seed, device="cpu", **kw).configs()

    out: dict[str, dict] = {}
    gan = lambda cfgs: _runs("gan", [run_config(c, None) for c in cfgs])  # noqa: E731
    for scale in SCALES:
        for dataset in DATASETS:
            for recipe in ("tfgan", "radford"):
                exp = gan_experiment(dataset=dataset, scale=scale, recipe=recipe, device="cpu")
                arms = {str(k): gan(v) for k, v in _configs(exp, FAKE_BAND).items()}
                out[f"gan/{scale}/{dataset}/{recipe}"] = {
                    "plain": gan(exp.configs(clamp=False)), "paper": gan(clamped(exp, PAPER_BAND)),
                    "arms": arms, "scorer_kwargs": exp.scorer_kwargs()}
            # VAE: defaults, and chapter 3's call (the GAN scale's width, n_eval_z, n_train, eval_seed)
            g = gan_experiment(dataset=dataset, scale=scale, device="cpu")
            out[f"vae/{scale}/{dataset}"] = {"runs": _runs("vae", [vae_run_config(c) for c in vae_configs(dataset, scale)])}
            ch3 = vae_configs(dataset, scale, 0, width=g.scale.width, n_eval_z=g.scale.n_eval_z, n_train=g.scale.n_train,
                              eval_seed=g.base.eval_seed, runs=None, steps=None, eval_every=None,
                              likelihood="bernoulli", sigma=0.1)
            out[f"vae/{scale}/{dataset}/chapter3"] = {"runs": _runs("vae", [vae_run_config(c) for c in ch3])}
            # WGAN-GP: the four settings of Fig. 7
            w = wgan_experiment(dataset=dataset, scale=scale, device="cpu")
            out[f"wgan/{scale}/{dataset}"] = {
                **{f"{nc}/{cl}": _runs("wgan", [wgan_run_config(c, None) for c in w.configs(n_critic=nc, clamp=cl)])
                   for nc, cl in WGAN_SETTINGS},
                "scorer_kwargs": w.scorer_kwargs()}
        # memorizer: defaults, and chapter 6's call (the GAN scale's n_eval_z)
        m = memorize_experiment(scale=scale, device="cpu")
        out[f"memorize/{scale}"] = {"runs": _runs("memorize", [dataclasses.asdict(c) for c in m.configs()])}
        g = gan_experiment(dataset="mnist", scale=scale, device="cpu")
        m6 = memorize_experiment(scale=scale, seed=0, device="cpu", runs=None, steps=None, width=None, n_memorized=None,
                                 n_copies=None, eval_every=None, n_eval_z=g.scale.n_eval_z, score_samples=None, lr=2e-4)
        out[f"memorize/{scale}/chapter6"] = {"runs": _runs("memorize", [dataclasses.asdict(c) for c in m6.configs()])}
    # overrides take the same path at every scale: one case per builder
    exp = gan_experiment(scale="book", seed=3, runs=2, steps=100, width=0.5, eval_every=30, device="cpu")
    out["gan/override"] = {"plain": gan(exp.configs(clamp=False)), "scorer_kwargs": exp.scorer_kwargs()}
    over = vae_configs("mnist", "book", seed=3, width=0.5, n_eval_z=7, runs=2, steps=30, eval_every=100)
    out["vae/override"] = {"runs": _runs("vae", [vae_run_config(c) for c in over])}
    m = memorize_experiment(scale="book", runs=2, steps=100, n_memorized=400, n_copies=100, score_samples=200, seed=5,
                            device="cpu")
    out["memorize/override"] = {"runs": _runs("memorize", [dataclasses.asdict(c) for c in m.configs()])}
    w = wgan_experiment(dataset="cifar10", scale="book", seed=2, runs=2, steps=50, arch="resnet", width=0.5,
                        device="cpu")
    out["wgan/override"] = {"1/True": _runs("wgan", [wgan_run_config(c, None) for c in w.configs(n_critic=1, clamp=True)]),
                            "scorer_kwargs": w.scorer_kwargs()}
    return json.loads(json.dumps(out, sort_keys=True))


def test_builders_yield_the_recorded_configs(monkeypatch):
    monkeypatch.delenv("GANCOND_SCALE", raising=False)
    expected, got = json.loads(FIXTURE.read_text()), record()
    assert sorted(got) == sorted(expected)
    for case in expected:
        assert got[case] == expected[case], case


if __name__ == "__main__":  # (re)write the fixture from the code as it is
    import os

    os.environ.pop("GANCOND_SCALE", None)
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {FIXTURE}")
